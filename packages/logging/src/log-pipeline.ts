import { hostname as osHostname } from 'node:os';
import type { LogFields, LogLevel } from '@entity/core';
import pino, { type Logger as PinoLogger } from 'pino';
import { LEVEL_VALUES, LevelGate, type LevelSetting, type LogFilters } from './log-filter.js';
import type { EntityLogger } from './entity-logger.js';
import type { LogEntry, LogOutput } from './log-output.js';
import { createRedactor, type RedactionOptions, type Redactor } from './redact.js';

export interface LogPipelineOptions {
  level: LevelSetting;
  filters?: LogFilters;
  redact?: RedactionOptions;
  outputs: readonly LogOutput[];
  hostname: boolean;
  pid: boolean;
  /** Fields on every entry (service name, environment...). */
  base?: LogFields;
}

/** Keys pino writes itself; a field of the same name would produce a duplicate JSON key. */
const RESERVED_KEYS = ['level', 'time', 'msg', 'pid', 'hostname'] as const;

const withoutReservedKeys = (fields: LogFields): LogFields => {
  let copy: LogFields | undefined;
  for (const key of RESERVED_KEYS) {
    if (!(key in fields)) continue;
    copy ??= { ...fields };
    copy[`field_${key}`] = copy[key];
    delete copy[key];
  }
  return copy ?? fields;
};

let cachedSecond = -1;
let cachedPrefix = '';
/** pino's ISO timestamp, with the date part formatted once per second instead of per entry. */
const isoTime = (): string => {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const millis = now - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z"`;
};

const LEVEL_BY_VALUE = new Map<number, LogLevel>(Object.entries(LEVEL_VALUES).map(([label, value]) => [value, label as LogLevel]));

/**
 * Filters, redacts and serialises entries once (with pino), then hands the JSON line to every
 * output whose level it meets. Shared by a logger and all its children.
 */
export class LogPipeline {
  readonly gate: LevelGate;
  readonly redact: Redactor;
  readonly outputs: readonly LogOutput[];
  readonly root: PinoLogger;
  /** Lowest level any output accepts; below it nothing is serialised. */
  readonly outputFloor: number;
  /** Errors caught inside the logging path itself (a bug, never the caller's problem). */
  internalErrors = 0;
  #current: LogEntry | undefined;

  constructor(options: LogPipelineOptions) {
    this.gate = new LevelGate(options.level, options.filters);
    this.redact = createRedactor(options.redact);
    this.outputs = options.outputs;
    this.outputFloor = options.outputs.reduce((floor, output) => Math.min(floor, output.level), Number.POSITIVE_INFINITY);
    const base: Record<string, unknown> = {};
    if (options.pid) base.pid = process.pid;
    if (options.hostname) base.hostname = osHostname();
    Object.assign(base, this.redact(options.base ?? {}));
    const floor = Math.max(this.outputFloor, this.gate.floor);
    const destination = {
      // pino writes synchronously to this object, so `#current` is the entry being serialised.
      write: (line: string) => this.#fanOut(line),
    };
    this.root = pino(
      {
        level: LEVEL_BY_VALUE.get(floor) ?? 'silent',
        base,
        messageKey: 'msg',
        // Errors are already plain, redacted objects; pino's own `err` serializer would rename their type.
        serializers: { err: (value: unknown) => value },
        timestamp: isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    );
  }

  /** Whether an entry of this level and origin would reach at least one output. */
  enabled(value: number, fields: LogFields | undefined, bindings: LogFields): boolean {
    return value >= this.outputFloor && this.gate.allows(value, fields, bindings);
  }

  write(logger: EntityLogger, bindings: LogFields, level: LogLevel, message: string, fields: LogFields | undefined): void {
    try {
      const value = LEVEL_VALUES[level];
      if (value === undefined || !this.enabled(value, fields, bindings)) return;
      const cleanFields = fields === undefined ? undefined : withoutReservedKeys(this.redact(fields));
      const cleanMessage = this.redact(typeof message === 'string' ? message : String(message));
      this.#current = { time: Date.now(), level, levelValue: value, message: cleanMessage, fields: cleanFields, bindings: logger.bindings };
      logger.pino[level](cleanFields ?? {}, cleanMessage);
    } catch {
      this.internalErrors++;
    } finally {
      this.#current = undefined;
    }
  }

  #fanOut(line: string): void {
    const entry = this.#current;
    if (entry === undefined) return;
    for (const output of this.outputs) {
      if (entry.levelValue < output.level) continue;
      try {
        output.write(line, entry);
      } catch {
        this.internalErrors++;
      }
    }
  }
}
