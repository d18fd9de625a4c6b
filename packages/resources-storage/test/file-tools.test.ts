import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTools, filesPlugin, inMemoryStorage, localFileStorage } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'entity-storage-tools-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file tools in an agent', () => {
  it('lets the model write, list and read files in the user\'s own folder', async () => {
    const storage = localFileStorage({ root });
    const llm = scriptedLLM([
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/todo.md', content: '- buy milk\n' } }] },
      { toolCalls: [{ name: 'list_files', arguments: {} }, { name: 'read_file', arguments: { path: 'notes/todo.md' } }] },
      'You have one note: buy milk.',
    ]);
    const agent = new Agent({ resources: { llm, storage }, plugins: [filesPlugin()], zeroConfig: false });
    await agent.start();
    const result = await agent.chat('Note that I need milk, then read my notes', { userId: 'u1', conversationId: 'c1' });
    await agent.stop();
    expect(result.text).toBe('You have one note: buy milk.');
    expect(result.info.toolCalls.map((call) => [call.name, call.success])).toEqual([
      ['write_file', true],
      ['list_files', true],
      ['read_file', true],
    ]);
    expect(readFileSync(join(root, 'users/u1/notes/todo.md'), 'utf8')).toBe('- buy milk\n');
    const toolMessages = llm.requests[2]!.messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
    expect(toolMessages.some((content) => content.includes('"path":"notes/todo.md"') && content.includes('"size":11'))).toBe(true);
    expect(toolMessages.some((content) => content.includes('- buy milk'))).toBe(true);
  });

  it('returns clear errors to the model for unsafe paths, and writes nothing', async () => {
    const storage = inMemoryStorage();
    const llm = scriptedLLM([
      {
        toolCalls: [
          { name: 'write_file', arguments: { path: '../u2/stolen.md', content: 'x' } },
          { name: 'write_file', arguments: { path: 'run.sh', content: 'rm -rf /' } },
          { name: 'read_file', arguments: { path: '/etc/passwd' } },
        ],
      },
      'I cannot do that.',
    ]);
    const agent = new Agent({ resources: { llm, storage }, plugins: [filesPlugin()], zeroConfig: false });
    await agent.start();
    const result = await agent.chat('Be sneaky', { userId: 'u1' });
    await agent.stop();
    expect(result.info.toolCalls.map((call) => call.success)).toEqual([false, false, false]);
    const toolMessages = llm.requests[1]!.messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
    expect(toolMessages[0]).toMatch(/^Error: Invalid storage key "\.\.\/u2\/stolen\.md": it contains "\.\." \(parent folder\)/);
    expect(toolMessages[1]).toMatch(/extension \.sh is not allowed/);
    expect(toolMessages[2]).toMatch(/absolute path/);
    expect((await storage.list()).items).toEqual([]);
  });
});

describe('fileTools', () => {
  const context = (userId: string, storage: unknown) => ({
    userId,
    conversationId: 'c',
    runId: 'r',
    signal: new AbortController().signal,
    resource: <T>() => storage as T,
    log: undefined as never,
  });

  it('truncates long files and refuses to show binary ones', async () => {
    const storage = inMemoryStorage({ allowedExtensions: '*' });
    const [readFile] = fileTools({ maxReadBytes: 10 });
    await storage.put('users/u1/long.txt', 'é'.repeat(20));
    await storage.put('users/u1/blob.bin', new Uint8Array([0, 1, 2]));
    expect(await readFile!.execute({ path: 'long.txt' }, context('u1', storage))).toEqual({ path: 'long.txt', found: true, content: 'ééééé', truncated: true });
    expect(await readFile!.execute({ path: 'blob.bin' }, context('u1', storage))).toMatchObject({ found: true, binary: true });
    expect(await readFile!.execute({ path: 'missing.txt' }, context('u1', storage))).toMatchObject({ found: false });
    expect(await readFile!.execute({ path: 'long.txt' }, context('u2', storage))).toMatchObject({ found: false });
  });

  it('pages list_files and can leave out write_file or use a shared folder', async () => {
    const storage = inMemoryStorage();
    for (let index = 0; index < 3; index++) await storage.put(`team/doc-${index}.md`, 'x');
    const tools = fileTools({ allowWrite: false, scope: { folder: 'team' } });
    expect(tools.map((tool) => tool.name)).toEqual(['read_file', 'list_files']);
    const listFiles = tools[1]!;
    const first = (await listFiles.execute({ limit: 2 }, context('anyone', storage))) as { files: { path: string }[]; cursor?: string };
    expect(first.files.map((file) => file.path)).toEqual(['doc-0.md', 'doc-1.md']);
    const second = (await listFiles.execute({ limit: 2, cursor: first.cursor }, context('anyone', storage))) as { files: { path: string }[]; cursor?: string };
    expect(second.files.map((file) => file.path)).toEqual(['doc-2.md']);
    expect(second.cursor).toBeUndefined();
    expect(listFiles.parameters).toMatchObject({ type: 'object', properties: { prefix: { type: 'string' } } });
  });
});
