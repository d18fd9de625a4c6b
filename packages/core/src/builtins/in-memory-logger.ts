import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from '../contracts/logger.js';
import { createSecretRedactor, type SecretRedactor } from '../redaction/secret-redactor.js';

export interface LogEntry extends LogFields {
  level: LogLevel;
  message: string;
  time: number;
}

export interface InMemoryLoggerOptions {
  /** Entries below this level are dropped. Default: `info`. */
  level?: LogLevel;
  /** Oldest entries are dropped past this many. Default: 1000. */
  maxEntries?: number;
  /** Also print entries at or above this level to stderr. Default: `warn`; `false` prints nothing. */
  echoLevel?: LogLevel | false;
  /**
   * Censors credentials in messages and fields before an entry is kept or printed (URL
   * passwords, API keys, bearer tokens, `password=` pairs, secret-named fields and the values of
   * secret-named environment variables; see `createSecretRedactor`). Default: a redactor over
   * `process.env`; pass `false` only to debug locally with raw text.
   */
  redact?: SecretRedactor | false;
}

export interface InMemoryLogger extends Logger {
  /** Entries kept so far (shared by children). */
  readonly entries: readonly LogEntry[];
  clear(): void;
}

/** A dependency-free logger for tests and for agents without `@entity/logging`; secrets are censored before anything is kept or printed. */
export function inMemoryLogger(options: InMemoryLoggerOptions = {}): InMemoryLogger {
  const minimum = LOG_LEVELS.indexOf(options.level ?? 'info');
  const echo = options.echoLevel === false ? Number.POSITIVE_INFINITY : LOG_LEVELS.indexOf(options.echoLevel ?? 'warn');
  const maxEntries = options.maxEntries ?? 1000;
  const entries: LogEntry[] = [];
  const redactor = options.redact === false ? undefined : (options.redact ?? createSecretRedactor());

  const make = (bindings: LogFields): InMemoryLogger => {
    const log = (level: LogLevel, message: string, fields?: LogFields) => {
      const rank = LOG_LEVELS.indexOf(level);
      if (rank < minimum && rank < echo) return;
      const raw = { ...bindings, ...fields };
      const entry: LogEntry = {
        ...(redactor ? redactor.fields(raw) : raw),
        level,
        message: redactor ? redactor.text(message) : message,
        time: Date.now(),
      };
      if (rank >= minimum) {
        entries.push(entry);
        if (entries.length > maxEntries) entries.splice(0, entries.length - maxEntries);
      }
      if (rank >= echo) {
        const where = [entry.component, entry.plugin ?? entry.resource ?? entry.tool].filter(Boolean).join(' ');
        process.stderr.write(`[entity] ${level.toUpperCase()}${where ? ` (${where})` : ''}: ${entry.message}\n`);
      }
    };
    return {
      entries,
      clear: () => {
        entries.length = 0;
      },
      log,
      trace: (message, fields) => log('trace', message, fields),
      debug: (message, fields) => log('debug', message, fields),
      info: (message, fields) => log('info', message, fields),
      warn: (message, fields) => log('warn', message, fields),
      error: (message, fields) => log('error', message, fields),
      child: (childBindings) => make({ ...bindings, ...childBindings }),
    };
  };
  return make({});
}
