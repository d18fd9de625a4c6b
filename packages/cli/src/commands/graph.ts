import { loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { toDot, toMermaid } from '../graph/graph-format.js';

export default async function graph(command: ParsedCommand, cli: CliContext): Promise<number> {
  const format = (command.values.format as string | undefined) ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot') throw new UsageError(`unknown format "${format}"`, 'use --format mermaid or --format dot');
  const agent = await loadAgent(resolveAgentSource(command.positionals[0], cli));
  const description = agent.describe();
  if (cli.json) cli.printJson(description);
  else cli.print(format === 'dot' ? toDot(description) : toMermaid(description));
  return EXIT.ok;
}
