// Core benchmark: one agent turn = 5 plugins (the 4 built-ins of the default workflow plus a
// REVIEW plugin) and one tool call, against an in-process model that answers instantly, so all
// measured time is framework overhead. Run: pnpm --filter @entity/core bench
import type { Agent } from '../dist/index.js';
import { BENCHMARK_TURN_ANSWER, BENCHMARK_TURN_STAGE_PASSES as STAGE_PASSES_PER_TURN, benchmarkTurnAgent } from '../dist/testing/index.js';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
/** RSS and live JS heap after a full GC: heap growth means a leak; RSS also counts allocator slack. */
const memoryMb = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 1024 / 1024, heap: heapUsed / 1024 / 1024 };
};

async function sequential(agent: Agent, turns: number) {
  const durations = new Float64Array(turns);
  const start = performance.now();
  for (let i = 0; i < turns; i++) {
    const t0 = performance.now();
    const result = await agent.chat('What is 2+3?');
    durations[i] = performance.now() - t0;
    if (result.text !== BENCHMARK_TURN_ANSWER) throw new Error(`unexpected answer: ${result.text}`);
  }
  const total = performance.now() - start;
  const sorted = Array.from(durations).sort((a, b) => a - b);
  return { turnsPerSecond: (turns / total) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function concurrent(agent: Agent, turns: number, inFlight: number) {
  const durations: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      while (next < turns) {
        next++;
        const t0 = performance.now();
        await agent.chat('What is 2+3?', { userId: `user-${worker}` });
        durations.push(performance.now() - t0);
      }
    }),
  );
  const total = performance.now() - start;
  durations.sort((a, b) => a - b);
  return { turnsPerSecond: (turns / total) * 1000, p50: percentile(durations, 50), p99: percentile(durations, 99) };
}

const agent = benchmarkTurnAgent();
await agent.start();
await sequential(agent, 2_000); // warm-up: JIT and caches
const seq = await sequential(agent, 10_000);
const par = await concurrent(agent, 10_000, 64);
const atStart = memoryMb();
await sequential(agent, 10_000);
const after10k = memoryMb();
await sequential(agent, 90_000);
const after100k = memoryMb();
await agent.stop();

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log('\n@entity/core — one turn: 5 plugins, 1 tool call, instant in-process model\n');
console.table({
  sequential: { 'turns/s': Math.round(seq.turnsPerSecond), 'p50 turn': us(seq.p50), 'p99 turn': us(seq.p99), 'p50 per stage pass': us(seq.p50 / STAGE_PASSES_PER_TURN) },
  '64 in flight': { 'turns/s': Math.round(par.turnsPerSecond), 'p50 turn': us(par.p50), 'p99 turn': us(par.p99), 'p50 per stage pass': '(queueing: 64 turns share one thread)' },
});
const growth = (key: 'rss' | 'heap') => ((after100k[key] - after10k[key]) / after10k[key]) * 100;
const row = (key: 'rss' | 'heap') => ({
  'after warm-up': `${atStart[key].toFixed(1)} MB`,
  'after 10k turns': `${after10k[key].toFixed(1)} MB`,
  'after 100k turns': `${after100k[key].toFixed(1)} MB`,
  'growth 10k→100k': `${growth(key).toFixed(1)} %`,
});
console.table({ RSS: row('rss'), 'JS heap (after GC)': row('heap') });
const perStage = seq.p50 / STAGE_PASSES_PER_TURN;
console.log(`goal < 50 µs per stage pass: ${perStage * 1000 < 50 ? 'met' : 'NOT met'} (${us(perStage)}); goal flat within 10%: RSS ${Math.abs(growth('rss')) <= 10 ? 'met' : 'NOT met'}, JS heap ${Math.abs(growth('heap')) <= 10 ? 'met' : 'NOT met'}`);
