import { Agent } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('agent');
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`${driver.name}: as the memory of an Agent`, () => {
    it('stores each turn and gives the model the history on the next chat, across agent restarts', async () => {
      const run = async (message: string, reply: string) => {
        const llm = scriptedLLM([reply]);
        const agent = new Agent({ resources: { llm, memory: driver.create({}, 'agent') }, zeroConfig: false });
        await agent.start();
        try {
          const result = await agent.chat(message, { userId: 'agent-user', conversationId: 'agent-conversation' });
          expect(result.text).toBe(reply);
          return llm.requests[0]!.messages.map((item) => `${item.role}:${item.content}`);
        } finally {
          await agent.stop();
        }
      };
      await run('my name is Ada', 'Nice to meet you, Ada.');
      const seen = await run('what is my name?', 'Ada.');
      expect(seen).toEqual(expect.arrayContaining(['user:my name is Ada', 'assistant:Nice to meet you, Ada.', 'user:what is my name?']));
      expect(seen.indexOf('user:my name is Ada')).toBeLessThan(seen.indexOf('user:what is my name?'));

      const memory = driver.create({}, 'agent');
      await memory.start();
      try {
        const history = await memory.loadMessages({ userId: 'agent-user', conversationId: 'agent-conversation' });
        expect(history.map((item) => `${item.message.role}:${item.message.content}`)).toEqual([
          'user:my name is Ada',
          'assistant:Nice to meet you, Ada.',
          'user:what is my name?',
          'assistant:Ada.',
        ]);
      } finally {
        await memory.stop();
      }
    });
  });
}
