// Cost per agent turn of @entity/logging + @entity/metrics, enabled vs disabled, in one run.
// The turn is the core benchmark's: 5 plugins (4 built-ins + a REVIEW plugin) and one tool call
// against an instant in-process model, so every microsecond measured is framework overhead.
// Run: pnpm --filter @entity/metrics bench   (builds first through turbo)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inMemoryLogger, type Resource } from '@entity/core';
import { compareTurnCost, type TurnCostScenario } from '@entity/core/testing';
import { createLogging } from '@entity/logging';
import { pgliteMemory } from '@entity/resources-memory';
import type { Instrumentation, OperationStart } from '@entity/core';
import { createMetrics } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TURNS = Number(process.env.BENCH_TURNS ?? 1000);

const folder = await mkdtemp(join(tmpdir(), 'entity-bench-'));
const fileLogging = (level: 'info' | 'debug') =>
  createLogging({ level, console: false, file: { path: join(folder, `${level}-${Math.random().toString(36).slice(2)}.jsonl`), maxSizeBytes: 64 * 1024 * 1024 } });

const scenarios: TurnCostScenario[] = [
  { name: 'disabled (core in-memory logger + metrics)', resources: async () => ({ logging: inMemoryLogger({ echoLevel: false }) }) },
  { name: '@entity/metrics (in process)', resources: async () => ({ logging: inMemoryLogger({ echoLevel: false }), metrics: createMetrics({ tracing: false }) }) },
  { name: '@entity/logging (info → JSONL file)', resources: async () => ({ logging: fileLogging('info') }) },
  { name: 'logging (info → file) + metrics', resources: async () => ({ logging: fileLogging('info'), metrics: createMetrics({ tracing: false }) }) },
  { name: 'logging (debug: every operation → file) + metrics', resources: async () => ({ logging: fileLogging('debug'), metrics: createMetrics({ tracing: false }) }) },
  {
    name: 'logging (info → file) + metrics → PGlite',
    resources: async () => {
      const database = pgliteMemory({ path: join(folder, 'pglite'), embedder: 'hashing' });
      return { logging: fileLogging('info'), metricsdb: database as unknown as Resource, metrics: createMetrics({ tracing: false, memory: 'metricsdb' }) };
    },
  },
];

const { table, overheads } = await compareTurnCost(scenarios, { rounds: ROUNDS, turns: TURNS });

console.log(`\n@entity/logging + @entity/metrics — cost per turn (5 plugins, 1 tool call, instant model); medians of ${ROUNDS} interleaved rounds × ${TURNS} turns\n`);
console.table(table);
const headline = overheads[3]!;
console.log(
  `goal < 5 % overhead with logging (info, file) + metrics: ${headline.median < 0.05 ? 'met' : 'NOT met'} (median ${(headline.median * 100).toFixed(1)} % CPU per turn, IQR ${(headline.q1 * 100).toFixed(1)} … ${(headline.q3 * 100).toFixed(1)} %)`,
);

// Per operation, without the engine around it: what one observer costs for one plugin execution
// (start + end), and for a model call whose result carries model and token counts.
const operationCost = async (instrumentation: Instrumentation, flush: () => Promise<void>) => {
  const plugin = { kind: 'plugin', id: 2, parentId: 1, name: 'entity:chat', runId: 'run', userId: 'u1', conversationId: 'c1', stage: 'THINK', iteration: 1, startTime: 1 } as OperationStart;
  const llm = { kind: 'resource', id: 3, parentId: 2, name: 'llm', operation: 'chat', runId: 'run', userId: 'u1', conversationId: 'c1', startTime: 1 } as OperationStart;
  const result: Record<string, string> = {};
  for (const [label, operation] of [['plugin', plugin], ['llm.chat', llm]] as const) {
    const attributes = operation.kind === 'resource' ? { model: 'm', provider: 'p', inputTokens: 10, outputTokens: 5 } : undefined;
    const count = 100_000;
    globalThis.gc?.();
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < count; index++) {
      instrumentation.start(operation)?.({ durationMs: 1.5, success: true, ...(attributes && { attributes }) });
      if (index % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await flush();
    const cpu = process.cpuUsage(cpuStart);
    result[label] = `${(((cpu.user + cpu.system) / count) * 1000).toFixed(0)} ns`;
  }
  return result;
};
const perOperation: Record<string, Record<string, string>> = {};
// The harness alone (an observer that does nothing), to read the rows below against.
perOperation['(no-op observer: harness cost)'] = await operationCost({ start: () => () => undefined }, async () => undefined);
const inProcessMetrics = createMetrics({ tracing: false });
perOperation['@entity/metrics'] = await operationCost(inProcessMetrics.instrumentation, () => inProcessMetrics.flush());
for (const level of ['info', 'debug'] as const) {
  const logging = fileLogging(level);
  perOperation[`@entity/logging (${level} → file)`] = await operationCost(logging.instrumentation, () => logging.flush());
  await logging.stop();
}
console.log('\nCPU per observed operation (start + end), 100k operations each\n');
console.table(perOperation);
await rm(folder, { recursive: true, force: true });
