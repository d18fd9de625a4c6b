import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin, StageAssignment } from '@entity/core';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { terminalSafe } from '../terminal/safe-text.js';

interface AnalyzedPlugin {
  export: string;
  name: string;
  kind: string;
  /** `plugin`, `tool` (a defineTool result, wrapped as a tool plugin) or `function` (used with agent.use). */
  form: 'plugin' | 'tool' | 'function';
  stages: string[];
  source: StageAssignment['source'];
  reason: string;
  warning?: string;
  dependencies: string[];
  tools: string[];
  description?: string;
}

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && typeof (value as Plugin).kind === 'string';
const isTool = (value: unknown): value is { name: string; description: string; execute: unknown } =>
  typeof value === 'object' && value !== null && typeof (value as { execute?: unknown }).execute === 'function' && 'input' in value && typeof (value as { name?: unknown }).name === 'string';

export default async function pluginAnalyze(command: ParsedCommand, cli: CliContext): Promise<number> {
  const file = resolve(cli.cwd, command.positionals[0]!);
  if (!existsSync(file)) throw new UsageError(`file not found: ${command.positionals[0]}`);
  const { assignStages } = await import('@entity/core/internal');
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const found: AnalyzedPlugin[] = [];
  const seen = new Set<unknown>();
  for (const [exportName, value] of Object.entries(module)) {
    if (seen.has(value)) continue;
    seen.add(value);
    if (isPlugin(value)) {
      const assignment = assignStages(value as Plugin<never>);
      found.push({
        export: exportName,
        name: value.name,
        kind: value.kind,
        form: 'plugin',
        stages: [...assignment.stages],
        source: assignment.source,
        reason: assignment.reason,
        ...(assignment.warning ? { warning: assignment.warning } : {}),
        dependencies: [...(value.dependencies ?? [])],
        tools: (value.tools ?? []).map((tool) => tool.name),
        ...(value.description ? { description: value.description } : {}),
      });
    } else if (isTool(value)) {
      const assignment = assignStages({ name: `tool:${value.name}`, kind: 'tool' } as Plugin<never>);
      found.push({
        export: exportName,
        name: `tool:${value.name}`,
        kind: 'tool',
        form: 'tool',
        stages: [...assignment.stages],
        source: assignment.source,
        reason: `${assignment.reason} (a defineTool export becomes a tool plugin)`,
        dependencies: [],
        tools: [value.name],
        description: value.description,
      });
    } else if (typeof value === 'function' && value.length <= 1 && !/^class\s/.test(Function.prototype.toString.call(value))) {
      const fn = value as ((context: never) => unknown) & { pluginName?: string };
      // The function itself is the execute, so the heuristic reads its own source.
      const plugin = { name: fn.pluginName ?? (fn.name || exportName), kind: 'prompt', execute: fn } as unknown as Plugin<never>;
      const assignment = assignStages(plugin, undefined, true);
      found.push({
        export: exportName,
        name: plugin.name,
        kind: 'function',
        form: 'function',
        stages: [...assignment.stages],
        source: assignment.source,
        reason: `${assignment.reason} (when registered with agent.use())`,
        dependencies: [],
        tools: [],
      });
    }
  }
  if (cli.json) {
    cli.printJson({ file, plugins: found });
    return found.length > 0 ? EXIT.ok : EXIT.problems;
  }
  const c = cli.out;
  if (found.length === 0) {
    cli.print(c.yellow(`No plugins, tools or plugin functions are exported by ${command.positionals[0]}.`));
    cli.print(c.dim('Export definePlugin() / defineTool() results, or a function (ctx) => { ... }.'));
    return EXIT.problems;
  }
  // Everything below comes from the analysed module (names, stages, tools): terminal-safe first.
  const safe = (text: string) => terminalSafe(text);
  const list = (items: readonly string[]) => (items.length > 0 ? safe(items.join(', ')) : c.dim('none'));
  for (const plugin of found) {
    cli.print(`${c.bold(safe(plugin.name))} ${c.dim(`(export ${safe(plugin.export)}, ${plugin.form})`)}`);
    cli.print(`  kind          ${safe(String(plugin.kind))}`);
    cli.print(`  stages        ${list(plugin.stages)}  ${c.dim(`[${plugin.source}]`)}`);
    cli.print(`  why           ${safe(plugin.reason)}`);
    cli.print(`  dependencies  ${list(plugin.dependencies)}`);
    if (plugin.tools.length > 0) cli.print(`  tools         ${safe(plugin.tools.join(', '))}`);
    if (plugin.warning) cli.print(`  ${c.yellow('⚠')} ${safe(plugin.warning)}`);
    cli.print('');
  }
  return EXIT.ok;
}
