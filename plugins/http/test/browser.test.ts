import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, FOREIGN_HOST, launchChromium, startPageServer } from './browser-support.js';
import { deferred, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';

/**
 * Headless Chromium (Debian's, driven by playwright-core) talking to the agent from a page on
 * another origin that the server allows (`cors.origins`), the way a web app would.
 */
const available = chromiumAvailable();

type PageMessage = { type: string; id?: string; code?: string; event?: { type: string; text?: string } };

describe.skipIf(!available)('browsers (headless Chromium)', () => {
  let browser: Browser;
  let pages: Awaited<ReturnType<typeof startPageServer>>;
  let server: TestServer | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    pages = await startPageServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
    await server?.handle.close();
    server = undefined;
  });

  async function openPage(origin = pages.origin): Promise<Page> {
    page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  it('streams a chat with fetch and a ReadableStream reader, event by event, as the run goes', async () => {
    const modelCalled = deferred();
    const release = deferred();
    server = await startTestServer(
      async () => {
        modelCalled.resolve();
        await release.promise;
        return 'Streamed to the browser.';
      },
      { cors: { origins: [pages.origin] } },
    );
    const browserPage = await openPage();
    // The page reads until run-start arrives, while the model has not answered yet.
    const first = await browserPage.evaluate(
      async ({ api, key }) => {
        const response = await fetch(`${api}/v1/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ message: 'Stream it', conversationId: 'browser' }),
        });
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        (globalThis as unknown as { reader: typeof reader }).reader = reader;
        let text = '';
        while (!text.includes('event: run-start')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
        }
        return { status: response.status, contentType: response.headers.get('content-type'), text };
      },
      { api: server.handle.url, key: KEYS.admin },
    );
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/event-stream/);
    await modelCalled.promise;
    expect(first.text).not.toContain('event: done');
    release.resolve();
    const rest = await browserPage.evaluate(async () => {
      const reader = (globalThis as unknown as { reader: ReadableStreamDefaultReader<string> }).reader;
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += value;
      }
    });
    const { messages } = parseSse(first.text + rest);
    expect(messages[0]!.event).toBe('run-start');
    expect(messages.at(-1)!.event).toBe('done');
    const tokens = messages.filter((message) => message.event === 'token').map((message) => (JSON.parse(message.data) as { text: string }).text);
    expect(tokens.join('')).toBe('Streamed to the browser.');
    expect(JSON.parse(messages.at(-1)!.data)).toMatchObject({ text: 'Streamed to the browser.', info: { conversationId: 'browser' } });
  });

  it('streams a chat with EventSource, through a single-use ticket minted by an authenticated POST', async () => {
    server = await startTestServer(['Hello, EventSource.'], { cors: { origins: [pages.origin] } });
    const browserPage = await openPage();
    const events = await browserPage.evaluate(
      async ({ api, key }) => {
        const minted = await fetch(`${api}/v1/chat/streams`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'hi', conversationId: 'event-source' }),
        });
        const { url } = (await minted.json()) as { url: string };
        return new Promise<{ type: string; id: string; data: { type: string; text?: string; info?: unknown } }[]>((resolve, reject) => {
          const source = new EventSource(`${api}${url}`);
          const received: { type: string; id: string; data: { type: string; text?: string } }[] = [];
          for (const type of ['run-start', 'stage', 'token', 'response', 'error', 'done']) {
            source.addEventListener(type, (event) => {
              const message = event as unknown as { data: string; lastEventId: string };
              received.push({ type, id: message.lastEventId, data: JSON.parse(message.data) as { type: string } });
              if (type === 'done') {
                source.close();
                resolve(received);
              }
            });
          }
          source.onerror = () => {
            source.close();
            reject(new Error(`EventSource failed after ${received.length} events`));
          };
        });
      },
      { api: server.handle.url, key: KEYS.alice },
    );
    expect(events[0]!.type).toBe('run-start');
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
    expect(
      events
        .filter((event) => event.type === 'token')
        .map((event) => event.data.text)
        .join(''),
    ).toBe('Hello, EventSource.');
    expect(events.at(-1)!.data).toMatchObject({ type: 'done', text: 'Hello, EventSource.', info: { userId: 'alice', conversationId: 'event-source' } });
  });

  it('chats over a browser WebSocket that authenticates with the bearer subprotocol', async () => {
    server = await startTestServer(['Hello from the socket.'], { websocket: true, cors: { origins: [pages.origin] } });
    const browserPage = await openPage();
    const result = await browserPage.evaluate(
      ({ url, key }) =>
        new Promise<{ protocol: string; messages: PageMessage[] }>((resolve, reject) => {
          const socket = new WebSocket(url, ['entity.v1', `entity.bearer.${key}`]);
          const messages: PageMessage[] = [];
          socket.onopen = () => socket.send(JSON.stringify({ type: 'chat', id: 'browser-1', message: 'hi' }));
          socket.onmessage = (message) => {
            const data = JSON.parse(String(message.data)) as PageMessage;
            messages.push(data);
            if (data.type === 'event' && data.event!.type === 'done') {
              resolve({ protocol: socket.protocol, messages });
              socket.close();
            }
            if (data.type === 'error') reject(new Error(String(message.data)));
          };
          socket.onclose = (event) => reject(new Error(`closed with ${event.code} before the answer`));
        }),
      { url: server.handle.websocket!.url, key: KEYS.alice },
    );
    expect(result.protocol).toBe('entity.v1');
    expect(result.messages.every((message) => message.id === 'browser-1')).toBe(true);
    const tokens = result.messages.filter((message) => message.event?.type === 'token').map((message) => message.event!.text);
    expect(tokens.join('')).toBe('Hello from the socket.');
    expect(result.messages.at(-1)!.event).toMatchObject({ type: 'done', text: 'Hello from the socket.' });
  });

  it('refuses a page on a foreign origin: its fetch fails CORS and its WebSocket is never opened', async () => {
    server = await startTestServer(['never'], { websocket: true, cors: { origins: [pages.origin] } });
    const browserPage = await openPage(`http://${FOREIGN_HOST}:${pages.port}`);
    const outcome = await browserPage.evaluate(
      async ({ api, url, key }) => {
        const fetched = await fetch(`${api}/v1/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'hi' }),
        }).then(
          (response) => `status ${response.status}`,
          (error: Error) => error.name,
        );
        const socket = await new Promise<string>((resolve) => {
          const webSocket = new WebSocket(url, ['entity.v1', `entity.bearer.${key}`]);
          webSocket.onopen = () => resolve('open');
          webSocket.onclose = (event) => resolve(`closed ${event.code}`);
        });
        return { fetched, socket };
      },
      { api: server.handle.url, url: server.handle.websocket!.url, key: KEYS.admin },
    );
    expect(outcome).toEqual({ fetched: 'TypeError', socket: 'closed 1006' });
    expect(server.llm.requests).toHaveLength(0);
    expect(server.handle.websocket!.connections).toBe(0);
  });
});
