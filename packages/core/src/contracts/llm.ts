import type { ZodType } from 'zod';
import type { JsonSchema } from './json.js';
import type { ChatMessage, ToolCall } from './message.js';
import type { Resource } from './resource.js';

/** A tool as described to a model: name, purpose and JSON Schema of its arguments. */
export interface ToolDescription {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Options common to every model call. */
export interface CallOptions {
  /** Cancels the call (and an in-flight stream). */
  signal?: AbortSignal;
  /** Per-call timeout in milliseconds. Default: the provider's configured timeout. */
  timeoutMs?: number;
}

export interface ChatRequest extends CallOptions {
  messages: ChatMessage[];
  tools?: ToolDescription[];
  toolChoice?: ToolChoice;
  temperature?: number;
  maxTokens?: number;
  /** Override the model configured on the resource for this call. */
  model?: string;
}

/** Token counts and (when the model's price is known) cost of one call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Cost in US dollars; undefined when the price of the model is unknown (e.g. local models). */
  costUsd?: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

export interface ChatResponse {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  model: string;
  /** Which provider answered (`openai`, `anthropic`, `ollama`); with fallback chains, the one that served. */
  provider: string;
}

/** Events of a streamed chat, in order; `finish` is always last on success. */
export type ChatStreamEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; response: ChatResponse };

export interface StructuredRequest<T> extends Omit<ChatRequest, 'tools' | 'toolChoice'> {
  /** The shape of the answer. The reply is parsed and validated; invalid output is retried once. */
  schema: ZodType<T>;
  /** A short name for the schema, used by providers that need one. Default: `response`. */
  schemaName?: string;
}

export interface StructuredResponse<T> extends Omit<ChatResponse, 'content' | 'toolCalls'> {
  object: T;
  /** The raw text the model produced. */
  raw: string;
}

export interface EmbeddingResponse {
  embeddings: number[][];
  model: string;
  provider: string;
  usage: Pick<Usage, 'inputTokens'> & { costUsd?: number };
}

/** What a model adapter supports beyond plain chat. */
export interface LLMCapabilities {
  streaming: boolean;
  tools: boolean;
  structuredOutput: boolean;
  embeddings: boolean;
}

/**
 * A chat model. Only `chat` is required; the rest is optional and advertised in `capabilities`,
 * so a new provider can start small.
 */
export interface LLM extends Resource {
  readonly provider: string;
  readonly model: string;
  readonly capabilities: LLMCapabilities;
  chat(request: ChatRequest): Promise<ChatResponse>;
  stream?(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  generateObject?<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>>;
  embed?(texts: string[], options?: CallOptions): Promise<EmbeddingResponse>;
  /** Dimensions of `embed` vectors, when known without a call. */
  readonly embeddingDimensions?: number;
}
