import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Agent, AgentOptions, LLM, Memory, PluginRegistration } from '@entity/core';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { findConfigFile } from '../agent-loader.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { terminalSafe } from '../terminal/safe-text.js';
import { startProgressBar } from '../terminal/progress-bar.js';

// Types only: @entity/plugin-knowledge is loaded from the project at run time.
type KnowledgeModule = typeof import('@entity/plugin-knowledge');

/** The config file: `--config`, else the agent.yaml of the current directory, else none (zero config). */
function configFileOf(command: ParsedCommand, cli: CliContext): string | undefined {
  const given = command.values.config as string | undefined;
  if (given === undefined) return findConfigFile(cli.cwd);
  const path = resolve(cli.cwd, given);
  if (!existsSync(path)) throw new UsageError(`config not found: ${given}`, 'pass the agent.yaml (or its folder) whose memory should hold the documents');
  return statSync(path).isDirectory() ? findConfigFile(path) : path;
}

/**
 * The agent's resources, started (so the memory picks the same embedder it uses at run time), and
 * the raw config of its knowledge plugin when it lists one. The agent's plugins are not started.
 */
async function resourcesOf(file: string | undefined, cli: CliContext): Promise<{ agent: Agent; pluginConfig: unknown }> {
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  let options: AgentOptions = {};
  let pluginConfig: unknown = {};
  if (file) {
    const compiled = await internal.compileConfig(file);
    if (!compiled.report.ok || !compiled.agentOptions) throw new core.ConfigError(compiled.report.issues);
    options = compiled.agentOptions;
    const registration = (options.plugins ?? []).find(
      (entry): entry is PluginRegistration => typeof entry === 'object' && 'plugin' in entry && entry.plugin.name === 'knowledge',
    );
    pluginConfig = registration?.config ?? {};
  }
  const resources = { ...options.resources };
  if (!resources.memory) {
    const memoryModule = await internal.importFromProject<{ defaultMemory(): Memory }>('@entity/resources-memory', 'entity ingest', file ? dirname(file) : cli.cwd);
    resources.memory = memoryModule.defaultMemory();
  }
  // Only the resources: the agent's plugins (and its zero-config model lookup) are not needed to ingest.
  const agent = new core.Agent({ name: 'entity-ingest', zeroConfig: false, defaultWorkflow: false, resources, plugins: [] });
  await agent.start();
  return { agent, pluginConfig };
}

export default async function ingest(command: ParsedCommand, cli: CliContext): Promise<number> {
  const folder = resolve(cli.cwd, command.positionals[0]!);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`not a folder: ${command.positionals[0]}`, 'pass the folder of Markdown, text, HTML and PDF files to ingest');
  const file = configFileOf(command, cli);
  const internal = await import('@entity/core/internal');
  const knowledge = await internal.importFromProject<KnowledgeModule>('@entity/plugin-knowledge', 'entity ingest', file ? dirname(file) : cli.cwd);
  const { agent, pluginConfig } = await resourcesOf(file, cli);
  try {
    const parsed = knowledge.knowledgeConfigSchema.safeParse(pluginConfig);
    if (!parsed.success) throw new UsageError(`the knowledge plugin's config is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`, 'fix it in agent.yaml (entity validate shows every issue)');
    const config = parsed.data;
    const memory = agent.resource<Memory>('memory');
    const llm = agent.describe().resources.some((resource) => resource.name === 'llm') ? agent.resource<LLM>('llm') : undefined;
    const base = await knowledge.knowledgeBaseFromConfig(config, { memory, llm });
    const collection = (command.values.collection as string | undefined) ?? config.collections[0]!;
    const userId = command.values.user as string | undefined;
    const bar = startProgressBar(cli.stderr, cli.err, `Ingesting ${terminalSafe(command.positionals[0]!)}`);
    const report = await base
      .ingest({
        collection,
        ...(userId === undefined ? {} : { userId }),
        source: knowledge.folderSource(folder),
        onProgress: (progress) => bar.update(progress.done, progress.total, progress.path),
      })
      .finally(() => bar.stop());
    if (cli.json) cli.printJson(report);
    else {
      const owner = report.scope === 'shared' ? 'shared' : `private to ${userId}`;
      cli.print(
        `${cli.out.bold(collection)} (${owner}): ${report.added.length} added, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.removed.length} removed, ${report.chunks} chunks written (embedder ${terminalSafe(base.embedder.id)})`,
      );
      for (const refused of report.refused) cli.note(cli.err.yellow(`refused ${terminalSafe(refused.path)}: ${terminalSafe(refused.reason)}`));
      for (const failed of report.failed) cli.note(cli.err.red(`failed ${terminalSafe(failed.path)}: ${terminalSafe(failed.error)}`));
    }
    return report.failed.length > 0 ? EXIT.problems : EXIT.ok;
  } finally {
    await agent.stop();
  }
}
