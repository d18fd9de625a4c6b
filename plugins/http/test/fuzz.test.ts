import { connect } from 'node:net';
import type { Memory } from '@entity/core';
import { pgliteMemory } from '@entity/resources-memory';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type FuzzRequest, fuzzRequest } from './fuzz-requests.js';
import { KEYS, startTestServer, type TestServer } from './helpers.js';

const SEED = 20_261_201;
const REQUESTS = 5_000;
const CONCURRENCY = 16;
/** Per request; a request still open after this is reported as hanging. */
const REQUEST_TIMEOUT_MS = 10_000;

let server: TestServer | undefined;
afterAll(async () => {
  await server?.handle.close();
});

interface Outcome {
  kind: string;
  status?: number;
  hung: boolean;
  sent?: string;
}

/** Writes the raw bytes on a fresh loopback connection, half-closes it, and reads the status line. */
function send(port: number, request: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    let status: number | undefined;
    let settled = false;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      // The request's start, so a failure shows what broke the server.
      const sent = status !== undefined && status < 500 && !hung ? {} : { sent: Buffer.from(request.bytes.subarray(0, 400)).toString('latin1') };
      resolve({ kind: request.kind, hung, ...(status !== undefined ? { status } : {}), ...sent });
    };
    const timer = setTimeout(() => finish(true), REQUEST_TIMEOUT_MS);
    socket.on('connect', () => socket.end(request.bytes));
    socket.on('data', (chunk: Buffer) => {
      if (status !== undefined) return;
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (match) status = Number(match[1]);
    });
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
  });
}

async function sendAll(port: number, requests: FuzzRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      outcomes[index] = await send(port, requests[index]!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

async function rowCounts(memory: Memory): Promise<Record<string, number>> {
  const tables = ['entity_messages', 'entity_conversations', 'entity_kv', 'entity_http_idempotency'];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await memory.database!.sql<{ count: string | number }>(`SELECT count(*) AS count FROM ${table}`)).rows[0]!.count);
  return counts;
}

describe('fuzz: 5,000 random and malformed requests', () => {
  it('never answers 5xx, never hangs or crashes, and writes nothing to memory', { timeout: 240_000 }, async () => {
    server = await startTestServer(
      ['Seeded answer.', 'Still alive.'],
      { rateLimit: false, limits: { maxBodyBytes: 65_536, maxMessageChars: 1_000 }, requestReceiveTimeoutMs: 2_000 },
      { resources: { memory: pgliteMemory({ path: 'memory://http-fuzz', embedder: 'hashing' }) } },
    );
    const memory = server.agent.resource<Memory>('memory');
    // One real turn (with an idempotency record), so "nothing written" is checked against data.
    const seeded = await server.post('/v1/chat', { message: 'seed', userId: 'seeded-user', conversationId: 'seeded-conversation-1' }, { 'idempotency-key': 'seed' });
    expect(seeded.status).toBe(200);
    const before = await rowCounts(memory);
    expect(before).toMatchObject({ entity_messages: 2, entity_conversations: 1, entity_http_idempotency: 1 });

    const requests = fc.sample(fuzzRequest, { seed: SEED, numRuns: REQUESTS });
    expect(requests).toHaveLength(REQUESTS);
    const outcomes = await sendAll(server.handle.port, requests);

    const byStatus = new Map<string, number>();
    for (const outcome of outcomes) {
      const key = `${outcome.kind.split(' ')[0]} ${outcome.hung ? 'hung' : (outcome.status ?? 'closed')}`;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    const summary = JSON.stringify(Object.fromEntries([...byStatus].sort()));
    const serverErrors = outcomes.filter((outcome) => outcome.status !== undefined && outcome.status >= 500);
    expect(serverErrors, `${summary}\n${JSON.stringify(server.logger.entries.filter((entry) => entry.level === 'error').slice(0, 3))}`).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.hung), summary).toEqual([]);
    // The requests reached the handler: nearly all well-framed ones got an answer.
    const framed = outcomes.filter((outcome) => outcome.kind !== 'malformed');
    expect(framed.filter((outcome) => outcome.status !== undefined).length, summary).toBeGreaterThan(framed.length * 0.99);
    expect(framed.filter((outcome) => outcome.status === 400).length, summary).toBeGreaterThan(framed.length * 0.2);

    // Nothing reached the agent, nothing was written, nothing failed inside the handler.
    expect(server.llm.requests).toHaveLength(1);
    expect(await rowCounts(memory)).toEqual(before);
    expect(server.logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);

    // And the server still serves.
    expect((await fetch(server.url('/health/live'))).status).toBe(200);
    const alive = await server.post('/v1/chat', { message: 'still there?' }, { authorization: `Bearer ${KEYS.admin}` });
    expect(((await alive.json()) as { text: string }).text).toBe('Still alive.');
  });
});
