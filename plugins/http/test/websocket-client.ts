import type { IncomingMessage } from 'node:http';
import { type ClientOptions, WebSocket } from 'ws';
import type { WebSocketServerMessage } from '../src/index.js';

type EventMessage = Extract<WebSocketServerMessage, { type: 'event' }>;

/** How a handshake ended: an open socket, or the HTTP response that refused it. */
export type HandshakeOutcome = { opened: true; client: TestClient } | { opened: false; status: number; body: string; headers: IncomingMessage['headers'] };

/** A `ws` client that records what the server sends and waits for it. */
export class TestClient {
  readonly messages: WebSocketServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];
  private readonly returned = new Set<WebSocketServerMessage>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WebSocketServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or still to come) that `matches` and no earlier call returned. */
  async next(matches: (message: WebSocketServerMessage) => boolean): Promise<WebSocketServerMessage> {
    for (;;) {
      const found = this.messages.find((message) => !this.returned.has(message) && matches(message));
      if (found) {
        this.returned.add(found);
        return found;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`the socket closed before the expected message; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The error message about `id` (or about an unreadable message when `id` is null). */
  error(id: string | null, code?: string): Promise<Extract<WebSocketServerMessage, { type: 'error' }>> {
    return this.next((message) => message.type === 'error' && message.id === id && (code === undefined || message.code === code)) as Promise<
      Extract<WebSocketServerMessage, { type: 'error' }>
    >;
  }

  /** Waits for the run `id` to end (its `done` event or an error about it) and returns its events. */
  async run(id: string): Promise<{ events: EventMessage[]; end: WebSocketServerMessage }> {
    const end = await this.next((message) => message.id === id && (message.type === 'error' || message.event.type === 'done'));
    const events = this.messages.filter((message): message is EventMessage => message.type === 'event' && message.id === id);
    return { events, end };
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}

/** Opens a `ws` connection; resolves with the client, or with the status of a refused handshake. */
export function handshake(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<HandshakeOutcome> {
  const { protocols, ...clientOptions } = options;
  const socket = new WebSocket(url, protocols ?? [], clientOptions);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ opened: true, client: new TestClient(socket) }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      response.on('end', () => resolve({ opened: false, status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    socket.once('error', reject);
  });
}

/** Opens a connection that must succeed. */
export async function connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
  const outcome = await handshake(url, options);
  if (!outcome.opened) throw new Error(`handshake refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

/** The error code of a refused handshake's JSON body. */
export function refusalCode(outcome: HandshakeOutcome): string | undefined {
  if (outcome.opened) return undefined;
  return (JSON.parse(outcome.body) as { error: { code: string } }).error.code;
}
