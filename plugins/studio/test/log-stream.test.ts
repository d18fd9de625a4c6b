import { getEventListeners } from 'node:events';
import { createLogging } from '@entity/logging';
import { describe, expect, it } from 'vitest';
import { logStreamResponse } from '../src/log-stream.js';

const subscribers = (logging: ReturnType<typeof createLogging>) => logging.stats().outputs.find((output) => output.name === 'live')?.details?.subscribers;

describe('the live log stream', () => {
  it('leaves no listener on the server-lifetime signals once a client has gone (cancelled or aborted)', async () => {
    const logging = createLogging({ console: false });
    const shutdown = new AbortController();
    const draining = new AbortController();
    for (let index = 0; index < 20; index++) {
      const request = new AbortController();
      const response = logStreamResponse(logging, { level: 'info' }, [request.signal, shutdown.signal, draining.signal]);
      const reader = response.body!.getReader();
      await reader.read();
      // Half the clients cancel the body, half disconnect (the request's signal aborts).
      if (index % 2 === 0) await reader.cancel();
      else request.abort();
    }
    expect(subscribers(logging)).toBe(0);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(draining.signal, 'abort')).toHaveLength(0);
    await logging.stop();
  });
});

describe('the live log stream of a logger without live subscriptions', () => {
  it('throws the logger\'s error, ends (onEnd) and leaves no listener behind', () => {
    const logging = createLogging({ console: false, live: false });
    const shutdown = new AbortController();
    let ended = 0;
    expect(() => logStreamResponse(logging, { level: 'info' }, [shutdown.signal], () => ended++)).toThrow(/live log subscriptions are off/);
    expect(ended).toBe(1);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});
