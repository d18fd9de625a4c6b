import { Writable } from 'node:stream';

/** A writable stream that keeps what it receives: give it to a console output in tests and read the entries back. */
export class CaptureStream extends Writable {
  readonly chunks: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** The JSON lines written so far, parsed. */
  entries(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A stream whose every write fails, like a closed pipe. */
export class BrokenStream extends Writable {
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  }
}
