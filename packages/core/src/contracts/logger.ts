import type { Resource } from './resource.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Which part of the system wrote an entry. */
export type LogComponent = 'pipeline' | 'plugin' | 'resource' | 'tool' | 'agent' | (string & {});

/** Structured fields attached to log entries. All optional; unknown fields are kept. */
export interface LogFields {
  component?: LogComponent;
  userId?: string;
  conversationId?: string;
  /** Trace id of one `chat` run. */
  runId?: string;
  stage?: string;
  plugin?: string;
  resource?: string;
  tool?: string;
  durationMs?: number;
  errorType?: string;
  correlationId?: string;
  [field: string]: unknown;
}

/** A structured logger. Implementations never throw into the caller and never block a turn. */
export interface Logger extends Resource {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every entry. */
  child(bindings: LogFields): Logger;
  /** Waits until buffered entries are written. */
  flush?(): Promise<void>;
}
