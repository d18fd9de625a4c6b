import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Storage, ValidationError } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FILE_QUOTA,
  type FileToolsOptions,
  fileTools,
  filesPlugin,
  inMemoryStorage,
  localFileStorage,
  type StorageOptions,
  s3Storage,
} from '../src/index.js';
import { type S3TestServer, startS3Server, TEST_CREDENTIALS } from './support/s3-server.js';
import { startContext } from './support/start-context.js';

const root = mkdtempSync(join(tmpdir(), 'entity-storage-quota-'));
let server: S3TestServer;
let counter = 0;
const BUCKET = 'entity-quota';

beforeAll(async () => {
  server = await startS3Server();
  const storage = s3Storage({ bucket: BUCKET, endpoint: server.endpoint, credentials: TEST_CREDENTIALS, createBucket: true });
  await storage.start(startContext());
  await storage.stop();
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const drivers: Record<string, (options?: StorageOptions) => Storage> = {
  local: (options = {}) => localFileStorage({ ...options, root: join(root, `s${++counter}`) }),
  s3: (options = {}) => s3Storage({ ...options, bucket: BUCKET, endpoint: server.endpoint, credentials: TEST_CREDENTIALS, prefix: `q${++counter}/` }),
  memory: (options = {}) => inMemoryStorage(options),
};

function context(userId: string, storage: Storage) {
  return { userId, conversationId: 'c', runId: 'r', signal: new AbortController().signal, resource: <T>() => storage as T, log: undefined as never };
}

/** The write_file and list_files tools as a model calls them, for one user. */
function toolsFor(storage: Storage, options: FileToolsOptions = {}) {
  const tools = fileTools(options);
  const tool = (name: string) => tools.find((candidate) => candidate.name === name)!;
  return {
    write: async (userId: string, path: string, content: string) => tool('write_file').execute({ path, content }, context(userId, storage)),
    paths: async (userId: string, prefix = '') => {
      const page = (await tool('list_files').execute({ prefix, limit: 200 }, context(userId, storage))) as { files: { path: string }[] };
      return page.files.map((file) => file.path);
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ValidationError.isInstance(error), `expected a quota refusal, got ${String(error)}`).toBe(true);
  expect((error as ValidationError).code).toBe('STORAGE_QUOTA_EXCEEDED');
  return error as ValidationError;
}

for (const [driver, make] of Object.entries(drivers)) {
  describe(`write_file quotas per user (${driver})`, () => {
    it('refuses the file past maxFiles, naming the limit, and writes nothing; other users are not affected', async () => {
      const storage = make();
      const tools = toolsFor(storage, { quota: { maxFiles: 3 } });
      for (const name of ['a.md', 'b.md', 'c.md']) await tools.write('ada', name, 'x');
      const error = await refusal(tools.write('ada', 'd.md', 'x'));
      expect(error.message).toBe(
        'write_file refused for "d.md": it would make 4 files, over the limit of 3 files (quota.maxFiles). Overwrite or reuse an existing file, or ask the operator to raise the limit.',
      );
      expect(await tools.paths('ada')).toEqual(['a.md', 'b.md', 'c.md']);
      // Overwriting an existing file adds no file.
      await tools.write('ada', 'a.md', 'y');
      await tools.write('bob', 'd.md', 'x');
      expect(await tools.paths('bob')).toEqual(['d.md']);
    });

    it('refuses a write past maxBytes counting what an overwrite replaces, and leaves the old content', async () => {
      const storage = make();
      const tools = toolsFor(storage, { quota: { maxBytes: 1000 } });
      await tools.write('ada', 'one.txt', 'a'.repeat(600));
      const error = await refusal(tools.write('ada', 'two.txt', 'b'.repeat(500)));
      expect(error.message).toContain('it would make 1.1 KB, over the limit of 1000 bytes (quota.maxBytes)');
      // Replacing 600 bytes by 900 stays under the limit; 1,001 does not.
      await tools.write('ada', 'one.txt', 'c'.repeat(900));
      await refusal(tools.write('ada', 'one.txt', 'd'.repeat(1001)));
      expect(await storage.getText('users/ada/one.txt')).toBe('c'.repeat(900));
      expect(await tools.paths('ada')).toEqual(['one.txt']);
    });

    it('counts backups against the quota (the overwrite that would add one is refused), and keeps maxBackups', async () => {
      const storage = make({ backupOnOverwrite: true, maxBackups: 1 });
      const tools = toolsFor(storage, { quota: { maxFiles: 3 } });
      await tools.write('ada', 'plan.md', 'v1');
      await tools.write('ada', 'plan.md', 'v2');
      await tools.write('ada', 'other.md', 'o1');
      expect(await tools.paths('ada')).toHaveLength(3);
      await refusal(tools.write('ada', 'other.md', 'o2'));
      expect(await storage.getText('users/ada/other.md')).toBe('o1');
      expect((await tools.paths('ada', '.backups/')).length).toBe(1);
    });

    it('holds under concurrent writes: 12 parallel new files with maxFiles 4 leave exactly 4', async () => {
      const storage = make();
      const tools = toolsFor(storage, { quota: { maxFiles: 4 } });
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, index) => tools.write('ada', `f${index}.md`, 'x')));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(4);
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as ValidationError).code).toBe('STORAGE_QUOTA_EXCEEDED');
      }
      expect(await tools.paths('ada')).toHaveLength(4);
    });
  });
}

describe('write_file quota defaults and errors', () => {
  it('applies the documented defaults (1,000 files and 100 MB per user) when no quota is given', async () => {
    expect(DEFAULT_FILE_QUOTA).toEqual({ maxBytes: 100 * 1024 * 1024, maxFiles: 1000 });
    const storage = inMemoryStorage();
    const tools = toolsFor(storage);
    for (let index = 0; index < 1000; index++) await storage.put(`users/ada/n${index}.txt`, 'x');
    const error = await refusal(tools.write('ada', 'one-more.txt', 'x'));
    expect(error.message).toContain('over the limit of 1000 files (quota.maxFiles)');
    await tools.write('ada', 'n1.txt', 'overwrite is fine');
  });

  it('refuses an invalid quota when the tools are built', () => {
    expect(() => fileTools({ quota: { maxFiles: 0 } })).toThrow(/quota\.maxFiles/);
    expect(() => fileTools({ quota: { maxBytes: 'lots' } })).toThrow(/quota\.maxBytes/);
  });

  it('holds for parallel tool calls in one agent turn (each call gets its own resource wrapper)', async () => {
    for (const [driver, make] of Object.entries(drivers)) {
      const storage = make();
      const toolCalls = Array.from({ length: 12 }, (_, index) => ({ name: 'write_file', arguments: { path: `f${index}.md`, content: 'x' } }));
      const llm = scriptedLLM([{ toolCalls }, 'Saved what fitted.']);
      const agent = new Agent({ resources: { llm, storage }, plugins: [filesPlugin({ quota: { maxFiles: 4 } })], zeroConfig: false });
      await agent.start();
      try {
        const result = await agent.chat('Save twelve notes', { userId: 'parallel-user' });
        expect(result.info.toolCalls.filter((call) => call.success), driver).toHaveLength(4);
        const page = await storage.list('users/parallel-user/', { limit: 100 });
        expect(page.items, driver).toHaveLength(4);
      } finally {
        await agent.stop();
      }
    }
  });

  it('the model sees a tool error naming the limit', async () => {
    const storage = inMemoryStorage();
    await storage.put('users/u1/full.md', 'x'.repeat(100));
    const llm = scriptedLLM([{ toolCalls: [{ name: 'write_file', arguments: { path: 'more.md', content: 'y'.repeat(10) } }] }, 'My files are full.']);
    const agent = new Agent({ resources: { llm, storage }, plugins: [filesPlugin({ quota: { maxBytes: 100 } })], zeroConfig: false });
    await agent.start();
    const result = await agent.chat('Save more', { userId: 'u1' });
    await agent.stop();
    expect(result.info.toolCalls.map((call) => call.success)).toEqual([false]);
    const toolMessage = llm.requests[1]!.messages.find((message) => message.role === 'tool');
    expect(String(toolMessage?.content)).toContain('over the limit of 100 bytes (quota.maxBytes)');
    expect(await storage.exists('users/u1/more.md')).toBe(false);
  });
});
