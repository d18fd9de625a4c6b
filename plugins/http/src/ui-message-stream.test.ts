import type { AgentEvent, ChatResult } from '@entity/core';
import { readUIMessageStream, type UIMessage, type UIMessageChunk as AiChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { UIMessageStreamWriter } from './ui-message-stream.js';

const result = (text: string, failed = false) =>
  ({
    text,
    response: text,
    info: {
      runId: 'r1',
      userId: 'u',
      conversationId: 'c',
      iterations: 1,
      durationMs: 1,
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      toolCalls: [],
      ...(failed ? { failure: { stage: 'DELIVER', plugin: 'review', errorType: 'Error', code: 'X', message: 'safe' } } : {}),
    },
  }) as unknown as ChatResult;

/** The message the `ai` package's own reader builds from what the writer sends for `events`. */
async function messageOf(events: AgentEvent[]): Promise<UIMessage> {
  const writer = new UIMessageStreamWriter();
  const chunks = events.flatMap((event) => writer.next(event)) as AiChunk[];
  const stream = new ReadableStream<AiChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return last!;
}

const texts = (message: UIMessage) => message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
const start: AgentEvent[] = [
  { type: 'run-start', runId: 'r1', userId: 'u', conversationId: 'c' },
  { type: 'stage', stage: 'THINK', iteration: 1 },
];

describe('UIMessageStreamWriter', () => {
  it('withdraws streamed text the agent voids (discardPartialOutput) and shows the reply that follows', async () => {
    const message = await messageOf([
      ...start,
      { type: 'token', text: 'Half an ans' },
      { type: 'error', errorType: 'Error', message: 'Sorry.', stage: 'DELIVER', plugin: 'review', discardPartialOutput: true },
      { type: 'response', response: 'Sorry.', text: 'Sorry.' },
      { type: 'done', result: result('Sorry.', true) },
    ]);
    expect(texts(message)).toEqual(['Sorry.']);
  });

  it('replaces streamed text a DELIVER plugin rewrote, and completes text the model had not streamed in full', async () => {
    const rewritten = await messageOf([...start, { type: 'token', text: 'Raw draft' }, { type: 'response', response: 'Polished.', text: 'Polished.' }, { type: 'done', result: result('Polished.') }]);
    expect(texts(rewritten)).toEqual(['Polished.']);
    const completed = await messageOf([...start, { type: 'token', text: 'Hello' }, { type: 'response', response: 'Hello there.', text: 'Hello there.' }, { type: 'done', result: result('Hello there.') }]);
    expect(texts(completed)).toEqual(['Hello there.']);
  });

  it('keeps a failed tool call as an output-error part without the error text', async () => {
    const message = await messageOf([
      ...start,
      { type: 'tool-call', callId: 'c1', name: 'lookup', arguments: { q: 1 } },
      { type: 'tool-result', callId: 'c1', name: 'lookup', ok: false, error: 'db password is hunter2' },
      { type: 'stage', stage: 'THINK', iteration: 2 },
      { type: 'response', response: 'Could not look it up.', text: 'Could not look it up.' },
      { type: 'done', result: result('Could not look it up.') },
    ]);
    expect(message.parts[1]).toMatchObject({ type: 'tool-lookup', state: 'output-error', errorText: 'The tool "lookup" failed' });
    expect(JSON.stringify(message)).not.toContain('hunter2');
    expect(texts(message)).toEqual(['Could not look it up.']);
  });
});
