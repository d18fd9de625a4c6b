import type { Agent } from '@entity/core';
import { type AgentMcpServerOptions, createAgentMcpServer } from './agent-mcp-server.js';

/** `serveMcpStdio()` options. */
export interface McpStdioOptions extends AgentMcpServerOptions {
  /** User id the calls run as. Default: `mcp`. */
  userId?: string;
  /** Conversation of `chat` calls that name none. Default: `mcp`. */
  conversationId?: string;
  /** Where protocol messages are read. Default: `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Where protocol messages are written; nothing else may be. Default: `process.stdout`. */
  stdout?: NodeJS.WritableStream;
}

/** A running stdio MCP server. */
export interface McpStdioServer {
  /** Resolves when the client has gone (stdin ended) or `close()` was called. */
  readonly closed: Promise<void>;
  /** Closes the transport. The agent is left running: the caller stops it. */
  close(): Promise<void>;
}

/**
 * Serves an agent over MCP on stdio (what desktop MCP hosts launch). Starts the agent first, so a
 * broken config fails before the handshake. Everything else the process prints must go to
 * stderr: stdout carries protocol messages only.
 */
export async function serveMcpStdio(agent: Agent, options: McpStdioOptions = {}): Promise<McpStdioServer> {
  const { userId = 'mcp', conversationId = 'mcp', stdin = process.stdin, stdout = process.stdout, ...serverOptions } = options;
  await agent.start();
  const server = await createAgentMcpServer(agent, { userId, conversationId }, serverOptions);
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const transport = new StdioServerTransport(stdin as never, stdout as never);
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  server.onclose = () => markClosed();
  // The SDK's stdio transport does not notice the host closing our stdin: that is how a host ends us.
  const onEnd = () => void server.close();
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  await server.connect(transport);
  return {
    closed,
    async close() {
      stdin.off('end', onEnd);
      stdin.off('close', onEnd);
      await server.close();
    },
  };
}
