import {
  type HealthReport,
  type InstrumentationProvider,
  type Instrumentation,
  type LogFields,
  type Logger,
  type LogLevel,
  type Resource,
  ResourceError,
} from '@entity/core';
import { ConsoleOutput, type ConsoleOutputOptions } from './console-output.js';
import { EntityLogger } from './entity-logger.js';
import { FileOutput, type FileOutputOptions } from './file-output.js';
import { LEVEL_VALUES, type LevelSetting, type LogFilters, levelValue } from './log-filter.js';
import type { LogOutput, OutputStats } from './log-output.js';
import { LiveOutput, type LogListener } from './live-output.js';
import { LogPipeline } from './log-pipeline.js';
import { createLoggingInstrumentation, type OperationLogLevels } from './logging-instrumentation.js';
import type { RedactionOptions } from './redact.js';
import { type StreamOutputOptions, WebSocketOutput } from './websocket-output.js';

/** An output's own minimum level, on top of the logger's level and filters. */
interface OutputLevel {
  /** Default: everything the logger's level and filters let through. */
  level?: LogLevel;
  /** `false` turns the output off, like passing `false` for the whole section. Default: true. */
  enabled?: boolean;
}

export interface LoggingOptions {
  /** Minimum level of entries. Default: `info`. */
  level?: LevelSetting;
  /** Per component / resource / plugin / tool minimum levels. Default: none. */
  filters?: LogFilters;
  /** Secret removal before any output sees an entry. Default: {@link RedactionOptions} defaults (on). */
  redact?: RedactionOptions;
  /** Human-readable console output; `false` turns it off. Default: on (pretty, colours when a terminal). */
  console?: boolean | (ConsoleOutputOptions & OutputLevel);
  /** JSON Lines file with rotation and retention; `true` uses the defaults. Default: off. */
  file?: boolean | (FileOutputOptions & OutputLevel);
  /** WebSocket live stream on loopback; `true` uses the defaults. Default: off. */
  stream?: boolean | (StreamOutputOptions & OutputLevel);
  /**
   * In-process subscribers (`subscribe()`), for dashboards such as the Studio's live log view;
   * `false` turns it off (then nothing can subscribe). Default: on, at every level the logger's
   * level and filters let through.
   */
  live?: boolean | OutputLevel;
  /** More destinations, written like the built-in ones (must not block or throw). */
  outputs?: readonly LogOutput[];
  /** Add `hostname` to every entry. Default: true. */
  hostname?: boolean;
  /** Add `pid` to every entry. Default: true. */
  pid?: boolean;
  /** Fields added to every entry (`{ service: 'support-bot' }`). Default: none. */
  base?: LogFields;
  /** Levels of the entry written when each operation of the engine ends. */
  operations?: OperationLogLevels;
  /** Longest wait of `flush()` and `stop()` for slow destinations, in ms. Default: 5000. */
  flushTimeoutMs?: number;
}

/** What each output has written, dropped and failed, plus internal errors. */
export interface LoggingStats {
  outputs: OutputStats[];
  internalErrors: number;
}

/** The `logging` resource: a `Logger` that also observes every operation of the engine. */
export interface LoggingResource extends Logger, Resource, InstrumentationProvider {
  readonly instrumentation: Instrumentation;
  child(bindings: LogFields): EntityLogger;
  isLevelEnabled(level: LogLevel, fields?: LogFields): boolean;
  /**
   * Calls `listener` with every entry from now on, filtered and redacted like the other outputs;
   * returns the function that stops it. The listener must return at once (queue, never await).
   * Throws when the `live` option is off.
   */
  subscribe(listener: LogListener): () => void;
  /** Where WebSocket clients connect, when the stream output is started. */
  streamAddress(): { url: string; port: number; host: string } | undefined;
  stats(): LoggingStats;
  /** Waits until buffered entries are written, at most `timeoutMs` (default: `flushTimeoutMs`). */
  flush(timeoutMs?: number): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  healthCheck(): Promise<HealthReport>;
}

const START_FIXES: Record<string, string> = {
  file: 'make sure the folder of `file.path` can be created and written by this process',
  stream: 'choose a free `stream.port` (0 picks one) or another `stream.host`',
};

const outputLevel = (options: OutputLevel): number => (options.level === undefined ? LEVEL_VALUES.trace : levelValue(options.level));
const section = <T extends OutputLevel>(value: boolean | T | undefined, enabledByDefault: boolean): T | undefined => {
  if (value === undefined) return enabledByDefault ? ({} as T) : undefined;
  if (typeof value === 'boolean') return value ? ({} as T) : undefined;
  return value.enabled === false ? undefined : value;
};

/**
 * Creates the logging resource. Entries are filtered, redacted and serialised once, then fanned
 * out to every output through bounded buffers: a slow or failing output loses entries (counted
 * in `stats()`), never the turn.
 */
export function createLogging(options: LoggingOptions = {}): LoggingResource {
  const outputs: LogOutput[] = [];
  const consoleOptions = section(options.console, true);
  if (consoleOptions) outputs.push(new ConsoleOutput(outputLevel(consoleOptions), consoleOptions));
  const fileOptions = section(options.file, false);
  if (fileOptions) outputs.push(new FileOutput(outputLevel(fileOptions), fileOptions));
  const streamOptions = section(options.stream, false);
  const stream = streamOptions ? new WebSocketOutput(outputLevel(streamOptions), streamOptions) : undefined;
  if (stream) outputs.push(stream);
  const liveOptions = section(options.live, true);
  const live = liveOptions ? new LiveOutput(outputLevel(liveOptions)) : undefined;
  if (live) outputs.push(live);
  outputs.push(...(options.outputs ?? []));

  const pipeline = new LogPipeline({
    level: options.level ?? 'info',
    outputs,
    hostname: options.hostname ?? true,
    pid: options.pid ?? true,
    ...(options.filters && { filters: options.filters }),
    ...(options.redact && { redact: options.redact }),
    ...(options.base && { base: options.base }),
  });
  const root = new EntityLogger(pipeline, pipeline.root, {});
  const instrumentation = createLoggingInstrumentation(root, options.operations, { byNameRules: pipeline.gate.hasNamedRules });
  let started: Promise<void> | undefined;

  // A destination that never answers must not hold up shutdown: flushing waits a bounded time.
  const flush = async (timeoutMs = options.flushTimeoutMs ?? 5000) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(outputs.map((output) => output.flush().catch(() => undefined))), timeout]);
    clearTimeout(timer);
  };

  return {
    instrumentation,
    log: (level, message, fields) => root.log(level, message, fields),
    trace: (message, fields) => root.trace(message, fields),
    debug: (message, fields) => root.debug(message, fields),
    info: (message, fields) => root.info(message, fields),
    warn: (message, fields) => root.warn(message, fields),
    error: (message, fields) => root.error(message, fields),
    child: (bindings) => root.child(bindings),
    isLevelEnabled: (level, fields) => root.isLevelEnabled(level, fields),
    subscribe: (listener) => {
      if (!live) throw new Error('live log subscriptions are off (logging option live: false); turn them on to subscribe');
      return live.subscribe(listener);
    },
    streamAddress: () => stream?.address(),
    stats: () => ({ outputs: outputs.map((output) => output.stats()), internalErrors: pipeline.internalErrors }),
    flush,
    start() {
      started ??= (async () => {
        for (const output of outputs) {
          try {
            await output.start?.();
          } catch (error) {
            started = undefined;
            await Promise.all(outputs.map((opened) => opened.close().catch(() => undefined)));
            const reason = error instanceof Error ? error.message : String(error);
            const own = (error as { fix?: unknown } | undefined)?.fix;
            const fix = typeof own === 'string' ? own : (START_FIXES[output.name] ?? 'check this output\'s settings');
            throw new ResourceError('logging', `Logging output "${output.name}" could not start: ${reason}. Fix: ${fix}`, {
              cause: error,
              code: 'LOGGING_OUTPUT_START_FAILED',
              details: { output: output.name },
            });
          }
        }
      })();
      return started;
    },
    async stop() {
      await flush();
      await Promise.race([
        Promise.all(outputs.map((output) => output.close().catch(() => undefined))),
        new Promise((resolve) => setTimeout(resolve, options.flushTimeoutMs ?? 5000).unref()),
      ]);
      started = undefined;
    },
    async healthCheck() {
      const failing = outputs.map((output) => output.stats()).filter((stats) => stats.failing);
      if (failing.length === 0) return { healthy: true, message: `logging to ${outputs.map((output) => output.name).join(', ') || 'nowhere'}` };
      return {
        healthy: false,
        message: `logging outputs failing: ${failing.map((stats) => `${stats.name} (${stats.lastError ?? 'unknown error'})`).join('; ')}; check the file path permissions and disk space`,
        details: { outputs: failing },
      };
    },
  };
}
