import { createHash, randomUUID } from 'node:crypto';
import { type ZodType, z } from 'zod';
import type { ChatResult } from '../contracts/events.js';
import type { Tool, ToolContext } from '../contracts/tool.js';
import { defineTool } from '../define/define-tool.js';
import { once } from '../define/lazy-schema.js';
import { EntityError, ToolError, ValidationError } from '../errors/index.js';
import type { Agent, ChatOptions } from '../engine/agent.js';
import { NESTING_DEPTH, type Nested } from '../engine/nesting.js';

// Built on the first agentTool() without an `input`, not when `@entity/core` loads.
const defaultInput = once(() =>
  z.object({
    message: z.string().min(1).describe('What to ask the agent, in full: it does not see this conversation.'),
  }),
);

type DefaultInput = z.output<ReturnType<typeof defaultInput>>;

export interface AgentToolOptions<TInput = DefaultInput> {
  /** The tool's name, as the calling model sees it: 1-64 letters, digits, `_` or `-`. */
  name: string;
  /** Tells the calling model what the agent is good at and when to ask it. */
  description: string;
  /** Arguments the calling model passes. Default: `{ message: string }`, sent to the agent as its message. */
  input?: ZodType<TInput>;
  /** Turns the arguments into the agent's message. Default: `message` of the default input, else the arguments as JSON. */
  message?: (args: TInput) => string;
  /**
   * Which conversation of the called agent a call continues. `continue` (the default): one per
   * conversation of the caller — its id is `<caller's conversation id>:<tool name>` (hashed when
   * longer than ids may be) — so a second call in the same conversation continues the first one.
   * `fresh`: every call starts a new conversation (`…:<tool name>:<call id>`).
   */
  conversation?: 'continue' | 'fresh';
  /** Budget of one call in ms, the called agent's whole turn included. Default: the caller's `toolTimeoutMs` (30 s). */
  timeoutMs?: number;
}

/** Longest conversation id `chat()` accepts. */
const MAX_ID_LENGTH = 200;

/** The called agent's conversation for a call: see {@link AgentToolOptions.conversation}. */
export function innerConversationId(callerConversationId: string, toolName: string, callId?: string): string {
  const suffix = callId === undefined ? `:${toolName}` : `:${toolName}:${callId}`;
  const id = `${callerConversationId}${suffix}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  const hashed = `${createHash('sha256').update(callerConversationId).digest('hex').slice(0, 40)}${suffix}`;
  return hashed.length <= MAX_ID_LENGTH ? hashed : createHash('sha256').update(id).digest('hex');
}

/** Runs `agent` for one tool call: streaming its events nested under the call when the caller streams. */
async function runInner(agent: Agent, message: string, options: ChatOptions, context: ToolContext): Promise<ChatResult> {
  const forward = context.streaming ? context.forwardEvent : undefined;
  if (!forward) return agent.chat(message, options);
  let result: ChatResult | undefined;
  for await (const event of agent.stream(message, options)) {
    if (event.type === 'done') result = event.result;
    else await forward(agent.name, event);
  }
  if (!result) throw new Error(`the stream of agent "${agent.name}" ended without a result`);
  return result;
}

/**
 * One agent used as a tool of another: the calling model asks it a question, and its answer (the
 * text of its turn) is the tool's result. The called agent keeps its own resources, plugins and
 * tools; its memory is scoped by the caller's user — it runs with the caller's `userId` and a
 * conversation of its own derived from the caller's (see {@link AgentToolOptions.conversation}),
 * so two users never see each other's inner conversations. Cancelling the caller's run cancels the
 * inner one; the inner run shares the caller's correlation id and its operations nest under this
 * tool call in traces. When the caller streams, the inner run's events arrive as `nested` events
 * under this call's id. A failed inner turn (or an agent that cannot run) is a tool error the
 * calling model can read, never a crash of the caller's turn.
 *
 * The called agent is started on first use and is yours to stop (`await agent.stop()`); it may
 * serve several callers at once.
 */
export function agentTool(agent: Agent, options: AgentToolOptions): Tool<DefaultInput, string>;
export function agentTool<TInput>(agent: Agent, options: AgentToolOptions<TInput> & { input: ZodType<TInput> }): Tool<TInput, string>;
export function agentTool<TInput>(agent: Agent, options: AgentToolOptions<TInput>): Tool<TInput, string> {
  const input = (options.input ?? defaultInput()) as ZodType<TInput>;
  const toMessage =
    options.message ??
    ((args: TInput) => (options.input === undefined ? (args as DefaultInput).message : JSON.stringify(args)));
  const fresh = options.conversation === 'fresh';
  if (options.conversation !== undefined && !fresh && options.conversation !== 'continue') {
    throw new ValidationError(`agentTool "${options.name}": conversation must be "continue" or "fresh"; got ${String(options.conversation)}`);
  }
  return defineTool({
    name: options.name,
    description: options.description,
    input,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    async execute(args, context) {
      const chatOptions: ChatOptions & Nested = {
        [NESTING_DEPTH]: ((context as Nested)[NESTING_DEPTH] ?? 0) + 1,
        userId: context.userId,
        conversationId: innerConversationId(context.conversationId, options.name, fresh ? (context.callId ?? randomUUID()) : undefined),
        signal: context.signal,
        ...(context.operationId === undefined ? {} : { parentOperationId: context.operationId }),
        ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
      };
      let result: ChatResult;
      try {
        result = await runInner(agent, toMessage(args as TInput), chatOptions, context);
      } catch (error) {
        // The caller's cancellation is told apart by the tool runner (it checks the run's signal);
        // anything else — the agent stopping, a start failure — is this call's failure, in safe words.
        const reason = EntityError.isInstance(error) ? error.safeMessage : 'it could not run';
        throw new ToolError(options.name, `The agent "${agent.name}" did not answer: ${reason}`, { cause: error });
      }
      if (result.status === 'failed') {
        const failure = result.info.failure;
        throw new ToolError(
          options.name,
          `The agent "${agent.name}" could not answer${failure ? ` (${failure.code}): ${failure.message}` : ''}`,
        );
      }
      return result.text;
    },
  }) as Tool<TInput, string>;
}
