import type { Context, ContextSection } from '../contracts/context.js';
import type { ChatRequest, ChatResponse } from '../contracts/llm.js';
import type { ChatMessage, ToolCall } from '../contracts/message.js';
import { askForStructuredAnswer } from './structured-output.js';

/** Run-state keys the built-in plugins share. Namespaced so user plugins cannot collide by accident. */
export const STATE = {
  answer: 'entity:answer',
  pendingToolCalls: 'entity:pending-tool-calls',
  answeredIteration: 'entity:answered-iteration',
  promptOverride: 'entity:prompt-override',
  instructions: 'entity:instructions',
  structuredAnswer: 'entity:structured-answer',
  /** Set when the caller passed the history (`chat(..., { history })`): it owns the conversation. */
  callerHistory: 'entity:caller-history',
} as const;

export interface AskModelOptions {
  /** Replaces the user's message in what the model sees (the stored history keeps the original). */
  userContent?: string;
  /** System prompt for this call. */
  system?: string;
  temperature?: number;
  /** Offer the registered tools to the model. Default: true. */
  useTools?: boolean;
  /** Name of the LLM resource. Default: `llm`. */
  llmResource?: string;
}

/**
 * The system prompt of a run's model calls: the instructions, then each section plugins added with
 * `ctx.addContext()`, under its label when it has one. For plugins that call a model themselves
 * (`systemPrompt(ctx.instructions, ctx.advanced.contextSections)`), so they see what `askModel` sends.
 */
export function systemPrompt(instructions: string | undefined, sections: readonly ContextSection[]): string | undefined {
  if (sections.length === 0) return instructions || undefined;
  const parts = instructions ? [instructions] : [];
  for (const { text, label } of sections) parts.push(label === undefined ? text : `## ${label}\n${text}`);
  return parts.join('\n\n');
}

function messagesFor(context: Context, options: AskModelOptions): ChatMessage[] {
  const override = options.userContent ?? context.load<string>(STATE.promptOverride);
  const history = context.conversation();
  const newMessages = context.advanced.newMessages;
  const messages: ChatMessage[] = [];
  const system = systemPrompt(options.system ?? context.load<string>(STATE.instructions), context.advanced.contextSections);
  if (system) messages.push({ role: 'system', content: system });
  for (const message of history) {
    messages.push(override !== undefined && message === newMessages[0] ? { role: 'user', content: override } : message);
  }
  return messages;
}

async function streamChat(context: Context, request: ChatRequest, llmName: string): Promise<ChatResponse> {
  const llm = context.resource<import('../contracts/llm.js').LLM>(llmName);
  if (!context.advanced.streaming || !llm.stream) return llm.chat(request);
  for await (const event of llm.stream(request)) {
    if (event.type === 'text-delta') await context.advanced.emitEvent({ type: 'token', text: event.text });
    else if (event.type === 'finish') return event.response;
  }
  throw new Error(`The "${llmName}" stream ended without a final response`);
}

/**
 * One model call of the default workflow and of `agent.prompt()` helpers: sends the conversation
 * (with the registered tools), records usage, and leaves either pending tool calls for DO or an
 * answer for DELIVER. When the caller asked for `output`, the final answer comes in that schema
 * (see `askForStructuredAnswer`).
 */
export async function askModel(context: Context, options: AskModelOptions = {}): Promise<ChatResponse> {
  if (options.userContent !== undefined) context.store(STATE.promptOverride, options.userContent);
  const tools = options.useTools === false ? [] : context.discoverTools();
  const request: ChatRequest = {
    messages: messagesFor(context, options),
    signal: context.signal,
    ...(tools.length > 0 ? { tools: tools.map(({ name, description, parameters }) => ({ name, description, parameters })) } : {}),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
  };
  const llmName = options.llmResource ?? 'llm';
  const output = context.advanced.output;
  let response: ChatResponse;
  if (output) {
    const structured = await askForStructuredAnswer(context, request, llmName, output);
    response = structured.response;
    if (structured.answer) context.store(STATE.structuredAnswer, structured.answer);
  } else {
    response = await streamChat(context, request, llmName);
  }
  context.advanced.addUsage(response.usage);
  context.advanced.appendMessage({
    role: 'assistant',
    content: response.content,
    ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
  });
  context.store(STATE.pendingToolCalls, response.toolCalls satisfies ToolCall[]);
  context.store(STATE.answeredIteration, context.iteration);
  if (response.toolCalls.length === 0) context.store(STATE.answer, response.content);
  return response;
}
