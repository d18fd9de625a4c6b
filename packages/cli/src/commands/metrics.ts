import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';

export default async function metrics(_command: ParsedCommand, cli: CliContext): Promise<number> {
  cli.note('not yet');
  return 1;
}
