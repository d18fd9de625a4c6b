import type { LogFields, Logger, LogLevel } from '@entity/core';
import type { Logger as PinoLogger } from 'pino';
import { LEVEL_VALUES } from './log-filter.js';
import type { LogPipeline } from './log-pipeline.js';

/** The `Logger` contract over a shared pipeline; children share outputs and add bindings. */
export class EntityLogger implements Logger {
  readonly #pipeline: LogPipeline;
  readonly #pino: PinoLogger;
  readonly #bindings: LogFields;

  constructor(pipeline: LogPipeline, pinoLogger: PinoLogger, bindings: LogFields) {
    this.#pipeline = pipeline;
    this.#pino = pinoLogger;
    this.#bindings = bindings;
  }

  /** Fields this logger adds to every entry. */
  get bindings(): Readonly<LogFields> {
    return this.#bindings;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, level, message, fields);
  }

  trace(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'trace', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'error', message, fields);
  }

  fatal(message: string, fields?: LogFields): void {
    this.#pipeline.write(this.#pino, this.#bindings, 'fatal', message, fields);
  }

  /** Whether an entry at `level` with these fields would be written anywhere. */
  isLevelEnabled(level: LogLevel, fields?: LogFields): boolean {
    return this.#pipeline.enabled(LEVEL_VALUES[level] ?? LEVEL_VALUES.info, fields, this.#bindings);
  }

  child(bindings: LogFields): EntityLogger {
    try {
      const clean = this.#pipeline.redact(bindings);
      return new EntityLogger(this.#pipeline, this.#pino.child(clean), { ...this.#bindings, ...clean });
    } catch {
      this.#pipeline.internalErrors++;
      return this;
    }
  }
}
