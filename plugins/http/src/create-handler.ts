import type { Agent } from '@entity/core';
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { adapterLogger } from './adapter-logger.js';
import { registerAgentRoutes } from './agent-routes.js';
import { authenticate } from './authorization.js';
import { registerStreamTicketMinting, registerStreamTicketRedemption, StreamTickets } from './chat-stream-tickets.js';
import { limitBodySize } from './body-size-limit.js';
import { remoteAddressOf } from './client-address.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { corsAllowsOrigin } from './cors-origins.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError, isHttpApiError } from './http-errors.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT, type HttpHandlerOptions, parseHandlerOptions } from './http-options.js';
import { corsHeaderLists, registerAuthenticatedMounts, registerPublicMounts } from './http-mounts.js';
import { IDEMPOTENCY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerNativeChat } from './native-chat.js';
import { CONVERSATION_HEADER, registerOpenAIRoutes, USER_HEADER } from './openai-routes.js';
import { limitPerAddress, limitPerKey } from './rate-limit.js';
import { TokenBucketLimiter } from './token-bucket.js';
import { registerWebSocketRoute } from './websocket-route.js';
import { registerUiChatRoute } from './ui-chat-route.js';
import { REQUEST_ID_HEADER, requestId } from './request-id.js';

/** The Web-standard handler: a Hono app, so `handler.fetch(request)` answers any `Request`. */
export type EntityHttpHandler = Hono<HandlerEnvironment>;

const isHealthProbe = (path: string) => path === '/health/live' || path === '/health/ready';

/** Builds the handler and the state `serveHttp` needs to drain it. */
export function buildHandler(agent: Agent, rawOptions: HttpHandlerOptions): { app: EntityHttpHandler; state: HandlerState } {
  const options = parseHandlerOptions(rawOptions);
  const logger = adapterLogger(agent, options.logger);
  const rateLimit = options.rateLimit === false ? { perIp: false as const, perKey: false as const } : { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
  const perKey = rateLimit.perKey ?? DEFAULT_RATE_LIMIT.perKey;
  const perKeyLimiter = perKey === false ? undefined : new TokenBucketLimiter(perKey);
  const state: HandlerState = { agent, options, logger, shutdown: new AbortController(), draining: false, drain: new AbortController(), perKeyLimiter };
  if (options.auth === 'none') {
    logger.warn(
      'HTTP AUTHENTICATION IS OFF (auth: "none"): development mode, only loopback clients are served. Configure auth.apiKeys before exposing this agent.',
    );
  }
  const app = new Hono<HandlerEnvironment>();

  app.use(requestId());
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      crossOriginResourcePolicy: options.cors ? 'cross-origin' : 'same-origin',
      // Built-in routes set none of these, so they get the strict defaults; a mount that serves a
      // page (the Studio) sends its own Content-Security-Policy, which must not be replaced by `default-src 'none'`.
      overwrite: false,
    }),
  );
  app.use(async (context, next) => {
    await next();
    // A mount that says how its answer may be cached (static assets) is believed; everything else is private data.
    if (context.get('mountAnswered') === true && context.res.headers.has('cache-control')) return;
    context.header('cache-control', 'no-store');
  });
  if (options.cors) {
    const corsHeaders = corsHeaderLists(options.mounts ?? [], {
      request: ['authorization', 'content-type', USER_HEADER, CONVERSATION_HEADER, IDEMPOTENCY_HEADER, REQUEST_ID_HEADER, 'traceparent'],
      response: [IDEMPOTENT_REPLAYED_HEADER, 'x-vercel-ai-ui-message-stream', REQUEST_ID_HEADER],
    });
    app.use(
      cors({
        // Hono takes '*' in a list literally; the rule is the one the WebSocket handshake uses.
        origin: (origin) => (corsAllowsOrigin(options, origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        allowHeaders: corsHeaders.request,
        exposeHeaders: corsHeaders.response,
        maxAge: options.cors.maxAgeSeconds ?? 600,
      }),
    );
  }
  app.use(async (context, next) => {
    context.set('clientAddress', remoteAddressOf(context.env));
    if (state.draining && !isHealthProbe(context.req.path)) {
      throw new HttpApiError(503, 'server_draining', 'The server is shutting down; retry on another instance', { headers: { connection: 'close', 'retry-after': '1' } });
    }
    return next();
  });
  // Probes must work for load balancers without keys and never be throttled.
  const exceptProbes =
    (middleware: MiddlewareHandler<HandlerEnvironment>): MiddlewareHandler<HandlerEnvironment> =>
    (context, next) =>
      isHealthProbe(context.req.path) ? next() : middleware(context, next);
  app.use(exceptProbes(limitPerAddress(rateLimit.perIp ?? DEFAULT_RATE_LIMIT.perIp)));
  // EventSource cannot send a key: its GET carries a single-use ticket instead, checked by the route.
  const streamTickets = new StreamTickets();
  registerStreamTicketRedemption(app, state, streamTickets);
  const mounts = options.mounts ?? [];
  const mountBodyLimit = limitBodySize(options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  for (const mount of mounts.filter((each) => each.public)) app.use(mount.path, mountBodyLimit).use(`${mount.path}/*`, mountBodyLimit);
  registerPublicMounts(app, mounts, state.shutdown.signal, state.drain.signal);
  // A probe is served without a credential; one that sends a credential gets it checked (401 when
  // wrong) and, on /health/ready, the per-resource detail that anonymous callers do not see.
  const authentication = authenticate(state);
  app.use((context, next) => (!isHealthProbe(context.req.path) || context.req.header('authorization') !== undefined ? authentication(context, next) : next()));
  app.use(exceptProbes(limitPerKey(perKeyLimiter)));
  app.use(limitBodySize(options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));

  registerAgentRoutes(app, state);
  registerNativeChat(app, state);
  registerOpenAIRoutes(app, state);
  registerWebSocketRoute(app, state);
  registerStreamTicketMinting(app, state, streamTickets);
  registerUiChatRoute(app, state);
  registerConversationRoutes(app, state);
  registerMetricsRoute(app, state);
  registerAuthenticatedMounts(app, mounts, state.shutdown.signal, state.drain.signal);

  app.notFound((context) => context.json(new HttpApiError(404, 'not_found', `No route ${context.req.method} ${context.req.path}`).body, 404));
  app.onError((error, context) => {
    if (isHttpApiError(error)) return context.json(error.body, error.status, error.options.headers);
    if (error instanceof HTTPException) {
      return context.json(new HttpApiError(error.status as HttpApiError['status'], 'http_error', error.message || 'The request could not be handled').body, error.status as HttpApiError['status']);
    }
    logger.error(`unhandled error in the HTTP handler: ${error.message}`, { stack: error.stack });
    return context.json(new HttpApiError(500, 'internal_error', 'Something went wrong on the server').body, 500);
  });
  return { app, state };
}

/**
 * The agent as a Web-standard handler (`fetch(Request) → Response`) for any host: Node via
 * `serveHttp`, a Next.js route, Express/Fastify through their Web adapters, Bun, Deno.
 * Options are validated first; a problem throws a ConfigError naming it.
 */
export function createHandler(agent: Agent, options: HttpHandlerOptions): EntityHttpHandler {
  return buildHandler(agent, options).app;
}
