import type { Readable, Writable } from 'node:stream';
import { type Colors, createColors, shouldColor } from './terminal/colors.js';
import { terminalSafeJson } from './terminal/safe-text.js';

type Stream = Writable & { isTTY?: boolean; columns?: number };

/** What every command receives: where to write, whether to colour, and the global flags. */
export interface CliContext {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Colours for stdout (off in pipes, with NO_COLOR or --no-color). */
  readonly out: Colors;
  /** Colours for stderr. */
  readonly err: Colors;
  /** `--json`: machine-readable output on stdout, nothing decorative. */
  readonly json: boolean;
  /** `--verbose`: stack traces and debug details on stderr. */
  readonly verbose: boolean;
  print(text?: string): void;
  /** Writes to stderr: progress, tool calls, warnings, errors. */
  note(text?: string): void;
  printJson(value: unknown): void;
}

export interface CliContextOptions {
  stdout?: Stream;
  stderr?: Stream;
  stdin?: Readable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `--color` (true) / `--no-color` (false). */
  color?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function createCliContext(options: CliContextOptions = {}): CliContext {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  return {
    stdout,
    stderr,
    stdin: options.stdin ?? process.stdin,
    env,
    cwd: options.cwd ?? process.cwd(),
    out: createColors(!options.json && shouldColor(stdout, env, options.color)),
    err: createColors(shouldColor(stderr, env, options.color)),
    json: options.json ?? false,
    verbose: options.verbose ?? false,
    print(text = '') {
      stdout.write(`${text}\n`);
    },
    note(text = '') {
      stderr.write(`${text}\n`);
    },
    printJson(value) {
      // JSON escapes C0 controls itself; C1 and bidi overrides would still reach the terminal raw.
      stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
    },
  };
}
