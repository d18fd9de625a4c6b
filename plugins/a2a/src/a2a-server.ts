import { A2A_VERSION_HEADER, AGENT_CARD_PATH, AgentCard } from '@a2a-js/sdk';
import { A2A_LEGACY_PROTOCOL_VERSION } from '@a2a-js/sdk/compat/v0_3';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { ContentTypeNotSupportedError, RequestMalformedError } from '@a2a-js/sdk/errors';
import {
  DefaultRequestHandler,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  ServerCallContext,
  type TaskStore,
  type User,
  validateVersion,
} from '@a2a-js/sdk/server';
import { type Agent, ConfigError } from '@entity/core';
import { type AgentCardOptions, buildAgentCard, legacyAgentCardJson } from './agent-card.js';
import { EntityAgentExecutor } from './entity-agent-executor.js';
import type { HttpMount, HttpRole } from './http-mount.js';
import { jsonRpcError, jsonRpcEventStream, jsonRpcResult } from './json-rpc-response.js';
import { BodyTooLargeError, readBodyText } from './request-body.js';

/** Default path of the JSON-RPC endpoint. */
export const DEFAULT_A2A_PATH = '/a2a';
/** Default body limit of a JSON-RPC request: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default longest message, in characters (as `@entity/plugin-http`'s chat routes). */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;

export interface A2AServerOptions extends AgentCardOptions {
  /** Path of the JSON-RPC endpoint, used by `mounts()` and in the agent card. Default: `/a2a`. */
  path?: string;
  /**
   * Public URL of the JSON-RPC endpoint, as callers reach it (behind a proxy, say). Default: the
   * origin the agent card was requested on plus `path`. Set it in production: a card built from
   * the request's `Host` is only as trustworthy as the proxy in front of the server.
   */
  publicUrl?: string;
  /**
   * Also serve A2A v0.3 clients: a request without an `A2A-Version` header (or with `0.3`) is
   * read as v0.3 JSON-RPC (`message/send`, `message/stream`, `tasks/get`, `tasks/cancel`,
   * `tasks/resubscribe`) and gets the v0.3 card, through the SDK's compatibility layer. Default: true.
   */
  legacyCompat?: boolean;
  /** Where tasks are kept. Default: the SDK's in-memory store (tasks are lost on restart; scoped per user). */
  taskStore?: TaskStore;
  /** Largest JSON-RPC request body, in bytes. Default: 1 MiB. */
  maxBodyBytes?: number;
  /** Longest message text accepted, in characters. Default: 32000. */
  maxMessageChars?: number;
  /** Streamed answer text is sent as one chunk per this many ms. Default: 50. */
  chunkIntervalMs?: number;
  /** How often an idle event stream sends a keep-alive comment, in ms. Default: 15000. */
  heartbeatMs?: number;
  /** Roles that may call the JSON-RPC endpoint through `mounts()`. Default: `admin` and `user` (a call runs a turn). */
  roles?: HttpRole[];
  /**
   * Through `mounts()`: the Entity user id a request asks to act for (say, from a header your
   * gateway sets), which the serving layer allows only if the credential may act for it (else
   * 403). Default: none asked, so each call acts for the credential's own user.
   */
  requestedUserId?: (request: Request) => string | undefined;
}

/** An Entity agent published over A2A (JSON-RPC binding, A2A v1.0). */
export interface A2AServer {
  /** The agent card, for a card served at `cardUrl`'s origin (or `publicUrl`). */
  agentCard(requestUrl?: string): AgentCard;
  /** `GET /.well-known/agent-card.json`: the card as JSON. Needs no credential. */
  handleAgentCard(request: Request): Response;
  /**
   * The JSON-RPC endpoint (`SendMessage`, `SendStreamingMessage`, `GetTask`, `ListTasks`,
   * `CancelTask`, `SubscribeToTask`) for an already authenticated caller acting as `userId`.
   * Tasks and conversations are scoped to that user id. `correlationId` tags the run's logs.
   */
  handle(request: Request, caller: { userId: string; correlationId?: string }): Promise<Response>;
  /** Both endpoints as `@entity/plugin-http` mounts: the card public, the endpoint behind the server's auth. */
  mounts(): HttpMount[];
  /** Refuses new calls (503) and cancels the running tasks (their callers see `canceled`). Call before `agent.stop()`. */
  close(): void;
  /** Tasks running now. */
  readonly runningTasks: number;
}

class EntityUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

/** Where the call context carries the request's correlation id to the executor. */
const CORRELATION_ID_KEY = 'entity.correlationId';

const ACCEPTED_MEDIA_TYPES = new Set(['application/json', 'application/a2a+json']);

/** v0.3 when the header is absent, empty or names 0.3.x (as the SDK reads it). */
function isLegacyVersion(header: string | null): boolean {
  const version = header?.trim() ?? '';
  return version === '' || version === '0.3' || version.startsWith('0.3.');
}

function checkPath(path: string): void {
  if (!/^\/[\w\-./~]*$/.test(path) || path.includes('//') || path.split('/').includes('..')) {
    throw new ConfigError([{ path: 'a2a.path', message: `"${path}" is not a valid endpoint path`, fix: 'use an absolute path such as /a2a' }]);
  }
}

function checkPublicUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConfigError([{ path: 'a2a.publicUrl', message: `"${url}" is not an http(s) URL`, fix: 'use the full URL of the endpoint, e.g. https://agents.example.com/a2a' }]);
  }
}

/**
 * Publishes an Entity agent as an A2A agent on the official `@a2a-js/sdk` request handler, through
 * Web-standard `Request` → `Response` functions any server can call (or `mounts()` for
 * `@entity/plugin-http`). One A2A task is one Entity turn; the task's `contextId` is the turn's
 * `conversationId`, under the caller's user id.
 */
export function createA2AServer(agent: Agent, options: A2AServerOptions = {}): A2AServer {
  const path = options.path ?? DEFAULT_A2A_PATH;
  checkPath(path);
  if (options.publicUrl !== undefined) checkPublicUrl(options.publicUrl);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const executor = new EntityAgentExecutor(agent, {
    userIdOf: (requestContext) => requestContext.context.user!.userName,
    correlationIdOf: (requestContext) => requestContext.context.state.get(CORRELATION_ID_KEY) as string | undefined,
    maxMessageChars: options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS,
    chunkIntervalMs: options.chunkIntervalMs ?? 50,
  });
  const endpointUrl = (requestUrl: string | undefined) => options.publicUrl ?? new URL(path, requestUrl ?? 'http://localhost').href;
  const legacyCompat = options.legacyCompat ?? true;
  const agentCard = (requestUrl?: string) => buildAgentCard(agent, endpointUrl(requestUrl), options, true, legacyCompat);
  // The handler's own card is only used to check protocol versions; the served one is built per request.
  const requestHandler = new DefaultRequestHandler(agentCard(), options.taskStore ?? new InMemoryTaskStore(), executor);
  const transport = new JsonRpcTransportHandler(requestHandler);
  const legacyTransport = legacyCompat ? new LegacyJsonRpcTransportHandler(requestHandler) : undefined;
  // As the SDK decides: no version header means a v0.3 client.
  const wantsLegacy = (request: Request) => legacyTransport !== undefined && isLegacyVersion(request.headers.get(A2A_VERSION_HEADER));
  const versionCard = agentCard();

  let closed = false;

  async function handle(request: Request, caller: { userId: string; correlationId?: string }): Promise<Response> {
    if (closed) {
      return new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'The A2A server is closed; try another worker' } }), { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '1' } });
    }
    if (request.method !== 'POST') {
      return new Response(JSON.stringify({ error: 'The A2A endpoint takes JSON-RPC requests: use POST' }), { status: 405, headers: { allow: 'POST', 'content-type': 'application/json' } });
    }
    const contentType = request.headers.get('content-type');
    if (contentType !== null && !ACCEPTED_MEDIA_TYPES.has(contentType.split(';', 1)[0]!.trim().toLowerCase())) {
      return jsonRpcError(null, new ContentTypeNotSupportedError(`Unsupported Content-Type "${contentType}"; send application/json.`));
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBodyText(request, maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return jsonRpcError(null, new RequestMalformedError(`${error.message}; send a smaller request.`), 413);
      return new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Invalid JSON payload.' } }), { status: 200, headers: { 'content-type': 'application/json' } });
    }
    const legacy = wantsLegacy(request);
    const mapError = legacy ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError : JsonRpcTransportHandler.mapToJSONRPCError;
    const id = typeof body === 'object' && body !== null && 'id' in body && (typeof body.id === 'string' || typeof body.id === 'number') ? body.id : null;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return jsonRpcError(id, new RequestMalformedError('The request must be one JSON-RPC object (batches are not supported).'), undefined, mapError);
    }
    try {
      const context = new ServerCallContext({
        user: new EntityUser(caller.userId),
        requestedVersion: legacy ? A2A_LEGACY_PROTOCOL_VERSION : (request.headers.get(A2A_VERSION_HEADER) ?? undefined),
        state: new Map(caller.correlationId === undefined ? [] : [[CORRELATION_ID_KEY, caller.correlationId]]),
      });
      validateVersion(context.requestedVersion, versionCard, 'JSONRPC');
      const result = await (legacy ? legacyTransport! : transport).handle(body as Record<string, unknown>, context);
      if (typeof (result as AsyncGenerator)[Symbol.asyncIterator] === 'function') return await jsonRpcEventStream(id, result as AsyncGenerator<unknown, void, undefined>, heartbeatMs, mapError);
      return jsonRpcResult(result);
    } catch (error) {
      return jsonRpcError(id, error, undefined, mapError);
    }
  }

  function handleAgentCard(request: Request): Response {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(JSON.stringify({ error: 'Use GET for the agent card' }), { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'application/json' } });
    }
    const card = agentCard(request.url);
    const v1 = AgentCard.toJSON(card) as { supportedInterfaces?: unknown };
    const body = wantsLegacy(request) ? legacyAgentCardJson(card, endpointUrl(request.url), v1.supportedInterfaces) : v1;
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', vary: A2A_VERSION_HEADER },
    });
  }

  return {
    agentCard,
    handleAgentCard,
    handle,
    mounts() {
      const closing = new WeakSet<AbortSignal>();
      return [
        { path: `/${AGENT_CARD_PATH}`, public: true, handle: (request) => handleAgentCard(request) },
        {
          path,
          roles: options.roles ?? ['admin', 'user'],
          handle: (request, context) => {
            // A mount also receives the paths below its own; the endpoint is the one path.
            if (new URL(request.url).pathname !== path) return new Response(JSON.stringify({ error: `Not found; the A2A endpoint is ${path}` }), { status: 404, headers: { 'content-type': 'application/json' } });
            // The server gives up on in-flight work: its tasks end canceled instead of hanging.
            if (!closing.has(context.signal)) {
              closing.add(context.signal);
              context.signal.addEventListener('abort', () => executor.cancelAll(), { once: true });
            }
            // Throws the serving layer's 403 when the credential may not act for the user asked for.
            const userId = context.userIdFor(options.requestedUserId?.(request));
            return handle(request, { userId, correlationId: context.requestId });
          },
        },
      ];
    },
    close: () => {
      closed = true;
      executor.cancelAll();
    },
    get runningTasks() {
      return executor.runningCount;
    },
  };
}
