import { PGlite } from '@electric-sql/pglite';
import { ValidationError } from '@entity/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toMemoryError } from '../src/database-errors.js';
import { MemoryDatabaseError } from '../src/index.js';
import { DATABASE_URL, postgresAvailable } from './support/postgres.js';

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

/** The German text postgres-15.mo gives the server for "cannot insert multiple commands into a prepared statement". */
const GERMAN_MULTIPLE_COMMANDS = 'kann nicht mehrere Befehle in vorbereitete Anweisung einfügen';

/** The error a real server raises for two statements in one extended-protocol call. */
async function multipleStatementsError(run: (text: string) => Promise<unknown>): Promise<Error & { code?: string; routine?: string }> {
  const error = await run('SELECT 1; SELECT 2').then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('the server accepted two statements in one call');
  return error;
}

const available = await postgresAvailable();

describe('database errors: several statements in one call, whatever the server language', () => {
  const sources: Record<string, () => Promise<Error & { code?: string; routine?: string }>> = {
    PGlite: async () => {
      const database = new PGlite();
      try {
        return await multipleStatementsError((text) => database.query(text, []));
      } finally {
        await database.close();
      }
    },
    ...(available && {
      PostgreSQL: async () => {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        try {
          return await multipleStatementsError((text) => client.query({ text, values: [], queryMode: 'extended' } as unknown as string));
        } finally {
          await client.end();
        }
      },
    }),
  };

  for (const [source, raise] of Object.entries(sources)) {
    it(`recognises ${source}'s refusal by the raising routine, also with a translated message`, async () => {
      const error = await raise();
      expect(error).toMatchObject({ code: '42601', routine: 'exec_parse_message' });
      expect((toMemoryError(error, context(true)) as ValidationError).code).toBe('MEMORY_SQL_MULTIPLE_STATEMENTS');
      // This server has no German locale to switch lc_messages to, so the message a server with
      // lc_messages = 'de_DE.UTF-8' sends (from its own translation file) is put in place here.
      error.message = GERMAN_MULTIPLE_COMMANDS;
      const translated = toMemoryError(error, context(true));
      expect(ValidationError.isInstance(translated)).toBe(true);
      expect((translated as ValidationError).code).toBe('MEMORY_SQL_MULTIPLE_STATEMENTS');
      // Any other syntax error stays one.
      const syntax = Object.assign(new Error('Syntaxfehler bei »SELEC«'), { code: '42601', routine: 'scanner_yyerror' });
      expect(MemoryDatabaseError.isInstance(toMemoryError(syntax, context(true)))).toBe(true);
    });
  }
});
