export { runCli, cliVersion } from './main.js';
export { serveCli, type ServeCliOptions, type ServeCliResult } from './repl/serve-cli.js';
export { EXIT, type ExitCode, UsageError } from './exit-codes.js';
export { toDot, toMermaid } from './graph/graph-format.js';
export { watchConfig } from './watch-config.js';
