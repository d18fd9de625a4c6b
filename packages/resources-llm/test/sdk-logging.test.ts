import { inMemoryLogger, type ResourceStartContext } from '@entity/core';
import { startAnthropicServer, startOpenAIServer } from '@entity/test-servers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { anthropic, openai, type ProviderLLM } from '../src/index.js';

const startContext = (log: ResourceStartContext['log']): ResourceStartContext => ({
  name: 'llm',
  resource: () => {
    throw new Error('no dependencies');
  },
  has: () => false,
  log,
  signal: new AbortController().signal,
});

/** Everything written to the console or stderr while `work` runs. */
async function consoleOutputOf(work: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const capture = (...args: unknown[]) => void written.push(args.map(String).join(' '));
  const spies = [
    vi.spyOn(console, 'error').mockImplementation(capture),
    vi.spyOn(console, 'warn').mockImplementation(capture),
    vi.spyOn(console, 'info').mockImplementation(capture),
    vi.spyOn(console, 'log').mockImplementation(capture),
    vi.spyOn(console, 'debug').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }),
  ];
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written;
}

const streamAll = async (llm: ProviderLLM) => {
  for await (const _event of llm.stream({ messages: [{ role: 'user', content: 'hi' }] })) {
    // drain
  }
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('provider SDK messages go to the logger, never to the console', () => {
  it('openai: a stream parse error is logged through the resource logger', async () => {
    const server = await startOpenAIServer({ apiKey: 'sk-test' });
    closers.push(() => server.close());
    server.respondWith({ text: 'one two three four', malformed: 'invalid-json' });
    const llm = openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: server.baseURL, retry: false });
    const log = inMemoryLogger({ level: 'debug', echoLevel: false });
    await llm.start?.(startContext(log));
    const written = await consoleOutputOf(() => expect(streamAll(llm)).rejects.toThrow());
    expect(written).toEqual([]);
    expect(log.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', message: 'openai SDK: Could not parse message into JSON:', component: 'resource', provider: 'openai', source: 'sdk' }),
      ]),
    );
  });

  it('anthropic: the parse error and the raw chunk it quotes go to the logger', async () => {
    const server = await startAnthropicServer({ apiKey: 'sk-ant-test' });
    closers.push(() => server.close());
    server.respondWith({ text: 'one two three four', malformed: 'invalid-json' });
    const llm = anthropic({ model: 'claude-haiku-4-5', apiKey: 'sk-ant-test', baseURL: server.origin, retry: false });
    const log = inMemoryLogger({ level: 'debug', echoLevel: false });
    await llm.start?.(startContext(log));
    const written = await consoleOutputOf(() => expect(streamAll(llm)).rejects.toThrow());
    expect(written).toEqual([]);
    const parseError = log.entries.find((entry) => entry.message === 'anthropic SDK: Could not parse message into JSON:');
    expect(parseError).toMatchObject({ level: 'error', provider: 'anthropic', source: 'sdk', details: [expect.stringContaining('content_block_start')] });
  });

  it('a logger given in the options is used before and without start', async () => {
    const server = await startOpenAIServer({ apiKey: 'sk-test' });
    closers.push(() => server.close());
    server.respondWith({ text: 'one two', malformed: 'invalid-json' });
    const log = inMemoryLogger({ level: 'debug', echoLevel: false });
    const llm = openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: server.baseURL, retry: false, logger: log });
    const written = await consoleOutputOf(() => expect(streamAll(llm)).rejects.toThrow());
    expect(written).toEqual([]);
    expect(log.entries.some((entry) => entry.message.startsWith('openai SDK:'))).toBe(true);
  });
});
