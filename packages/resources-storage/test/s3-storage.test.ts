import { Readable } from 'node:stream';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CircuitOpenError, ConfigError, ProviderError, ResourceError, ValidationError } from '@entity/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Storage, type S3StorageOptions } from '../src/index.js';
import { describeStorageConformance } from '../src/testing/index.js';
import { type S3TestServer, startS3Server, TEST_CREDENTIALS } from './support/s3-server.js';
import { startContext } from './support/start-context.js';

let server: S3TestServer;
let counter = 0;
const BUCKET = 'entity-conformance';

beforeAll(async () => {
  server = await startS3Server();
  const storage = s3Storage({ bucket: BUCKET, endpoint: server.endpoint, credentials: TEST_CREDENTIALS, createBucket: true });
  await storage.start(startContext());
  await storage.stop();
});
afterAll(async () => {
  await server?.stop();
});

function storageFor(options: Partial<S3StorageOptions> = {}) {
  return s3Storage({ bucket: BUCKET, endpoint: server.endpoint, credentials: TEST_CREDENTIALS, prefix: `t${++counter}/`, ...options });
}

/** A real SDK client that records the commands it sends, to see what went over the wire. */
function recordingClient(commands: string[], region = 'us-east-1', inputs: Record<string, unknown>[] = []): S3Client {
  const client = new S3Client({ endpoint: server.endpoint, region, forcePathStyle: true, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName).replace(/Command$/, ''));
      inputs.push(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return client;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeStorageConformance('s3 (s3rver on loopback, AWS SDK v3)', (options) => storageFor(options));

describe('s3Storage against a real S3-protocol server', () => {
  it('creates a missing bucket at start when createBucket is set', async () => {
    const storage = s3Storage({ bucket: 'created-at-start', endpoint: server.endpoint, credentials: TEST_CREDENTIALS, createBucket: true });
    await storage.start(startContext());
    const client = recordingClient([]);
    await expect(client.send(new HeadBucketCommand({ Bucket: 'created-at-start' }))).resolves.toBeDefined();
    await storage.put('hello.txt', 'hi');
    expect(await storage.getText('hello.txt')).toBe('hi');
    expect((await storage.healthCheck()).healthy).toBe(true);
    await storage.stop();
  });

  it('creates a bucket with a location constraint outside us-east-1', async () => {
    const commands: string[] = [];
    const inputs: Record<string, unknown>[] = [];
    const storage = s3Storage({ bucket: 'created-in-eu', client: recordingClient(commands, 'eu-west-1', inputs), createBucket: true });
    await storage.start(startContext());
    expect(commands).toEqual(['HeadBucket', 'CreateBucket']);
    expect(inputs[1]).toEqual({ Bucket: 'created-in-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    await storage.put('a.txt', 'x');
    expect(await storage.getText('a.txt')).toBe('x');
  });

  it('fails to start, naming the bucket and the fix, when the bucket is missing', async () => {
    const storage = s3Storage({ bucket: 'no-such-bucket', endpoint: server.endpoint, credentials: TEST_CREDENTIALS });
    const error = await caught(storage.start(startContext('files')));
    expect(ResourceError.isInstance(error)).toBe(true);
    expect((error as ResourceError).resource).toBe('files');
    expect((error as Error).message).toMatch(/bucket "no-such-bucket" does not exist \(create it, or set createBucket: true\)/);
    const health = await storage.healthCheck();
    expect(health.healthy).toBe(false);
    expect(health.message).toContain('no-such-bucket');
  });

  it('reports a missing bucket on every operation, naming the operation and key', async () => {
    const storage = s3Storage({ bucket: 'missing-bucket', endpoint: server.endpoint, credentials: TEST_CREDENTIALS, circuitBreaker: { failureThreshold: 100 }, retry: false });
    for (const [operation, call] of [
      ['put', () => storage.put('a.txt', 'x')],
      ['get', () => storage.get('a.txt')],
      ['stat', () => storage.stat('a.txt')],
      ['exists', () => storage.exists('a.txt')],
      ['delete', () => storage.delete('a.txt')],
      ['list', () => storage.list('docs/')],
    ] as const) {
      const error = await caught(call());
      expect(ProviderError.isInstance(error), `${operation} must fail`).toBe(true);
      expect((error as ProviderError).message).toContain(`Storage ${operation} failed for key "${operation === 'list' ? 'docs/' : 'a.txt'}"`);
      expect((error as ProviderError).message).toContain('bucket "missing-bucket" does not exist');
      expect((error as ProviderError).status).toBe(404);
      expect((error as ProviderError).retryable).toBe(false);
    }
  });

  it('uploads large bodies and streams as multipart uploads', async () => {
    const commands: string[] = [];
    const storage = storageFor({ client: recordingClient(commands), partSize: 5 * 1024 * 1024, maxFileSize: '64 MB' });
    const body = Buffer.alloc(12 * 1024 * 1024 + 123);
    for (let index = 0; index < body.length; index += 4096) body[index] = index % 251;
    const info = await storage.put('big/blob.log', body);
    expect(info.size).toBe(body.length);
    expect(commands.filter((command) => command === 'UploadPart')).toHaveLength(3);
    expect(commands).toContain('CreateMultipartUpload');
    expect(commands).toContain('CompleteMultipartUpload');
    expect(Buffer.from((await storage.get('big/blob.log'))!).equals(body)).toBe(true);

    commands.length = 0;
    const chunks = Array.from({ length: 11 }, (_, index) => Buffer.alloc(1024 * 1024, index));
    expect((await storage.put('big/streamed.log', Readable.from(chunks))).size).toBe(11 * 1024 * 1024);
    expect(commands.filter((command) => command === 'UploadPart')).toHaveLength(3);
    expect((await storage.stat('big/streamed.log'))?.size).toBe(11 * 1024 * 1024);

    commands.length = 0;
    await storage.put('small.txt', 'small');
    expect(commands).toEqual(['PutObject']);
  });

  it('aborts the multipart upload when a stream passes maxFileSize, leaving no object', async () => {
    const commands: string[] = [];
    const storage = storageFor({ client: recordingClient(commands), partSize: 5 * 1024 * 1024, maxFileSize: '12 MB' });
    const chunks = (function* () {
      for (let index = 0; index < 20; index++) yield Buffer.alloc(1024 * 1024, index);
    })();
    const error = await caught(storage.put('too/big.log', Readable.from(chunks)));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).code).toBe('STORAGE_FILE_TOO_LARGE');
    expect(commands).toContain('CreateMultipartUpload');
    // Attempted: s3rver answers 405 (it lacks AbortMultipartUpload); AWS removes the parts.
    expect(commands).toContain('AbortMultipartUpload');
    expect(commands).not.toContain('CompleteMultipartUpload');
    expect(await storage.exists('too/big.log')).toBe(false);
  });

  it('pages through many objects with S3 continuation tokens', async () => {
    const storage = storageFor();
    const keys = Array.from({ length: 25 }, (_, index) => `many/item-${String(index).padStart(2, '0')}.json`);
    await Promise.all(keys.map((key) => storage.put(key, '{}')));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await storage.list('many/', { limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.key));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(keys);
  });

  it('keeps prefixes apart in one bucket and stores keys under the prefix', async () => {
    const first = storageFor({ prefix: 'agents/first/' });
    const second = storageFor({ prefix: 'agents/second/' });
    await first.put('notes.md', 'first');
    await second.put('notes.md', 'second');
    expect(await first.getText('notes.md')).toBe('first');
    expect((await second.list()).items.map((item) => item.key)).toEqual(['notes.md']);
    const raw = await recordingClient([]).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'agents/' }));
    expect(raw.Contents?.map((object) => object.Key).sort()).toEqual(['agents/first/notes.md', 'agents/second/notes.md']);
  });

  it('treats the prefix as a folder: "agents/support" never reads or lists "agents/support-eu/..."', async () => {
    const support = storageFor({ prefix: 'shared/agents/support' });
    const europe = storageFor({ prefix: 'shared/agents/support-eu/' });
    await europe.put('tickets/1.md', 'eu ticket');
    await support.put('tickets/1.md', 'support ticket');
    expect(await support.getText('-eu/tickets/1.md')).toBeUndefined();
    expect(await support.exists('-eu/tickets/1.md')).toBe(false);
    expect((await support.list()).items.map((item) => item.key)).toEqual(['tickets/1.md']);
    expect((await support.list('-')).items).toEqual([]);
    expect(await support.delete('-eu/tickets/1.md')).toBe(false);
    expect(await europe.getText('tickets/1.md')).toBe('eu ticket');
    const raw = await recordingClient([]).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'shared/agents/' }));
    expect(raw.Contents?.map((object) => object.Key).sort()).toEqual(['shared/agents/support-eu/tickets/1.md', 'shared/agents/support/tickets/1.md']);
  });

  it('normalises the prefix like a key (one trailing slash, no empty or "." segments)', async () => {
    const storage = storageFor({ prefix: './norm//agents/./one' });
    await storage.put('a.txt', 'x');
    const raw = await recordingClient([]).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'norm/' }));
    expect(raw.Contents?.map((object) => object.Key)).toEqual(['norm/agents/one/a.txt']);
    expect(await storageFor({ prefix: 'norm/agents/one/' }).getText('a.txt')).toBe('x');
    // An empty prefix is the whole bucket.
    expect(await storageFor({ prefix: '' }).getText('norm/agents/one/a.txt')).toBe('x');
  });

  it('refuses an unsafe prefix at construction with a ConfigError naming the fix', () => {
    for (const prefix of ['/agents', '../other', 'agents/../../x', 'a\\b', 'agents/.hidden', '~/x', 'C:/x', 'agents/con']) {
      let error: unknown;
      try {
        storageFor({ prefix });
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error), `prefix ${JSON.stringify(prefix)} must be refused`).toBe(true);
      expect((error as ConfigError).issues[0]).toMatchObject({ path: 'prefix' });
      expect((error as ConfigError).message).toContain('fix:');
    }
  });

  it('refuses a prefix of only "." segments, which would silently mean the whole bucket', () => {
    for (const prefix of ['.', './', '././', './/.']) {
      let error: unknown;
      try {
        storageFor({ prefix });
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error), `prefix ${JSON.stringify(prefix)} must be refused`).toBe(true);
      expect((error as ConfigError).issues[0]).toMatchObject({ path: 'prefix', message: expect.stringContaining('whole bucket') });
      expect((error as ConfigError).issues[0]!.fix).toMatch(/leave .*prefix.* out/);
    }
    // Leaving it out, or "", is how to say "the whole bucket".
    expect(() => storageFor({ prefix: '' })).not.toThrow();
  });

  it('get() refuses an object larger than maxFileSize without downloading it, naming getStream as the fix', async () => {
    const prefix = `t${++counter}/`;
    const writer = storageFor({ prefix, maxFileSize: '64 MB', allowedExtensions: '*' });
    const body = Buffer.alloc(24 * 1024 * 1024, 7);
    await writer.put('big/blob.bin', body);
    const commands: string[] = [];
    const reader = storageFor({ prefix, maxFileSize: '1 MB', client: recordingClient(commands) });
    const error = await caught(reader.get('big/blob.bin'));
    expect(ValidationError.isInstance(error), String(error)).toBe(true);
    expect((error as ValidationError).code).toBe('STORAGE_FILE_TOO_LARGE');
    expect((error as Error).message).toContain('Storage get refused for key "big/blob.bin"');
    expect((error as Error).message).toContain('1 MB limit (maxFileSize)');
    expect((error as Error).message).toContain('getStream()');
    expect((await caught(reader.getText('big/blob.bin')) as ValidationError).code).toBe('STORAGE_FILE_TOO_LARGE');
    // The refusal is not the backend's fault: the circuit stays closed and reads go on.
    expect(reader.circuitBreaker.state).toBe('closed');
    // The stream read has no such limit and hands the body over in pieces, never as one buffer.
    const stream = (await reader.getStream('big/blob.bin'))!;
    let chunks = 0;
    let total = 0;
    let largest = 0;
    for await (const chunk of stream) {
      chunks++;
      total += (chunk as Buffer).length;
      largest = Math.max(largest, (chunk as Buffer).length);
    }
    expect(total).toBe(body.length);
    expect(chunks).toBeGreaterThan(24);
    expect(largest).toBeLessThanOrEqual(1024 * 1024);
    // get, getText and getStream: one request each, none retried.
    expect(commands.filter((command) => command === 'GetObject')).toHaveLength(3);
  });

  it('handles keys that need URL encoding', async () => {
    const storage = storageFor();
    const key = 'docs/a b+c%d&e=f#g,h;i@j$k!l(m)n é 中文 🙂.txt';
    await storage.put(key, 'v1');
    expect(await storage.getText(key)).toBe('v1');
    expect((await storage.list('docs/')).items.map((item) => item.key)).toEqual([key]);
    expect(await storage.delete(key)).toBe(true);
  });

  it('backs up with a server-side copy whose source is URL-encoded', async () => {
    const commands: string[] = [];
    const storage = storageFor({ backupOnOverwrite: true, client: recordingClient(commands) });
    // s3rver decodes x-amz-copy-source with decodeURI, so "+ & = # ," would not survive it (AWS
    // decodes them all); spaces, "%" and non-ASCII exercise the encoding on both.
    const key = 'docs/a b%c é 中文.txt';
    await storage.put(key, 'v1');
    await storage.put(key, 'v2');
    expect(commands).toContain('CopyObject');
    expect(await storage.getText(key)).toBe('v2');
    const backups = (await storage.list('docs/.backups/')).items;
    expect(backups).toHaveLength(1);
    expect(backups[0]!.key).toMatch(/^docs\/\.backups\/a b%c é 中文\.\d{8}T\d{9}Z-[0-9a-f]{6}\.txt$/);
    expect(await storage.getText(backups[0]!.key)).toBe('v1');
  });

  it('refuses wrong credentials without leaking them', async () => {
    const storage = s3Storage({
      bucket: BUCKET,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'UNKNOWN-ACCESS-KEY', secretAccessKey: 'definitely-wrong-secret' },
      retry: false,
    });
    const error = await caught(storage.put('x.txt', 'x'));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/access denied by the S3 service .*check the credentials/);
    expect((error as Error).message).not.toContain('definitely-wrong-secret');
    expect((error as Error).message).not.toContain('UNKNOWN-ACCESS-KEY');
  });

  it('retries, then opens the circuit after 2 failures when the server is gone', async () => {
    const doomed = await startS3Server();
    const storage = s3Storage({ bucket: 'doomed', endpoint: doomed.endpoint, credentials: TEST_CREDENTIALS, createBucket: true, retry: { baseDelayMs: 1 } });
    await storage.start(startContext());
    await storage.put('alive.txt', 'yes');
    await doomed.stop();
    const error = await caught(storage.put('after.txt', 'x'));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Storage put failed for key "after.txt": cannot reach the S3 endpoint (ECONNREFUSED)');
    expect(storage.circuitBreaker.stats).toMatchObject({ state: 'open', totalFailures: 2 });
    const refused = await caught(storage.get('alive.txt'));
    expect(CircuitOpenError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/^Storage get of "alive.txt" refused: Circuit "storage:s3" is open/);
    expect(storage.circuitBreaker.stats.totalFailures).toBe(2);
    await storage.stop();
  });
});
