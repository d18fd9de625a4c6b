import { ConfigError } from '@entity/core';

/** The parts of a PostgreSQL URL that are safe to print (no password). */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string | undefined;
}

/**
 * Parses `postgres://user:password@host:port/database?...` and returns what can be named in
 * error messages. Rejects anything that is not a PostgreSQL URL with a ConfigError whose text
 * never repeats the URL (it may hold a password).
 */
export function parseConnectionUrl(url: string, path = 'url'): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(
      [{ path, message: 'is not a valid URL', fix: 'use postgres://USER:PASSWORD@HOST:5432/DATABASE' }],
      { cause: error },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError([
      {
        path,
        message: `has protocol "${parsed.protocol}" but a PostgreSQL URL is needed`,
        fix: 'use postgres://USER:PASSWORD@HOST:5432/DATABASE',
      },
    ]);
  }
  const socketHost = parsed.searchParams.get('host');
  const host = socketHost ?? decodeURIComponent(parsed.hostname);
  if (!host) {
    throw new ConfigError([{ path, message: 'has no host', fix: 'add the server host, e.g. postgres://postgres@127.0.0.1:5432/app' }]);
  }
  const port = parsed.port ? Number(parsed.port) : Number(parsed.searchParams.get('port') ?? 5432);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || (parsed.username ? decodeURIComponent(parsed.username) : 'postgres');
  return { host, port, database, user: parsed.username ? decodeURIComponent(parsed.username) : undefined };
}

/** `host:port/database`, for messages. */
export function describeTarget(target: ConnectionTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}
