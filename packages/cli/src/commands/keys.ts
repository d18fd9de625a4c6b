import { resolve } from 'node:path';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { type HttpAdapterModule, loadHttpAdapter } from '../http-adapter.js';

const ROLES = ['admin', 'user', 'viewer'] as const;

function keysFileOf(command: ParsedCommand, cli: CliContext, defaultFile: string): string {
  return resolve(cli.cwd, (command.values.file as string | undefined) ?? defaultFile);
}

/** Why a server would refuse the key file (others could write it), said now rather than at `entity serve`. */
function untrustedReason(http: HttpAdapterModule, file: string): string | undefined {
  try {
    http.assertKeyFileTrusted(file);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `entity keys create`: makes a key, stores its hash, prints the key once. */
export async function createKey(command: ParsedCommand, cli: CliContext): Promise<number> {
  const role = (command.values.role as string | undefined) ?? 'user';
  if (!ROLES.includes(role as never)) throw new UsageError(`--role must be admin, user or viewer; got "${role}"`);
  const users = (command.values.user as string[] | undefined) ?? [];
  const userIds = users.includes('*') ? '*' : users.length > 0 ? users : undefined;
  if (role !== 'admin' && userIds === undefined) {
    throw new UsageError(`a ${role} key needs the users it may act for`, "add --user <id> (repeatable), or --user '*' for any user");
  }
  const http = await loadHttpAdapter(cli, 'entity keys');
  const file = keysFileOf(command, cli, http.DEFAULT_KEYS_FILE);
  const name = command.values.name as string | undefined;
  const { key, stored } = http.createStoredApiKey(file, { role: role as (typeof ROLES)[number], ...(userIds ? { userIds } : {}), ...(name ? { name } : {}) });
  const summary = { id: stored.id, name: stored.name, role: stored.role, userIds: stored.userIds, createdAt: stored.createdAt };
  const untrusted = untrustedReason(http, file);
  if (cli.json) {
    cli.printJson({ ok: true, key, ...summary, file, ...(untrusted ? { warning: untrusted } : {}) });
    return EXIT.ok;
  }
  const c = cli.out;
  cli.print(key);
  if (untrusted) cli.note(c.yellow(`⚠ entity serve will refuse this key file: ${untrusted}`));
  cli.note(`${c.green('✔')} created ${stored.id} (${stored.role}, users: ${stored.userIds === '*' ? 'any' : stored.userIds.join(', ')}) in ${file}`);
  cli.note(c.yellow('This is the only time the key is shown: only its hash is stored. Send it as "Authorization: Bearer <key>".'));
  return EXIT.ok;
}

/** `entity keys list`: ids, roles, users and dates; never a key or a hash. */
export async function listKeys(command: ParsedCommand, cli: CliContext): Promise<number> {
  const http = await loadHttpAdapter(cli, 'entity keys');
  const file = keysFileOf(command, cli, http.DEFAULT_KEYS_FILE);
  const keys = http.readApiKeyFile(file).map(({ id, name, role, userIds, createdAt }) => ({ id, ...(name ? { name } : {}), role, userIds, createdAt }));
  if (cli.json) {
    cli.printJson({ ok: true, file, keys });
    return EXIT.ok;
  }
  if (keys.length === 0) {
    cli.note(`no keys in ${file}; create one with \`entity keys create --role user --user <id>\``);
    return EXIT.ok;
  }
  const c = cli.out;
  cli.print(c.bold(['id'.padEnd(16), 'role'.padEnd(7), 'users'.padEnd(24), 'created'.padEnd(25), 'name'].join(' ')));
  for (const key of keys) {
    const users = key.userIds === '*' ? '*' : key.userIds.join(',');
    cli.print([key.id.padEnd(16), key.role.padEnd(7), users.padEnd(24), key.createdAt.padEnd(25), key.name ?? ''].join(' ').trimEnd());
  }
  return EXIT.ok;
}

/** `entity keys revoke <id>`: a running server stops accepting the key within a second. */
export async function revokeKey(command: ParsedCommand, cli: CliContext): Promise<number> {
  const id = command.positionals[0]!;
  const http = await loadHttpAdapter(cli, 'entity keys');
  const file = keysFileOf(command, cli, http.DEFAULT_KEYS_FILE);
  if (!http.revokeStoredApiKey(file, id)) throw new UsageError(`no key "${id}" in ${file}`, 'see the ids with `entity keys list`');
  if (cli.json) cli.printJson({ ok: true, revoked: id, file });
  else cli.note(`${cli.out.green('✔')} revoked ${id}; a running \`entity serve\` refuses it within a second`);
  return EXIT.ok;
}
