import type Anthropic from '@anthropic-ai/sdk';
import type { ChatMessage, ChatResponse, ChatStreamEvent, FinishReason, ToolCall, ToolChoice, ToolDescription, Usage } from '@entity/core';
import type { ModelPrice } from './pricing.js';
import { malformedResponse } from './provider-errors.js';
import { parseArguments, withoutMetaKeys } from './structured-output.js';

// Conversions between Entity's provider-neutral messages and the Messages API wire format.

export interface AnthropicConversation {
  system?: string;
  messages: Anthropic.MessageParam[];
}

/**
 * System messages become the `system` field; tool results become `tool_result` blocks of a user
 * turn; consecutive turns of one role merge, since the API wants every `tool_use` answered in
 * the very next message and rejects empty content.
 */
export function toAnthropicConversation(messages: ChatMessage[]): AnthropicConversation {
  const system: string[] = [];
  const out: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Anthropic.ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        if (message.content.length > 0) system.push(message.content);
        break;
      case 'user':
        push('user', message.content.length > 0 ? [{ type: 'text', text: message.content }] : []);
        break;
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content, ...(message.isError ? { is_error: true } : {}) }]);
        break;
      case 'assistant': {
        const blocks: Anthropic.ContentBlockParam[] = message.content.length > 0 ? [{ type: 'text', text: message.content }] : [];
        for (const call of message.toolCalls ?? []) {
          const input = typeof call.arguments === 'object' && call.arguments !== null && !Array.isArray(call.arguments) ? (call.arguments as Record<string, unknown>) : {};
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input });
        }
        push('assistant', blocks);
        break;
      }
    }
  }
  return { ...(system.length > 0 ? { system: system.join('\n\n') } : {}), messages: out };
}

export function toAnthropicTools(tools: ToolDescription[]): Anthropic.Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...withoutMetaKeys(tool.parameters) } as Anthropic.Tool.InputSchema,
  }));
}

export function toAnthropicToolChoice(choice: ToolChoice): Anthropic.ToolChoice {
  if (typeof choice === 'object') return { type: 'tool', name: choice.name };
  return choice === 'required' ? { type: 'any' } : { type: choice };
}

export function finishReasonOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

interface AnthropicUsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Input counts include cache writes and reads, priced at Anthropic's documented multipliers (1.25× and 0.1×). */
export function anthropicUsage(usage: AnthropicUsageLike, price: ModelPrice | undefined): Usage {
  const plain = usage.input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  const output = usage.output_tokens ?? 0;
  const inputTokens = plain + written + read;
  const result: Usage = { inputTokens, outputTokens: output, totalTokens: inputTokens + output };
  if (price) {
    result.costUsd = ((plain + written * 1.25 + read * 0.1) * price.inputPerMillion + output * (price.outputPerMillion ?? 0)) / 1_000_000;
  }
  return result;
}

export function fromMessage(message: Anthropic.Message, price: ModelPrice | undefined, requestedModel: string): ChatResponse {
  if (!Array.isArray(message?.content) || typeof message.usage !== 'object' || message.usage === null) {
    throw malformedResponse('anthropic', 'Anthropic returned a message without content or usage');
  }
  let content = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') content += block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: block.input });
  }
  return {
    content,
    toolCalls,
    finishReason: finishReasonOf(message.stop_reason),
    usage: anthropicUsage(message.usage, price),
    model: message.model ?? requestedModel,
    provider: 'anthropic',
  };
}

/** Turns the Messages SSE event sequence into Entity stream events. */
export async function* streamEventsOf(
  events: AsyncIterable<Anthropic.RawMessageStreamEvent>,
  price: ModelPrice | undefined,
  requestedModel: string,
): AsyncGenerator<ChatStreamEvent> {
  let model = requestedModel;
  let content = '';
  let stopReason: string | null | undefined;
  const usage: AnthropicUsageLike = {};
  const toolCalls: ToolCall[] = [];
  // content block index → tool call ordinal and its JSON so far
  const openTools = new Map<number, { ordinal: number; id: string; name: string; json: string }>();
  let stopped = false;
  for await (const event of events) {
    switch (event?.type) {
      case 'message_start':
        model = event.message.model ?? model;
        Object.assign(usage, event.message.usage);
        break;
      case 'content_block_start':
        if (event.content_block?.type === 'tool_use') {
          const ordinal = openTools.size + toolCalls.length;
          openTools.set(event.index, { ordinal, id: event.content_block.id, name: event.content_block.name, json: '' });
          yield { type: 'tool-call-delta', index: ordinal, id: event.content_block.id, name: event.content_block.name, argumentsDelta: '' };
        }
        break;
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta') {
          content += delta.text;
          yield { type: 'text-delta', text: delta.text };
        } else if (delta?.type === 'input_json_delta') {
          const tool = openTools.get(event.index);
          if (!tool) throw malformedResponse('anthropic', `Anthropic sent input_json_delta for block ${event.index}, which is not a tool_use block`);
          tool.json += delta.partial_json;
          if (delta.partial_json) yield { type: 'tool-call-delta', index: tool.ordinal, argumentsDelta: delta.partial_json };
        } else if (!delta) {
          throw malformedResponse('anthropic', 'Anthropic sent content_block_delta without a delta');
        }
        break;
      }
      case 'content_block_stop': {
        const tool = openTools.get(event.index);
        if (tool) {
          openTools.delete(event.index);
          const toolCall: ToolCall = { id: tool.id, name: tool.name, arguments: parseArguments(tool.json) };
          toolCalls.push(toolCall);
          yield { type: 'tool-call', toolCall };
        }
        break;
      }
      case 'message_delta':
        stopReason = event.delta?.stop_reason ?? stopReason;
        for (const [key, value] of Object.entries(event.usage ?? {})) {
          if (typeof value === 'number') (usage as Record<string, number>)[key] = value;
        }
        break;
      case 'message_stop':
        stopped = true;
        break;
      default:
        if (typeof (event as { type?: unknown } | undefined)?.type !== 'string') throw malformedResponse('anthropic', 'Anthropic sent a stream event without a type');
    }
  }
  if (!stopped) throw malformedResponse('anthropic', 'Anthropic ended the stream before message_stop');
  yield {
    type: 'finish',
    response: { content, toolCalls, finishReason: finishReasonOf(stopReason), usage: anthropicUsage(usage, price), model, provider: 'anthropic' },
  };
}
