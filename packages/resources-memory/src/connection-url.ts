import { ConfigError } from '@entity/core';

/** The parts of a PostgreSQL URL that are safe to print (no password). */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string | undefined;
}

const URL_FORMAT = 'use postgres://USER:PASSWORD@HOST:5432/DATABASE';

/**
 * Percent-decodes one part of the URL. A malformed escape names the part, never its text.
 */
function decodePart(value: string, part: string, path: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ConfigError([{ path, message: `has a malformed percent-escape in the ${part}`, fix: 'write special characters as %XX (e.g. @ as %40, % as %25)' }]);
  }
}

/**
 * Parses `postgres://user:password@host:port/database?...` and returns what can be named in
 * error messages. Rejects anything that is not a PostgreSQL URL with a ConfigError that never
 * carries the URL: not in its message and not in a `cause` (Node's URL parse error keeps the
 * whole input, password included, so it is dropped here).
 */
export function parseConnectionUrl(url: string, path = 'url'): ConnectionTarget {
  if (typeof url !== 'string' || !URL.canParse(url)) {
    throw new ConfigError([
      {
        path,
        message: 'is not a valid URL',
        fix: `${URL_FORMAT}; percent-encode special characters in the password (@ as %40, : as %3A, / as %2F, # as %23) and check the port is a number`,
      },
    ]);
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError([{ path, message: `has protocol "${parsed.protocol}" but a PostgreSQL URL is needed`, fix: URL_FORMAT }]);
  }
  const socketHost = parsed.searchParams.get('host');
  const host = socketHost ?? decodePart(parsed.hostname, 'host', path);
  if (!host) {
    throw new ConfigError([{ path, message: 'has no host', fix: 'add the server host, e.g. postgres://postgres@127.0.0.1:5432/app' }]);
  }
  const port = parsed.port ? Number(parsed.port) : Number(parsed.searchParams.get('port') ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError([{ path, message: 'has a port that is not a number from 1 to 65535', fix: URL_FORMAT }]);
  }
  const user = parsed.username ? decodePart(parsed.username, 'user name', path) : undefined;
  // The password is checked too: the driver decodes it later, and a failure there would be less clear.
  if (parsed.password) decodePart(parsed.password, 'password', path);
  const database = decodePart(parsed.pathname.replace(/^\//, ''), 'database name', path) || (user ?? 'postgres');
  return { host, port, database, user };
}

/** `host:port/database`, for messages. */
export function describeTarget(target: ConnectionTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}
