import type { Context } from '../contracts/context.js';
import type { ChatResult } from '../contracts/events.js';
import type { ChatMessage } from '../contracts/message.js';
import type { Stage } from '../contracts/stage.js';
import { EntityError, StageError, ValidationError } from '../errors/index.js';
import type { Agent, ChatOptions } from '../engine/agent.js';
import { NESTING_DEPTH, type Nested } from '../engine/nesting.js';
import { RunContext } from '../engine/run-context.js';

export interface HandoffOptions {
  /** Why the turn was handed off; recorded in `info.annotations.handoff` and the `handoff` event. */
  reason?: string;
}

/** What `info.annotations.handoff` holds after a hand-off. */
export interface HandoffRecord {
  /** The receiving agent's name. */
  to: string;
  reason?: string;
  /** The receiving agent's run, for its log lines. */
  runId: string;
  status: ChatResult['status'];
}

const HANDOFF_STAGES: ReadonlySet<Stage> = new Set(['PARSE', 'THINK', 'DO']);
const MAX_REASON_LENGTH = 1_000;

/**
 * What the receiving agent is shown of the conversation: the earlier turns as text. Tool calls and
 * their results are left out — they name the sending agent's tools, which the receiver does not
 * have, and a provider rejects a call whose result is missing.
 */
export function conversationAsText(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.flatMap((message): ChatMessage[] => {
    if (message.role === 'user') return [{ role: 'user', content: message.content }];
    if (message.role === 'assistant' && message.content.trim() !== '') return [{ role: 'assistant', content: message.content }];
    return [];
  });
}

/**
 * Passes the rest of this turn to another agent, from a PARSE, THINK or DO plugin. The receiving
 * agent sees the conversation (the earlier turns as text, see {@link conversationAsText}, and this
 * turn's user message) and runs its own workflow with its own resources and tools, as the same
 * user; its answer becomes this turn's answer.
 *
 * The conversation stays this agent's: the turn (the user's message and the receiving agent's
 * answer) is saved once, here, by the built-in DELIVER plugin. The receiving agent stores no
 * history of its own for it (it runs with `history`, see `ChatOptions.history`); values it keeps
 * with `ctx.remember` go to its memory, per user. In DO, tool calls the model asked for and that
 * have not run are answered with a note that the turn was handed off, and do not run.
 *
 * Recorded in `info.annotations.handoff` ({@link HandoffRecord}) and announced to stream consumers
 * with a `custom` event named `handoff` (`{ callId, to, reason }`); the receiving agent's events
 * follow as `nested` events under that `callId`. When the receiving agent's turn fails, this one
 * fails too (code `HANDOFF_FAILED`), with the receiver's reply as its safe message.
 *
 * Hand-offs are not checked for loops in advance: two agents that hand off to each other by the
 * same rule stop when agents are nested more than 8 deep (`agentTool` calls count too), and the
 * turn fails with `HANDOFF_FAILED`, the innermost error (`NESTING_TOO_DEEP`) as its reply.
 */
export async function handoff(context: Context, agent: Agent, options: HandoffOptions = {}): Promise<ChatResult> {
  if (!HANDOFF_STAGES.has(context.stage)) {
    throw new StageError(`handoff() was called in the ${context.stage} stage; the turn can be handed off from PARSE, THINK or DO only, before it is answered`);
  }
  if (context.responded) throw new StageError('handoff() was called after the turn was answered');
  const { reason } = options;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
    throw new ValidationError(`handoff(): reason must be text of at most ${MAX_REASON_LENGTH} characters`);
  }
  const internal = context instanceof RunContext ? context : undefined;
  internal?.checkCanSettle();
  const callId = `handoff_${context.runId.slice(0, 8)}_${context.iteration}`;
  await context.advanced.emit('handoff', { callId, to: agent.name, ...(reason === undefined ? {} : { reason }) });
  // The user's message goes as the receiver's message; what came before it, and after it in this turn, as history.
  const [message, ...later] = context.advanced.newMessages;
  const conversation = context.conversation();
  const earlier = conversation.slice(0, conversation.length - context.advanced.newMessages.length);
  const history = conversationAsText([...earlier, ...later]);
  const chatOptions: ChatOptions & Nested = {
    [NESTING_DEPTH]: (internal?.nestingDepth ?? 0) + 1,
    userId: context.userId,
    conversationId: context.conversationId,
    signal: context.signal,
    history,
    ...(internal?.correlationId === undefined ? {} : { correlationId: internal.correlationId }),
    ...(internal ? { parentOperationId: internal.operationId } : {}),
  };
  const text = message?.content ?? context.message;
  let result: ChatResult | undefined;
  if (context.advanced.streaming) {
    for await (const event of agent.stream(text, chatOptions)) {
      if (event.type === 'done') result = event.result;
      else await context.advanced.emitEvent({ type: 'nested', callId, agent: agent.name, event });
    }
    if (!result) throw new Error(`the stream of agent "${agent.name}" ended without a result`);
  } else {
    result = await agent.chat(text, chatOptions);
  }
  context.advanced.addUsage(result.info.usage);
  const record: HandoffRecord = { to: agent.name, ...(reason === undefined ? {} : { reason }), runId: result.info.runId, status: result.status };
  context.annotate('handoff', { ...record });
  if (result.status === 'failed') {
    throw new EntityError(`The turn was handed off to agent "${agent.name}", whose turn failed (${result.info.failure?.code ?? 'unknown'}); see its run ${result.info.runId} in the log`, {
      code: 'HANDOFF_FAILED',
      safeMessage: result.text,
    });
  }
  const note = `Not run: the turn was handed off to the agent "${agent.name}".`;
  if (internal) internal.settleWith(result.text, note);
  else context.answer(result.text);
  return result;
}
