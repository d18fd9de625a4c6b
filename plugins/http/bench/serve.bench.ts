// Throughput and latency of an agent served over HTTP+SSE, against the floor: a bare Hono route
// calling the same model server directly, measured in the same run.
//
//   pnpm --filter @entity/plugin-http bench
//   ENTITY_BENCH_CLIENTS=64 ENTITY_BENCH_SECONDS=10 pnpm --filter @entity/plugin-http bench
//   ENTITY_BENCH_CPU_PROFILE_DIR=/tmp/profiles pnpm --filter @entity/plugin-http bench
//
// N clients (default 256) each send `POST /v1/chat` with `Accept: text/event-stream`, read the
// stream to its `done` event, and send the next, for a bounded time (default 30 s, after a short
// warm-up), each turn in a new conversation. The model server (tooling/test-servers) answers after a fixed 50 ms. The floor and
// the agent run one after the other, each in its own process; the model server in a third.
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

const CLIENTS = Number(process.env.ENTITY_BENCH_CLIENTS ?? 256);
const SECONDS = Number(process.env.ENTITY_BENCH_SECONDS ?? 30);
const MODEL_MS = Number(process.env.ENTITY_BENCH_MODEL_MS ?? 50);
const WARMUP_SECONDS = Math.min(3, SECONDS / 5);
const KEY = 'ent_bench_key_0000000000000000000000000000000';
// A folder: the floor and agent processes each write a V8 CPU profile there (`--cpu-prof`), to see
// where a turn's CPU goes. Open the .cpuprofile files in Chrome DevTools or speedscope.
const CPU_PROFILE_DIR = process.env.ENTITY_BENCH_CPU_PROFILE_DIR;

function start<T>(script: string, args: string[], execArgv: string[] = []): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(new URL(script, import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...execArgv] });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as T }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stop<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.removeAllListeners('exit');
    child.send({ stop: true });
  });
}

/** One turn over SSE: true when the stream ended with a `done` event. */
async function turn(url: string, client: number, sequence: number): Promise<boolean> {
  const response = await fetch(`${url}/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    // A new conversation per turn: the agent then sends the model one message, as the floor does,
    // so the comparison measures serving, not a history that grows during the run.
    body: JSON.stringify({ message: `Where is parcel ${sequence}?`, userId: `user-${client}`, conversationId: `c-${client}-${sequence}` }),
  });
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    return false;
  }
  const text = await response.text();
  return text.includes('event: done');
}

interface Result {
  turns: number;
  errors: number;
  latencies: number[];
  seconds: number;
}

async function load(url: string, seconds: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let sequence = 0; performance.now() < deadline; sequence++) {
        const begin = performance.now();
        const ok = await turn(url, client, sequence).catch(() => false);
        if (ok) latencies.push(performance.now() - begin);
        else errors++;
      }
    }),
  );
  return { turns: latencies.length, errors, latencies, seconds: (performance.now() - started) / 1000 };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(kind: 'floor' | 'entity', modelBaseURL: string) {
  const profile = CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR, '--cpu-prof-name', `${kind}.cpuprofile`] : [];
  const { child, ready } = await start<{ url: string }>('./serve-target.ts', [kind, modelBaseURL, KEY], profile);
  await load(ready.url, WARMUP_SECONDS);
  const result = await load(ready.url, SECONDS);
  const { maxRssBytes } = await stop<{ maxRssBytes: number }>(child);
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return { kind, turnsPerSecond: result.turns / result.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: result.errors, peakRssMiB: maxRssBytes / 1_048_576 };
}

const model = await start<{ baseURL: string }>('./model-server.ts', [String(MODEL_MS)]);
console.log(`${CLIENTS} clients × ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up), model latency ${MODEL_MS} ms, ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(2)}`);
const floor = await measure('floor', model.ready.baseURL);
const entity = await measure('entity', model.ready.baseURL);
model.child.removeAllListeners('exit');
model.child.send({ stop: true });

const modelBound = CLIENTS / (MODEL_MS / 1000);
const row = (r: typeof floor) =>
  `| ${r.kind.padEnd(6)} | ${r.turnsPerSecond.toFixed(1).padStart(8)} | ${r.p50.toFixed(1).padStart(8)} | ${r.p99.toFixed(1).padStart(8)} | ${String(r.errors).padStart(6)} | ${r.peakRssMiB.toFixed(0).padStart(8)} |`;
console.log('\n| server | turns/s  | p50 ms   | p99 ms   | errors | peak RSS MiB |');
console.log('|--------|----------|----------|----------|--------|----------|');
console.log(row(floor));
console.log(row(entity));
console.log(`\nentity / floor throughput: ${((entity.turnsPerSecond / floor.turnsPerSecond) * 100).toFixed(1)} % (goal ≥ 90 %)`);
console.log(`entity / model-latency bound (${modelBound.toFixed(0)} turns/s): ${((entity.turnsPerSecond / modelBound) * 100).toFixed(1)} % (goal ≥ 90 %)`);
console.log(`entity p99 / floor p99: ${(entity.p99 / floor.p99).toFixed(2)}× (goal ≤ 1.5×)`);
