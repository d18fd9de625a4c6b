// One contender in a fresh process. `cold`: import + first turn, timed from the process's start
// (performance.now() counts from it, Node's own start-up included, the same for every contender).
// `load`: warm-up, then sequential turns (p50) and turns with 64 in flight (turns/s).
import { ANSWER, type ContenderName, SETUP } from './contenders.ts';

const [name, mode, baseURL] = process.argv.slice(2) as [ContenderName, 'cold' | 'load', string];
const SEQUENTIAL = Number(process.env.ENTITY_BENCH_SEQUENTIAL ?? 1_000);
const CONCURRENT = Number(process.env.ENTITY_BENCH_CONCURRENT ?? 3_000);
const IN_FLIGHT = 64;

const turn = await SETUP[name](baseURL);
let index = 0;
const check = (text: string) => {
  if (text !== ANSWER) throw new Error(`${name} answered "${text}", expected "${ANSWER}"`);
};
check(await turn(index++));

if (mode === 'cold') {
  const cpu = process.cpuUsage();
  // CPU time as well as wall time: on a busy machine the wall time mostly measures the neighbours.
  process.send!({ coldMs: performance.now(), coldCpuMs: (cpu.user + cpu.system) / 1000 });
} else {
  for (let i = 0; i < 300; i++) check(await turn(index++)); // warm-up: JIT, connection pool
  const durations = new Float64Array(SEQUENTIAL);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = performance.now();
    check(await turn(index++));
    durations[i] = performance.now() - start;
  }
  const cpuUsed = process.cpuUsage(cpuBefore);
  // CPU time per turn of this process (the model server runs in another): what the code costs,
  // whatever the neighbours on a shared machine are doing to the wall-clock figures.
  const cpuPerTurnUs = (cpuUsed.user + cpuUsed.system) / SEQUENTIAL;
  durations.sort();
  const seqP50 = durations[Math.floor(SEQUENTIAL / 2)]!;
  let remaining = CONCURRENT;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (remaining > 0) {
        remaining--;
        check(await turn(index++));
      }
    }),
  );
  const turnsPerSecond = (CONCURRENT / (performance.now() - started)) * 1000;
  process.send!({ seqP50, cpuPerTurnUs, turnsPerSecond, rssMb: process.memoryUsage().rss / 1024 / 1024 });
}
// The SDKs keep sockets open; the parent waits for the message, not for this process to drain.
process.disconnect();
process.exit(0);
