import type { ChatRequest, ChatResponse, ChatStreamEvent, LLM, StructuredRequest, StructuredResponse, Usage } from '../contracts/llm.js';
import { ValidationError } from '../errors/index.js';
import type { ToolCall } from '../contracts/message.js';

/** One scripted model turn: plain text, or text and/or tool calls. */
export type ScriptedTurn = string | { content?: string; toolCalls?: (Omit<ToolCall, 'id'> & { id?: string })[]; usage?: Partial<Usage> };

export type ScriptedReplies = ScriptedTurn[] | ((request: ChatRequest, callIndex: number) => ScriptedTurn | Promise<ScriptedTurn>);

export interface ScriptedLLM extends LLM {
  /** Every request received, in order (a `generateObject` request too, as the chat request it amounts to). */
  readonly requests: ChatRequest[];
  /** Every `generateObject` request, with its schema. */
  readonly structuredRequests: StructuredRequest<unknown>[];
  /**
   * Structured output from the script: the next turn's text is read as JSON and validated by the
   * schema; like the providers, an invalid reply is retried once (the next turn), then it throws
   * a ValidationError with code `LLM_OUTPUT_INVALID`.
   */
  generateObject<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>>;
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
  const structuredRequests: StructuredRequest<unknown>[] = [];
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
    structuredRequests,
    capabilities: { streaming: true, tools: true, structuredOutput: true, embeddings: false },
    chat: (request) => next(request),
    async generateObject<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>> {
      if (options.recordRequests !== false) structuredRequests.push(request as StructuredRequest<unknown>);
      const { schema: _schema, schemaName: _schemaName, ...chatRequest } = request;
      let problem = '';
      for (let attempt = 1; attempt <= 2; attempt++) {
        const { content, toolCalls: _toolCalls, ...response } = await next(chatRequest);
        let value: unknown;
        try {
          value = JSON.parse(content);
        } catch {
          problem = 'the reply was not valid JSON';
          continue;
        }
        const parsed = request.schema.safeParse(value);
        if (parsed.success) return { ...response, object: parsed.data, raw: content };
        problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      }
      throw new ValidationError(`The scripted structured output did not match the schema after one retry: ${problem}`, {
        code: 'LLM_OUTPUT_INVALID',
        safeMessage: 'The model did not produce a valid answer. Please try again.',
      });
    },
    async *stream(request): AsyncIterable<ChatStreamEvent> {
      const response = await next(request);
      for (const piece of response.content.match(/\S+\s*/g) ?? []) yield { type: 'text-delta', text: piece };
      for (const toolCall of response.toolCalls) yield { type: 'tool-call', toolCall };
      yield { type: 'finish', response };
    },
  };
}
