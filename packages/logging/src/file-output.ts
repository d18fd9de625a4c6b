import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DEFAULT_MAX_QUEUED_BYTES, QueuedOutput } from './log-output.js';

/** A JSON Lines file, rotated by size and by day, with old files removed. */
export interface FileOutputOptions {
  /**
   * Base path of the log files. Files are named `<name>.<YYYY-MM-DD>.<n><ext>` beside it
   * (`entity.jsonl` → `entity.2025-01-31.1.jsonl`), dates in UTC. Default: `./.entity/logs/entity.jsonl`.
   */
  path?: string;
  /** Start a new file when the current one would grow past this. Default: 10 MiB. */
  maxSizeBytes?: number;
  /** Start a new file when the UTC date changes. Default: true. */
  rotateDaily?: boolean;
  /** Keep at most this many files (the current one included). Default: 14. */
  maxFiles?: number;
  /** Delete files whose date is older than this many days. Default: 7. */
  maxAgeDays?: number;
  /** Wait before writing a batch, so several entries share one write; a full 64 KiB goes at once. Default: 20 ms. */
  batchDelayMs?: number;
  /** Pending bytes kept while the disk is slow; beyond it entries are dropped and counted. Default: 4 MiB. */
  maxQueuedBytes?: number;
  /** Clock, for tests of daily rotation. Default: `() => new Date()`. */
  now?: () => Date;
}

export const DEFAULT_LOG_FILE = './.entity/logs/entity.jsonl';
const DAY_MS = 86_400_000;

interface LogFileName {
  file: string;
  date: string;
  index: number;
}

const utcDate = (date: Date): string => date.toISOString().slice(0, 10);

/** Writes batches to the current file, rotating before a batch would cross a limit. */
export class FileOutput extends QueuedOutput {
  readonly #directory: string;
  readonly #stem: string;
  readonly #extension: string;
  readonly #maxSizeBytes: number;
  readonly #rotateDaily: boolean;
  readonly #maxFiles: number;
  readonly #maxAgeDays: number;
  readonly #now: () => Date;
  readonly #pattern: RegExp;
  #handle: FileHandle | undefined;
  #currentDate = '';
  #currentIndex = 0;
  #currentSize = 0;
  #rotations = 0;
  #closed = false;

  constructor(level: number, options: FileOutputOptions = {}) {
    super('file', level, options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES, options.batchDelayMs);
    const path = resolve(options.path ?? DEFAULT_LOG_FILE);
    this.#directory = dirname(path);
    this.#extension = extname(path) || '.jsonl';
    this.#stem = basename(path, extname(path));
    this.#maxSizeBytes = Math.max(1024, options.maxSizeBytes ?? 10 * 1024 * 1024);
    this.#rotateDaily = options.rotateDaily ?? true;
    this.#maxFiles = Math.max(1, options.maxFiles ?? 14);
    this.#maxAgeDays = Math.max(1, options.maxAgeDays ?? 7);
    this.#now = options.now ?? (() => new Date());
    const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#pattern = new RegExp(`^${escapeRegExp(this.#stem)}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)${escapeRegExp(this.#extension)}$`);
  }

  /** The file being written, once one is open. */
  get currentFile(): string | undefined {
    return this.#handle === undefined ? undefined : this.#fileName(this.#currentDate, this.#currentIndex);
  }

  async start(): Promise<void> {
    this.#closed = false;
    await this.#openCurrent();
  }

  protected override async writeBatch(texts: readonly string[]): Promise<void> {
    // Entries after stop() are counted as lost rather than reopening a file nobody will close.
    if (this.#closed) throw new Error('the log file is closed (logging was stopped)');
    if (this.#handle === undefined) await this.#openCurrent();
    // The date is read once per batch: a batch spans milliseconds, a day boundary at most once.
    if (this.#rotateDaily && utcDate(this.#now()) !== this.#currentDate) await this.#rotate();
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const text of texts) {
      const bytes = Buffer.byteLength(text);
      if (this.#tooBig(this.#currentSize + chunkBytes + bytes)) {
        if (chunk.length > 0) await this.#append(chunk.join(''), chunkBytes);
        chunk = [];
        chunkBytes = 0;
        if (this.#tooBig(this.#currentSize + bytes)) await this.#rotate();
      }
      chunk.push(text);
      chunkBytes += bytes;
    }
    if (chunk.length > 0) await this.#append(chunk.join(''), chunkBytes);
  }

  protected override async closeDestination(): Promise<void> {
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  protected override details(): Record<string, unknown> {
    return { file: this.currentFile, rotations: this.#rotations };
  }

  /** A single entry larger than the limit still gets written, alone in its file. */
  #tooBig(sizeAfter: number): boolean {
    return sizeAfter > this.#maxSizeBytes && this.#currentSize > 0;
  }

  async #append(text: string, bytes: number): Promise<void> {
    if (this.#handle === undefined) await this.#openCurrent();
    await this.#handle!.write(text);
    this.#currentSize += bytes;
  }

  async #openCurrent(): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
    const today = utcDate(this.#now());
    const existing = (await this.#listFiles()).filter((file) => file.date === today);
    const last = existing.at(-1);
    let index = last?.index ?? 1;
    let size = 0;
    if (last !== undefined) {
      size = (await stat(join(this.#directory, last.file))).size;
      if (size >= this.#maxSizeBytes) {
        index++;
        size = 0;
      }
    }
    await this.#openFile(today, index, size);
    await this.#prune();
  }

  async #rotate(): Promise<void> {
    const today = utcDate(this.#now());
    const index = today === this.#currentDate ? this.#currentIndex + 1 : 1;
    await this.#handle?.close();
    this.#handle = undefined;
    await this.#openFile(today, index, 0);
    this.#rotations++;
    await this.#prune();
  }

  async #openFile(date: string, index: number, size: number): Promise<void> {
    this.#handle = await open(join(this.#directory, this.#fileName(date, index)), 'a');
    this.#currentDate = date;
    this.#currentIndex = index;
    this.#currentSize = size;
  }

  #fileName(date: string, index: number): string {
    return `${this.#stem}.${date}.${index}${this.#extension}`;
  }

  async #listFiles(): Promise<LogFileName[]> {
    const names = await readdir(this.#directory);
    const files: LogFileName[] = [];
    for (const file of names) {
      const match = this.#pattern.exec(file);
      if (match) files.push({ file, date: match[1]!, index: Number(match[2]) });
    }
    return files.sort((a, b) => (a.date === b.date ? a.index - b.index : a.date < b.date ? -1 : 1));
  }

  /** Removes files past the age limit, then the oldest beyond `maxFiles`; never the current file. */
  async #prune(): Promise<void> {
    const current = this.currentFile;
    const files = (await this.#listFiles()).filter((file) => file.file !== current);
    const oldestKept = utcDate(new Date(this.#now().getTime() - this.#maxAgeDays * DAY_MS));
    const excess = files.length + 1 - this.#maxFiles;
    const doomed = files.filter((file, position) => file.date < oldestKept || position < excess);
    await Promise.all(
      doomed.map((file) => unlink(join(this.#directory, file.file)).catch(() => undefined)),
    );
  }
}
