import type { ChatMessage, Memory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { expectValidationError, uniqueUser } from './conformance-helpers.js';
import { INJECTION_STRINGS } from './injection-strings.js';

const TURN: readonly ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is 2+3? “quotes” and emoji 🧮' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }] },
  { role: 'tool', content: '5', toolCallId: 'call_1', name: 'add' },
  { role: 'tool', content: 'boom', toolCallId: 'call_2', name: 'divide', isError: true },
  { role: 'assistant', content: '2+3 = 5' },
];

const user = (content: string): ChatMessage => ({ role: 'user', content });

export function conversationCases(memory: () => Memory): void {
  describe('conversations', () => {
    it('appends and loads every kind of message in order', async () => {
      const ref = { userId: uniqueUser('conv'), conversationId: 'c1' };
      const stored = await memory().appendMessages(ref, TURN);
      expect(stored.map((item) => item.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      const loaded = await memory().loadMessages(ref);
      expect(loaded.map((item) => item.message)).toEqual(TURN);
      expect(loaded.map((item) => item.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const item of loaded) expect(item.createdAt).toBeInstanceOf(Date);
    });

    it('continues the sequence across appends and loads the last N oldest first', async () => {
      const ref = { userId: uniqueUser('conv'), conversationId: 'c1' };
      for (let index = 1; index <= 7; index++) await memory().appendMessages(ref, [user(`m${index}`)]);
      const lastThree = await memory().loadMessages(ref, { last: 3 });
      expect(lastThree.map((item) => item.message.content)).toEqual(['m5', 'm6', 'm7']);
      expect(lastThree.map((item) => item.sequence)).toEqual([5, 6, 7]);
      expect(await memory().loadMessages(ref, { last: 0 })).toEqual([]);
      expect((await memory().loadMessages(ref, { last: 100 })).length).toBe(7);
      expect(await memory().appendMessages(ref, [])).toEqual([]);
    });

    it('keeps 100 concurrent appends to one conversation, each once, ordered by sequence', async () => {
      const ref = { userId: uniqueUser('race'), conversationId: 'shared' };
      const results = await Promise.all(Array.from({ length: 100 }, (_, index) => memory().appendMessages(ref, [user(`message ${index}`)])));
      const loaded = await memory().loadMessages(ref);
      expect(loaded.map((item) => item.sequence)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
      const contents = loaded.map((item) => item.message.content);
      expect(new Set(contents).size).toBe(100);
      expect([...contents].sort()).toEqual(Array.from({ length: 100 }, (_, index) => `message ${index}`).sort());
      // Each caller got back the sequence its message was stored under.
      for (const [index, [stored]] of results.entries()) {
        expect(loaded.find((item) => item.sequence === stored!.sequence)?.message.content).toBe(`message ${index}`);
      }
    });

    it('keeps each concurrent multi-message append contiguous', async () => {
      const ref = { userId: uniqueUser('race'), conversationId: 'batches' };
      await Promise.all(
        Array.from({ length: 20 }, (_, batch) => memory().appendMessages(ref, Array.from({ length: 5 }, (_, part) => user(`${batch}:${part}`)))),
      );
      const loaded = await memory().loadMessages(ref);
      expect(loaded.length).toBe(100);
      for (let start = 0; start < 100; start += 5) {
        const block = loaded.slice(start, start + 5).map((item) => item.message.content.split(':'));
        expect(new Set(block.map(([batch]) => batch)).size).toBe(1);
        expect(block.map(([, part]) => part)).toEqual(['0', '1', '2', '3', '4']);
      }
    });

    it('stays consistent when deletes race appends: no orphaned message, later appends work', async () => {
      const ref = { userId: uniqueUser('race'), conversationId: 'deleted-while-appending' };
      for (let round = 0; round < 30; round++) {
        await Promise.all([
          ...Array.from({ length: 4 }, (_, index) => memory().appendMessages(ref, [user(`r${round} a${index}`), user(`r${round} b${index}`)])),
          memory().deleteConversation(ref),
          ...Array.from({ length: 4 }, (_, index) => memory().appendMessages(ref, [user(`r${round} c${index}`)])),
        ]);
      }
      // Whatever survived the last delete is one unbroken history starting at 1, and the
      // conversation keeps accepting appends after it (a survivor would collide with them).
      const survivors = await memory().loadMessages(ref);
      expect(survivors.map((item) => item.sequence)).toEqual(survivors.map((_, index) => index + 1));
      for (let index = 0; index < 30; index++) await memory().appendMessages(ref, [user(`after ${index}`)]);
      const loaded = await memory().loadMessages(ref);
      expect(loaded.map((item) => item.sequence)).toEqual(loaded.map((_, index) => index + 1));
      expect(loaded.slice(-30).map((item) => item.message.content)).toEqual(Array.from({ length: 30 }, (_, index) => `after ${index}`));
      const [summary] = (await memory().listConversations(ref.userId)).filter((item) => item.conversationId === ref.conversationId);
      expect(summary?.messageCount).toBe(loaded.length);
      expect(await memory().deleteConversation(ref)).toBe(true);
      expect(await memory().loadMessages(ref)).toEqual([]);
      const [restarted] = await memory().appendMessages(ref, [user('fresh start')]);
      expect(restarted?.sequence).toBe(1);
    });

    it('lists a user\'s conversations with counts and deletes one', async () => {
      const owner = uniqueUser('conv');
      await memory().appendMessages({ userId: owner, conversationId: 'one' }, [user('a'), user('b')]);
      await memory().appendMessages({ userId: owner, conversationId: 'two' }, [user('c')]);
      const summaries = await memory().listConversations(owner);
      expect(summaries.map((item) => [item.conversationId, item.messageCount]).sort()).toEqual([
        ['one', 2],
        ['two', 1],
      ]);
      for (const summary of summaries) expect(summary.lastMessageAt).toBeInstanceOf(Date);
      expect(await memory().deleteConversation({ userId: owner, conversationId: 'one' })).toBe(true);
      expect(await memory().deleteConversation({ userId: owner, conversationId: 'one' })).toBe(false);
      expect(await memory().loadMessages({ userId: owner, conversationId: 'one' })).toEqual([]);
      expect((await memory().listConversations(owner)).map((item) => item.conversationId)).toEqual(['two']);
    });

    it('never shows one user the history of another, even under the same conversation id', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      await memory().appendMessages({ userId: alice, conversationId: 'same' }, [user('alice secret')]);
      await memory().appendMessages({ userId: bob, conversationId: 'same' }, [user('bob text')]);
      const bobs = await memory().loadMessages({ userId: bob, conversationId: 'same' });
      expect(bobs.map((item) => [item.sequence, item.message.content])).toEqual([[1, 'bob text']]);
      expect((await memory().listConversations(bob)).map((item) => item.messageCount)).toEqual([1]);
      expect(await memory().deleteConversation({ userId: uniqueUser('mallory'), conversationId: 'same' })).toBe(false);
      expect((await memory().loadMessages({ userId: alice, conversationId: 'same' })).length).toBe(1);
    });

    it('treats SQL-looking user and conversation ids as plain text', async () => {
      const owner = uniqueUser('victim');
      await memory().appendMessages({ userId: owner, conversationId: 'private' }, [user('keep me')]);
      for (const text of INJECTION_STRINGS) {
        const ref = { userId: text, conversationId: text };
        await memory().appendMessages(ref, [user(text)]);
        const loaded = await memory().loadMessages(ref);
        expect(loaded.at(-1)?.message.content).toBe(text);
        expect(await memory().deleteConversation(ref)).toBe(true);
      }
      expect((await memory().loadMessages({ userId: owner, conversationId: 'private' })).length).toBe(1);
    });

    it('rejects malformed messages and writes none of the batch', async () => {
      const ref = { userId: uniqueUser('conv'), conversationId: 'bad' };
      await expectValidationError(memory().appendMessages(ref, [user('fine'), { role: 'robot', content: 'x' } as unknown as ChatMessage]));
      await expectValidationError(memory().appendMessages(ref, [{ role: 'user' } as unknown as ChatMessage]));
      await expectValidationError(memory().appendMessages(ref, [user('nul \u0000 byte')]));
      await expectValidationError(memory().appendMessages({ userId: '', conversationId: 'x' }, [user('x')]));
      await expectValidationError(memory().loadMessages(ref, { last: -1 }));
      expect(await memory().loadMessages(ref)).toEqual([]);
    });
  });
}
