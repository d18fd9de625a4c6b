import { EntityError, type EntityErrorOptions, ProviderError, ValidationError } from '@entity/core';

/**
 * A database call failed. The message names the operation, the driver and the SQLSTATE
 * condition, never the SQL text, parameter values or connection credentials; the original
 * driver error stays in `cause` for logs.
 */
export class MemoryDatabaseError extends ProviderError {
  // Core types each `kind` as its literal, so a subclass cannot widen it; the runtime value is
  // what `isInstance` and `name` use.
  static override readonly kind = 'MemoryDatabaseError' as typeof ProviderError.kind;
  /** The database looked unavailable or overloaded (connection lost, shutdown, too many clients). Counts towards the circuit breaker. */
  readonly transient: boolean;
  /** The SQLSTATE code (`23505`) or network error code (`ECONNREFUSED`), when known. */
  readonly sqlState: string | undefined;
  constructor(
    provider: string,
    message: string,
    options: EntityErrorOptions & { transient: boolean; sqlState?: string | undefined },
  ) {
    super(provider, message, { code: 'MEMORY_DATABASE_ERROR', ...options });
    this.transient = options.transient;
    this.sqlState = options.sqlState;
  }
}

const CONDITION_NAMES: Readonly<Record<string, string>> = {
  '08000': 'connection exception',
  '08003': 'connection does not exist',
  '08006': 'connection failure',
  '08001': 'unable to connect',
  '08004': 'connection rejected',
  '0A000': 'feature not supported',
  '21000': 'cardinality violation',
  '22001': 'value too long',
  '22003': 'numeric value out of range',
  '22021': 'invalid byte sequence',
  '22P02': 'invalid text representation',
  '22P05': 'untranslatable character',
  '23502': 'not null violation',
  '23503': 'foreign key violation',
  '23505': 'unique violation',
  '23514': 'check violation',
  '25P02': 'transaction aborted',
  '28000': 'invalid authorization',
  '28P01': 'authentication failed',
  '3D000': 'database does not exist',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '42501': 'insufficient privilege',
  '42601': 'syntax error',
  '42P01': 'undefined table',
  '42703': 'undefined column',
  '42883': 'undefined function',
  '42P07': 'duplicate table',
  '53300': 'too many connections',
  '57014': 'query cancelled (statement timeout)',
  '57P01': 'server shutting down',
  '57P02': 'server crashed',
  '57P03': 'server not accepting connections yet',
};

/** Network failures that happen before a statement reaches the server: always safe to retry. */
const BEFORE_EXECUTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', '57P03', '53300', '08001', '08004']);
/** Failures after which the server rolled the transaction back: retrying cannot duplicate work. */
const ROLLED_BACK = new Set(['40001', '40P01']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', ...BEFORE_EXECUTION]);
const CONNECTION_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|Client was closed/i;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTransient(code: string | undefined, error: unknown): boolean {
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || ROLLED_BACK.has(code)) return true;
    if (code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '57014') return true;
  }
  return code === undefined && error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

export interface DatabaseErrorContext {
  /** What the memory was doing, e.g. `conversation append`. */
  operation: string;
  /** `postgres` or `pglite`. */
  provider: string;
  /** Whether repeating the whole operation is harmless even if the failed attempt took effect. */
  idempotent: boolean;
}

/**
 * Whether PostgreSQL (or PGlite) refused an extended-protocol call because its text holds several
 * statements. The SQLSTATE alone (42601) is any syntax error. The server function that raised it
 * (`routine`, never translated) tells them apart whatever the server's lc_messages; the English
 * message is the fallback for a driver that does not pass `routine` on.
 */
function isMultipleStatements(error: unknown, code: string | undefined): boolean {
  if (code !== '42601') return false;
  if ((error as { routine?: unknown } | null)?.routine === 'exec_parse_message') return true;
  return error instanceof Error && /cannot insert multiple commands into a prepared statement/i.test(error.message);
}

/** Turns a driver error into an Entity error whose message is safe to log and show. */
export function toMemoryError(error: unknown, context: DatabaseErrorContext): EntityError {
  if (EntityError.isInstance(error)) return error;
  const code = errorCode(error);
  if (isMultipleStatements(error, code)) {
    return new ValidationError(
      `Memory ${context.operation}: the query text holds more than one statement, but the database runs exactly one SQL statement per call (values are bound separately, so nothing can be appended to a query). Call it once per statement, or put a script in a migration with database.migrate(owner, migrations).`,
      { cause: error, code: 'MEMORY_SQL_MULTIPLE_STATEMENTS', details: { operation: context.operation, sqlState: code } },
    );
  }
  const condition = code === undefined ? 'unknown error' : (CONDITION_NAMES[code] ?? `SQLSTATE class ${code.slice(0, 2)}`);
  const label = code === undefined ? condition : `${code} ${condition}`;
  if (code?.startsWith('22')) {
    return new ValidationError(`Memory ${context.operation}: the database rejected a value (${label})`, {
      cause: error,
      safeMessage: 'Some of the data could not be stored. Please check the input and try again.',
    });
  }
  const transient = isTransient(code, error);
  const safeToRepeat =
    transient &&
    (context.idempotent ||
      (code !== undefined && (BEFORE_EXECUTION.has(code) || ROLLED_BACK.has(code))) ||
      (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)));
  return new MemoryDatabaseError(context.provider, `Memory ${context.operation} failed (${context.provider}: ${label})`, {
    cause: error,
    transient,
    sqlState: code,
    retryable: safeToRepeat,
    safeMessage: transient
      ? 'My memory is unavailable right now. Please try again in a moment.'
      : 'Sorry, something went wrong while accessing memory. Please try again.',
    details: { operation: context.operation, sqlState: code },
  });
}
