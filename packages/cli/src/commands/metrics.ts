import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Memory, Resource } from '@entity/core';
import type { MetricsSummary } from '@entity/metrics';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { startSpinner } from '../terminal/spinner.js';
import { terminalSafe } from '../terminal/safe-text.js';
import { formatTable } from '../terminal/table.js';

// Types only: @entity/metrics is an optional peer, loaded at run time by importFromProject.
type Summary = MetricsSummary;
interface MetricsResource extends Resource {
  summary(hours?: number, options?: { userId?: string }): Promise<Summary>;
}

/** The memory whose database holds the metrics: the config's `memory`, or the zero-config embedded one. */
async function memoryOf(configArgument: string | undefined, cli: CliContext): Promise<Memory & Resource> {
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  const directory = resolve(cli.cwd, configArgument ?? '.');
  const file = existsSync(directory) && !directory.endsWith('.yaml') && !directory.endsWith('.yml') && !directory.endsWith('.json')
    ? ['agent.yaml', 'agent.yml', 'agent.json'].map((name) => join(directory, name)).find((path) => existsSync(path))
    : existsSync(directory) ? directory : undefined;
  if (configArgument && !existsSync(directory)) throw new UsageError(`config not found: ${configArgument}`);
  if (file) {
    const compiled = await internal.compileConfig(file);
    if (!compiled.report.ok) throw new core.ConfigError(compiled.report.issues);
    const memory = compiled.agentOptions?.resources?.memory;
    if (memory) return memory as Memory & Resource;
  }
  const module = await internal.importFromProject<{ defaultMemory(): Memory & Resource }>('@entity/resources-memory', 'entity metrics', cli.cwd);
  return module.defaultMemory();
}

const ms = (value: number) => Math.round(value * 10) / 10;
const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;

export default async function metrics(command: ParsedCommand, cli: CliContext): Promise<number> {
  const hoursText = (command.values.hours as string | undefined) ?? '24';
  const hours = Number(hoursText);
  if (!(hours > 0)) throw new UsageError(`--hours needs a number above 0; got "${hoursText}"`);
  const userId = command.values.user as string | undefined;
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  const spinner = startSpinner(cli.stderr, cli.err, 'Reading metrics…');
  const memory = await memoryOf(command.positionals[0], cli);
  const { createMetrics } = await internal.importFromProject<{ createMetrics(options?: object): MetricsResource }>('@entity/metrics', 'entity metrics', cli.cwd);
  // A reader: it must not apply a retention of its own to the agent's stored metrics, nor add to them.
  const metricsResource = createMetrics({ readOnly: true, flushIntervalMs: 60_000 });
  const container = new internal.ResourceContainer({ memory, metrics: metricsResource });
  const log = core.inMemoryLogger({ echoLevel: false });
  let summary: Summary;
  try {
    await container.start(log);
    summary = await metricsResource.summary(hours, userId ? { userId } : {});
  } finally {
    spinner.stop();
    await container.stop(log);
  }
  if (cli.json) {
    cli.printJson(summary);
    return EXIT.ok;
  }
  const c = cli.out;
  const runs = summary.runs;
  cli.print(c.bold(`Last ${hours} h${userId ? ` · user ${terminalSafe(userId)}` : ''}`));
  if (runs.count === 0) {
    cli.print(c.dim('No runs recorded. Metrics persist when the agent has a `metrics` resource (type: metrics) and a memory with a database.'));
    return EXIT.ok;
  }
  cli.print(`Runs ${c.bold(String(runs.count))} · users ${runs.users} · errors ${runs.errors} (${percent(runs.errorRate)}) · p50 ${ms(runs.p50Ms)} ms · p95 ${ms(runs.p95Ms)} ms · p99 ${ms(runs.p99Ms)} ms`);
  cli.print(`Tokens in ${summary.tokens.input} · out ${summary.tokens.output} · total ${summary.tokens.total}${summary.tokens.costUsd > 0 ? ` · $${summary.tokens.costUsd.toFixed(4)}` : ''}`);
  const section = (title: string, headers: string[], rows: (string | number)[][]) => {
    if (rows.length === 0) return;
    cli.print('');
    cli.print(c.bold(title));
    for (const line of formatTable(headers, rows, c.dim)) cli.print(`  ${line}`);
  };
  section('Models', ['model', 'provider', 'calls', 'in', 'out', 'cost $'], summary.models.map((m) => [m.model, m.provider, m.calls, m.inputTokens, m.outputTokens, Number(m.costUsd.toFixed(4))]));
  section('Plugins', ['stage', 'plugin', 'count', 'errors', 'p50 ms', 'p95 ms'], summary.plugins.map((p) => [p.stage, p.plugin, p.count, p.errors, ms(p.p50Ms), ms(p.p95Ms)]));
  section('Tools', ['tool', 'count', 'errors', 'p50 ms', 'p95 ms'], summary.tools.map((t) => [t.tool, t.count, t.errors, ms(t.p50Ms), ms(t.p95Ms)]));
  section('Resources', ['resource', 'operation', 'count', 'errors', 'p50 ms', 'p95 ms'], summary.resources.map((r) => [r.resource, r.operation, r.count, r.errors, ms(r.p50Ms), ms(r.p95Ms)]));
  return EXIT.ok;
}
