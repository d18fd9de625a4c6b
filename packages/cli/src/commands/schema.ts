import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT } from '../exit-codes.js';

/** `entity schema`: the JSON Schema of agent.yaml, for editors (the same file ships in schema/). */
export default async function schema(_command: ParsedCommand, cli: CliContext): Promise<number> {
  const { generatedConfigFiles } = await import('../config-reference/index.js');
  cli.print((await generatedConfigFiles()).jsonSchema.trimEnd());
  return EXIT.ok;
}
