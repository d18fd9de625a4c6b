// Cost per agent turn of @entity/logging, enabled vs disabled, in one run. The turn is the core
// benchmark's: 5 plugins (4 built-ins + a REVIEW plugin) and one tool call against an instant
// in-process model. The combined logging + metrics figure is in @entity/metrics' benchmark.
// Run: pnpm --filter @entity/logging bench   (builds first through turbo)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inMemoryLogger } from '@entity/core';
import { compareTurnCost, type TurnCostScenario } from '@entity/core/testing';
import { WebSocket } from 'ws';
import { createLogging } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TURNS = Number(process.env.BENCH_TURNS ?? 1000);

const folder = await mkdtemp(join(tmpdir(), 'entity-logging-bench-'));
const file = (name: string) => ({ path: join(folder, `${name}.jsonl`), maxSizeBytes: 64 * 1024 * 1024 });
const clients: WebSocket[] = [];

const scenarios: TurnCostScenario[] = [
  { name: 'disabled (core in-memory logger)', resources: () => ({ logging: inMemoryLogger({ echoLevel: false }) }) },
  { name: 'info → JSONL file', resources: () => ({ logging: createLogging({ level: 'info', console: false, file: file('info') }) }) },
  { name: 'debug (every operation) → JSONL file', resources: () => ({ logging: createLogging({ level: 'debug', console: false, file: file('debug') }) }) },
  {
    name: 'debug → file + WebSocket (1 subscriber)',
    resources: async () => {
      const logging = createLogging({ level: 'debug', console: false, file: file('stream'), stream: { history: 0 } });
      await logging.start();
      const client = new WebSocket(logging.streamAddress()!.url);
      clients.push(client);
      await new Promise((resolve) => client.once('open', resolve));
      return { logging };
    },
  },
];

const { table } = await compareTurnCost(scenarios, { rounds: ROUNDS, turns: TURNS });
for (const client of clients) client.terminate();
await rm(folder, { recursive: true, force: true });

console.log(`\n@entity/logging — cost per turn (5 plugins, 1 tool call, instant model); medians of ${ROUNDS} interleaved rounds × ${TURNS} turns\n`);
console.table(table);
