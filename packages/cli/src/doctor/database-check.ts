import { connect } from 'node:net';
import { importThrough } from '../project-packages.js';
import type { CheckResult, DoctorSettings } from './check.js';

interface PgClient {
  connect(): Promise<void>;
  query<Row>(text: string): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
type PgModule = { default: { Client: new (config: Record<string, unknown>) => PgClient } };

const ID = 'database';
const TITLE = 'PostgreSQL + pgvector';

/** Host and port only: the URL may hold a password, which never appears in output. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const START_HINT = 'start PostgreSQL (locally: scripts/ensure-postgres.sh; Docker: docker compose up -d postgres) or fix DATABASE_URL / --database-url';

/**
 * Connects with `pg` (loaded through @entity/resources-memory, which depends on it), then checks
 * that the pgvector extension is available. Without the package only TCP reachability is checked.
 */
export async function checkDatabase(settings: DoctorSettings): Promise<CheckResult> {
  const url = settings.databaseUrl;
  if (!url) {
    return { id: ID, title: TITLE, status: 'skip', message: 'DATABASE_URL not set; memory uses embedded PGlite (no server needed)' };
  }
  const where = describeDatabase(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error('protocol');
  } catch {
    return { id: ID, title: TITLE, status: 'fail', message: 'DATABASE_URL is not a postgres:// URL', fix: 'use postgres://user:password@host:5432/database' };
  }
  const pg = await importThrough<PgModule>('@entity/resources-memory', 'pg', settings.cwd);
  if (!pg) {
    const reachable = await tcpReachable(parsed.hostname, Number(parsed.port || 5432), settings.timeoutMs);
    return reachable
      ? { id: ID, title: TITLE, status: 'warn', message: `${where} accepts connections; pgvector not checked`, fix: 'pnpm add @entity/resources-memory pg to let doctor log in and check pgvector' }
      : { id: ID, title: TITLE, status: 'fail', message: `nothing answers at ${where}`, fix: START_HINT };
  }
  let client: PgClient;
  try {
    client = new pg.default.Client({ connectionString: url, connectionTimeoutMillis: settings.timeoutMs, statement_timeout: settings.timeoutMs });
  } catch {
    // pg decodes the URL's parts here; its error is not shown because it may quote them.
    return { id: ID, title: TITLE, status: 'fail', message: 'DATABASE_URL could not be read: a part of it has a malformed percent-escape', fix: 'write special characters in the user, password and database as %XX (e.g. @ as %40, % as %25)' };
  }
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === '28P01' || code === '28000' ? 'login refused' : code === '3D000' ? 'database does not exist' : /timeout/i.test((error as Error).message) ? `no answer within ${settings.timeoutMs} ms` : (code ?? 'connection failed');
    await client.end().catch(() => {});
    return { id: ID, title: TITLE, status: 'fail', message: `cannot connect to ${where}: ${reason}`, fix: code === '3D000' ? `createdb ${parsed.pathname.slice(1)}` : START_HINT };
  }
  try {
    let rows: { default_version: string; installed_version: string | null }[];
    try {
      ({ rows } = await client.query<{ default_version: string; installed_version: string | null }>(
        "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'",
      ));
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { id: ID, title: TITLE, status: 'fail', message: `${where} is reachable, but checking for pgvector failed (${code ?? 'no answer'})`, fix: START_HINT };
    }
    const vector = rows[0];
    if (!vector) {
      return {
        id: ID,
        title: TITLE,
        status: 'fail',
        message: `${where} is reachable, but the pgvector extension is not installed on the server`,
        fix: 'install pgvector (Debian/Ubuntu: apt install postgresql-<version>-pgvector, or scripts/ensure-postgres.sh; Docker: the pgvector/pgvector image)',
      };
    }
    return vector.installed_version
      ? { id: ID, title: TITLE, status: 'ok', message: `${where} reachable; pgvector ${vector.installed_version}` }
      : { id: ID, title: TITLE, status: 'ok', message: `${where} reachable; pgvector ${vector.default_version} available (created on first start)` };
  } finally {
    await client.end().catch(() => {});
  }
}
