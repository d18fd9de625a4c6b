import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@entity/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { LEVEL_VALUES } from './log-filter.js';
import { fieldOf, type LogEntry, type LogOutput, type OutputStats } from './log-output.js';

/** A live feed of log entries (JSON lines) that clients subscribe to over WebSocket. */
export interface StreamOutputOptions {
  /**
   * Interface to listen on. Default: `127.0.0.1` (the stream is not exposed beyond the machine).
   * Any other interface (`0.0.0.0`, a LAN address) requires a `token`: start fails without one.
   */
  host?: string;
  /** Port to listen on; 0 picks a free one (see `streamAddress()`). Default: 0. */
  port?: number;
  /** URL path clients connect to. Default: `/logs`. */
  path?: string;
  /** Attach to this HTTP server's upgrade requests instead of listening on a port of our own. */
  server?: Server;
  /** Clients connected at once; more are refused with HTTP 503. Default: 16. */
  maxClients?: number;
  /** A client whose unsent data exceeds this is disconnected (it cannot keep up). Default: 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * Secret clients must present: in the `Authorization: Bearer <token>` header, or (for browsers,
   * which cannot set headers) as the subprotocol `entity-logs.bearer.<token>` offered together with
   * `entity-logs`. Never in the query string, which proxies and browser histories keep: a `?token=`
   * is refused with 400. Only HTTP token characters ({@link STREAM_TOKEN_PATTERN}: hex or base64url,
   * not base64's `/ + =`), so both ways work; another token is a ConfigError. Required when the
   * stream listens beyond loopback. Default: none (loopback only).
   */
  token?: string;
  /**
   * Web page origins (`https://studio.example.com`) allowed to connect. A browser sends its page's
   * `Origin` with every WebSocket handshake, so any site the user visits could otherwise read the
   * logs from localhost; requests with an `Origin` not listed here are refused with 403. Clients
   * that are not browsers send no `Origin` and are not affected. Default: none (no web page may connect).
   */
  allowedOrigins?: readonly string[];
  /** Recent entries sent to a client when it connects. Default: 100. */
  history?: number;
  /** Interval of the ping that detects dead connections, in ms. Default: 30000. */
  heartbeatMs?: number;
}

/**
 * What a token may hold: the characters of an HTTP token (RFC 7230 `tchar`), so it can travel in
 * the browser's subprotocol list as well as in the Authorization header. Base64 (`/ + =`) may
 * not: a browser or the `ws` client refuses the subprotocol and servers answer 400.
 */
export const STREAM_TOKEN_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The fix when a token does not match {@link STREAM_TOKEN_PATTERN}. */
export const STREAM_TOKEN_FIX =
  'use letters, digits and - . _ ~ ! # $ % & \' * + ^ ` | only (no / = spaces): e.g. a hex or base64url secret, `openssl rand -hex 32`';

/** Per-client filter from the query string: `?level=warn&component=plugin&runId=...`. */
interface ClientFilter {
  level: number;
  equals: [string, string][];
}

interface Client {
  socket: WebSocket;
  filter: ClientFilter;
  alive: boolean;
}

const FILTER_KEYS = ['component', 'runId', 'userId', 'conversationId', 'plugin', 'resource', 'tool', 'stage'] as const;

const parseFilter = (url: URL): ClientFilter => {
  const level = url.searchParams.get('level');
  const equals: [string, string][] = [];
  for (const key of FILTER_KEYS) {
    const value = url.searchParams.get(key);
    if (value !== null) equals.push([key, value]);
  }
  return { level: level !== null && level in LEVEL_VALUES ? LEVEL_VALUES[level as keyof typeof LEVEL_VALUES] : 0, equals };
};

const passes = (filter: ClientFilter, entry: LogEntry): boolean =>
  entry.levelValue >= filter.level && filter.equals.every(([key, value]) => fieldOf(entry, key) === value);

/** The subprotocol a client offers next to the one carrying its token; the server selects it. */
export const STREAM_SUBPROTOCOL = 'entity-logs';
const BEARER_SUBPROTOCOL_PREFIX = `${STREAM_SUBPROTOCOL}.bearer.`;

// Comparing digests takes the same time whatever the lengths, so timing reveals neither the token nor its length.
const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (given: string, expected: Buffer): boolean => timingSafeEqual(digest(given), expected);

const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
};

/** `scheme://host[:port]` in canonical form, or undefined for anything else (including the opaque `null`). */
const originOf = (text: string): string | undefined => {
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
};

const allowedOrigin = (text: string): string => {
  const origin = originOf(text);
  if (origin === undefined) throw new TypeError(`"${text}" in stream.allowedOrigins is not an origin; write scheme://host[:port], e.g. https://studio.example.com`);
  return origin;
};

/** The token a client presented, from the Authorization header or the bearer subprotocol. */
const presentedToken = (request: IncomingMessage): string | undefined => {
  const header = request.headers.authorization;
  if (header !== undefined) return /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
  const protocols = request.headers['sec-websocket-protocol'];
  if (protocols === undefined) return undefined;
  for (const protocol of protocols.split(',')) {
    const trimmed = protocol.trim();
    if (trimmed.startsWith(BEARER_SUBPROTOCOL_PREFIX)) return trimmed.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  return undefined;
};

const refuse = (socket: Duplex, status: number, reason: string) => {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

/**
 * Sends each entry to every subscribed client without waiting: a client that falls behind by
 * more than `maxBufferedBytes` is disconnected and counted, so the agent never waits for it.
 */
export class WebSocketOutput implements LogOutput {
  readonly name = 'stream';
  readonly level: number;
  readonly #options: Required<Omit<StreamOutputOptions, 'server' | 'token' | 'allowedOrigins'>> & Pick<StreamOutputOptions, 'server' | 'token'>;
  readonly #tokenDigest: Buffer | undefined;
  readonly #allowedOrigins: ReadonlySet<string>;
  readonly #clients = new Set<Client>();
  readonly #history: { line: string; entry: LogEntry }[] = [];
  #historyStart = 0;
  #wss: WebSocketServer | undefined;
  #ownServer: Server | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #upgradeListener: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  #sent = 0;
  #dropped = 0;
  #droppedClients = 0;
  #refused = 0;
  #failed = 0;
  #lastError: string | undefined;

  constructor(level: number, options: StreamOutputOptions = {}) {
    if (options.token !== undefined && !STREAM_TOKEN_PATTERN.test(options.token)) {
      // The token itself is never repeated: it is a secret.
      throw new ConfigError([{ path: 'stream.token', message: 'holds characters a browser cannot send as a WebSocket subprotocol', fix: STREAM_TOKEN_FIX }]);
    }
    this.level = level;
    this.#options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      path: options.path ?? '/logs',
      maxClients: Math.max(1, options.maxClients ?? 16),
      maxBufferedBytes: Math.max(1024, options.maxBufferedBytes ?? 1024 * 1024),
      history: Math.max(0, options.history ?? 100),
      heartbeatMs: Math.max(1000, options.heartbeatMs ?? 30_000),
      server: options.server,
      token: options.token,
    };
    this.#tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.#allowedOrigins = new Set((options.allowedOrigins ?? []).map(allowedOrigin));
  }

  /** Where clients connect, once started. */
  address(): { url: string; port: number; host: string } | undefined {
    const server = this.#ownServer ?? this.#options.server;
    const address = server?.address() as AddressInfo | null | undefined;
    if (!address || typeof address !== 'object') return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `ws://${host}:${address.port}${this.#options.path}`, port: address.port, host: address.address };
  }

  async start(): Promise<void> {
    this.#refuseExposureWithoutToken();
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 4096,
      perMessageDeflate: false,
      // The bearer subprotocol is never echoed back: the handshake answer names only ours.
      handleProtocols: (protocols) => (protocols.has(STREAM_SUBPROTOCOL) ? STREAM_SUBPROTOCOL : false),
    });
    this.#upgradeListener = (request, socket, head) => this.#onUpgrade(request, socket, head);
    if (this.#options.server) {
      this.#options.server.on('upgrade', this.#upgradeListener);
    } else {
      const server = createServer((_request, response) => {
        response.writeHead(426, { 'content-type': 'text/plain' }).end('Connect with WebSocket.\n');
      });
      server.on('upgrade', this.#upgradeListener);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#options.port, this.#options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.#ownServer = server;
    }
    this.#heartbeat = setInterval(() => this.#checkAlive(), this.#options.heartbeatMs).unref();
  }

  /** Beyond loopback anyone on the network could read the logs: that needs a token. */
  #refuseExposureWithoutToken(): void {
    if (this.#tokenDigest !== undefined) return;
    const shared = this.#options.server?.address();
    // A shared server not yet listening may end up on any interface: it needs a token too.
    const host = this.#options.server ? (shared && typeof shared === 'object' ? shared.address : '0.0.0.0') : this.#options.host;
    if (isLoopbackHost(host)) return;
    throw Object.assign(new Error(`the stream would listen on ${host}, beyond this machine, without a token`), {
      fix: 'set `stream.token` (clients send it as `Authorization: Bearer <token>`), or keep `stream.host` on 127.0.0.1',
    });
  }

  write(line: string, entry: LogEntry): void {
    if (this.#options.history > 0) this.#remember(line, entry);
    if (this.#clients.size === 0) return;
    for (const client of this.#clients) {
      if (!passes(client.filter, entry)) continue;
      if (client.socket.bufferedAmount > this.#options.maxBufferedBytes) {
        this.#dropClient(client, 'too slow');
        this.#dropped++;
        continue;
      }
      this.#send(client, line);
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.socket.terminate();
    this.#clients.clear();
    if (this.#options.server && this.#upgradeListener) this.#options.server.off('upgrade', this.#upgradeListener);
    this.#wss?.close();
    const server = this.#ownServer;
    this.#ownServer = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  stats(): OutputStats {
    const stats: OutputStats = {
      name: this.name,
      written: this.#sent,
      dropped: this.#dropped,
      failed: this.#failed,
      failing: false,
      details: { clients: this.#clients.size, droppedClients: this.#droppedClients, refusedClients: this.#refused },
    };
    if (this.#lastError !== undefined) stats.lastError = this.#lastError;
    return stats;
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      refuse(socket, 400, 'Bad Request');
      return;
    }
    if (url.pathname !== this.#options.path) {
      // On a shared server other upgrade handlers may own this path.
      if (!this.#options.server) refuse(socket, 404, 'Not Found');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.#allowedOrigins.has(originOf(origin) ?? '')) {
      // A web page the user happens to visit: browsers send its origin, other clients send none.
      this.#refused++;
      refuse(socket, 403, 'Forbidden (origin not in stream.allowedOrigins)');
      return;
    }
    if (url.searchParams.has('token')) {
      this.#refused++;
      refuse(socket, 400, 'Bad Request (send the token as Authorization: Bearer, not in the URL)');
      return;
    }
    if (this.#tokenDigest !== undefined && !sameSecret(presentedToken(request) ?? '', this.#tokenDigest)) {
      this.#refused++;
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    if (this.#clients.size >= this.#options.maxClients) {
      this.#refused++;
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    this.#wss!.handleUpgrade(request, socket, head, (webSocket) => this.#onConnection(webSocket, parseFilter(url)));
  }

  #onConnection(socket: WebSocket, filter: ClientFilter): void {
    const client: Client = { socket, filter, alive: true };
    this.#clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => this.#clients.delete(client));
    socket.on('error', (error) => {
      this.#lastError = `${error.name}: ${error.message}`;
      this.#clients.delete(client);
    });
    // Clients only listen; anything they send is ignored.
    socket.on('message', () => undefined);
    for (const { line, entry } of this.#recent()) if (passes(filter, entry)) this.#send(client, line);
  }

  #send(client: Client, line: string): void {
    try {
      client.socket.send(line, (error) => {
        if (error) this.#failed++;
      });
      this.#sent++;
    } catch (error) {
      this.#failed++;
      this.#lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  #dropClient(client: Client, reason: string): void {
    this.#clients.delete(client);
    this.#droppedClients++;
    this.#lastError = `client disconnected: ${reason}`;
    client.socket.terminate();
  }

  #checkAlive(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        this.#dropClient(client, 'no pong');
        continue;
      }
      client.alive = false;
      try {
        client.socket.ping();
      } catch {
        this.#dropClient(client, 'ping failed');
      }
    }
  }

  #remember(line: string, entry: LogEntry): void {
    if (this.#history.length < this.#options.history) {
      this.#history.push({ line, entry });
      return;
    }
    this.#history[this.#historyStart] = { line, entry };
    this.#historyStart = (this.#historyStart + 1) % this.#options.history;
  }

  #recent(): { line: string; entry: LogEntry }[] {
    return [...this.#history.slice(this.#historyStart), ...this.#history.slice(0, this.#historyStart)];
  }
}
