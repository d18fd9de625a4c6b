import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '@entity/core';
import { KNOWN_RESOURCE_PACKAGES } from '@entity/core/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStorageConfigSchema, type ManagedStorage, resourceTypes, s3StorageConfigSchema } from '../src/index.js';
import { type S3TestServer, startS3Server } from './support/s3-server.js';

const root = mkdtempSync(join(tmpdir(), 'entity-storage-config-'));
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('resourceTypes', () => {
  it('offers local, s3 and memory, as core expects to find them', () => {
    expect(resourceTypes.map((type) => type.type)).toEqual(['local', 's3', 'memory']);
    for (const type of resourceTypes) {
      expect(type.packageName).toBe('@entity/resources-storage');
      expect(KNOWN_RESOURCE_PACKAGES[type.type]).toBe('@entity/resources-storage');
    }
  });

  it('creates working storages from validated blocks', async () => {
    const byType = Object.fromEntries(resourceTypes.map((type) => [type.type, type]));
    const local = (await byType.local!.create(byType.local!.configSchema.parse({ root, maxFileSize: '1 KB', backupOnOverwrite: true }))) as ManagedStorage;
    expect(local.driver).toBe('local');
    expect(local.limits.maxFileSize).toBe(1024);
    await local.put('a.md', 'x');
    await expect(local.put('b.md', Buffer.alloc(2048))).rejects.toThrow(/1 KB limit/);
    const memory = (await byType.memory!.create(byType.memory!.configSchema.parse({ allowedExtensions: ['.png'] }))) as ManagedStorage;
    expect(memory.limits.allowedExtensions).toEqual(['.png']);
  });

  it('rejects unknown keys and bad values', () => {
    expect(localStorageConfigSchema.safeParse({ rooot: './x' }).success).toBe(false);
    expect(localStorageConfigSchema.safeParse({ maxFileSize: 'huge' }).success).toBe(false);
    expect(localStorageConfigSchema.safeParse({ maxFileSize: -5 }).success).toBe(false);
    expect(localStorageConfigSchema.safeParse({ circuitBreaker: { threshold: 2 } }).success).toBe(false);
    expect(s3StorageConfigSchema.safeParse({}).success).toBe(false);
    expect(s3StorageConfigSchema.safeParse({ bucket: 'Bad_Bucket' }).success).toBe(false);
    expect(s3StorageConfigSchema.safeParse({ bucket: 'ok-bucket', endpoint: 'not a url' }).success).toBe(false);
    expect(s3StorageConfigSchema.safeParse({ bucket: 'ok-bucket', credentials: { accessKeyId: 'a' } }).success).toBe(false);
    expect(s3StorageConfigSchema.safeParse({ bucket: 'ok-bucket', partSize: 1024 }).success).toBe(false);
    expect(s3StorageConfigSchema.parse({ bucket: 'ok-bucket', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'eu-west-1' })).toMatchObject({
      bucket: 'ok-bucket',
    });
  });

  it('validates a YAML config through core, reporting each storage problem with its path', async () => {
    const yaml = `resources:\n  storage:\n    type: local\n    root: ${root}\n    maxFileSize: 5 MB\n    colour: blue\n`;
    const file = join(root, 'agent.yaml');
    writeFileSync(file, yaml);
    const report = await validateConfig(file, { resourceTypes });
    expect(report.ok).toBe(false);
    expect(report.issues.map((issue) => issue.path)).toContain('resources.storage.colour');
    expect(JSON.stringify(report.issues)).toContain('colour');
  });

  it('starts and health-checks an s3 storage from config at runtime (phase 3)', async () => {
    const config = {
      resources: {
        storage: {
          type: 's3',
          bucket: 'from-config',
          endpoint: '${S3_ENDPOINT}',
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: '${S3_SECRET}' },
          createBucket: true,
        },
      },
    };
    const environment = { S3_ENDPOINT: server.endpoint, S3_SECRET: 'S3RVER' };
    const report = await validateConfig(config, { resourceTypes, environment, runtime: true });
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
    const missing = await validateConfig(
      { resources: { storage: { ...config.resources.storage, bucket: 'never-created', createBucket: false } } },
      { resourceTypes, environment, runtime: true },
    );
    expect(missing.ok).toBe(false);
    expect(JSON.stringify(missing.issues)).toContain('bucket \\"never-created\\" does not exist');
  });
});

describe('hot reload (reconfigure)', () => {
  it('applies new limits live and keeps the breaker when its settings did not change', async () => {
    const type = resourceTypes.find((candidate) => candidate.type === 'local')!;
    const initial = type.configSchema.parse({ root: join(root, 'reload'), maxFileSize: '1 KB' });
    const storage = (await type.create(initial)) as ManagedStorage;
    const breaker = storage.circuitBreaker;
    await expect(storage.put('a.txt', Buffer.alloc(2048))).rejects.toThrow(/1 KB limit/);
    storage.reconfigure(type.configSchema.parse({ root: join(root, 'reload'), maxFileSize: '4 KB', allowedExtensions: ['.bin'], maxBackups: 2 }));
    expect(storage.limits).toEqual({ maxFileSize: 4096, allowedExtensions: ['.bin'], backupOnOverwrite: false, maxBackups: 2 });
    await storage.put('a.bin', Buffer.alloc(2048));
    await expect(storage.put('a.txt', 'x')).rejects.toThrow(/extension \.txt is not allowed/);
    expect(storage.circuitBreaker).toBe(breaker);
    storage.reconfigure(type.configSchema.parse({ root: join(root, 'reload'), circuitBreaker: { failureThreshold: 5 } }));
    expect(storage.circuitBreaker).not.toBe(breaker);
  });

  it('refuses to change where the data lives without a restart', async () => {
    const type = resourceTypes.find((candidate) => candidate.type === 's3')!;
    const initial = s3StorageConfigSchema.parse({ bucket: 'reload-bucket', endpoint: server.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const storage = (await type.create(initial)) as ManagedStorage;
    expect(() => storage.reconfigure({ ...initial, bucket: 'other-bucket' })).toThrow(/"bucket" cannot change while the storage is running/);
    expect(() => storage.reconfigure({ ...initial, maxFileSize: 100 })).not.toThrow();
    expect(storage.limits.maxFileSize).toBe(100);
  });
});
