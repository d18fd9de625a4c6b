import { type LoopbackServer, type RecordedRequest, startAnthropicServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { anthropic, ollama, openai, type ProviderLLM } from '../src/index.js';

/** One provider for the agent end-to-end tests: its loopback server, its LLM, and how to read its wire format. */
export interface Case {
  name: string;
  start(): Promise<LoopbackServer>;
  create(server: LoopbackServer): ProviderLLM;
  /** The tool result the engine sent back, read from the provider's own message format. */
  toolResult(request: RecordedRequest): string | undefined;
  /** Whether the request asks for structured output, in the provider's own way. */
  asksForSchema(request: RecordedRequest): boolean;
}

export type Body = {
  messages?: Array<{ role: string; content: unknown }>;
  response_format?: { type: string };
  tool_choice?: { type: string };
  format?: unknown;
};

export const cases: Case[] = [
  {
    name: 'openai',
    start: () => startOpenAIServer(),
    create: (server) => openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: (server as LoopbackServer & { baseURL: string }).baseURL }),
    asksForSchema: (request) => (request.body as Body).response_format?.type === 'json_schema',
    toolResult: (request) => (request.body as Body).messages?.find((message) => message.role === 'tool')?.content as string | undefined,
  },
  {
    name: 'anthropic',
    start: () => startAnthropicServer(),
    create: (server) => anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: server.origin }),
    // Anthropic's structured output is one tool the model is forced to call.
    asksForSchema: (request) => (request.body as Body).tool_choice?.type === 'tool',
    toolResult: (request) => {
      for (const message of (request.body as Body).messages ?? []) {
        if (!Array.isArray(message.content)) continue;
        const block = message.content.find((item: { type: string }) => item.type === 'tool_result') as { content?: string } | undefined;
        if (block) return block.content;
      }
      return undefined;
    },
  },
  {
    name: 'ollama',
    start: () => startOllamaServer(),
    create: (server) => ollama({ model: 'llama3.2:3b', host: server.origin }),
    asksForSchema: (request) => (request.body as Body).format !== undefined,
    toolResult: (request) => (request.body as Body).messages?.find((message) => message.role === 'tool')?.content as string | undefined,
  },
];

