import type { AgentEvent, ChatResult } from '../contracts/events.js';
import type { EventSink } from './runtime.js';

/**
 * Turns a run that reports events through a callback into an async iterable. Leaving the loop
 * early (break, return, throw) cancels the run.
 */
export async function* streamEvents(
  run: (emit: EventSink, signal: AbortSignal) => Promise<ChatResult>,
  callerSignal: AbortSignal | undefined,
): AsyncGenerator<AgentEvent> {
  const controller = new AbortController();
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  const queue: AgentEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  run((event) => {
    queue.push(event);
    notify();
  }, signal).then(
    (result) => {
      queue.push({ type: 'done', result });
      finished = true;
      notify();
    },
    (error: unknown) => {
      failure = error;
      finished = true;
      notify();
    },
  );
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (finished) {
        if (failure !== undefined) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished) controller.abort();
  }
}
