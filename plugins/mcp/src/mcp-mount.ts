import type { Agent } from '@entity/core';
import { createMcpHttpHandler, type McpHttpHandlerOptions } from './mcp-http-handler.js';

/** What the serving layer (`@entity/plugin-http`'s `mounts`) tells the mount about an authenticated request. */
export interface McpMountContext {
  /** The user the request acts for: the credential's own, or `requested` when it may act for that user (else 403). */
  userIdFor(requested?: string): string;
  /** The request's id, the run's correlation id. */
  requestId: string;
  /** Aborted when the server gives up on in-flight work at shutdown. */
  signal: AbortSignal;
}

/** `mcpMount()` options. */
export interface McpMountOptions extends Omit<McpHttpHandlerOptions, 'userId'> {
  /** Where the endpoint is served. Default: `/mcp`. */
  path?: string;
  /** Roles of the credentials that may call it. Default: the serving layer's (`admin` and `user`). */
  roles?: ('admin' | 'user' | 'viewer')[];
}

/** The endpoint as a mount of `@entity/plugin-http` (its `HttpMount`): authenticated there, before `handle` runs. */
export interface McpMount {
  path: string;
  roles?: ('admin' | 'user' | 'viewer')[];
  corsHeaders: { request: string[]; response: string[] };
  handle(request: Request, context: McpMountContext): Promise<Response>;
}

/**
 * The agent's MCP endpoint for `serveHttp(agent, { mounts: [mcpMount(agent)] })`: the serving
 * layer's credentials (API keys, JWT) guard it, and each call runs as the credential's user — or
 * as the user named by a `?userId=` in the endpoint URL, when the credential may act for that user.
 */
export function mcpMount(agent: Agent, options: McpMountOptions = {}): McpMount {
  const { path = '/mcp', roles, ...handlerOptions } = options;
  const handler = createMcpHttpHandler(agent, handlerOptions);
  return {
    path,
    ...(roles ? { roles } : {}),
    // What a browser MCP client on another origin sends and reads (Streamable HTTP sessions, resumption).
    corsHeaders: { request: ['mcp-session-id', 'mcp-protocol-version', 'last-event-id'], response: ['mcp-session-id'] },
    handle(request, context) {
      const requested = new URL(request.url).searchParams.get('userId') ?? undefined;
      return handler(request, { userId: context.userIdFor(requested), signal: context.signal, correlationId: context.requestId });
    },
  };
}
