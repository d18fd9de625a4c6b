import { Agent, type ChatRequest, inMemoryLogger, inMemoryMemory, type Memory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { pgliteMemory } from '@entity/resources-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECALL_DOCUMENT_KIND, semanticRecall } from '../src/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const systemOf = (request: ChatRequest) => (request.messages[0]?.role === 'system' ? request.messages[0].content : '');

// Real vector search: embedded Postgres with pgvector and the built-in hashing embedder, started
// once by one agent (an agent stops the resources it was given, so every turn goes through it).
const memory: Memory = pgliteMemory({ path: 'memory://plugin-memory-recall', embedder: 'hashing' });
const replies = new Map<string, string>();
const llm = scriptedLLM((request) => replies.get(request.messages.at(-1)!.content) ?? 'ok');
const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false, plugins: semanticRecall() });
beforeAll(() => agent.start(), 180_000);
afterAll(() => agent.stop());

describe('memory:semantic-recall', () => {
  it("recalls the user's related exchange from another conversation, never another user's, never the same conversation's", async () => {
    replies.set('My cat Whiskers loves eating tuna fish every evening', 'Noted: Whiskers loves tuna.');
    await agent.chat('My cat Whiskers loves eating tuna fish every evening', { userId: 'ada', conversationId: 'pets' });
    await agent.chat('I am planning a trip to Paris in spring', { userId: 'ada', conversationId: 'travel' });
    await agent.chat('My dog Rex loves eating chicken every evening', { userId: 'bob', conversationId: 'pets' });

    const before = llm.requests.length;
    const result = await agent.chat('What does my cat Whiskers like eating?', { userId: 'ada', conversationId: 'new' });
    const system = systemOf(llm.requests[before]!);
    expect(system).toContain('## Related messages from earlier conversations with this user');
    expect(system).toContain('Whiskers loves eating tuna');
    expect(system).not.toContain('Rex');
    expect(result.info.annotations?.['memory:recall']).toEqual([expect.objectContaining({ conversationId: 'pets' })]);

    // In the conversation it came from, the exchange is history already: not recalled again.
    const again = await agent.chat('What does my cat Whiskers like eating?', { userId: 'ada', conversationId: 'pets' });
    expect(systemOf(llm.requests.at(-1)!)).not.toContain('Whiskers loves eating tuna');
    // What it recalls now is the exchange of conversation "new" only.
    expect(again.info.annotations?.['memory:recall']).toEqual([expect.objectContaining({ conversationId: 'new' })]);
  });

  it('indexes only answered exchanges, once per turn, tagged with the conversation', async () => {
    replies.set('Explain quantum gravity briefly', 'An answer about quantum gravity.');
    await agent.chat('Explain quantum gravity briefly', { userId: 'eve', conversationId: 'physics' });
    const matches = await memory.vectors!.search({ userId: 'eve', text: 'quantum gravity', k: 10, filter: { kind: RECALL_DOCUMENT_KIND } });
    expect(matches).toHaveLength(1);
    expect(matches[0]!.content).toBe('User: Explain quantum gravity briefly\nAssistant: An answer about quantum gravity.');
    expect(matches[0]!.metadata).toMatchObject({ kind: RECALL_DOCUMENT_KIND, conversationId: 'physics' });
  });

  it('never recalls an exchange of a conversation the user deleted', async () => {
    replies.set('My secret project is called Bluebird and ships in May', 'Noted: Bluebird ships in May.');
    await agent.chat('My secret project is called Bluebird and ships in May', { userId: 'zoe', conversationId: 'secret' });
    await memory.deleteConversation({ userId: 'zoe', conversationId: 'secret' });
    const before = llm.requests.length;
    const result = await agent.chat('What is my secret project Bluebird called and when does it ship?', { userId: 'zoe', conversationId: 'later' });
    expect(systemOf(llm.requests[before]!)).not.toContain('Bluebird ships');
    expect(result.info.annotations?.['memory:recall']).toBeUndefined();
    // A document indexed long ago for a conversation that is gone is deleted as well.
    const [oldId] = await memory.vectors!.addDocuments([
      { userId: 'zoe', content: 'User: Bluebird budget is secret\nAssistant: Noted.', metadata: { kind: RECALL_DOCUMENT_KIND, conversationId: 'gone-long-ago', at: '2020-01-01T00:00:00.000Z' } },
    ]);
    await agent.chat('What is the Bluebird budget?', { userId: 'zoe', conversationId: 'later' });
    const left = await memory.vectors!.search({ userId: 'zoe', text: 'Bluebird budget', k: 20, filter: { kind: RECALL_DOCUMENT_KIND } });
    expect(left.map((match) => match.id)).not.toContain(oldId);
  });

  it('recalls nothing past maxDistance', async () => {
    const strictLlm = scriptedLLM(['ok']);
    const strict = new Agent({ resources: { llm: strictLlm, memory: pgliteMemory({ path: 'memory://plugin-memory-strict', embedder: 'hashing' }), logging: quiet() }, zeroConfig: false });
    for (const plugin of semanticRecall()) strict.use(plugin, { config: { maxDistance: 0.3 } });
    try {
      await strict.chat('My cat Whiskers loves eating tuna fish every evening', { userId: 'ada', conversationId: 'pets' });
      await strict.chat('What does my cat Whiskers like eating?', { userId: 'ada', conversationId: 'other' });
      expect(systemOf(strictLlm.requests[1]!)).not.toContain('Related messages');
      // The same question repeated word for word is within any distance: the limit is what filtered.
      await strict.chat('My cat Whiskers loves eating tuna fish every evening', { userId: 'ada', conversationId: 'third' });
      expect(systemOf(strictLlm.requests[2]!)).toContain('Related messages');
    } finally {
      await strict.stop();
    }
  }, 180_000);

  it('fails at start, naming the fix, on a memory without vector search', async () => {
    const plain = new Agent({ resources: { llm: scriptedLLM(['x']), memory: inMemoryMemory(), logging: quiet() }, zeroConfig: false, plugins: semanticRecall() });
    await expect(plain.start()).rejects.toThrow(/vector search[\s\S]*@entity\/resources-memory/);
  });
});
