import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entity, project } from './helpers.js';

interface ListedKey {
  id: string;
  name?: string;
  role: string;
  userIds: string[] | '*';
  createdAt: string;
}

describe('entity keys', () => {
  it('creates a key (printed once on stdout), stores only its hash with mode 0600, lists without secrets, revokes', async () => {
    const directory = project();
    const created = await entity(['keys', 'create', '--role', 'user', '--user', 'alice', '--user', 'bob', '--name', 'web-app'], { cwd: directory, env: { NO_COLOR: '1' } });
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^ent_[\w-]{43}$/);
    expect(created.stderr).toContain('only time the key is shown');
    const file = join(directory, '.entity', 'api-keys.json');
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const admin = await entity(['keys', 'create', '--role', 'admin', '--json'], { cwd: directory });
    const adminKey = JSON.parse(admin.stdout) as { key: string; id: string; userIds: string };
    expect(adminKey.userIds).toBe('*');

    const listed = await entity(['keys', 'list', '--json'], { cwd: directory });
    expect(listed.code).toBe(0);
    const { keys } = JSON.parse(listed.stdout) as { keys: ListedKey[] };
    expect(keys.map(({ role, userIds, name }) => ({ role, userIds, name }))).toEqual([
      { role: 'user', userIds: ['alice', 'bob'], name: 'web-app' },
      { role: 'admin', userIds: '*', name: undefined },
    ]);
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).not.toContain(adminKey.key);
    expect(listed.stdout).not.toMatch(/[0-9a-f]{64}/);
    const table = await entity(['keys', 'list'], { cwd: directory, env: { NO_COLOR: '1' } });
    expect(table.stdout).toContain(`${keys[0]!.id}`);
    expect(table.stdout).toContain('alice,bob');

    const revoked = await entity(['keys', 'revoke', keys[0]!.id], { cwd: directory });
    expect(revoked.code).toBe(0);
    const after = JSON.parse((await entity(['keys', 'list', '--json'], { cwd: directory })).stdout) as { keys: ListedKey[] };
    expect(after.keys.map((entry) => entry.id)).toEqual([adminKey.id]);
    const again = await entity(['keys', 'revoke', keys[0]!.id], { cwd: directory });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no key "${keys[0]!.id}"`);
  });

  it('refuses a user key without users and an unknown role (exit 2), writing nothing', async () => {
    const directory = project();
    const noUser = await entity(['keys', 'create', '--role', 'viewer'], { cwd: directory });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('a viewer key needs the users it may act for');
    const badRole = await entity(['keys', 'create', '--role', 'root', '--user', 'x'], { cwd: directory });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role must be admin, user or viewer');
    const badUser = await entity(['keys', 'create', '--user', 'not valid'], { cwd: directory });
    expect(badUser.code).toBe(2);
    const list = await entity(['keys', 'list'], { cwd: directory });
    expect(list.stderr).toContain('no keys in');
    const unknown = await entity(['keys', 'rotate'], { cwd: directory });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown keys command "rotate"');
  });

  it('warns when the key file sits where entity serve will refuse it (a directory others can write)', async () => {
    const directory = project();
    mkdirSync(join(directory, '.entity'), { recursive: true });
    chmodSync(join(directory, '.entity'), 0o777);
    const created = await entity(['keys', 'create', '--role', 'admin'], { cwd: directory, env: { NO_COLOR: '1' } });
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('entity serve will refuse this key file');
    expect(created.stderr).toContain(`chmod 700 ${join(directory, '.entity')}`);
    const json = JSON.parse((await entity(['keys', 'create', '--role', 'admin', '--json'], { cwd: directory })).stdout) as { warning?: string };
    expect(json.warning).toMatch(/writable by other users/);
  });
});
