import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const CHILD = resolve(import.meta.dirname, '../fixtures/memory-child.ts');

export interface ChildEvent {
  event: string;
  [field: string]: unknown;
}

/** A child process running memory-child.ts, with its JSON-line events collected as they arrive. */
export class MemoryChild {
  readonly process: ChildProcess;
  readonly events: ChildEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private listeners: (() => void)[] = [];

  constructor(options: Record<string, unknown>) {
    this.process = spawn(process.execPath, [CHILD, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim()) this.events.push(JSON.parse(line) as ChildEvent);
        newline = buffer.indexOf('\n');
      }
      for (const listener of this.listeners) listener();
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolveExit) => {
      this.process.on('exit', (code, signal) => {
        for (const listener of this.listeners) listener();
        resolveExit({ code, signal });
      });
    });
  }

  get errorOutput(): string {
    return this.stderr;
  }

  /** Resolves when `predicate` holds for the events so far; rejects when the child exits first. */
  waitFor(predicate: (events: ChildEvent[]) => boolean, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(() => rejectWait(new Error(`child did not get there in ${timeoutMs} ms: ${this.describe()}`)), timeoutMs);
      const check = () => {
        if (predicate(this.events)) {
          clearTimeout(timer);
          resolveWait();
        } else if (this.process.exitCode !== null || this.process.signalCode !== null) {
          clearTimeout(timer);
          rejectWait(new Error(`child exited early: ${this.describe()}`));
        }
      };
      this.listeners.push(check);
      check();
    });
  }

  describe(): string {
    return `events=${JSON.stringify(this.events.slice(-3))} stderr=${this.stderr.slice(-2000)}`;
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
