import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = promisify(execFile);

describe('create-entity', () => {
  const parent = mkdtempSync(join(tmpdir(), 'create-entity-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('is `entity init`: the directory and options go through unchanged', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'my-agent', '--yes', '--llm', 'openai', '--memory', 'none'], { cwd: parent });
    expect(stdout).toContain('Created my-agent in my-agent (openai, memory: none)');
    const manifest = JSON.parse(readFileSync(join(parent, 'my-agent', 'package.json'), 'utf8'));
    expect(manifest.name).toBe('my-agent');
    expect(readFileSync(join(parent, 'my-agent', 'agent.yaml'), 'utf8')).toContain('type: openai');
  });

  it('shows the init help and fails like init on bad input', async () => {
    const help = await run(process.execPath, [BIN, '--help'], { cwd: parent });
    expect(help.stdout).toContain('entity init');
    const bad = await run(process.execPath, [BIN, 'other', '--yes', '--llm', 'gpt'], { cwd: parent }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('--llm must be one of: ollama, openai, anthropic');
  });
});
