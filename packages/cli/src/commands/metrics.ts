import type { Logger, Memory, Resource, ResourceStartContext } from '@entity/core';
import type { MetricsSummary } from '@entity/metrics';
import { isConfigModule, loadConfigModule, locateProjectConfig, type ProjectConfig } from '../agent-loader.js';
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

/**
 * The memory whose database holds the metrics: the config's `memory` (its relative paths resolve
 * from the config's folder), or the zero-config embedded one in the config's folder — the same
 * database `entity run` of that config uses, whatever the current folder.
 */
async function memoryOf(project: ProjectConfig): Promise<Memory & Resource> {
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  if (project.path) {
    const compiled = isConfigModule(project.path)
      ? await internal.compileConfig(await loadConfigModule(project.path), { baseDir: project.directory })
      : await internal.compileConfig(project.path);
    if (!compiled.report.ok) throw new core.ConfigError(compiled.report.issues);
    const memory = compiled.agentOptions?.resources?.memory;
    if (memory) return memory as Memory & Resource;
  }
  const module = await internal.importFromProject<{ defaultMemory(options?: { baseDir?: string }): Memory & Resource }>(
    '@entity/resources-memory',
    'entity metrics',
    project.directory,
  );
  return module.defaultMemory({ baseDir: project.directory });
}

/** A memory that can open its database only to read it (the SQL memories of @entity/resources-memory). */
interface ReadableMemory extends Memory, Resource {
  startReadOnly(context?: ResourceStartContext): Promise<void>;
}

const canReadOnly = (memory: Memory & Resource): memory is ReadableMemory => typeof (memory as Partial<ReadableMemory>).startReadOnly === 'function';
const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

type Reading = { memory: Memory & Resource } | { memory: undefined; reason: string } | { locked: string };

/**
 * Opens the memory without changing it: no migrations, no retention, nothing created. A
 * database that holds nothing yet reads as no runs; one the running agent holds (PGlite is
 * single-process) is reported, with the ways to read its metrics.
 */
async function openForReading(memory: Memory & Resource, log: Logger): Promise<Reading> {
  // Other memories (in-process, a plugin's) have no read-only start; the container starts them.
  if (!canReadOnly(memory)) return { memory };
  const context: ResourceStartContext = {
    name: 'memory',
    log,
    has: () => false,
    resource: (name) => {
      throw new Error(`entity metrics starts only the memory, not "${name}"`);
    },
    signal: new AbortController().signal,
  };
  try {
    await memory.startReadOnly(context);
    return { memory };
  } catch (error) {
    const code = codeOf(error);
    if (code === 'MEMORY_NOT_FOUND' || code === 'MEMORY_NOT_INITIALIZED') return { memory: undefined, reason: (error as Error).message };
    if (code === 'MEMORY_LOCKED') return { locked: (error as Error).message };
    throw error;
  }
}

const ms = (value: number) => Math.round(value * 10) / 10;
const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;

export default async function metrics(command: ParsedCommand, cli: CliContext): Promise<number> {
  const hoursText = (command.values.hours as string | undefined) ?? '24';
  const hours = Number(hoursText);
  if (!(hours > 0)) throw new UsageError(`--hours needs a number above 0; got "${hoursText}"`);
  const userId = command.values.user as string | undefined;
  const project = locateProjectConfig(command.positionals[0], cli);
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  const spinner = startSpinner(cli.stderr, cli.err, 'Reading metrics…');
  const log = core.inMemoryLogger({ echoLevel: false });
  const { createMetrics } = await internal.importFromProject<{ createMetrics(options?: object): MetricsResource }>('@entity/metrics', 'entity metrics', project.directory);
  const reading = await openForReading(await memoryOf(project), log).catch((error: unknown) => {
    spinner.stop();
    throw error;
  });
  if ('locked' in reading) {
    spinner.stop();
    cli.note(cli.err.yellow(terminalSafe(reading.locked)));
    cli.note(
      cli.err.dim(
        'entity metrics reads the memory database, and a PGlite memory opens in one process at a time: the running agent holds it. Stop the agent and run entity metrics again, read the live numbers from the agent\'s HTTP GET /metrics (Prometheus, @entity/plugin-http), or use the postgres memory, which any number of processes can read.',
      ),
    );
    return EXIT.problems;
  }
  // A reader: it must not apply a retention of its own to the agent's stored metrics, nor add to them.
  const metricsResource = createMetrics({ readOnly: true, flushIntervalMs: 60_000 });
  // Without a database to read, the metrics resource has nothing stored: the summary is empty.
  const container = new internal.ResourceContainer(reading.memory ? { memory: reading.memory, metrics: metricsResource } : { metrics: metricsResource });
  let summary: Summary;
  try {
    await container.start(log);
    summary = await metricsResource.summary(hours, userId ? { userId } : {});
  } finally {
    spinner.stop();
    await container.stop(log);
  }
  if (!reading.memory) cli.note(cli.err.dim(terminalSafe(reading.reason)));
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
