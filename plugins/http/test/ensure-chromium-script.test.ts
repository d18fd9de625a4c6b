import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// scripts/ensure-chromium.sh, which scripts/entity.sh runs before the tests so that a fresh
// CI machine has the browser the browser tests need.
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/ensure-chromium.sh');

function runScript(chromium: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile('bash', [SCRIPT], { env: { ...process.env, ENTITY_CHROMIUM: chromium } }, (error, _stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stderr });
    });
  });
}

describe('scripts/ensure-chromium.sh', () => {
  it('does nothing, quietly, when the browser is there', async () => {
    expect(await runScript(process.execPath)).toEqual({ code: 0, stderr: '' });
  });

  it('fails naming the problem when ENTITY_CHROMIUM points at nothing (it installs only Debian\'s /usr/bin/chromium)', async () => {
    const result = await runScript('/nonexistent/chromium');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ENTITY_CHROMIUM=/nonexistent/chromium is not an executable');
  });
});
