import {
  CancelledError,
  type ChatStreamEvent,
  CircuitOpenError,
  type LLM,
  ProviderError,
  TimeoutError,
  ValidationError,
} from '@entity/core';
import type { LoopbackServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommonLLMOptions, ProviderLLM } from '../src/index.js';

/** How one provider plugs into the shared suite. */
export interface ProviderUnderTest {
  name: string;
  start(): Promise<LoopbackServer>;
  create(server: LoopbackServer, options?: Partial<CommonLLMOptions>): ProviderLLM;
  /** Model used by `create`, and whether the built-in price table knows it. */
  model: string;
  priced: boolean;
  embeddings: boolean;
  /** Whether the SDK exposes response headers, so `retry-after` can be honoured. */
  exposesRetryAfter: boolean;
  /** Status the provider uses for "overloaded / internal error". */
  serverErrorStatus: number;
  /** Whether the real API rejects a tool result without a matching tool call (Ollama does not check). */
  checksToolPairing: boolean;
}

export const addTool = {
  name: 'add',
  description: 'Add two numbers',
  parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false },
};

const fast = { retry: { baseDelayMs: 5, maxDelayMs: 2000 } } satisfies Partial<CommonLLMOptions>;

export async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const all: ChatStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** The JSON body of the `index`th model call the server received, for field-by-field assertions. */
// biome-ignore lint/suspicious/noExplicitAny: wire bodies are asserted field by field
export function sentBody(server: LoopbackServer, index = 0): any {
  return server.modelCalls[index]?.body;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The LLM contract every provider must meet, run against its loopback server through its SDK. */
export function describeLLMProvider(provider: ProviderUnderTest): void {
  describe(`${provider.name} LLM contract`, () => {
    let server: LoopbackServer;
    let llm: ProviderLLM;
    beforeAll(async () => {
      server = await provider.start();
    });
    afterAll(async () => {
      await server.close();
    });
    beforeEach(() => {
      server.reset();
      llm = provider.create(server, fast);
    });

    it('answers a plain chat with usage, model and provider', async () => {
      server.enqueue({ text: 'Paris is the capital of France.', usage: { inputTokens: 12, outputTokens: 7 } });
      const response = await llm.chat({ messages: [{ role: 'user', content: 'Capital of France?' }] });
      expect(response.content).toBe('Paris is the capital of France.');
      expect(response.toolCalls).toEqual([]);
      expect(response.finishReason).toBe('stop');
      expect(response.provider).toBe(provider.name);
      expect(response.model).toBe(provider.model);
      expect(response.usage).toMatchObject({ inputTokens: 12, outputTokens: 7, totalTokens: 19 });
      if (provider.priced) expect(response.usage.costUsd).toBeGreaterThan(0);
      else expect(response.usage.costUsd).toBeUndefined();
      expect(server.modelCalls).toHaveLength(1);
      expect(JSON.stringify(server.modelCalls[0]?.body)).toContain('Capital of France?');
    });

    it('sends a multi-turn conversation with system, assistant and tool messages the server accepts', async () => {
      server.enqueue({ text: 'The sum is 5.' });
      const response = await llm.chat({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'What is 2+3?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }] },
          { role: 'tool', toolCallId: 'call_1', name: 'add', content: '5' },
          { role: 'assistant', content: 'It is 5.' },
          { role: 'user', content: 'Say it again.' },
        ],
        tools: [addTool],
      });
      expect(response.content).toBe('The sum is 5.');
      const sent = JSON.stringify(server.modelCalls[0]?.body);
      for (const text of ['You are terse.', 'What is 2+3?', 'It is 5.', 'Say it again.']) expect(sent).toContain(text);
    });

    it('returns a single tool call with parsed arguments', async () => {
      server.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] });
      const response = await llm.chat({ messages: [{ role: 'user', content: 'What is 2+3?' }], tools: [addTool] });
      expect(response.finishReason).toBe('tool_calls');
      expect(response.toolCalls).toHaveLength(1);
      expect(response.toolCalls[0]).toMatchObject({ name: 'add', arguments: { a: 2, b: 3 } });
      expect(response.toolCalls[0]?.id).toMatch(/.+/);
      expect(JSON.stringify(server.modelCalls[0]?.body)).toContain('Add two numbers');
    });

    it('returns parallel tool calls in order with distinct ids', async () => {
      server.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }, { name: 'add', arguments: { a: 3, b: 4 } }] });
      const response = await llm.chat({ messages: [{ role: 'user', content: '1+2 and 3+4' }], tools: [addTool] });
      expect(response.toolCalls.map((call) => call.arguments)).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }]);
      expect(new Set(response.toolCalls.map((call) => call.id)).size).toBe(2);
    });

    it('streams text deltas that add up to the final response, with usage last', async () => {
      server.enqueue({ text: 'Streaming works across many small words.', usage: { inputTokens: 5, outputTokens: 8 } });
      const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'stream please' }] }));
      const deltas = events.filter((event) => event.type === 'text-delta');
      expect(deltas.length).toBeGreaterThan(3);
      const finish = events.at(-1);
      expect(finish?.type).toBe('finish');
      if (finish?.type !== 'finish') return;
      expect(deltas.map((event) => event.text).join('')).toBe('Streaming works across many small words.');
      expect(finish.response.content).toBe('Streaming works across many small words.');
      expect(finish.response.usage).toMatchObject({ inputTokens: 5, outputTokens: 8, totalTokens: 13 });
      expect(finish.response.provider).toBe(provider.name);
    });

    it('assembles streamed tool calls from their deltas', async () => {
      server.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 20, b: 22 } }, { name: 'add', arguments: { a: 1, b: 1 } }] });
      const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'add' }], tools: [addTool] }));
      const assembled = events.flatMap((event) => (event.type === 'tool-call' ? [event.toolCall] : []));
      expect(assembled.map((call) => [call.name, call.arguments])).toEqual([
        ['add', { a: 20, b: 22 }],
        ['add', { a: 1, b: 1 }],
      ]);
      const firstDeltas = events.flatMap((event) => (event.type === 'tool-call-delta' && event.index === 0 ? [event.argumentsDelta] : []));
      expect(JSON.parse(firstDeltas.join(''))).toEqual({ a: 20, b: 22 });
      const finish = events.at(-1);
      expect(finish?.type === 'finish' && finish.response.finishReason).toBe('tool_calls');
      expect(finish?.type === 'finish' && finish.response.toolCalls).toEqual(assembled);
    });

    it('returns a typed object from structured output', async () => {
      server.enqueue({ text: JSON.stringify({ city: 'Paris', population: 2_100_000 }) });
      const result = await llm.generateObject({
        messages: [{ role: 'user', content: 'Largest French city as JSON' }],
        schema: z.object({ city: z.string(), population: z.number() }),
        schemaName: 'city',
      });
      expect(result.object).toEqual({ city: 'Paris', population: 2_100_000 });
      expect(result.provider).toBe(provider.name);
      expect(JSON.stringify(server.modelCalls[0]?.body)).toContain('population');
    });

    it('retries structured output once when the first reply does not match, and bills both attempts', async () => {
      server.enqueue({ text: JSON.stringify({ city: 'Paris' }), usage: { inputTokens: 10, outputTokens: 5 } }, { text: JSON.stringify({ city: 'Paris', population: 2 }), usage: { inputTokens: 20, outputTokens: 5 } });
      const result = await llm.generateObject({ messages: [{ role: 'user', content: 'city' }], schema: z.object({ city: z.string(), population: z.number() }) });
      expect(result.object).toEqual({ city: 'Paris', population: 2 });
      expect(server.modelCalls).toHaveLength(2);
      expect(result.usage.inputTokens).toBe(30);
      expect(JSON.stringify(server.modelCalls[1]?.body)).toContain('not valid');
    });

    it('fails structured output with a ValidationError after the one retry', async () => {
      server.enqueue({ text: 'not json at all' }, { text: JSON.stringify({ wrong: true }) });
      const error = await rejectionOf(llm.generateObject({ messages: [{ role: 'user', content: 'city' }], schema: z.object({ city: z.string() }) }));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).code).toBe('LLM_OUTPUT_INVALID');
      expect(server.modelCalls).toHaveLength(2);
    });

    it('handles non-object schemas by wrapping them', async () => {
      server.enqueue({ text: JSON.stringify({ value: ['a', 'b'] }) });
      const result = await llm.generateObject({ messages: [{ role: 'user', content: 'two letters' }], schema: z.array(z.string()) });
      expect(result.object).toEqual(['a', 'b']);
    });

    it('retries a 429 and succeeds', async () => {
      server.enqueue({ error: { status: 429, retryAfter: 1 } }, { text: 'after the limit' });
      const started = performance.now();
      const response = await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
      const elapsed = performance.now() - started;
      expect(response.content).toBe('after the limit');
      expect(server.modelCalls).toHaveLength(2);
      // retry-after: 1 (second) is honoured when the SDK exposes headers; otherwise backoff is a few ms.
      if (provider.exposesRetryAfter) expect(elapsed).toBeGreaterThanOrEqual(950);
      else expect(elapsed).toBeLessThan(900);
    });

    it('logs each retry through the logger it was started with', async () => {
      const { inMemoryLogger } = await import('@entity/core');
      const log = inMemoryLogger({ echoLevel: false });
      await llm.start?.({ name: 'llm', log, signal: new AbortController().signal, resource: () => undefined as never, has: () => false });
      server.enqueue({ error: { status: provider.serverErrorStatus } }, { text: 'ok' });
      await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
      const retries = log.entries.filter((entry) => entry.level === 'warn' && entry.message.includes('retry 1'));
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ provider: provider.name, errorCode: 'LLM_PROVIDER_UNAVAILABLE' });
    });

    it('never retries a 400 validation error', async () => {
      server.enqueue({ error: { status: 400, message: 'bad request from script' } }, { text: 'should not be reached' });
      const error = await rejectionOf(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      expect(ProviderError.isInstance(error)).toBe(true);
      expect((error as ProviderError).status).toBe(400);
      expect((error as ProviderError).retryable).toBe(false);
      expect((error as ProviderError).code).toBe('LLM_BAD_REQUEST');
      expect(server.modelCalls).toHaveLength(1);
    });

    it('retries 5xx, then opens the circuit after 5 failures, then recovers through a half-open probe', async () => {
      let clock = 1_000_000;
      const llmWithClock = provider.create(server, { retry: { retries: 9, baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: { resetTimeoutMs: 10_000, now: () => clock } });
      server.respondWith({ error: { status: provider.serverErrorStatus } });
      const first = await rejectionOf(llmWithClock.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      // Five attempts failed (the breaker's threshold); the sixth was refused by the open circuit.
      expect(server.modelCalls).toHaveLength(5);
      expect(CircuitOpenError.isInstance(first)).toBe(true);
      expect(llmWithClock.circuitBreaker?.state).toBe('open');

      const refused = await rejectionOf(llmWithClock.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      expect(CircuitOpenError.isInstance(refused)).toBe(true);
      expect(server.modelCalls).toHaveLength(5);

      clock += 10_000;
      expect(llmWithClock.circuitBreaker?.state).toBe('half-open');
      server.respondWith({ text: 'recovered' });
      const response = await llmWithClock.chat({ messages: [{ role: 'user', content: 'hi' }] });
      expect(response.content).toBe('recovered');
      expect(llmWithClock.circuitBreaker?.state).toBe('closed');
      expect(server.modelCalls).toHaveLength(6);
    });

    it('does not count 4xx validation errors towards the circuit', async () => {
      server.respondWith({ error: { status: 400 } });
      for (let index = 0; index < 6; index++) await rejectionOf(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      expect(llm.circuitBreaker?.state).toBe('closed');
    });

    it('times out a slow call per attempt and retries it', async () => {
      server.enqueue({ delayMs: 5_000, text: 'too late' }, { text: 'in time' });
      const started = performance.now();
      const response = await llm.chat({ messages: [{ role: 'user', content: 'hi' }], timeoutMs: 500 });
      expect(response.content).toBe('in time');
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(server.modelCalls).toHaveLength(2);
    });

    it('raises a TimeoutError when every attempt is too slow', async () => {
      const noRetry = provider.create(server, { retry: false });
      server.enqueue({ delayMs: 5_000 });
      const error = await rejectionOf(noRetry.chat({ messages: [{ role: 'user', content: 'hi' }], timeoutMs: 100 }));
      expect(TimeoutError.isInstance(error)).toBe(true);
    });

    it('cancels a call through its AbortSignal', async () => {
      const controller = new AbortController();
      // Abort once the server holds the request, so the test never races the connection.
      server.enqueue({ delayMs: 5_000 });
      const watcher = setInterval(() => {
        if (server.modelCalls.length > 0) {
          clearInterval(watcher);
          setTimeout(() => controller.abort(), 20);
        }
      }, 5);
      const error = await rejectionOf(llm.chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal }));
      expect(CancelledError.isInstance(error)).toBe(true);
      expect(server.modelCalls).toHaveLength(1);
    });

    it('aborts mid-stream, stops yielding, and the server keeps serving', async () => {
      server.enqueue({ text: 'one two three four five six seven eight nine ten', chunkDelayMs: 40 });
      const controller = new AbortController();
      const seen: ChatStreamEvent[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const event of llm.stream({ messages: [{ role: 'user', content: 'count' }], signal: controller.signal })) {
            seen.push(event);
            if (event.type === 'text-delta') controller.abort();
          }
        })(),
      );
      expect(CancelledError.isInstance(error)).toBe(true);
      expect(seen.filter((event) => event.type === 'text-delta')).toHaveLength(1);
      expect(seen.some((event) => event.type === 'finish')).toBe(false);
      server.enqueue({ text: 'still alive' });
      expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('still alive');
    });

    it('times out a stream that goes silent, but not a slow consumer', async () => {
      const noRetry = provider.create(server, { retry: false });
      server.enqueue({ text: 'one two three four', chunkDelayMs: 1_000 });
      const seen: ChatStreamEvent[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const event of noRetry.stream({ messages: [{ role: 'user', content: 'x' }], timeoutMs: 200 })) seen.push(event);
        })(),
      );
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(seen.some((event) => event.type === 'finish')).toBe(false);

      server.enqueue({ text: 'slow reader here' });
      const events: ChatStreamEvent[] = [];
      for await (const event of noRetry.stream({ messages: [{ role: 'user', content: 'x' }], timeoutMs: 200 })) {
        events.push(event);
        if (events.length === 1) await new Promise((resolve) => setTimeout(resolve, 450));
      }
      expect(events.at(-1)?.type).toBe('finish');
    });

    it('stops the HTTP stream when the consumer breaks out early', async () => {
      server.enqueue({ text: 'a b c d e f g h', chunkDelayMs: 20 });
      for await (const event of llm.stream({ messages: [{ role: 'user', content: 'x' }] })) {
        if (event.type === 'text-delta') break;
      }
      server.enqueue({ text: 'next' });
      expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('next');
    });

    it('reports malformed JSON from the server as a clear, non-retried error', async () => {
      server.enqueue({ malformed: 'invalid-json' }, { text: 'not reached' });
      const error = await rejectionOf(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      expect(ProviderError.isInstance(error)).toBe(true);
      expect((error as ProviderError).code).toBe('LLM_MALFORMED_RESPONSE');
      expect(server.modelCalls).toHaveLength(1);
    });

    it('reports a response of the wrong shape as malformed', async () => {
      server.enqueue({ malformed: 'unexpected-shape' });
      const error = await rejectionOf(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }));
      expect((error as ProviderError).code).toBe('LLM_MALFORMED_RESPONSE');
      expect((error as Error).message).toMatch(new RegExp(provider.name, 'i'));
    });

    it('reports malformed stream events as an error, without crashing', async () => {
      server.enqueue({ malformed: 'invalid-json', text: 'some words here' });
      const error = await rejectionOf(collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] })));
      expect(ProviderError.isInstance(error)).toBe(true);
      server.enqueue({ malformed: 'unexpected-shape', text: 'some words here' });
      const shapeError = await rejectionOf(collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] })));
      expect(ProviderError.isInstance(shapeError)).toBe(true);
    });

    it('surfaces an error event sent in the middle of a stream', async () => {
      server.enqueue({ text: 'partial answer then failure', streamErrorAfterChunks: 2 });
      const seen: ChatStreamEvent[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const event of llm.stream({ messages: [{ role: 'user', content: 'hi' }] })) seen.push(event);
        })(),
      );
      expect(ProviderError.isInstance(error)).toBe(true);
      expect(seen.some((event) => event.type === 'finish')).toBe(false);
    });

    it('fails cleanly when the connection drops mid-stream', async () => {
      server.enqueue({ text: 'a b c d e f', disconnectAfterChunks: 3 });
      const error = await rejectionOf(collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] })));
      expect(ProviderError.isInstance(error)).toBe(true);
    });

    it('retries a stream that was refused before it started', async () => {
      server.enqueue({ error: { status: provider.serverErrorStatus } }, { text: 'second try' });
      const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] }));
      const finish = events.at(-1);
      expect(finish?.type === 'finish' && finish.response.content).toBe('second try');
      expect(server.modelCalls).toHaveLength(2);
    });

    // Ollama does not check that tool results answer a call, so it has no such rejection to test.
    if (provider.checksToolPairing) {
      it('rejects requests the provider would reject, with the status it would use', async () => {
        const error = await rejectionOf(llm.chat({ messages: [{ role: 'tool', toolCallId: 'nope', name: 'add', content: '5' }] }));
        expect(ProviderError.isInstance(error)).toBe(true);
        expect((error as ProviderError).status).toBe(400);
      });
    }

    if (provider.embeddings) {
      it('embeds texts deterministically, one vector per input', async () => {
        const embed = llm.embed as NonNullable<LLM['embed']>;
        const first = await embed(['the cat sat', 'a dog ran', 'the cat sat']);
        expect(first.embeddings).toHaveLength(3);
        expect(first.embeddings[0]).toHaveLength(8);
        expect(first.embeddings[0]).toEqual(first.embeddings[2]);
        expect(first.embeddings[0]).not.toEqual(first.embeddings[1]);
        expect(first.provider).toBe(provider.name);
        expect(first.usage.inputTokens).toBeGreaterThan(0);
        expect((await embed([])).embeddings).toEqual([]);
      });
    } else {
      it('advertises that it has no embeddings', () => {
        expect(llm.capabilities.embeddings).toBe(false);
        expect(llm.embed).toBeUndefined();
      });
    }

    it('reports health from the live server', async () => {
      const report = await llm.healthCheck?.();
      expect(report?.healthy).toBe(true);
    });
  });
}
