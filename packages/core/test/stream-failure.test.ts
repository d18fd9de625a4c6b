import { describe, expect, it } from 'vitest';
import { Agent, type AgentEvent, DEFAULT_SAFE_MESSAGE, definePlugin, inMemoryLogger } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const tokensOf = (events: AgentEvent[]) => events.flatMap((event) => (event.type === 'token' ? [event.text] : []));

/** A REVIEW plugin that rejects every answer, after the model has streamed it. */
const rejectingReview = definePlugin({
  name: 'guard',
  kind: 'prompt',
  stages: ['REVIEW'],
  execute() {
    throw new Error('the answer failed review');
  },
});

describe('stream failures', () => {
  it('tells the consumer to discard text it already received when the run fails after tokens', async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['The secret is 42']), logging: quiet() }, plugins: [rejectingReview], zeroConfig: false });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream('hi')) events.push(event);
    expect(tokensOf(events).join('')).toBe('The secret is 42');
    const types = events.map((event) => event.type);
    const error = events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ type: 'error', stage: 'REVIEW', plugin: 'guard', discardPartialOutput: true });
    // The void text comes before the error event, the safe reply after it.
    expect(types.lastIndexOf('token')).toBeLessThan(types.indexOf('error'));
    expect(types.slice(-2)).toEqual(['response', 'done']);
    expect(events.at(-2)).toMatchObject({ type: 'response', text: DEFAULT_SAFE_MESSAGE });
    await agent.stop();
  });

  it('says there is nothing to discard when the run fails before any token', async () => {
    const failing = definePlugin({
      name: 'early',
      kind: 'input',
      execute() {
        throw new Error('bad input');
      },
    });
    const agent = new Agent({ resources: { llm: scriptedLLM(['unused']), logging: quiet() }, plugins: [failing], zeroConfig: false });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream('hi')) events.push(event);
    expect(tokensOf(events)).toEqual([]);
    expect(events.find((event) => event.type === 'error')).toMatchObject({ plugin: 'early', discardPartialOutput: false });
    await agent.stop();
  });
});

