import type { LogFields, Logger, LogLevel } from '@entity/core';
import type { Logger as PinoLogger } from 'pino';
import { LEVEL_VALUES } from './log-filter.js';
import type { LogPipeline } from './log-pipeline.js';

/**
 * The `Logger` contract over a shared pipeline; children share outputs and add bindings. A child
 * is cheap until it writes: the engine makes one per tool call, most of which never log, so its
 * pino child and redacted bindings are built on the first entry that passes the filters.
 */
export class EntityLogger implements Logger {
  readonly #pipeline: LogPipeline;
  readonly #parent: EntityLogger | undefined;
  readonly #ownBindings: LogFields;
  /** All bindings, unredacted: only their names (component, plugin...) decide filtering. */
  readonly #bindings: LogFields;
  #pino: PinoLogger | undefined;
  #cleanBindings: LogFields | undefined;

  constructor(pipeline: LogPipeline, pinoLogger: PinoLogger | undefined, bindings: LogFields, parent?: EntityLogger, ownBindings?: LogFields) {
    this.#pipeline = pipeline;
    this.#pino = pinoLogger;
    this.#bindings = bindings;
    this.#parent = parent;
    this.#ownBindings = ownBindings ?? bindings;
  }

  /** Fields this logger adds to every entry, redacted. */
  get bindings(): Readonly<LogFields> {
    this.#cleanBindings ??= this.#pipeline.redact(this.#bindings);
    return this.#cleanBindings;
  }

  /** The pino logger carrying this logger's bindings, created on first use. */
  get pino(): PinoLogger {
    this.#pino ??= this.#parent!.pino.child(this.#pipeline.redact(this.#ownBindings));
    return this.#pino;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, level, message, fields);
  }

  trace(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'trace', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'error', message, fields);
  }

  fatal(message: string, fields?: LogFields): void {
    this.#pipeline.write(this, this.#bindings, 'fatal', message, fields);
  }

  /** Whether an entry at `level` with these fields would be written anywhere. */
  isLevelEnabled(level: LogLevel, fields?: LogFields): boolean {
    return this.#pipeline.enabled(LEVEL_VALUES[level] ?? LEVEL_VALUES.info, fields, this.#bindings);
  }

  child(bindings: LogFields): EntityLogger {
    return new EntityLogger(this.#pipeline, undefined, { ...this.#bindings, ...bindings }, this, bindings);
  }
}
