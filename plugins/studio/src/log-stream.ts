import { LEVEL_VALUES } from './api-schemas.js';
import { redactor } from './studio-responses.js';
import type { LiveLogSource, StudioLogEntry } from './studio-types.js';

/** What the page receives for each log entry. */
export interface PageLogEntry {
  time: number;
  level: string;
  message: string;
  component: string | undefined;
  runId: string | undefined;
  userId: string | undefined;
  fields: Record<string, unknown>;
}

export interface LogStreamFilter {
  level: keyof typeof LEVEL_VALUES;
  component?: string | undefined;
  runId?: string | undefined;
}

/**
 * Bytes queued for a client that reads slower than the agent logs; beyond it entries are dropped
 * (and counted). Counted in bytes, like the logger's own outputs: a count of entries would let a
 * few large ones hold tens of MiB per open view.
 */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

const fieldOf = (entry: StudioLogEntry, key: string): unknown => entry.fields?.[key] ?? entry.bindings[key];
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function matches(entry: StudioLogEntry, filter: LogStreamFilter): boolean {
  if (entry.levelValue < LEVEL_VALUES[filter.level]) return false;
  if (filter.runId !== undefined && fieldOf(entry, 'runId') !== filter.runId) return false;
  if (filter.component !== undefined && !['component', 'plugin', 'tool', 'resource'].some((key) => fieldOf(entry, key) === filter.component)) return false;
  return true;
}

function pageEntry(entry: StudioLogEntry): PageLogEntry {
  const { pid: _pid, hostname: _hostname, ...fields } = { ...entry.bindings, ...entry.fields };
  return {
    time: entry.time,
    level: entry.level,
    message: entry.message,
    component: text(fieldOf(entry, 'component')),
    runId: text(fieldOf(entry, 'runId')),
    userId: text(fieldOf(entry, 'userId')),
    fields: redactor.fields(fields),
  };
}

const frame = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(redactor.fields(data))}\n\n`);

/**
 * The live log as Server-Sent Events: a `ready` event, then one `log` event per entry that passes
 * the filter, `dropped` when the client fell behind, and heartbeats. Ends when the client goes
 * away or the server shuts down (`signal`); the page reconnects. `onEnd` is called once when it ends.
 */
export function logStreamResponse(source: LiveLogSource, filter: LogStreamFilter, signals: AbortSignal[], onEnd: () => void = () => {}): Response {
  let unsubscribe = () => {};
  let heartbeat: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  let ended = false;
  const stop = () => {
    if (ended) return;
    ended = true;
    onEnd();
    unsubscribe();
    clearInterval(heartbeat);
    // The server's shutdown and draining signals live as long as the server: a listener left on
    // them would keep every finished stream (and its queue) in memory.
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let dropped = 0;
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          stop();
          try {
            controller.close();
          } catch {
            // Already closed by the client.
          }
        };
        onAbort = close;
        for (const signal of signals) {
          if (signal.aborted) return close();
          signal.addEventListener('abort', close, { once: true });
        }
        const send = (chunk: Uint8Array) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) <= 0) {
            dropped++;
            return;
          }
          if (dropped > 0) {
            controller.enqueue(frame('dropped', { count: dropped }));
            dropped = 0;
          }
          controller.enqueue(chunk);
        };
        try {
          unsubscribe = source.subscribe((entry) => {
            if (matches(entry, filter)) send(frame('log', pageEntry(entry)));
          });
        } catch (error) {
          // A logger with live subscriptions off: the stream never starts, so nothing may stay registered.
          stop();
          throw error;
        }
        heartbeat = setInterval(() => send(encoder.encode(': heartbeat\n\n')), HEARTBEAT_MS);
        heartbeat.unref?.();
        controller.enqueue(frame('ready', { filter }));
      },
      cancel: stop,
    },
    { highWaterMark: MAX_QUEUED_BYTES, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    },
  });
}
