import { ValidationError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { CHAIN_OF_THOUGHT_INSTRUCTION, ChainOfThought, chainOfThoughtPlugin } from '../src/index.js';
import { agentWith, lastOf, streamAll, systemOf } from './helpers.js';

describe('ChainOfThought', () => {
  it('asks for step-by-step reasoning for this run only and saves and responds only the final answer', async () => {
    const { agent, llm, memory } = agentWith(chainOfThoughtPlugin(), ['<reasoning>Two apples plus three apples make five apples.</reasoning>\nYou have 5 apples.'], {
      instructions: 'Be kind.',
    });
    const result = await agent.chat('I have 2 apples and get 3 more. How many?', { userId: 'u', conversationId: 'c' });
    expect(result.status).toBe('ok');
    expect(result.text).toBe('You have 5 apples.');
    expect(llm.requests).toHaveLength(1);
    expect(systemOf(llm.requests[0]!)).toBe(`Be kind.\n\n## How to answer\n${CHAIN_OF_THOUGHT_INSTRUCTION}`);
    expect(llm.requests[0]!.tools).toBeUndefined();
    expect(result.info.annotations?.['reasoning.chainOfThought']).toEqual({ reasoning: 'Two apples plus three apples make five apples.', followUp: false });
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'c' });
    expect(stored.map(({ message }) => [message.role, message.content])).toEqual([
      ['user', 'I have 2 apples and get 3 more. How many?'],
      ['assistant', 'You have 5 apples.'],
    ]);
    // The next turn's model call sees the saved answer without the reasoning, and the instruction once.
    await agent.chat('And 1 more?', { userId: 'u', conversationId: 'c' });
    expect(JSON.stringify(llm.requests[1]!.messages)).not.toContain('Two apples plus');
    expect(systemOf(llm.requests[1]!).split(CHAIN_OF_THOUGHT_INSTRUCTION)).toHaveLength(2);
  });

  it('shows the reasoning as an event but never as response text or tokens', async () => {
    const { agent } = agentWith(chainOfThoughtPlugin(), ['<reasoning>secret working</reasoning>Paris.']);
    const events = await streamAll(agent, 'Capital of France?');
    expect(events.find((event) => event.type === 'custom')).toEqual({ type: 'custom', name: 'reasoning.thought', data: { reasoning: 'secret working' } });
    const visible = events.filter((event) => event.type === 'token' || event.type === 'response');
    expect(visible).toEqual([{ type: 'response', response: 'Paris.', text: 'Paris.' }]);
  });

  it('reads a "Final answer:" line, and takes an untagged reply as all answer', async () => {
    const split = new (class extends ChainOfThought {
      split(text: string) {
        return this.splitReasoning(text);
      }
    })();
    expect(split.split('First, 6*7.\nThat is 42.\n**Final answer:** 42')).toEqual({ reasoning: 'First, 6*7.\nThat is 42.', answer: '42' });
    expect(split.split('Just 42.')).toEqual({ reasoning: '', answer: 'Just 42.' });
    expect(split.split('<reasoning>a</reasoning> mid <reasoning>b')).toEqual({ reasoning: 'a\n\nb', answer: 'mid' });
    expect(split.split('I forgot the opening tag.</reasoning>\nFinal answer: 7')).toEqual({ reasoning: 'I forgot the opening tag.', answer: '7' });
  });

  it('asks once more for the answer alone when the reply is all reasoning, and fails clearly if it still has none', async () => {
    const { agent, llm } = agentWith(chainOfThoughtPlugin(), ['<reasoning>thinking, thinking</reasoning>', 'Forty-two.']);
    const result = await agent.chat('Meaning of life?');
    expect(result.text).toBe('Forty-two.');
    expect(llm.requests).toHaveLength(2);
    expect(lastOf(llm.requests[1]!)).toEqual({ role: 'user', content: 'Now write only the final answer, without your reasoning.' });
    expect(result.info.annotations?.['reasoning.chainOfThought']).toMatchObject({ followUp: true });

    const empty = agentWith(chainOfThoughtPlugin(), ['<reasoning>only this</reasoning>']);
    const failed = await empty.agent.chat('?');
    expect(failed.status).toBe('failed');
    expect(failed.info.failure).toMatchObject({ plugin: 'reasoning:chain-of-thought', code: 'REASONING_NO_ANSWER', message: 'Sorry, I could not come to an answer. Please try again.' });
  });

  it('steps aside, with a warning, when another reasoning pattern already handles the turn', async () => {
    const { agent, llm, logging } = agentWith(chainOfThoughtPlugin(), ['<reasoning>r</reasoning>first']);
    // A second pattern, registered after the first, under another name.
    agent.use(new (class extends ChainOfThought {
      override readonly name: string = 'reasoning:second';
    })().plugin());
    const result = await agent.chat('?');
    expect(result.status).toBe('ok');
    expect(result.text).toBe('first');
    expect(llm.requests).toHaveLength(1);
    expect(logging.entries.map((entry) => entry.message)).toContain(
      'reasoning:second did not run: reasoning:chain-of-thought already answered this turn. Register one reasoning pattern per agent.',
    );
  });

  it('takes its own instruction and refuses unknown options with a clear error', async () => {
    const { agent, llm } = agentWith(chainOfThoughtPlugin({ instruction: 'Reason in French.' }), ['Oui.']);
    await agent.chat('?');
    expect(systemOf(llm.requests[0]!)).toBe('## How to answer\nReason in French.');
    expect(() => chainOfThoughtPlugin({ instructions: 'x' } as never)).toThrow(ValidationError);
    expect(() => chainOfThoughtPlugin({ instructions: 'x' } as never)).toThrow(/Unrecognized key: "instructions"/);
  });
});
