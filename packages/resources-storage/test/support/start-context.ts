import type { Logger, LogFields, ResourceStartContext } from '@entity/core';

/** A logger that keeps entries in memory, for assertions. */
export function memoryLogger(entries: { level: string; message: string; fields?: LogFields }[] = []): Logger {
  const logger: Logger = {
    log: (level, message, fields) => void entries.push({ level, message, ...(fields ? { fields } : {}) }),
    trace: (message, fields) => logger.log('trace', message, fields),
    debug: (message, fields) => logger.log('debug', message, fields),
    info: (message, fields) => logger.log('info', message, fields),
    warn: (message, fields) => logger.log('warn', message, fields),
    error: (message, fields) => logger.log('error', message, fields),
    child: () => logger,
  };
  return logger;
}

/** What the engine passes to `start()`, for starting a resource by hand in tests. */
export function startContext(name = 'storage'): ResourceStartContext {
  return {
    name,
    resource: (other) => {
      throw new Error(`no resource ${other} in tests`);
    },
    has: () => false,
    log: memoryLogger(),
    signal: new AbortController().signal,
  };
}
