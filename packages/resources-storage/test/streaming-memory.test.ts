import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from './support/child.js';
import { type S3TestServer, startS3Server } from './support/s3-server.js';

/** 200 MB through storage and back in a child process; its RSS must stay far below the body's size. */
const MEGABYTES = 200;
const MB = 1024 * 1024;

interface RssReport {
  bytes: number;
  storedSize: number;
  readBytes: number;
  hashMatches: boolean;
  /** What a get() with the default 10 MB limit did with the big object. */
  getRefusedWith: string;
  addedRss: number;
  writeMs: number;
  readMs: number;
}

async function measure(args: string[]): Promise<RssReport> {
  const output = await runScript('stream-rss.ts', args);
  return JSON.parse(output.trim().split('\n').at(-1)!) as RssReport;
}

describe(`streaming ${MEGABYTES} MB with flat memory`, () => {
  let server: S3TestServer;
  const root = mkdtempSync(join(tmpdir(), 'entity-storage-stream-'));
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('local: the whole body round-trips, and get() under the default limit refuses it, while RSS grows by less than 100 MB', async () => {
    const report = await measure(['local', root, String(MEGABYTES)]);
    expect(report.storedSize).toBe(MEGABYTES * MB);
    expect(report.readBytes).toBe(MEGABYTES * MB);
    expect(report.hashMatches).toBe(true);
    expect(report.getRefusedWith).toBe('STORAGE_FILE_TOO_LARGE');
    expect(report.addedRss, JSON.stringify(report)).toBeLessThan(100 * MB);
  }, 120_000);

  it('s3: a multipart upload and streamed download round-trip, and get() under the default limit refuses it, while RSS grows by less than 120 MB', async () => {
    // Memory held by an upload is about partSize × queueSize (10 MB here) plus the SDK's copies of
    // parts in flight and garbage not yet collected; a buffering implementation would need > 200 MB.
    const report = await measure(['s3', server.endpoint, String(MEGABYTES), JSON.stringify({ partSize: 5 * MB, queueSize: 2 })]);
    expect(report.storedSize).toBe(MEGABYTES * MB);
    expect(report.readBytes).toBe(MEGABYTES * MB);
    expect(report.hashMatches).toBe(true);
    expect(report.getRefusedWith).toBe('STORAGE_FILE_TOO_LARGE');
    expect(report.addedRss, JSON.stringify(report)).toBeLessThan(120 * MB);
  }, 180_000);
});
