import { Agent, type ChatMessage, type ChatRequest, inMemoryLogger, inMemoryMemory, type StoredMessage } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { readSummary, summaryPlugin } from '../src/index.js';
import { splitForSummary } from '../src/summary-plugin.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const isSummaryRequest = (request: ChatRequest) => request.messages[0]?.content.startsWith('You keep the running summary') ?? false;
const systemOf = (request: ChatRequest) => (request.messages[0]?.role === 'system' ? request.messages[0].content : '');

/** 20 exchanges of ~100 tokens each, with a tool call in the middle. */
function longConversation(): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let turn = 0; turn < 20; turn++) {
    messages.push({ role: 'user', content: `Question ${turn}: ${'tell me more about the weather. '.repeat(6)}` });
    if (turn === 10) {
      messages.push({ role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'lookup', arguments: { q: 'rain' } }] });
      messages.push({ role: 'tool', content: 'rain expected', toolCallId: 't1', name: 'lookup' });
    }
    messages.push({ role: 'assistant', content: `Answer ${turn}: ${'it will be sunny and mild. '.repeat(6)}` });
  }
  return messages;
}

function agentWith(budgetTokens: number) {
  const memory = inMemoryMemory();
  const llm = scriptedLLM((request) => (isSummaryRequest(request) ? `SUMMARY #${llm.requests.filter(isSummaryRequest).length}` : 'final answer'));
  const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false, instructions: 'Be brief.' });
  agent.use(summaryPlugin, { config: { budgetTokens } });
  return { agent, llm, memory };
}

describe('memory:summary', () => {
  it('folds the oldest messages into a summary row past the budget, keeps every original, and sends summary + recent history', async () => {
    const { agent, llm, memory } = agentWith(1_000);
    const ref = { userId: 'u', conversationId: 'c' };
    await memory.appendMessages(ref, longConversation());
    const result = await agent.chat('And tomorrow?', ref);
    expect(result.status).toBe('ok');

    const summaryRequests = llm.requests.filter(isSummaryRequest);
    expect(summaryRequests).toHaveLength(1);
    expect(summaryRequests[0]!.messages[1]!.content).toContain('User: Question 0:');
    const record = await readSummary(memory, 'u', 'c');
    expect(record).toMatchObject({ text: 'SUMMARY #1' });

    const answerRequest = llm.requests.find((request) => !isSummaryRequest(request))!;
    expect(systemOf(answerRequest)).toBe('Be brief.\n\n## Summary of the earlier conversation\nSUMMARY #1');
    const history = answerRequest.messages.slice(1, -1);
    // The cut lands before a user message, and what is left fits in half the budget.
    expect(history[0]!.role).toBe('user');
    expect(history.length).toBeLessThan(longConversation().length);
    expect(history.reduce((tokens, message) => tokens + message.content.length / 4, 0)).toBeLessThanOrEqual(500);
    // The summary covers exactly the messages the model no longer sees.
    const stored = await memory.loadMessages(ref);
    const firstKept = stored.find((item) => item.message.content === history[0]!.content)!;
    expect(record!.upToSequence).toBe(stored[stored.indexOf(firstKept) - 1]!.sequence);
    expect(record!.messageCount).toBe(stored.indexOf(firstKept));
    // Originals kept: every earlier message plus this turn's two.
    expect(stored).toHaveLength(longConversation().length + 2);
    expect(result.info.annotations?.['memory:summary']).toMatchObject({ upToSequence: record!.upToSequence });
  });

  it('reuses the stored summary while the recent messages fit, and extends it when they no longer do', async () => {
    const { agent, llm, memory } = agentWith(1_000);
    const ref = { userId: 'u', conversationId: 'c' };
    await memory.appendMessages(ref, longConversation());
    await agent.chat('first', ref);
    const first = await readSummary(memory, 'u', 'c');
    await agent.chat('second', ref);
    expect(llm.requests.filter(isSummaryRequest)).toHaveLength(1);
    expect(systemOf(llm.requests.at(-1)!)).toContain('SUMMARY #1');

    await memory.appendMessages(ref, longConversation().slice(0, 12));
    await agent.chat('third', ref);
    const summaryRequests = llm.requests.filter(isSummaryRequest);
    expect(summaryRequests).toHaveLength(2);
    // The second summary is built from the first one plus the newly folded messages only.
    expect(summaryRequests[1]!.messages[1]!.content).toMatch(/^Previous summary:\nSUMMARY #1\n\nNew messages:\n/);
    const second = await readSummary(memory, 'u', 'c');
    expect(second!.upToSequence).toBeGreaterThan(first!.upToSequence);
    expect(second!.text).toBe('SUMMARY #2');
  });

  it('forgets the summary of a deleted conversation: a new conversation with the same id neither sees it nor loses its messages', async () => {
    const { agent, llm, memory } = agentWith(1_000);
    const ref = { userId: 'u', conversationId: 'c' };
    await memory.appendMessages(ref, longConversation());
    await agent.chat('first', ref);
    expect(await readSummary(memory, 'u', 'c')).toBeDefined();

    await memory.deleteConversation(ref);
    await agent.chat('my name is Ada', ref);
    await agent.chat('what is my name?', ref);
    const last = llm.requests.at(-1)!;
    expect(systemOf(last)).not.toContain('SUMMARY');
    // The new conversation's first exchange is history the model sees (sequences restarted at 1).
    expect(last.messages.map((message) => message.content)).toContain('my name is Ada');
    expect(await readSummary(memory, 'u', 'c')).toBeUndefined();
  });

  it('does nothing under the budget: no summary call, no summary row', async () => {
    const { agent, llm, memory } = agentWith(100_000);
    const ref = { userId: 'u', conversationId: 'c' };
    await memory.appendMessages(ref, longConversation());
    await agent.chat('hi', ref);
    expect(llm.requests.filter(isSummaryRequest)).toHaveLength(0);
    expect(await readSummary(memory, 'u', 'c')).toBeUndefined();
  });

  it('rejects a config typo at start with a did-you-mean', async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['x']), memory: inMemoryMemory(), logging: quiet() }, zeroConfig: false });
    expect(() => agent.use(summaryPlugin, { config: { budgetToken: 500 } })).toThrow(/budgetTokens/);
  });
});

describe('splitForSummary', () => {
  const stored = (messages: ChatMessage[]): StoredMessage[] => messages.map((message, index) => ({ sequence: index + 1, message, createdAt: new Date(0) }));

  it('never separates a tool call from its result', () => {
    const messages = stored(longConversation());
    for (const keepTokens of [50, 200, 400, 800, 1_600]) {
      const { fold, keep } = splitForSummary(messages, keepTokens);
      expect(fold.length + keep.length).toBe(messages.length);
      if (fold.length > 0) expect(keep[0]!.message.role).toBe('user');
    }
  });

  it('folds nothing when there is no user message to cut before', () => {
    const onlyAnswers = stored([{ role: 'assistant', content: 'x'.repeat(10_000) }]);
    expect(splitForSummary(onlyAnswers, 10).fold).toEqual([]);
  });
});
