import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStoredApiKey, readApiKeyFile } from '../src/index.js';

// Real processes against the built package: the lock must hold between processes, not just within one.
const built = new URL('../dist/index.js', import.meta.url).href;

function runWorker(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = fork(script, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`worker exited with ${code}`))));
  });
}

describe('entity keys create|revoke from concurrent processes', () => {
  it('keeps every created key and never brings back a revoked one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'entity-keys-lock-'));
    const file = join(directory, 'keys.json');
    const victim = createStoredApiKey(file, { role: 'admin', name: 'leaked' });
    const script = join(directory, 'worker.mjs');
    writeFileSync(
      script,
      `const store = await import(${JSON.stringify(built)});
       const [operation, file, id, startAt] = process.argv.slice(2);
       while (Date.now() < Number(startAt)) {}
       const creates = operation === 'create' ? 50 : 30;
       for (let index = 0; index < creates; index++) store.createStoredApiKey(file, { role: 'user', userIds: ['u'] });
       if (operation === 'revoke') console.log(store.revokeStoredApiKey(file, id));`,
    );
    // All three start at the same instant, so their read-modify-write cycles overlap.
    const startAt = String(Date.now() + 1_500);
    const [, , revoked] = await Promise.all([
      runWorker(script, ['create', file, '', startAt]),
      runWorker(script, ['create', file, '', startAt]),
      runWorker(script, ['revoke', file, victim.stored.id, startAt]),
    ]);
    expect(revoked.trim()).toBe('true');
    const keys = readApiKeyFile(file);
    expect(keys).toHaveLength(130);
    expect(keys.some((key) => key.id === victim.stored.id)).toBe(false);
  }, 60_000);

  it('takes over a lock left by a process that died', () => {
    const directory = mkdtempSync(join(tmpdir(), 'entity-keys-lock-'));
    const file = join(directory, 'keys.json');
    // A pid that is not running: the largest pid Linux can hand out is 2^22.
    writeFileSync(`${file}.lock`, '4194304\n');
    createStoredApiKey(file, { role: 'admin' });
    expect(readApiKeyFile(file)).toHaveLength(1);
  });
});
