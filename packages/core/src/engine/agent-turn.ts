import { randomUUID } from 'node:crypto';
import type { ChatResult } from '../contracts/events.js';
import type { ChatMessage } from '../contracts/message.js';
import type { ToolResult } from '../contracts/tool.js';
import { RunFailedError, TimeoutError, ValidationError } from '../errors/index.js';
import type { AgentLifecycle } from './agent-lifecycle.js';
import type { ChatOptions } from './agent-options.js';
import { STATE } from './ask-model.js';
import { linkAbort, untilAborted } from './linked-abort.js';
import { checkedNestingDepth } from './nesting.js';
import { executeRun } from './pipeline.js';
import { Run } from './run.js';
import { RunContext } from './run-context.js';
import type { EventSink } from './runtime.js';
import { outputRequestOf } from './structured-output.js';
import { callTool } from './tool-runner.js';

const ID_PATTERN = /^[\w.@:+-]{1,200}$/;

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

/** A copy of a caller's history, once each message has a known role and text content. */
function checkHistory(history: unknown): ChatMessage[] {
  if (!Array.isArray(history)) throw new ValidationError('history must be an array of messages ({ role, content })');
  return history.map((message: unknown, index) => {
    const { role, content } = (typeof message === 'object' && message !== null ? message : {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !ROLES.has(role) || typeof content !== 'string') {
      throw new ValidationError(`history[${index}] is not a message: it needs a role (system, user, assistant or tool) and text content`);
    }
    const { toolCallId, name } = message as { toolCallId?: unknown; name?: unknown };
    if (role === 'tool' && (typeof toolCallId !== 'string' || typeof name !== 'string')) {
      throw new ValidationError(`history[${index}] is a tool message without its toolCallId and name (the call it answers)`);
    }
    return { ...(message as ChatMessage) };
  });
}

/** The user and conversation of a call, checked (defaults: `default`). */
function checkedIds(options: { userId?: string; conversationId?: string }): { userId: string; conversationId: string } {
  const userId = options.userId ?? 'default';
  const conversationId = options.conversationId ?? 'default';
  for (const [label, value] of [['userId', userId], ['conversationId', conversationId]] as const) {
    if (!ID_PATTERN.test(value)) {
      throw new ValidationError(`${label} "${value}" is invalid: use 1-200 letters, digits or . _ @ : + -`);
    }
  }
  return { userId, conversationId };
}

/**
 * One turn of `chat()` or `stream()` (`emit` set): checks the input, starts the agent when needed,
 * and runs the stages under the run's timeout and the caller's and the agent's cancellation.
 */
export async function runTurn(lifecycle: AgentLifecycle, message: string, options: ChatOptions, emit: EventSink | undefined): Promise<ChatResult> {
  if (typeof message !== 'string') throw new ValidationError(`chat() needs the message as a string; got ${typeof message}`);
  const { userId, conversationId } = checkedIds(options);
  const history = options.history === undefined ? undefined : checkHistory(options.history);
  const nestingDepth = checkedNestingDepth(options, lifecycle.name);
  if (options.parentOperationId !== undefined && !Number.isSafeInteger(options.parentOperationId)) {
    throw new ValidationError(`parentOperationId must be an operation id (an integer, ToolContext.operationId); got ${String(options.parentOperationId)}`);
  }
  const output = outputRequestOf(options.output, options.outputName);
  return lifecycle.activeRuns.track(async (active) => {
    const stopSignal = active.controller.signal;
    // A start that hangs must not hold the run (or the stop that cancels it).
    await untilAborted(lifecycle.start(), stopSignal);
    if (stopSignal.aborted) throw stopSignal.reason;
    const runtime = lifecycle.runtime!;
    const timeoutMs = options.timeoutMs ?? runtime.settings.runTimeoutMs;
    // Cancellation (the caller's signal, stop()) and the run's timeout are kept apart: the ERROR stage outlives the timeout.
    const cancel = options.signal ? linkAbort([options.signal, stopSignal]) : undefined;
    const cancelSignal = cancel?.signal ?? stopSignal;
    const runAbort = linkAbort([cancelSignal]);
    const timer = setTimeout(() => runAbort.controller.abort(new TimeoutError(`The run took longer than ${timeoutMs} ms`, timeoutMs, {
      safeMessage: 'Sorry, that took too long. Please try again.',
    })), timeoutMs);
    const run = new Run(randomUUID(), message, userId, conversationId, runAbort.signal, emit, cancelSignal);
    run.correlationId = options.correlationId;
    run.parentOperationId = options.parentOperationId;
    run.nestingDepth = nestingDepth;
    if (history) {
      run.history = history;
      run.state.set(STATE.callerHistory, true);
    }
    run.output = output;
    active.run = run;
    try {
      const result = await executeRun(run, new RunContext(run, runtime), runtime);
      if (options.throwOnFailure && run.failure) throw new RunFailedError(result, run.failure.error);
      return result;
    } finally {
      run.settled = true;
      clearTimeout(timer);
      runAbort.unlink();
      cancel?.unlink();
    }
  });
}

/**
 * Calls one registered tool outside a turn (`agent.callTool`), through the same runner as a
 * model's call; only cancellation rejects.
 */
export async function callToolOutsideTurn(
  lifecycle: AgentLifecycle,
  name: string,
  args: unknown,
  options: Omit<ChatOptions, 'throwOnFailure' | 'timeoutMs'>,
): Promise<ToolResult> {
  const { userId, conversationId } = checkedIds(options);
  return lifecycle.activeRuns.track(async (active) => {
    const stopSignal = active.controller.signal;
    await untilAborted(lifecycle.start(), stopSignal);
    if (stopSignal.aborted) throw stopSignal.reason;
    const cancel = options.signal ? linkAbort([options.signal, stopSignal]) : undefined;
    const signal = cancel?.signal ?? stopSignal;
    const run = new Run(randomUUID(), '', userId, conversationId, signal, undefined);
    run.stage = 'DO';
    run.correlationId = options.correlationId;
    run.nestingDepth = checkedNestingDepth(options, lifecycle.name);
    active.run = run;
    try {
      return await callTool(run, lifecycle.runtime!, name, args, run.nextCallId(), 0);
    } finally {
      run.settled = true;
      cancel?.unlink();
    }
  });
}
