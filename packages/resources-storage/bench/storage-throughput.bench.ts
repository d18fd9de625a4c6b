// Put/get throughput of 4 KB and 8 MB objects on every driver, printed as a table.
// Run: pnpm --filter @entity/resources-storage bench  (builds first; S3 runs against s3rver on loopback)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Storage } from '@entity/core';

// Runs the built package; typed from the sources so `typecheck` does not need a build first.
const distEntry = new URL('../dist/index.js', import.meta.url).href;
const { inMemoryStorage, localFileStorage, s3Storage }: typeof import('../src/index.js') = await import(distEntry);

interface Row {
  driver: string;
  size: string;
  operation: string;
  count: number;
  opsPerSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const KB = 1024;
const MB = 1024 * KB;

async function startS3rver(): Promise<{ endpoint: string; stop(): void }> {
  const script = fileURLToPath(new URL('../test/support/s3-server-process.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString().split('\n')[0]!) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function measure(driver: string, storage: Storage, size: number, count: number): Promise<Row[]> {
  const bodies = Array.from({ length: Math.min(count, 8) }, () => randomBytes(size));
  const keys = Array.from({ length: count }, (_, index) => `bench/${size}/object-${index}.log`);
  // Warm-up: first calls pay for lazy loading, connections and folder creation.
  for (let index = 0; index < 3; index++) {
    await storage.put(`bench/warmup-${index}.log`, bodies[0]!);
    await storage.get(`bench/warmup-${index}.log`);
  }
  const rows: Row[] = [];
  for (const operation of ['put', 'get'] as const) {
    const durations: number[] = [];
    const started = performance.now();
    for (let index = 0; index < count; index++) {
      const start = performance.now();
      if (operation === 'put') {
        await storage.put(keys[index]!, bodies[index % bodies.length]!);
      } else {
        const bytes = await storage.get(keys[index]!);
        if (bytes?.byteLength !== size) throw new Error(`${driver}: read ${bytes?.byteLength} bytes, expected ${size}`);
      }
      durations.push(performance.now() - start);
    }
    const seconds = (performance.now() - started) / 1000;
    durations.sort((left, right) => left - right);
    rows.push({
      driver,
      size: size >= MB ? `${size / MB} MB` : `${size / KB} KB`,
      operation,
      count,
      opsPerSecond: count / seconds,
      megabytesPerSecond: (count * size) / MB / seconds,
      p50Ms: percentile(durations, 0.5),
      p99Ms: percentile(durations, 0.99),
    });
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const header = ['driver', 'object', 'op', 'count', 'ops/s', 'MB/s', 'p50 ms', 'p99 ms'];
  const lines = rows.map((row) => [
    row.driver,
    row.size,
    row.operation,
    String(row.count),
    row.opsPerSecond.toFixed(row.opsPerSecond >= 100 ? 0 : 1),
    row.megabytesPerSecond.toFixed(1),
    row.p50Ms.toFixed(2),
    row.p99Ms.toFixed(2),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width, column) => (column < 3 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

const root = mkdtempSync(join(tmpdir(), 'entity-storage-bench-'));
const s3 = await startS3rver();
try {
  const drivers: [string, () => Promise<Storage>][] = [
    ['memory', async () => inMemoryStorage()],
    ['local (fsync)', async () => localFileStorage({ root: join(root, 'durable') })],
    ['local (no fsync)', async () => localFileStorage({ root: join(root, 'fast'), durable: false })],
    [
      's3 (s3rver)',
      async () => {
        const storage = s3Storage({ bucket: 'bench', endpoint: s3.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, createBucket: true });
        await storage.start({ name: 'storage', resource: () => undefined as never, has: () => false, log: undefined as never, signal: new AbortController().signal });
        return storage;
      },
    ],
  ];
  const rows: Row[] = [];
  for (const [name, create] of drivers) {
    const storage = await create();
    rows.push(...(await measure(name, storage, 4 * KB, name.startsWith('s3') ? 300 : 1000)));
    rows.push(...(await measure(name, storage, 8 * MB, name.startsWith('s3') ? 8 : 16)));
    await storage.stop?.();
  }
  console.log(`\n@entity/resources-storage: sequential put/get throughput (Node ${process.version}, ${process.platform}/${process.arch})\n`);
  printTable(rows);
  console.log('\nBodies are Buffers; on S3 both sizes go up as one PutObject (multipart starts above partSize, 8 MB by default).');
  console.log('s3rver is a pure-JS test server writing to local disk: its numbers measure the driver plus that server, not AWS.');
} finally {
  s3.stop();
  rmSync(root, { recursive: true, force: true });
}
