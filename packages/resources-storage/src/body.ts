import { Readable } from 'node:stream';
import type { StorageBody } from '@entity/core';
import { ValidationError } from '@entity/core';

/** A put body after inspection: bytes with a known size, or a stream counted as it flows. */
export type PreparedBody = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'stream'; stream: AsyncIterable<Uint8Array> };

export function fileTooLarge(key: string, maxFileSize: number): ValidationError {
  return new ValidationError(`Storage put refused for key "${key}": larger than the ${formatBytes(maxFileSize)} limit (maxFileSize)`, {
    code: 'STORAGE_FILE_TOO_LARGE',
    safeMessage: `That file is larger than the ${formatBytes(maxFileSize)} limit.`,
    details: { key, operation: 'put', maxFileSize },
  });
}

/** `get()` of an object past `maxFileSize`: whole-object reads stay bounded; streams have no such limit. */
export function readTooLarge(key: string, maxFileSize: number, size?: number): ValidationError {
  const object = size === undefined ? 'the object is' : `the object (${formatBytes(size)}) is`;
  return new ValidationError(
    `Storage get refused for key "${key}": ${object} larger than the ${formatBytes(maxFileSize)} limit (maxFileSize). Fix: read it with getStream(), or raise maxFileSize`,
    {
      code: 'STORAGE_FILE_TOO_LARGE',
      safeMessage: `That file is larger than the ${formatBytes(maxFileSize)} limit and cannot be read at once.`,
      details: { key, operation: 'get', maxFileSize, ...(size === undefined ? {} : { size }) },
    },
  );
}

/**
 * Collects a stream into one buffer, refusing (and destroying the stream) as soon as it passes
 * `maxBytes`, so a whole-object read never holds more than the limit plus one chunk.
 */
export async function readBounded(source: AsyncIterable<unknown> & { destroy?(): void }, key: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      const bytes = toBytes(chunk);
      total += bytes.byteLength;
      if (total > maxBytes) throw readTooLarge(key, maxBytes);
      chunks.push(bytes);
    }
  } finally {
    source.destroy?.();
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new ValidationError('Storage put refused: a stream chunk is neither bytes nor text', { code: 'STORAGE_INVALID_BODY' });
}

function bodyFailed(key: string, error: unknown): ValidationError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ValidationError(`Storage put failed for key "${key}": reading the body stream failed (${reason})`, {
    code: 'STORAGE_BODY_FAILED',
    cause: error,
    details: { key, operation: 'put' },
  });
}

async function* countBytes(source: AsyncIterable<unknown>, key: string, maxFileSize: number): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let total = 0;
  try {
    while (true) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        finished = true;
        // The caller's stream broke: their problem, not the backend's, so it must not trip the breaker.
        throw bodyFailed(key, error);
      }
      if (next.done) {
        finished = true;
        return;
      }
      const bytes = toBytes(next.value);
      total += bytes.byteLength;
      // Thrown before the chunk is handed on, so the driver never writes a byte past the limit.
      if (total > maxFileSize) throw fileTooLarge(key, maxFileSize);
      yield bytes;
    }
  } finally {
    // Stops (and for a Readable, destroys) the source when the write ends early.
    if (!finished) await iterator.return?.();
  }
}

/** Turns any `StorageBody` into bytes or a limit-enforcing stream; known sizes are checked right away. */
export function prepareBody(body: StorageBody, key: string, maxFileSize: number): PreparedBody {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.byteLength > maxFileSize) throw fileTooLarge(key, maxFileSize);
    return { kind: 'bytes', bytes };
  }
  if (body instanceof Readable || (typeof body === 'object' && body !== null && Symbol.asyncIterator in body)) {
    return { kind: 'stream', stream: countBytes(body as AsyncIterable<unknown>, key, maxFileSize) };
  }
  throw new ValidationError(`Storage put refused for key "${key}": the body must be a string, bytes, a Readable or an async iterable of bytes`, {
    code: 'STORAGE_INVALID_BODY',
  });
}
