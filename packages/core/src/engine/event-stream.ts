import type { AgentEvent, ChatResult } from '../contracts/events.js';
import { ValidationError } from '../errors/index.js';
import { linkAbort } from './linked-abort.js';
import type { EventSink } from './runtime.js';

/**
 * Events `agent.stream()` holds for a consumer that reads slower than the run produces, by default.
 * Enough to smooth out a renderer's hiccups; a run then waits for the consumer instead of
 * buffering a whole answer token by token.
 */
export const DEFAULT_MAX_BUFFERED_EVENTS = 64;

/** Throws a ValidationError unless `value` is a usable `maxBufferedEvents`. */
export function checkMaxBufferedEvents(value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`maxBufferedEvents must be a positive integer; got ${String(value)}. Leave it out for the default (${DEFAULT_MAX_BUFFERED_EVENTS}).`);
  }
}

/**
 * Turns a run that reports events through a callback into an async iterable, with back-pressure:
 * at most `maxBufferedEvents` events wait for the consumer; past that, `emit` returns a promise that
 * resolves once the consumer has made room, and the engine awaits it. Events are never dropped and
 * keep their order (an event a producer did not wait for queues behind the ones that did). Leaving
 * the loop early (break, return, throw) cancels the run and releases waiting producers.
 */
export async function* streamEvents(
  run: (emit: EventSink, signal: AbortSignal) => Promise<ChatResult>,
  callerSignal: AbortSignal | undefined,
  maxBufferedEvents = DEFAULT_MAX_BUFFERED_EVENTS,
): AsyncGenerator<AgentEvent> {
  const { controller, signal, unlink } = linkAbort([callerSignal]);
  const buffer: AgentEvent[] = [];
  /** Events whose producers wait for room, in emit order. */
  const waiting: { event: AgentEvent; admit: () => void }[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  let finished = false;
  let result: ChatResult | undefined;
  let failure: unknown;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const admitWaiting = () => {
    while (waiting.length > 0 && buffer.length < maxBufferedEvents) {
      const next = waiting.shift()!;
      buffer.push(next.event);
      next.admit();
    }
  };
  const emit: EventSink = (event) => {
    if (closed) return undefined;
    if (waiting.length === 0 && buffer.length < maxBufferedEvents) {
      buffer.push(event);
      notify();
      return undefined;
    }
    return new Promise<void>((admit) => {
      waiting.push({ event, admit });
    });
  };
  run(emit, signal).then(
    (value) => {
      result = value;
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
      if (buffer.length > 0) {
        const event = buffer.shift()!;
        admitWaiting();
        yield event;
        continue;
      }
      if (finished) {
        if (failure !== undefined) throw failure;
        // `done` is yielded here rather than buffered: it is always last, after every event the run emitted.
        if (result) yield { type: 'done', result };
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    closed = true;
    for (const producer of waiting.splice(0)) producer.admit();
    if (!finished) controller.abort();
    unlink();
  }
}
