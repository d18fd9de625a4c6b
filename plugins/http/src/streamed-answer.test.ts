import type { AgentEvent } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { StreamedAnswer } from './streamed-answer.js';

const stage = (name: 'THINK' | 'DO' | 'DELIVER', iteration = 1): AgentEvent => ({ type: 'stage', stage: name, iteration });
const token = (text: string): AgentEvent => ({ type: 'token', text });
const response = (text: string): AgentEvent => ({ type: 'response', response: text, text });

function play(events: AgentEvent[]): string {
  const answer = new StreamedAnswer();
  return events.map((event) => answer.next(event) ?? '').join('');
}

describe('StreamedAnswer', () => {
  it('sends tokens as they come and nothing more when the response matches them', () => {
    expect(play([stage('THINK'), token('Hello '), token('there.'), stage('DELIVER'), response('Hello there.')])).toBe('Hello there.');
  });

  it('sends the whole response when no tokens came (a model without streaming)', () => {
    expect(play([stage('THINK'), stage('DELIVER'), response('All at once.')])).toBe('All at once.');
  });

  it('sends what a DELIVER plugin appended, and a rewritten answer as a new paragraph', () => {
    expect(play([token('Answer.'), stage('DELIVER'), response('Answer. (source: docs)')])).toBe('Answer. (source: docs)');
    expect(play([token('draft'), stage('DELIVER'), response('Final.')])).toBe('draft\n\nFinal.');
  });

  it('separates the text of successive model calls', () => {
    const events: AgentEvent[] = [
      stage('THINK'),
      token('Let me check.'),
      { type: 'tool-call', callId: 'c1', name: 'add', arguments: {} },
      stage('THINK', 2),
      token('It is 5.'),
      stage('DELIVER', 2),
      response('It is 5.'),
    ];
    expect(play(events)).toBe('Let me check.\n\nIt is 5.');
  });
});
