// Cost per agent turn of @entity/logging + @entity/metrics, enabled vs disabled, in one run.
// The turn is the core benchmark's: 5 plugins (4 built-ins + a REVIEW plugin) and one tool call
// against an instant in-process model, so every microsecond measured is framework overhead.
// Run: pnpm --filter @entity/metrics bench   (builds first through turbo)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, inMemoryLogger, type Resource } from '@entity/core';
import { BENCHMARK_TURN_ANSWER, benchmarkTurnAgent } from '@entity/core/testing';
import { createLogging } from '@entity/logging';
import { pgliteMemory } from '@entity/resources-memory';
import type { Instrumentation, OperationStart } from '@entity/core';
import { createMetrics } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TURNS = Number(process.env.BENCH_TURNS ?? 1000);


const folder = await mkdtemp(join(tmpdir(), 'entity-bench-'));
const fileLogging = (level: 'info' | 'debug') =>
  createLogging({ level, console: false, file: { path: join(folder, `${level}-${Math.random().toString(36).slice(2)}.jsonl`), maxSizeBytes: 64 * 1024 * 1024 } });

interface Scenario {
  name: string;
  resources: () => Promise<Record<string, Resource>>;
}

const scenarios: Scenario[] = [
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

async function makeAgent(resources: Record<string, Resource>): Promise<Agent> {
  // The core benchmark's turn, so the figures compare with `pnpm --filter @entity/core bench`.
  const agent = benchmarkTurnAgent(resources);
  await agent.start();
  return agent;
}

/** Runs `turns` turns, then flushes the resources so deferred work (file writes, batches) is counted too. */
async function runTurns(agent: Agent, resources: Record<string, Resource>, turns: number, durations: number[]): Promise<{ cpu: number; wall: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let index = 0; index < turns; index++) {
    const t0 = performance.now();
    const result = await agent.chat('What is 2+3?');
    durations.push(performance.now() - t0);
    if (result.text !== BENCHMARK_TURN_ANSWER) throw new Error(`unexpected answer: ${result.text}`);
  }
  for (const resource of Object.values(resources)) await (resource as { flush?: () => Promise<void> }).flush?.();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1000 / turns, wall: (performance.now() - start) / turns };
}

const setups = await Promise.all(
  scenarios.map(async (scenario) => {
    const resources = await scenario.resources();
    return { resources, agent: await makeAgent(resources) };
  }),
);
for (const { agent, resources } of setups) await runTurns(agent, resources, 1000, []); // warm-up: JIT, caches, file handles
const cpuPerTurn = scenarios.map(() => [] as number[]);
const wallPerTurn = scenarios.map(() => [] as number[]);
const durations = scenarios.map(() => [] as number[]);
// Interleaved rounds in rotating order, each window starting after a full GC, so drift and
// garbage left by the previous scenario hit every scenario alike.
for (let round = 0; round < ROUNDS; round++) {
  for (let step = 0; step < setups.length; step++) {
    const index = (round + step) % setups.length;
    const { agent, resources } = setups[index]!;
    globalThis.gc?.();
    const { cpu, wall } = await runTurns(agent, resources, TURNS, durations[index]!);
    cpuPerTurn[index]!.push(cpu);
    wallPerTurn[index]!.push(wall);
  }
}
for (const { agent } of setups) await agent.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
// CPU time per turn (process-wide, so file writes on the thread pool and GC count) is the
// headline: wall time on a shared machine mostly measures the neighbours.
const baseline = median(cpuPerTurn[0]!);
// Overhead is paired per round (each scenario against the baseline of the same round), then the
// median is taken: drift between rounds cancels out instead of landing on one scenario.
const pairedRatios = (index: number) => cpuPerTurn[index]!.map((cpu, round) => (cpu - cpuPerTurn[0]![round]!) / cpuPerTurn[0]![round]!);
const pairedOverhead = (index: number) => median(pairedRatios(index));
// The spread of the paired figures: when it straddles zero, the cost is below this machine's noise.
const spread = (index: number) => `${(percentile(pairedRatios(index), 25) * 100).toFixed(1)} … ${(percentile(pairedRatios(index), 75) * 100).toFixed(1)} %`;
const table: Record<string, Record<string, string>> = {};
scenarios.forEach((scenario, index) => {
  const cpu = median(cpuPerTurn[index]!);
  table[scenario.name] = {
    'CPU per turn': us(cpu),
    'added CPU': index === 0 ? '—' : us(pairedOverhead(index) * baseline),
    overhead: index === 0 ? '—' : `${(pairedOverhead(index) * 100).toFixed(1)} %`,
    'overhead IQR': index === 0 ? '—' : spread(index),
    'wall per turn': us(median(wallPerTurn[index]!)),
    'p50 turn': us(percentile(durations[index]!, 50)),
    'p99 turn': us(percentile(durations[index]!, 99)),
  };
});
console.log(`\n@entity/logging + @entity/metrics — cost per turn (5 plugins, 1 tool call, instant model); medians of ${ROUNDS} interleaved rounds × ${TURNS} turns\n`);
console.table(table);
const headline = pairedOverhead(3);
console.log(
  `goal < 5 % overhead with logging (info, file) + metrics: ${headline < 0.05 ? 'met' : 'NOT met'} (median ${(headline * 100).toFixed(1)} % CPU per turn, IQR ${spread(3)})`,
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
