/** A tool invocation requested by a model. */
export interface ToolCall {
  /** Provider-assigned id; tool results refer back to it. */
  id: string;
  name: string;
  /** Parsed JSON arguments (not yet validated against the tool's schema). */
  arguments: unknown;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}
export interface UserMessage {
  role: 'user';
  content: string;
}
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  /** Tool calls the model asked for in this turn, if any. */
  toolCalls?: ToolCall[];
}
export interface ToolMessage {
  role: 'tool';
  /** The tool's result, serialised (JSON for objects). */
  content: string;
  toolCallId: string;
  /** Name of the tool that produced this result. */
  name: string;
  /** True when the content describes a failure (invalid arguments, timeout, exception). */
  isError?: boolean;
}

/** One message of a conversation, in the provider-neutral shape every LLM adapter maps from. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type ChatRole = ChatMessage['role'];
