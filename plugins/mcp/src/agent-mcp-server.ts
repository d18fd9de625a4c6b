import type { Agent } from '@entity/core';
import { ConfigError } from '@entity/core';
import { serializeToolValue } from '@entity/core/internal';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, Tool as McpToolDefinition } from '@modelcontextprotocol/sdk/types.js';

/** How an agent is offered over MCP. */
export interface AgentMcpServerOptions {
  /**
   * Which of the agent's registered tools MCP clients may call directly: `true` (all), `false`
   * (none: only `chat`), or a list of names. Default: `true`.
   */
  tools?: boolean | readonly string[];
  /** Name of the tool that runs a whole turn (`agent.chat`); `false` leaves it out. Default: `chat`. */
  chatTool?: string | false;
  /** Name the server gives in the MCP handshake. Default: the agent's name. */
  name?: string;
  /** Version the server gives in the MCP handshake. Default: `0.1.0`. */
  version?: string;
  /** Instructions sent to the client in the handshake (what the agent is for). */
  instructions?: string;
}

/** Who the calls of one MCP connection act for. */
export interface AgentMcpCaller {
  /** The user id turns and tool calls run as (memory is private to it). */
  userId: string;
  /** Conversation of `chat` calls that name none. */
  conversationId: string;
  /** Id of the request, on every log entry and operation of the calls (an HTTP request id). */
  correlationId?: string;
}

const CHAT_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    message: { type: 'string', minLength: 1, description: 'What to say to the agent.' },
    conversationId: { type: 'string', pattern: '^[\\w.@:+-]{1,200}$', description: 'Conversation to continue; default: this connection\'s.' },
  },
  required: ['message'],
  additionalProperties: false,
} as const;

function textResult(text: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) };
}

/** The agent tools an MCP client may call, checked against what the agent registers. */
export function exposedTools(agent: Agent, options: AgentMcpServerOptions): Map<string, McpToolDefinition> {
  const registered = agent.discoverTools();
  const wanted = options.tools ?? true;
  const names = wanted === true ? registered.map((tool) => tool.name) : wanted === false ? [] : [...wanted];
  const unknown = names.filter((name) => !registered.some((tool) => tool.name === name));
  if (unknown.length > 0) {
    throw new ConfigError([{ path: 'tools', message: `the agent has no tool ${unknown.map((name) => `"${name}"`).join(', ')}`, fix: `use registered tools: ${registered.map((tool) => tool.name).join(', ') || 'none'}` }]);
  }
  const chatName = options.chatTool ?? 'chat';
  if (chatName !== false && names.includes(chatName)) {
    throw new ConfigError([{ path: 'chatTool', message: `the agent has a tool named "${chatName}" too`, fix: 'give the chat tool another name (chatTool: "ask_agent") or leave that tool out (tools: [...])' }]);
  }
  const tools = new Map<string, McpToolDefinition>();
  for (const tool of registered) {
    if (!names.includes(tool.name)) continue;
    tools.set(tool.name, { name: tool.name, description: tool.description, inputSchema: { type: 'object', ...tool.parameters } as McpToolDefinition['inputSchema'] });
  }
  if (chatName !== false) {
    tools.set(chatName, {
      name: chatName,
      description: `Send a message to the agent "${agent.name}" and get its reply: a whole turn, with its own tools and memory.`,
      inputSchema: CHAT_INPUT_SCHEMA as unknown as McpToolDefinition['inputSchema'],
    });
  }
  return tools;
}

/**
 * An MCP server (the SDK's) that offers an agent: its tools, run through the agent's tool runner
 * (validated, timed out, instrumented), and a `chat` tool that runs a whole turn. Connect it to any
 * SDK server transport; `serveMcpStdio` and `createMcpHttpHandler` do that for you.
 */
export async function createAgentMcpServer(agent: Agent, caller: AgentMcpCaller, options: AgentMcpServerOptions = {}): Promise<Server> {
  const [{ Server }, { CallToolRequestSchema, ListToolsRequestSchema }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  const tools = exposedTools(agent, options);
  const chatName = options.chatTool ?? 'chat';
  const server = new Server(
    { name: options.name ?? agent.name, version: options.version ?? '0.1.0' },
    { capabilities: { tools: {} }, ...(options.instructions ? { instructions: options.instructions } : {}) },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...tools.values()] }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    if (!tools.has(name)) return textResult(`Unknown tool "${name}". Available tools: ${[...tools.keys()].join(', ')}`, true);
    if (name === chatName) {
      const message = args.message;
      const conversationId = args.conversationId ?? caller.conversationId;
      if (typeof message !== 'string' || message.trim() === '') return textResult('Invalid arguments for tool "chat": "message" must be a non-empty string', true);
      if (typeof conversationId !== 'string') return textResult('Invalid arguments for tool "chat": "conversationId" must be a string', true);
      try {
        const result = await agent.chat(message, { userId: caller.userId, conversationId, signal: extra.signal, ...(caller.correlationId ? { correlationId: caller.correlationId } : {}) });
        return textResult(result.text, result.status === 'failed');
      } catch (error) {
        // Bad ids and a stopping agent come back as errors the client can read; the turn's own failures are already a reply.
        return textResult(`The agent could not take the message: ${(error as Error).message}`, true);
      }
    }
    const result = await agent.callTool(name, args, {
      userId: caller.userId,
      conversationId: caller.conversationId,
      signal: extra.signal,
      ...(caller.correlationId ? { correlationId: caller.correlationId } : {}),
    });
    return result.ok ? textResult(serializeToolValue(result.value)) : textResult(result.error.message, true);
  });
  return server;
}
