import { randomUUID } from 'node:crypto';
import type { ChatResult } from '../contracts/events.js';
import { RunFailedError, TimeoutError, ValidationError } from '../errors/index.js';
import type { AgentLifecycle } from './agent-lifecycle.js';
import type { ChatOptions } from './agent-options.js';
import { linkAbort, untilAborted } from './linked-abort.js';
import { executeRun } from './pipeline.js';
import { Run } from './run.js';
import { RunContext } from './run-context.js';
import type { EventSink } from './runtime.js';
import { outputRequestOf } from './structured-output.js';

const ID_PATTERN = /^[\w.@:+-]{1,200}$/;

/**
 * One turn of `chat()` or `stream()` (`emit` set): checks the input, starts the agent when needed,
 * and runs the stages under the run's timeout and the caller's and the agent's cancellation.
 */
export async function runTurn(lifecycle: AgentLifecycle, message: string, options: ChatOptions, emit: EventSink | undefined): Promise<ChatResult> {
  if (typeof message !== 'string') throw new ValidationError(`chat() needs the message as a string; got ${typeof message}`);
  const userId = options.userId ?? 'default';
  const conversationId = options.conversationId ?? 'default';
  for (const [label, value] of [['userId', userId], ['conversationId', conversationId]] as const) {
    if (!ID_PATTERN.test(value)) {
      throw new ValidationError(`${label} "${value}" is invalid: use 1-200 letters, digits or . _ @ : + -`);
    }
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
