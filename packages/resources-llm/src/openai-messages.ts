import type { ChatMessage, ChatResponse, ChatStreamEvent, FinishReason, ToolCall, ToolChoice, ToolDescription } from '@entity/core';
import type OpenAI from 'openai';
import type { ModelPrice } from './pricing.js';
import { usageOf } from './pricing.js';
import { malformedResponse } from './provider-errors.js';
import { parseArguments, withoutMetaKeys } from './structured-output.js';

// Conversions between Entity's provider-neutral messages and the Chat Completions wire format.

export function toOpenAIMessages(messages: ChatMessage[]): OpenAI.ChatCompletionMessageParam[] {
  return messages.map((message): OpenAI.ChatCompletionMessageParam => {
    if (message.role === 'system' || message.role === 'user') return { role: message.role, content: message.content };
    if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    const toolCalls = message.toolCalls ?? [];
    if (toolCalls.length === 0) return { role: 'assistant', content: message.content };
    return {
      role: 'assistant',
      content: message.content.length > 0 ? message.content : null,
      tool_calls: toolCalls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
      })),
    };
  });
}

export function toOpenAITools(tools: ToolDescription[]): OpenAI.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: withoutMetaKeys(tool.parameters) },
  }));
}

export function toOpenAIToolChoice(choice: ToolChoice): OpenAI.ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function finishReasonOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Whether OpenAI's strict Structured Outputs accept `schema`: every object closes
 * `additionalProperties` and lists all its keys in `required`. Optional fields make it ineligible.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return true;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' || node.properties) {
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    if (node.additionalProperties !== false) return false;
    if (Object.keys(properties).some((key) => !required.includes(key))) return false;
    if (!Object.values(properties).every(isStrictCompatible)) return false;
  }
  for (const key of ['items', 'anyOf', 'allOf', 'oneOf', '$defs', 'definitions']) {
    const child = node[key];
    if (Array.isArray(child) && !child.every(isStrictCompatible)) return false;
    if (child && typeof child === 'object' && !Array.isArray(child)) {
      const values = key === 'items' ? [child] : Object.values(child);
      if (!values.every(isStrictCompatible)) return false;
    }
  }
  return true;
}

export function fromCompletion(completion: OpenAI.ChatCompletion, price: ModelPrice | undefined, requestedModel: string, provider = 'openai'): ChatResponse {
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
  if (!choice || typeof choice.message !== 'object' || choice.message === null) {
    throw malformedResponse(provider, 'OpenAI returned a chat completion without choices[0].message');
  }
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type === 'function') toolCalls.push({ id: call.id, name: call.function.name, arguments: parseArguments(call.function.arguments) });
  }
  const input = completion.usage?.prompt_tokens ?? 0;
  const output = completion.usage?.completion_tokens ?? 0;
  return {
    content: choice.message.content ?? '',
    toolCalls,
    finishReason: finishReasonOf(choice.finish_reason),
    usage: usageOf(input, output, price),
    model: completion.model ?? requestedModel,
    provider,
  };
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Turns Chat Completions chunks into Entity stream events, assembling tool calls from their deltas. */
export async function* streamEventsOf(
  chunks: AsyncIterable<OpenAI.ChatCompletionChunk>,
  price: ModelPrice | undefined,
  requestedModel: string,
  provider = 'openai',
): AsyncGenerator<ChatStreamEvent> {
  let content = '';
  let finishReason: string | null | undefined;
  let model = requestedModel;
  let usage: OpenAI.CompletionUsage | undefined;
  let sawChunk = false;
  const calls = new Map<number, PartialToolCall>();
  for await (const chunk of chunks) {
    if (!Array.isArray(chunk?.choices)) throw malformedResponse(provider, 'OpenAI sent a stream chunk without choices');
    sawChunk = true;
    if (chunk.model) model = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.finish_reason) finishReason = choice.finish_reason;
    const delta = choice.delta ?? {};
    if (delta.content) {
      content += delta.content;
      yield { type: 'text-delta', text: delta.content };
    }
    for (const toolDelta of delta.tool_calls ?? []) {
      const current = calls.get(toolDelta.index) ?? { id: '', name: '', arguments: '' };
      if (toolDelta.id) current.id = toolDelta.id;
      if (toolDelta.function?.name) current.name += toolDelta.function.name;
      const argumentsDelta = toolDelta.function?.arguments ?? '';
      current.arguments += argumentsDelta;
      calls.set(toolDelta.index, current);
      yield {
        type: 'tool-call-delta',
        index: toolDelta.index,
        ...(toolDelta.id ? { id: toolDelta.id } : {}),
        ...(toolDelta.function?.name ? { name: toolDelta.function.name } : {}),
        argumentsDelta,
      };
    }
  }
  if (!sawChunk || finishReason === undefined) throw malformedResponse(provider, 'OpenAI ended the stream before a finish_reason');
  const toolCalls: ToolCall[] = [...calls.entries()]
    .sort(([first], [second]) => first - second)
    .map(([, call]) => ({ id: call.id, name: call.name, arguments: parseArguments(call.arguments) }));
  for (const toolCall of toolCalls) yield { type: 'tool-call', toolCall };
  yield {
    type: 'finish',
    response: {
      content,
      toolCalls,
      finishReason: finishReasonOf(finishReason),
      usage: usageOf(usage?.prompt_tokens ?? 0, usage?.completion_tokens ?? 0, price),
      model,
      provider,
    },
  };
}
