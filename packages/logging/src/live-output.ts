import type { LogEntry, LogOutput, OutputStats } from './log-output.js';

/** Receives each entry as it is logged (already filtered and redacted). Must return at once and never block. */
export type LogListener = (entry: LogEntry) => void;

/**
 * In-process subscribers to the live log (a dashboard's log view, a test). Entries are handed
 * over synchronously; a listener that throws loses that entry (counted), never the turn, and
 * a listener that needs to do I/O must queue the entry itself.
 */
export class LiveOutput implements LogOutput {
  readonly name = 'live';
  readonly level: number;
  readonly #listeners = new Set<LogListener>();
  #written = 0;
  #failed = 0;
  #lastError: string | undefined;

  constructor(level: number) {
    this.level = level;
  }

  write(_line: string, entry: LogEntry): void {
    for (const listener of this.#listeners) {
      try {
        listener(entry);
        this.#written++;
      } catch (error) {
        this.#failed++;
        this.#lastError = error instanceof Error ? error.message : String(error);
      }
    }
  }

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: LogListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }

  stats(): OutputStats {
    return {
      name: this.name,
      written: this.#written,
      dropped: 0,
      failed: this.#failed,
      ...(this.#lastError !== undefined && { lastError: this.#lastError }),
      details: { subscribers: this.#listeners.size },
    };
  }
}
