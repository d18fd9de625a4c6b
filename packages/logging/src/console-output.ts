import { write as writeToFd } from 'node:fs';
import { isatty } from 'node:tty';
import { formatConsoleLine } from './console-format.js';
import { DEFAULT_MAX_QUEUED_BYTES, type LogEntry, QueuedOutput } from './log-output.js';
import { escapeTerminalControlsInJson } from './terminal-text.js';

/** Where console output goes and how it looks. */
export interface ConsoleOutputOptions {
  /** Human-readable lines (`true`) or the raw JSON lines (`false`). Default: true. */
  pretty?: boolean;
  /**
   * ANSI colours: `auto` uses them only when the destination is a terminal and `NO_COLOR` is not
   * set (`FORCE_COLOR` forces them). Default: `auto`.
   */
  colors?: boolean | 'auto';
  /**
   * A file descriptor (written with asynchronous `fs.write`, so a blocked pipe never blocks the
   * event loop) or a writable stream. Default: 1 (stdout).
   */
  destination?: number | NodeJS.WritableStream;
  /** Wait before writing a batch, so several entries share one write; a full 64 KiB goes at once. Default: 20 ms. */
  batchDelayMs?: number;
  /** Pending bytes kept while the destination is slow; beyond it entries are dropped and counted. Default: 4 MiB. */
  maxQueuedBytes?: number;
}

const RETRY_DELAY_MS = 10;
const MAX_EAGAIN_RETRIES = 500;

const wantsColours = (setting: boolean | 'auto', destination: number | NodeJS.WritableStream): boolean => {
  if (setting !== 'auto') return setting;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.TERM === 'dumb') return false;
  return typeof destination === 'number' ? isatty(destination) : (destination as { isTTY?: boolean }).isTTY === true;
};

const writeAll = (fd: number, buffer: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    let offset = 0;
    let retries = 0;
    const step = () => {
      writeToFd(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
        if (error) {
          // A terminal or pipe in non-blocking mode answers EAGAIN when full: wait, don't spin.
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && retries++ < MAX_EAGAIN_RETRIES) {
            setTimeout(step, RETRY_DELAY_MS);
            return;
          }
          reject(error);
          return;
        }
        offset += written;
        if (offset < buffer.length) step();
        else resolve();
      });
    };
    step();
  });

const writeToStream = (stream: NodeJS.WritableStream, text: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const writable = stream as NodeJS.WritableStream & { destroyed?: boolean; errored?: Error | null };
    if (writable.destroyed || writable.errored) {
      reject(writable.errored ?? new Error('the console stream is closed'));
      return;
    }
    // The callback fires once the chunk is handed over (or failed): backpressure without listeners.
    stream.write(text, (error?: Error | null) => (error ? reject(error) : resolve()));
  });

/** Human-readable (or JSON) lines to stdout or a stream, written off the agent's path. */
export class ConsoleOutput extends QueuedOutput {
  readonly #pretty: boolean;
  readonly #colours: boolean;
  readonly #destination: number | NodeJS.WritableStream;

  constructor(level: number, options: ConsoleOutputOptions = {}) {
    super('console', level, options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES, options.batchDelayMs);
    this.#destination = options.destination ?? 1;
    this.#pretty = options.pretty ?? true;
    this.#colours = this.#pretty && wantsColours(options.colors ?? 'auto', this.#destination);
  }

  protected override format(line: string, entry: LogEntry): string {
    // A terminal would act on control characters in the text, so none reaches it raw.
    return this.#pretty ? formatConsoleLine(entry, this.#colours) : escapeTerminalControlsInJson(line);
  }

  protected override writeBatch(texts: readonly string[]): Promise<void> {
    const text = texts.join('');
    return typeof this.#destination === 'number'
      ? writeAll(this.#destination, Buffer.from(text))
      : writeToStream(this.#destination, text);
  }

  protected override details(): Record<string, unknown> {
    return { pretty: this.#pretty, colours: this.#colours };
  }
}
