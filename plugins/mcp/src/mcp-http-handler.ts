import type { Agent } from '@entity/core';
import { type AgentMcpServerOptions, createAgentMcpServer, exposedTools } from './agent-mcp-server.js';

/** Who an HTTP request acts for, as the serving layer decided after authenticating it. */
export interface McpRequestContext {
  /** User id of the calls. Default: the handler's `userId` option. */
  userId?: string;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** The request's id, attached to every log entry and operation of the calls. */
  correlationId?: string;
}

/** `createMcpHttpHandler()` options. */
export interface McpHttpHandlerOptions extends AgentMcpServerOptions {
  /** User id when the request context names none. Default: `default`. */
  userId?: string;
  /** Conversation of `chat` calls that name none. Default: `mcp`. */
  conversationId?: string;
  /** Largest request body, in bytes. Default: 1 MiB. */
  maxBodyBytes?: number;
}

/** A Web-standard handler: one MCP Streamable HTTP endpoint. */
export type McpHttpHandler = (request: Request, context?: McpRequestContext) => Promise<Response>;

const METHOD_NOT_ALLOWED = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC messages with POST' }, id: null });

/**
 * The agent as an MCP Streamable HTTP endpoint, as a Web-standard `(Request) => Response`
 * handler (mount it in any server, or under `@entity/plugin-http`). Stateless: each POST gets its
 * own SDK server and transport and a JSON reply, so any worker can serve any request and nothing
 * outlives the request. It does no authentication itself: the serving layer authenticates and
 * passes the user id in the context.
 */
export function createMcpHttpHandler(agent: Agent, options: McpHttpHandlerOptions = {}): McpHttpHandler {
  const { userId: defaultUserId = 'default', conversationId = 'mcp', maxBodyBytes = 1_048_576, ...serverOptions } = options;
  // Checked now, so a name the agent lacks fails where the handler is made, not on each request.
  exposedTools(agent, serverOptions);
  const sdk = import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js');
  return async (request, context = {}) => {
    if (request.method !== 'POST') {
      return new Response(METHOD_NOT_ALLOWED, { status: 405, headers: { allow: 'POST', 'content-type': 'application/json' } });
    }
    const { WebStandardStreamableHTTPServerTransport } = await sdk;
    const server = await createAgentMcpServer(agent, { userId: context.userId ?? defaultUserId, conversationId, ...(context.correlationId ? { correlationId: context.correlationId } : {}) }, serverOptions);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: maxBodyBytes });
    // Closing the server aborts the signal its handlers see: the turn or tool call in flight stops.
    const closeServer = () => void server.close();
    context.signal?.addEventListener('abort', closeServer, { once: true });
    try {
      await server.connect(transport);
      return await transport.handleRequest(request);
    } finally {
      context.signal?.removeEventListener('abort', closeServer);
      await server.close();
    }
  };
}
