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

describe('the live log stream of a client that does not read', () => {
  it('holds at most a few MiB of entries for it, however large they are, and then counts what it drops', async () => {
    const logging = createLogging({ console: false });
    const response = logStreamResponse(logging, { level: 'info' }, [new AbortController().signal]);
    const big = 'x'.repeat(64 * 1024);
    for (let index = 0; index < 1000; index++) logging.info('large entry', { index, big });
    // Everything the stream holds now is what it queued for the client while it was not reading.
    const reader = response.body!.getReader();
    let queued = 0;
    let pending = reader.read();
    for (;;) {
      const next = await Promise.race([pending, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
      if (!next || next.done) break;
      queued += next.value.byteLength;
      pending = reader.read();
    }
    expect(queued).toBeGreaterThan(1024 * 1024);
    expect(queued).toBeLessThan(5 * 1024 * 1024);
    logging.info('after the client caught up');
    const { value } = await pending;
    expect(new TextDecoder().decode(value)).toMatch(/^event: dropped\ndata: \{"count":\d+\}/);
    await reader.cancel();
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
