import type { ChatMessage, ChatResponse, ChatStreamEvent, FinishReason, ToolCall, ToolChoice, ToolDescription } from '@entity/core';
import type { ChatResponse as OllamaChatResponse, Message as OllamaMessage, Tool as OllamaTool } from 'ollama';
import { type ModelPrice, usageOf } from './pricing.js';
import { malformedResponse } from './provider-errors.js';
import { withoutMetaKeys } from './structured-output.js';

// Conversions between Entity's provider-neutral messages and Ollama's /api/chat format.

export function toOllamaMessages(messages: ChatMessage[]): OllamaMessage[] {
  return messages.map((message): OllamaMessage => {
    if (message.role === 'system' || message.role === 'user') return { role: message.role, content: message.content };
    if (message.role === 'tool') return { role: 'tool', content: message.content, tool_name: message.name };
    if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
    return {
      role: 'assistant',
      content: message.content,
      tool_calls: message.toolCalls.map((call) => ({
        function: {
          name: call.name,
          // Ollama decodes arguments into a map: it must be an object, never a JSON string.
          arguments: typeof call.arguments === 'object' && call.arguments !== null && !Array.isArray(call.arguments) ? (call.arguments as Record<string, unknown>) : {},
        },
      })),
    };
  });
}

/** Ollama has no `tool_choice`: `none` sends no tools and a named choice sends only that tool. */
export function toOllamaTools(tools: ToolDescription[] | undefined, choice: ToolChoice | undefined): OllamaTool[] | undefined {
  if (!tools?.length || choice === 'none') return undefined;
  const selected = typeof choice === 'object' ? tools.filter((tool) => tool.name === choice.name) : tools;
  return selected.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: withoutMetaKeys(tool.parameters) as OllamaTool['function']['parameters'] },
  }));
}

let callCounter = 0;
function toolCallsOf(message: OllamaMessage): ToolCall[] {
  return (message.tool_calls ?? []).map((call) => {
    const id = (call as { id?: unknown }).id;
    return {
      // Older Ollama versions send no ids; the engine still needs one to pair results with calls.
      id: typeof id === 'string' && id.length > 0 ? id : `call_${Date.now().toString(36)}_${(callCounter++).toString(36)}`,
      name: call.function.name,
      arguments: call.function.arguments ?? {},
    };
  });
}

function finishReasonOf(doneReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  if (doneReason === 'length') return 'length';
  return doneReason === 'stop' || doneReason === undefined ? 'stop' : 'other';
}

export function fromOllamaResponse(response: OllamaChatResponse, price: ModelPrice | undefined, requestedModel: string): ChatResponse {
  if (typeof response?.message !== 'object' || response.message === null || typeof response.message.content !== 'string') {
    throw malformedResponse('ollama', 'Ollama returned a chat response without message.content');
  }
  const toolCalls = toolCallsOf(response.message);
  return {
    content: response.message.content,
    toolCalls,
    finishReason: finishReasonOf(response.done_reason, toolCalls.length > 0),
    usage: usageOf(response.prompt_eval_count ?? 0, response.eval_count ?? 0, price),
    model: response.model ?? requestedModel,
    provider: 'ollama',
  };
}

/** Turns Ollama's NDJSON chunks into Entity stream events; Ollama sends tool calls whole, in one chunk. */
export async function* streamEventsOf(chunks: AsyncIterable<OllamaChatResponse>, price: ModelPrice | undefined, requestedModel: string): AsyncGenerator<ChatStreamEvent> {
  let content = '';
  const toolCalls: ToolCall[] = [];
  for await (const chunk of chunks) {
    if (typeof chunk?.message !== 'object' || chunk.message === null) throw malformedResponse('ollama', 'Ollama sent a stream chunk without a message');
    if (chunk.message.content) {
      content += chunk.message.content;
      yield { type: 'text-delta', text: chunk.message.content };
    }
    for (const toolCall of toolCallsOf(chunk.message)) {
      const index = toolCalls.length;
      toolCalls.push(toolCall);
      yield { type: 'tool-call-delta', index, id: toolCall.id, name: toolCall.name, argumentsDelta: JSON.stringify(toolCall.arguments) };
      yield { type: 'tool-call', toolCall };
    }
    if (chunk.done) {
      yield {
        type: 'finish',
        response: {
          content,
          toolCalls,
          finishReason: finishReasonOf(chunk.done_reason, toolCalls.length > 0),
          usage: usageOf(chunk.prompt_eval_count ?? 0, chunk.eval_count ?? 0, price),
          model: chunk.model ?? requestedModel,
          provider: 'ollama',
        },
      };
      return;
    }
  }
  throw malformedResponse('ollama', 'Ollama ended the stream before its final "done" chunk');
}
