// Cost per agent turn of @entity/logging, enabled vs disabled, in one run. The turn is the core
// benchmark's: 5 plugins (4 built-ins + a REVIEW plugin) and one tool call against an instant
// in-process model. The combined logging + metrics figure is in @entity/metrics' benchmark.
// Run: pnpm --filter @entity/logging bench   (builds first through turbo)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, inMemoryLogger, type Resource } from '@entity/core';
import { BENCHMARK_TURN_ANSWER, benchmarkTurnAgent } from '@entity/core/testing';
import { WebSocket } from 'ws';
import { createLogging, type LoggingResource } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TURNS = Number(process.env.BENCH_TURNS ?? 1000);


const folder = await mkdtemp(join(tmpdir(), 'entity-logging-bench-'));
const file = (name: string) => ({ path: join(folder, `${name}.jsonl`), maxSizeBytes: 64 * 1024 * 1024 });
const clients: WebSocket[] = [];

const scenarios: { name: string; logging: () => Promise<Resource> }[] = [
  { name: 'disabled (core in-memory logger)', logging: async () => inMemoryLogger({ echoLevel: false }) },
  { name: 'info → JSONL file', logging: async () => createLogging({ level: 'info', console: false, file: file('info') }) },
  { name: 'debug (every operation) → JSONL file', logging: async () => createLogging({ level: 'debug', console: false, file: file('debug') }) },
  {
    name: 'debug → file + WebSocket (1 subscriber)',
    logging: async () => {
      const logging = createLogging({ level: 'debug', console: false, file: file('stream'), stream: { history: 0 } });
      await logging.start();
      const client = new WebSocket(logging.streamAddress()!.url);
      clients.push(client);
      await new Promise((resolve) => client.once('open', resolve));
      return logging;
    },
  },
];

async function makeAgent(logging: Resource): Promise<Agent> {
  // The core benchmark's turn, so the figures compare with `pnpm --filter @entity/core bench`.
  const agent = benchmarkTurnAgent({ logging });
  await agent.start();
  return agent;
}

/** Runs `turns` turns, then flushes so the deferred file writes are counted too. */
async function runTurns(agent: Agent, logging: Resource, turns: number, durations: number[]) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let index = 0; index < turns; index++) {
    const t0 = performance.now();
    const result = await agent.chat('What is 2+3?');
    durations.push(performance.now() - t0);
    if (result.text !== BENCHMARK_TURN_ANSWER) throw new Error(`unexpected answer: ${result.text}`);
  }
  await (logging as Partial<LoggingResource>).flush?.();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1000 / turns, wall: (performance.now() - start) / turns };
}

const setups = [];
for (const scenario of scenarios) {
  const logging = await scenario.logging();
  setups.push({ logging, agent: await makeAgent(logging) });
}
for (const { agent, logging } of setups) await runTurns(agent, logging, 1000, []);
const cpuPerTurn = scenarios.map(() => [] as number[]);
const wallPerTurn = scenarios.map(() => [] as number[]);
const durations = scenarios.map(() => [] as number[]);
// Interleaved rounds in rotating order, each window starting after a full GC.
for (let round = 0; round < ROUNDS; round++) {
  for (let step = 0; step < setups.length; step++) {
    const index = (round + step) % setups.length;
    const { agent, logging } = setups[index]!;
    globalThis.gc?.();
    const { cpu, wall } = await runTurns(agent, logging, TURNS, durations[index]!);
    cpuPerTurn[index]!.push(cpu);
    wallPerTurn[index]!.push(wall);
  }
}
for (const client of clients) client.terminate();
for (const { agent } of setups) await agent.stop();
await rm(folder, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
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
console.log(`\n@entity/logging — cost per turn (5 plugins, 1 tool call, instant model); medians of ${ROUNDS} interleaved rounds × ${TURNS} turns\n`);
console.table(table);
