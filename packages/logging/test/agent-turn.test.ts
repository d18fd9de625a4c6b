import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, definePlugin, defineTool } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogging, type LoggingOptions, type LogOutput } from '../src/index.js';
import { BrokenStream } from '../src/testing/index.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'entity-logging-agent-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const SECRET_KEY = 'sk-proj-Zq8HxT3kP0aLmN4vB7cR2sWd';
const BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

/** An agent whose THINK plugin logs what careless plugin code logs: keys, headers, connection strings. */
async function agentWith(logging: ReturnType<typeof createLogging>, options: { padding?: number } = {}) {
  const llm = scriptedLLM([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'The answer is 5.'], { recordRequests: false });
  const agent = new Agent({ resources: { llm, logging }, zeroConfig: false });
  agent.tool(defineTool({ name: 'add', description: 'Add', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }));
  agent.use(
    definePlugin({
      name: 'careless',
      kind: 'prompt',
      execute(context) {
        context.log.info(`calling the API with ${SECRET_KEY}`, {
          request: { headers: { Authorization: BEARER, 'x-api-key': 'raw-key-value' } },
          database: 'postgres://app:hunter2@db.internal:5432/prod',
          ...(options.padding ? { padding: 'p'.repeat(options.padding) } : {}),
        });
      },
    }),
  );
  await agent.start();
  return agent;
}

const allFileText = async () => {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.jsonl'));
  return (await Promise.all(files.map((file) => readFile(join(directory, file), 'utf8')))).join('');
};

describe('logging through real agent turns', () => {
  it('redacts secrets logged by plugins before they reach the file', async () => {
    const logging = createLogging({ level: 'debug', console: false, file: { path: join(directory, 'agent.jsonl') } });
    const agent = await agentWith(logging);
    const result = await agent.chat('What is 2+3?', { userId: 'u1' });
    expect(result.text).toBe('The answer is 5.');
    await agent.stop();
    const text = await allFileText();
    expect(text).toContain('"plugin":"careless"');
    expect(text).toContain('"tool":"add"');
    for (const secret of [SECRET_KEY, 'eyJhbGciOiJIUzI1NiJ9', 'raw-key-value', 'hunter2']) expect(text).not.toContain(secret);
    const entry = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((candidate) => String(candidate.msg).startsWith('calling'))!;
    expect(entry).toMatchObject({
      msg: 'calling the API with [REDACTED]',
      request: { headers: { Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' } },
      database: 'postgres://app:[REDACTED]@db.internal:5432/prod',
      runId: result.info.runId,
      userId: 'u1',
    });
  });

  it('a failing tool leaves exactly one warning, naming tool, stage, iteration, code and the redacted error', async () => {
    const logging = createLogging({ level: 'debug', console: false, file: { path: join(directory, 'agent.jsonl') } });
    const llm = scriptedLLM([{ toolCalls: [{ name: 'lookup', arguments: {} }] }, 'Sorry, the lookup failed.'], { recordRequests: false });
    const agent = new Agent({ resources: { llm, logging }, zeroConfig: false });
    agent.tool(
      defineTool({
        name: 'lookup',
        description: 'Look something up',
        input: z.object({}),
        execute: () => {
          throw new Error('connect to postgres://app:hunter2@db.internal:5432/prod failed');
        },
      }),
    );
    await agent.chat('Look it up', { userId: 'u1' });
    await agent.stop();
    const entries = (await allFileText())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const warnings = entries.filter((entry) => entry.level === 'warn' && entry.tool === 'lookup');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ tool: 'lookup', stage: 'DO', iteration: 1, code: expect.any(String), errorType: 'Error' });
    expect(String(warnings[0]!.msg)).toContain('postgres://app:[REDACTED]@db.internal');
    expect(JSON.stringify(entries)).not.toContain('hunter2');
  });

  it('a failing output does not fail the turn: the others keep writing', async () => {
    const broken = new BrokenStream();
    broken.on('error', () => undefined);
    const throwing: LogOutput = {
      name: 'throws',
      level: 0,
      write() {
        throw new Error('output bug');
      },
      flush: async () => undefined,
      close: async () => undefined,
      stats: () => ({ name: 'throws', written: 0, dropped: 0, failed: 0 }),
    };
    const options: LoggingOptions = {
      level: 'debug',
      console: { destination: broken, pretty: false },
      file: { path: join(directory, 'agent.jsonl') },
      outputs: [throwing],
    };
    const logging = createLogging(options);
    const agent = await agentWith(logging);
    const first = await agent.chat('What is 2+3?', { userId: 'u1' });
    // The disk goes away under the file output: a file takes the directory's place.
    await logging.flush();
    await rm(directory, { recursive: true, force: true });
    await writeFile(directory, 'not a directory');
    const second = await agent.chat('What is 2+3?', { userId: 'u1', conversationId: 'other' });
    expect(first.text).toBe('The answer is 5.');
    expect(second.text).toBe('The answer is 5.');
    await logging.flush();
    const [consoleStats] = logging.stats().outputs;
    expect(consoleStats).toMatchObject({ name: 'console', written: 0, lastError: expect.stringContaining('EPIPE') });
    expect(consoleStats!.failed).toBeGreaterThan(20);
    expect(logging.stats().internalErrors).toBeGreaterThan(20); // the throwing output, caught every time
    expect((await logging.healthCheck()).healthy).toBe(false);
    await agent.stop();
    await rm(directory, { force: true });
  });

  it('a WebSocket subscriber that stops reading is dropped; turns do not wait for it', async () => {
    const logging = createLogging({ level: 'debug', console: false, stream: { maxBufferedBytes: 256 * 1024, history: 0 } });
    const agent = await agentWith(logging, { padding: 32 * 1024 });
    const { port } = new URL(logging.streamAddress()!.url);
    const stuck = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
    stuck.write(
      `GET /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await new Promise<void>((resolve) => stuck.once('data', () => resolve()));
    stuck.pause(); // never reads another byte

    const durations: number[] = [];
    for (let turn = 0; turn < 300; turn++) {
      const started = performance.now();
      const result = await agent.chat('What is 2+3?', { userId: 'u1', conversationId: `c${turn}` });
      durations.push(performance.now() - started);
      expect(result.text).toBe('The answer is 5.');
    }
    const stream = logging.stats().outputs.find((output) => output.name === 'stream')!;
    expect(stream.details).toMatchObject({ droppedClients: 1, clients: 0 });
    durations.sort((a, b) => a - b);
    // ~10 MB of entries were produced for a client that read none: a blocking logger would have hung here.
    expect(durations[Math.floor(durations.length / 2)]).toBeLessThan(250);
    stuck.destroy();
    await agent.stop();
  });
});
