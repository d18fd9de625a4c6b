import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoredApiKey } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

function keyFileWithAdminKey(): { directory: string; file: string; key: string } {
  const directory = mkdtempSync(join(tmpdir(), 'entity-key-perms-'));
  const file = join(directory, 'keys.json');
  return { directory, file, key: createStoredApiKey(file, { role: 'admin' }).key };
}

async function startError(file: string): Promise<unknown> {
  return startTestServer(['unused'], { auth: { keysFile: file } }).then(
    (started) => {
      server = started;
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('a key file others could write is not trusted', () => {
  it('refuses to start with a group/other-writable key file, naming the path and chmod 600', async () => {
    const { file } = keyFileWithAdminKey();
    chmodSync(file, 0o666);
    const error = await startError(file);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(`chmod 600 ${file}`);
  });

  it('refuses to start when the directory is writable by others', async () => {
    const { directory, file } = keyFileWithAdminKey();
    chmodSync(directory, 0o777);
    const error = await startError(file);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`chmod 700 ${directory}`);
  });

  it('stops accepting its keys when the file becomes writable by others while serving', async () => {
    const { file, key } = keyFileWithAdminKey();
    server = await startTestServer(['unused'], { auth: { keysFile: file } });
    const agentInfo = () => fetch(server!.url('/v1/agent'), { headers: { authorization: `Bearer ${key}` } });
    expect((await agentInfo()).status).toBe(200);
    chmodSync(file, 0o666);
    // The file is looked at no more than once a second.
    let status = 200;
    while (status === 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await agentInfo()).status;
    }
    expect(status).toBe(401);
    expect(server.logger.entries.some((entry) => entry.level === 'error' && entry.message.includes(`chmod 600 ${file}`))).toBe(true);
  });

  // Giving a file to another user needs root; as any other user the check above is what runs.
  it.runIf(process.getuid?.() === 0)('refuses a key file that belongs to another user', async () => {
    const { file } = keyFileWithAdminKey();
    chownSync(file, 12_345, 12_345);
    const error = await startError(file);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/belongs to another user \(uid 12345/);
  });
});
