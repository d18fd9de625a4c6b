import type { LogFields, LogLevel } from '@entity/core';

/** One entry as outputs see it: already filtered and redacted. */
export interface LogEntry {
  /** Epoch milliseconds. */
  time: number;
  level: LogLevel;
  levelValue: number;
  message: string;
  /** Fields given with this entry. */
  fields: LogFields | undefined;
  /** Fields bound by `child()` (and the logger's base fields). */
  bindings: LogFields;
}

/** A field of an entry: its own fields first, then the bindings. */
export const fieldOf = (entry: LogEntry, key: string): unknown => entry.fields?.[key] ?? entry.bindings[key];

/** Counters of one output, for health checks and tests. */
export interface OutputStats {
  name: string;
  /** Entries handed to the destination. */
  written: number;
  /** Entries refused because the bounded buffer was full (or a client was too slow). */
  dropped: number;
  /** Entries lost because the destination failed (disk full, closed pipe...). */
  failed: number;
  /** The last failure, as a short message without stack. */
  lastError?: string;
  /** Whether the most recent write failed (the destination is failing now, not just once). */
  failing?: boolean;
  /** Output-specific facts (clients connected, current file...). */
  details?: Record<string, unknown>;
}

/**
 * A destination of log entries. `write` is called synchronously on the agent's path: it must
 * return at once, never throw, and never wait for I/O.
 */
export interface LogOutput {
  readonly name: string;
  /** Entries below this numeric level are not passed to `write`. */
  readonly level: number;
  write(line: string, entry: LogEntry): void;
  start?(): Promise<void>;
  /** Resolves when everything accepted so far has been written (or failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): OutputStats;
}

/** Default bound of each queued output: 4 MiB of pending text. */
export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** Default wait before a batch is written: entries of several turns share one write call. */
export const DEFAULT_BATCH_DELAY_MS = 20;
/** Pending text that triggers a write at once instead of waiting for the delay. */
const HIGH_WATER_BYTES = 64 * 1024;

/**
 * Base of outputs that write text in batches: a bounded queue filled synchronously and drained
 * asynchronously. When the queue is full new entries are dropped and counted; once it drains, a
 * warning entry tells the destination how many were lost.
 */
export abstract class QueuedOutput implements LogOutput {
  readonly name: string;
  readonly level: number;
  readonly #maxQueuedBytes: number;
  readonly #batchDelayMs: number;
  #wake: (() => void) | undefined;
  #queue: string[] = [];
  #queuedBytes = 0;
  #draining: Promise<void> | undefined;
  #written = 0;
  #dropped = 0;
  #droppedUnreported = 0;
  #failed = 0;
  #lastError: string | undefined;
  #failing = false;

  constructor(name: string, level: number, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES, batchDelayMs = DEFAULT_BATCH_DELAY_MS) {
    this.name = name;
    this.level = level;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#batchDelayMs = Math.max(0, batchDelayMs);
  }

  write(line: string, entry: LogEntry): void {
    let text: string;
    try {
      text = this.format(line, entry);
    } catch (error) {
      this.#recordFailure(1, error);
      return;
    }
    // The bound is in bytes, as written: a string's length counts UTF-16 units (1 for up to 3 bytes).
    const bytes = Buffer.byteLength(text);
    if (this.#queuedBytes + bytes > this.#maxQueuedBytes) {
      this.#dropped++;
      this.#droppedUnreported++;
      return;
    }
    this.#queue.push(text);
    this.#queuedBytes += bytes;
    this.#draining ??= this.#drain();
    if (this.#queuedBytes >= HIGH_WATER_BYTES) this.#wakeUp();
  }

  async flush(): Promise<void> {
    while (this.#draining) {
      this.#wakeUp();
      await this.#draining;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    try {
      await this.closeDestination();
    } catch (error) {
      this.#recordFailure(0, error);
    }
  }

  stats(): OutputStats {
    const stats: OutputStats = { name: this.name, written: this.#written, dropped: this.#dropped, failed: this.#failed, failing: this.#failing };
    if (this.#lastError !== undefined) stats.lastError = this.#lastError;
    const details = this.details();
    if (details !== undefined) stats.details = details;
    return stats;
  }

  /** Turns a pino JSON line into the text written; the default keeps the line. */
  protected format(line: string, _entry: LogEntry): string {
    return line;
  }

  /** Writes a batch of already formatted entries, in order. */
  protected abstract writeBatch(texts: readonly string[]): Promise<void>;

  protected closeDestination(): Promise<void> | void {}

  protected details(): Record<string, unknown> | undefined {
    return undefined;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #drain(): Promise<void> {
    // Wait a little so the entries of several turns go out in one write (one syscall, not one per entry).
    await new Promise<void>((resolve) => {
      const timer = this.#batchDelayMs === 0 ? setImmediate(resolve) : setTimeout(resolve, this.#batchDelayMs);
      this.#wake = () => {
        if (this.#batchDelayMs === 0) clearImmediate(timer as NodeJS.Immediate);
        else clearTimeout(timer as NodeJS.Timeout);
        resolve();
      };
    });
    this.#wake = undefined;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        this.#queuedBytes = 0;
        try {
          await this.writeBatch(batch);
          this.#written += batch.length;
          this.#failing = false;
        } catch (error) {
          this.#recordFailure(batch.length, error);
        }
        if (this.#queue.length === 0 && this.#droppedUnreported > 0) this.#reportDrops();
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #reportDrops(): void {
    const dropped = this.#droppedUnreported;
    this.#droppedUnreported = 0;
    const entry: LogEntry = {
      time: Date.now(),
      level: 'warn',
      levelValue: 40,
      message: `logging output "${this.name}" dropped ${dropped} entries: its buffer was full`,
      fields: { component: 'logging', output: this.name, dropped },
      bindings: {},
    };
    const line = `${JSON.stringify({ level: entry.level, time: new Date(entry.time).toISOString(), ...entry.fields, msg: entry.message })}\n`;
    try {
      const text = this.format(line, entry);
      this.#queue.push(text);
      this.#queuedBytes += Buffer.byteLength(text);
    } catch (error) {
      this.#recordFailure(0, error);
    }
  }

  #recordFailure(entries: number, error: unknown): void {
    this.#failed += entries;
    this.#failing = true;
    this.#lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
