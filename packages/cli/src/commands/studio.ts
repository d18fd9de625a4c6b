import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { serveAgent } from './serve.js';

/** `entity studio [config]`: `entity serve` with Entity Studio at /studio, on loopback unless --host says otherwise. */
export default function studio(command: ParsedCommand, cli: CliContext): Promise<number> {
  return serveAgent(command, cli, { studio: 'always', feature: 'entity studio' });
}
