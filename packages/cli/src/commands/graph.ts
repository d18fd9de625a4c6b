import { dirname } from 'node:path';
import { applyProjectEnv, findConfigFile, loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { dependencyCycles } from '../graph/dependency-cycles.js';
import { toDot, toMermaid } from '../graph/graph-format.js';
import { terminalSafe } from '../terminal/safe-text.js';

export default async function graph(command: ParsedCommand, cli: CliContext): Promise<number> {
  const format = (command.values.format as string | undefined) ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot') throw new UsageError(`unknown format "${format}"`, 'use --format mermaid or --format dot');
  const source = resolveAgentSource(command.positionals[0], cli);
  const configFile = source.kind === 'config' ? source.path : source.kind === 'directory' ? findConfigFile(source.path) : undefined;
  const warnings: string[] = [];
  let agent: Awaited<ReturnType<typeof loadAgent>>;
  if (configFile) {
    // Drawing needs no API key: resources that cannot be created yet are drawn as placeholders.
    const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
    applyProjectEnv(dirname(configFile));
    const compiled = await internal.compileConfig(configFile, { drawOnly: true });
    if (!compiled.report.ok || !compiled.agentOptions) throw new core.ConfigError(compiled.report.issues);
    warnings.push(...compiled.report.warnings);
    agent = new core.Agent(compiled.agentOptions);
  } else agent = await loadAgent(source);
  const description = agent.describe();
  const cycles = dependencyCycles(description);
  if (cli.json) cli.printJson({ ...description, cycles });
  else cli.print(format === 'dot' ? toDot(description) : toMermaid(description));
  for (const warning of warnings.filter((text) => !text.includes('dependency cycle'))) cli.note(`warning: ${terminalSafe(warning)}`);
  for (const cycle of cycles) cli.note(`error: resource dependency cycle: ${terminalSafe(cycle.join(' → '))} (drawn as "cycle!"); break it by removing one of these dependencies`);
  return cycles.length > 0 ? EXIT.problems : EXIT.ok;
}
