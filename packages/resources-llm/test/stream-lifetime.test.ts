import type { ChatResponse, ChatStreamEvent } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { createProviderLLM, type ProviderDriver } from '../src/provider-llm.js';

const response: ChatResponse = { content: 'Hi', toolCalls: [], finishReason: 'stop', model: 'm', usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } } as unknown as ChatResponse;

/** A driver whose stream is a plain generator, so the test sees the signal the provider's request would be aborted with. */
function recordingDriver(): { driver: ProviderDriver; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const unused = () => Promise.reject(new Error('not used by this test'));
  const driver: ProviderDriver = {
    provider: 'recording',
    capabilities: { streaming: true, tools: false, structuredOutput: false, embeddings: false },
    chat: unused,
    structured: unused,
    healthCheck: unused,
    async openStream(_request, _model, signal) {
      signals.push(signal);
      return (async function* (): AsyncGenerator<ChatStreamEvent> {
        yield { type: 'text-delta', text: 'Hi' };
        yield { type: 'finish', response };
      })();
    },
  };
  return { driver, signals };
}

describe('stream lifetime', () => {
  it('does not abort the provider request when the consumer stops at the finish event (the stream is complete)', async () => {
    const { driver, signals } = recordingDriver();
    const llm = createProviderLLM(driver, { model: 'm', retry: false });
    for await (const event of llm.stream({ messages: [{ role: 'user', content: 'u' }] })) {
      if (event.type === 'finish') break;
    }
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('still aborts the provider request when the consumer stops before the finish event', async () => {
    const { driver, signals } = recordingDriver();
    const llm = createProviderLLM(driver, { model: 'm', retry: false });
    for await (const event of llm.stream({ messages: [{ role: 'user', content: 'u' }] })) {
      if (event.type === 'text-delta') break;
    }
    expect(signals[0]!.aborted).toBe(true);
  });
});
