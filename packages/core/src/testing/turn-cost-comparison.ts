import type { Resource } from '../contracts/resource.js';
import type { Agent } from '../engine/agent.js';
import { BENCHMARK_TURN_ANSWER, benchmarkTurnAgent } from './benchmark-turn.js';

/** One configuration to time: the resources added to the benchmark turn. The first is the baseline. */
export interface TurnCostScenario {
  name: string;
  resources(): Promise<Record<string, Resource>> | Record<string, Resource>;
}

/** Added CPU per turn against the baseline, as a fraction (0.05 = 5 %), paired per round. */
export interface TurnOverhead {
  median: number;
  /** 25th and 75th percentiles: when they straddle zero the cost is below the machine's noise. */
  q1: number;
  q3: number;
}

export interface TurnCostComparison {
  /** Rows for `console.table`, one per scenario. */
  table: Record<string, Record<string, string>>;
  /** Per scenario, in order; the baseline's is all zeros. */
  overheads: TurnOverhead[];
}

export interface TurnCostOptions {
  /** Interleaved rounds; each scenario runs once per round. Default: 15. */
  rounds?: number;
  /** Turns per scenario per round. Default: 1000. */
  turns?: number;
  /** Turns per scenario before measuring (JIT, caches, file handles). Default: 1000. */
  warmupTurns?: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

/** Runs `turns` turns, then flushes the resources so deferred work (file writes, batches) is counted too. */
async function runTurns(agent: Agent, resources: Record<string, Resource>, turns: number, durations: number[]) {
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

/**
 * Cost per benchmark turn of each scenario against the first, in one run: interleaved rounds in
 * rotating order, each window after a full GC (run node with --expose-gc), so drift and garbage
 * hit every scenario alike. CPU time (process-wide, so thread-pool writes and GC count) is the
 * headline; wall time on a shared machine mostly measures the neighbours. The agents are stopped
 * before it returns.
 */
export async function compareTurnCost(scenarios: readonly TurnCostScenario[], options: TurnCostOptions = {}): Promise<TurnCostComparison> {
  const { rounds = 15, turns = 1000, warmupTurns = 1000 } = options;
  const setups = [];
  for (const scenario of scenarios) {
    const resources = await scenario.resources();
    const agent = benchmarkTurnAgent(resources);
    await agent.start();
    setups.push({ agent, resources });
  }
  for (const { agent, resources } of setups) await runTurns(agent, resources, warmupTurns, []);
  const cpuPerTurn = scenarios.map(() => [] as number[]);
  const wallPerTurn = scenarios.map(() => [] as number[]);
  const durations = scenarios.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < setups.length; step++) {
      const index = (round + step) % setups.length;
      const { agent, resources } = setups[index]!;
      globalThis.gc?.();
      const { cpu, wall } = await runTurns(agent, resources, turns, durations[index]!);
      cpuPerTurn[index]!.push(cpu);
      wallPerTurn[index]!.push(wall);
    }
  }
  for (const { agent } of setups) await agent.stop();

  const baseline = median(cpuPerTurn[0]!);
  // Overhead is paired per round (each scenario against the baseline of the same round), then the
  // median is taken: drift between rounds cancels out instead of landing on one scenario.
  const overheads = cpuPerTurn.map((cpus): TurnOverhead => {
    const ratios = cpus.map((cpu, round) => (cpu - cpuPerTurn[0]![round]!) / cpuPerTurn[0]![round]!);
    return { median: median(ratios), q1: percentile(ratios, 25), q3: percentile(ratios, 75) };
  });
  const table: Record<string, Record<string, string>> = {};
  scenarios.forEach((scenario, index) => {
    const overhead = overheads[index]!;
    table[scenario.name] = {
      'CPU per turn': us(median(cpuPerTurn[index]!)),
      'added CPU': index === 0 ? '—' : us(overhead.median * baseline),
      overhead: index === 0 ? '—' : `${(overhead.median * 100).toFixed(1)} %`,
      'overhead IQR': index === 0 ? '—' : `${(overhead.q1 * 100).toFixed(1)} … ${(overhead.q3 * 100).toFixed(1)} %`,
      'wall per turn': us(median(wallPerTurn[index]!)),
      'p50 turn': us(percentile(durations[index]!, 50)),
      'p99 turn': us(percentile(durations[index]!, 99)),
    };
  });
  return { table, overheads };
}
