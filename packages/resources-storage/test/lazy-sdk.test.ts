import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runScript } from './support/child.js';

it('loads the AWS SDK only when an S3 storage is first used', async () => {
  const root = mkdtempSync(join(tmpdir(), 'entity-storage-lazy-'));
  try {
    // Nothing listens on port 9 (discard); the first call fails fast, after loading the SDK.
    const output = await runScript('lazy-sdk.ts', [root, 'http://127.0.0.1:9']);
    const report = JSON.parse(output.trim()) as { afterLocal: string[]; afterCreate: string[]; afterFirstCall: string[] };
    expect(report.afterLocal).toEqual([]);
    expect(report.afterCreate).toEqual([]);
    expect(report.afterFirstCall).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
