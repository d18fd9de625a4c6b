import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import { sseFrame } from './sse-frame.js';

/** What Hono's own `writeSSE` sends for the same message, read from a real response. */
async function honoFrame(message: { event: string; data: string; id: string }): Promise<string> {
  const app = new Hono();
  app.get('/', (context) => streamSSE(context, (stream) => stream.writeSSE(message)));
  return (await app.request('/')).text();
}

describe('sseFrame', () => {
  const messages = [
    { event: 'token', data: JSON.stringify({ type: 'token', text: 'Hello\nworld\u2028!' }), id: '7' },
    { event: 'done', data: 'line one\r\nline two\rline three\nline four', id: '12' },
    { event: 'stage', data: '', id: '1' },
    { event: '', data: '{}', id: '' },
  ];
  it.each(messages)('frames $event events exactly as hono writeSSE does', async (message) => {
    expect(sseFrame(message)).toBe(await honoFrame(message));
  });

  it('refuses an event name or id that would break the frame, as writeSSE does', () => {
    expect(() => sseFrame({ event: 'token\nevent: done', data: '{}', id: '1' })).toThrow('event must not contain');
    expect(() => sseFrame({ event: 'token', data: '{}', id: '1\r' })).toThrow('id must not contain');
  });
});
