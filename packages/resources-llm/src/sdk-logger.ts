import type { LogFields, Logger, LogLevel } from '@entity/core';

/** The logger shape the `openai` and `@anthropic-ai/sdk` clients accept (their `logger` option). */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** Routes a provider SDK's own messages to the agent's logger, where redaction and outputs apply. */
export interface SdkLogBridge {
  /** Given to the SDK client; stays the same object when the target logger changes. */
  readonly sdkLogger: SdkLogger;
  /** Where messages go from now on (the resource's logger at start). */
  attach(log: Logger): void;
}

const MAX_DETAIL_LENGTH = 2000;

const describeValue = (value: unknown): string => {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
};

/**
 * Without a logger the SDKs print to `console`, past logging and its redaction (a parse error
 * quotes the server's raw chunk). Messages before a logger is attached are dropped: there is no
 * safe place for them.
 */
export function createSdkLogBridge(provider: string, initial?: Logger): SdkLogBridge {
  let target = initial;
  const forward =
    (level: LogLevel) =>
    (message: string, ...rest: unknown[]) => {
      if (target === undefined) return;
      const fields: LogFields = { component: 'resource', provider, source: 'sdk' };
      if (rest.length > 0) fields.details = rest.map(describeValue);
      target.log(level, `${provider} SDK: ${describeValue(message)}`, fields);
    };
  return {
    sdkLogger: { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') },
    attach(log) {
      target = log;
    },
  };
}
