// Side by side, in one run, on the same one-tool turn against a loopback OpenAI-compatible server
// (tooling/test-servers, in its own process): the raw `openai` SDK by hand, the Vercel AI SDK
// (`ai` + `@ai-sdk/openai`), and Entity (core + the OpenAI provider, default workflow).
//
//   pnpm --filter @entity/sdk-comparison-bench bench
//   ENTITY_BENCH_RUNS=5 ENTITY_BENCH_CONCURRENT=10000 pnpm --filter @entity/sdk-comparison-bench bench
//
// Every figure is the median of ENTITY_BENCH_RUNS (default 3) fresh processes per contender, the
// contenders taking turns so that a busy moment of the machine does not fall on one of them:
// - cold start: import + first turn, from the process's start (Node's own start-up included);
// - seq p50: median latency of ENTITY_BENCH_SEQUENTIAL (default 1000) turns one after another, and
//   the CPU time the contender's process spent per turn meanwhile (steady when the machine is busy);
// - cold CPU: the CPU time (user + system) of that process until then, which a busy machine disturbs less;
// - turns/s: ENTITY_BENCH_CONCURRENT (default 3000) turns with 64 in flight, after 300 turns of warm-up.
// The goals of issue 12 are checked at the end (Entity vs the others, same run).
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, type ContenderName, INSTALLS } from './contenders.ts';
import { installSize, megabytes } from './install-size.ts';

const RUNS = Number(process.env.ENTITY_BENCH_RUNS ?? 3);

function start<T>(script: string, args: string[], execArgv: string[] = []): Promise<{ child: ChildProcess; message: T }> {
  const child = fork(new URL(script, import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, message: message as T }));
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code} before reporting`)));
  });
}

const record = (series: Record<string, number[]>, name: string, value: number) => {
  series[name] = [...(series[name] ?? []), value];
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await start<{ baseURL: string }>('./model-server.ts', []);
const { baseURL } = server.message;
const cold: Record<string, number[]> = {};
const coldCpu: Record<string, number[]> = {};
const seq: Record<string, number[]> = {};
const rate: Record<string, number[]> = {};
const cpuPerTurn: Record<string, number[]> = {};
const profile = process.env.ENTITY_BENCH_CPU_PROF; // a folder: the Entity load runs write .cpuprofile files there
try {
  for (let run = 0; run < RUNS; run++) {
    for (const name of CONTENDERS) {
      const { message } = await start<{ coldMs: number; coldCpuMs: number }>('./contender-process.ts', [name, 'cold', baseURL]);
      record(cold, name, message.coldMs);
      record(coldCpu, name, message.coldCpuMs);
    }
    for (const name of CONTENDERS) {
      const execArgv = profile && name === 'Entity' ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
      const { message } = await start<{ seqP50: number; cpuPerTurnUs: number; turnsPerSecond: number }>('./contender-process.ts', [name, 'load', baseURL], execArgv);
      record(seq, name, message.seqP50);
      record(rate, name, message.turnsPerSecond);
      record(cpuPerTurn, name, message.cpuPerTurnUs);
    }
  }
} finally {
  server.child.send({ stop: true });
}

const installs = Object.fromEntries(CONTENDERS.map((name) => [name, installSize(INSTALLS[name], fileURLToPath(new URL('..', import.meta.url)))]));
const row = (name: ContenderName) => ({ install: megabytes(installs[name]!.bytes), cold: median(cold[name]!), coldCpu: median(coldCpu[name]!), seq: median(seq[name]!), cpuTurn: median(cpuPerTurn[name]!), rate: median(rate[name]!) });
const rows = Object.fromEntries(CONTENDERS.map((name) => [name, row(name)])) as Record<ContenderName, ReturnType<typeof row>>;
console.log(`\nOne tool turn (2 model calls) against the loopback OpenAI server — Node ${process.version}, ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(2)}, median of ${RUNS} processes each\n`);
console.log('| | cold start | cold start CPU | seq p50 | CPU per turn | turns/s at 64 in flight | node_modules |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const name of CONTENDERS) {
  const { cold: c, coldCpu: cpu, seq: s, cpuTurn, rate: r, install } = rows[name];
  console.log(`| ${name} | ${c.toFixed(0)} ms | ${cpu.toFixed(0)} ms | ${s.toFixed(2)} ms | ${cpuTurn.toFixed(0)} µs | ${r.toFixed(0)} | ${install.toFixed(1)} MB |`);
}
const top = installs.Entity!.packages.map(([name, bytes]) => `${name} ${megabytes(bytes).toFixed(2)}`).join(', ');
const disk = CONTENDERS.map((name) => `${name} ${megabytes(installs[name]!.diskBytes).toFixed(1)} MB`).join(', ');
console.log(`\nnode_modules: the files' sizes in MiB, from this workspace's install (in 4 KiB blocks, as du counts them on ext4: ${disk}). Entity's: ${top}`);
const entity = rows.Entity;
const raw = rows['raw openai SDK'];
const ai = rows['Vercel AI SDK'];
const goals = [
  [`turns/s ≥ the AI SDK's (${(entity.rate / ai.rate).toFixed(2)}×)`, entity.rate >= ai.rate],
  [`turns/s ≥ 0.9× raw (${(entity.rate / raw.rate).toFixed(2)}×)`, entity.rate >= 0.9 * raw.rate],
  [`seq p50 ≤ 1.15× raw (${(entity.seq / raw.seq).toFixed(2)}×)`, entity.seq <= 1.15 * raw.seq],
  [`cold start ≤ 1.2× raw (${(entity.cold / raw.cold).toFixed(2)}×; CPU ${(entity.coldCpu / raw.coldCpu).toFixed(2)}×)`, entity.cold <= 1.2 * raw.cold],
  [`install ≤ 30 MB (${entity.install.toFixed(1)} MB, of which openai alone ${raw.install.toFixed(1)} MB)`, entity.install <= 30],
] as const;
console.log(`\nGoals (issue 12): ${goals.map(([text, met]) => `${met ? '✓' : '✗'} ${text}`).join('; ')}`);
