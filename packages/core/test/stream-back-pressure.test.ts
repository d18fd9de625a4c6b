import { describe, expect, it } from 'vitest';
import { Agent, type AgentEvent, type ChatRequest, type ChatStreamEvent, inMemoryLogger, type LLM } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const tokensOf = (events: AgentEvent[]) => events.flatMap((event) => (event.type === 'token' ? [event.text] : []));
const nextTurnOfTheEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Wraps a model so the test sees how far the producer got: tokens pulled from the model so far. */
function countingModel(model: LLM & { stream: NonNullable<LLM['stream']> }) {
  const counter = { produced: 0 };
  const llm: LLM = {
    ...model,
    async *stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
      for await (const event of model.stream(request)) {
        if (event.type === 'text-delta') counter.produced++;
        yield event;
      }
    },
  };
  return { llm, counter };
}

describe('stream back-pressure', () => {
  const longAnswer = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');

  it('keeps at most maxBufferedEvents waiting for a slow consumer, and the turn still completes', async () => {
    const { llm, counter } = countingModel(scriptedLLM([longAnswer]) as LLM & { stream: NonNullable<LLM['stream']> });
    const agent = new Agent({ resources: { llm, logging: quiet() }, zeroConfig: false });
    const events: AgentEvent[] = [];
    let consumed = 0;
    let largestLead = 0;
    for await (const event of agent.stream('talk a lot', { maxBufferedEvents: 8 })) {
      events.push(event);
      if (event.type === 'token') consumed++;
      largestLead = Math.max(largestLead, counter.produced - consumed);
      // A slow reader: the producer gets a whole turn of the event loop between two reads.
      await nextTurnOfTheEventLoop();
    }
    // At most 8 events sit in the buffer, plus the one token the model call is waiting to hand over.
    expect(largestLead).toBeLessThanOrEqual(9);
    expect(tokensOf(events).join('')).toBe(longAnswer);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    expect(done?.type === 'done' && done.result.text).toBe(longAnswer);
    await agent.stop();
  });

  it('releases a producer waiting for room when the consumer leaves', async () => {
    const { llm, counter } = countingModel(scriptedLLM([longAnswer]) as LLM & { stream: NonNullable<LLM['stream']> });
    const agent = new Agent({ resources: { llm, logging: quiet() }, zeroConfig: false });
    let tokens = 0;
    for await (const event of agent.stream('talk a lot', { maxBufferedEvents: 4 })) {
      if (event.type === 'token' && ++tokens === 3) {
        await nextTurnOfTheEventLoop();
        break;
      }
    }
    expect(counter.produced).toBeLessThan(400);
    // stop() waits for runs in progress: it only resolves because the waiting producer was released.
    await agent.stop();
  });

  it('refuses a buffer bound that is not a positive integer', () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['x']), logging: quiet() }, zeroConfig: false });
    expect(() => agent.stream('hi', { maxBufferedEvents: 0 })).toThrow(/maxBufferedEvents must be a positive integer; got 0/);
  });
});
