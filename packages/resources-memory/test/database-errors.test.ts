import { ValidationError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { MemoryDatabaseError } from '../src/index.js';
import { toMemoryError } from '../src/database-errors.js';

const driverError = (code: string | undefined, message = 'relation "secret_table" does not exist in SELECT * FROM secret_table') =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

const context = (idempotent: boolean) => ({ operation: 'test op', provider: 'postgres', idempotent });

describe('database errors', () => {
  it('names operation, driver and SQLSTATE, keeps the cause, never the SQL', () => {
    const cause = driverError('42P01');
    const error = toMemoryError(cause, context(true));
    expect(MemoryDatabaseError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Memory test op failed (postgres: 42P01 undefined table)');
    expect(error.cause).toBe(cause);
    expect((error as MemoryDatabaseError).transient).toBe(false);
    expect(error.retryable).toBe(false);
    expect(error.name).toBe('MemoryDatabaseError');
  });

  it('retries lost connections only when repeating cannot duplicate a write', () => {
    expect(toMemoryError(driverError('ECONNRESET'), context(true)).retryable).toBe(true);
    expect(toMemoryError(driverError('ECONNRESET'), context(false)).retryable).toBe(false);
    expect(toMemoryError(driverError('ECONNREFUSED'), context(false)).retryable).toBe(true);
    expect(toMemoryError(driverError('40P01'), context(false)).retryable).toBe(true);
    expect(toMemoryError(driverError(undefined, 'Connection terminated unexpectedly'), context(false))).toMatchObject({
      transient: true,
      retryable: false,
    });
  });

  it('turns rejected values into validation errors', () => {
    expect(ValidationError.isInstance(toMemoryError(driverError('22P05'), context(true)))).toBe(true);
  });
});
