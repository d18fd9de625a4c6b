import { type Agent, inMemoryLogger, type Logger, type LogFields, type LogLevel } from '@entity/core';

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).log === 'function' && typeof (value as Logger).child === 'function';
}

/**
 * The logger the adapter writes to: the one given, else the agent's `logging` resource (looked
 * up at each entry, because zero-config fills it in only when the agent starts), else stderr
 * for warnings and errors.
 */
export function adapterLogger(agent: Agent, explicit: Logger | undefined): Logger {
  if (explicit) return explicit.child({ component: 'http' });
  const fallback = inMemoryLogger({ level: 'warn', maxEntries: 100 });
  const target = (): Logger => {
    try {
      const logging = agent.resource<unknown>('logging');
      if (isLogger(logging)) return logging;
    } catch {
      // No logging resource (yet): the fallback prints warnings to stderr.
    }
    return fallback;
  };
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => target().log(level, message, { component: 'http', ...fields });
  return {
    log: (level, message, fields) => target().log(level, message, { component: 'http', ...fields }),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => target().child({ component: 'http', ...bindings }),
  };
}
