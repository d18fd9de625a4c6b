import type { ChatRequest, ChatResponse, ChatStreamEvent, LLM, Usage } from '../contracts/llm.js';
import type { ToolCall } from '../contracts/message.js';

/** One scripted model turn: plain text, or text and/or tool calls. */
export type ScriptedTurn = string | { content?: string; toolCalls?: (Omit<ToolCall, 'id'> & { id?: string })[]; usage?: Partial<Usage> };

export type ScriptedReplies = ScriptedTurn[] | ((request: ChatRequest, callIndex: number) => ScriptedTurn | Promise<ScriptedTurn>);

export interface ScriptedLLM extends LLM {
  /** Every request received, in order. */
  readonly requests: ChatRequest[];
}

/**
 * An in-process model that answers instantly from a script. For tests of plugins and workflows
 * and for benchmarks of framework overhead — not a stand-in for provider behaviour, which is
 * tested against wire-format servers.
 */
export function scriptedLLM(
  replies: ScriptedReplies,
  options: {
    model?: string;
    provider?: string;
    /** Keep every request in `requests`. Default: true; benchmarks turn it off so memory stays flat. */
    recordRequests?: boolean;
  } = {},
): ScriptedLLM {
  const requests: ChatRequest[] = [];
  let callCount = 0;
  const model = options.model ?? 'scripted';
  const provider = options.provider ?? 'scripted';
  const next = async (request: ChatRequest): Promise<ChatResponse> => {
    const index = callCount++;
    if (options.recordRequests !== false) requests.push(request);
    let turn: ScriptedTurn | undefined;
    if (typeof replies === 'function') turn = await replies(request, index);
    else turn = replies[Math.min(index, replies.length - 1)];
    if (turn === undefined) throw new Error('scriptedLLM has no replies');
    const reply = typeof turn === 'string' ? { content: turn } : turn;
    const toolCalls = (reply.toolCalls ?? []).map((call, callIndex) => ({ ...call, id: call.id ?? `call_${index}_${callIndex}` }));
    const inputTokens = reply.usage?.inputTokens ?? 10;
    const outputTokens = reply.usage?.outputTokens ?? 5;
    return {
      content: reply.content ?? '',
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      model,
      provider,
    };
  };
  return {
    provider,
    model,
    requests,
    capabilities: { streaming: true, tools: true, structuredOutput: false, embeddings: false },
    chat: (request) => next(request),
    async *stream(request): AsyncIterable<ChatStreamEvent> {
      const response = await next(request);
      for (const piece of response.content.match(/\S+\s*/g) ?? []) yield { type: 'text-delta', text: piece };
      for (const toolCall of response.toolCalls) yield { type: 'tool-call', toolCall };
      yield { type: 'finish', response };
    },
  };
}
