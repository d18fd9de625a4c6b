import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCliContext } from '../src/cli-context.js';
import { watchConfig } from '../src/watch-config.js';
import { entity, project } from './helpers.js';
import { PassThrough } from 'node:stream';

describe('entity serve', () => {
  it('says which adapter package to install when it is missing, exit 2', async () => {
    const directory = project({ 'agent.yaml': 'name: served\n' });
    const result = await entity(['serve', '--port', '0'], { cwd: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs the package "@entity/plugin-http". Install it with: pnpm add @entity/plugin-http');
  });

  it('rejects a bad port before loading anything (exit 2)', async () => {
    const result = await entity(['serve', '--port', 'http'], { cwd: project({ 'agent.yaml': 'name: served\n' }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port needs a port number');
  });
});

describe('--watch hot reload (watchConfig)', () => {
  let stop = () => {};
  afterEach(() => stop());

  function waitForReload(): { promise: Promise<{ changed?: string[]; error?: unknown }>; callback: (outcome: { changed?: string[]; error?: unknown }) => void } {
    let callback!: (outcome: { changed?: string[]; error?: unknown }) => void;
    const promise = new Promise<{ changed?: string[]; error?: unknown }>((resolve) => (callback = resolve));
    return { promise, callback };
  }

  it('applies parameter changes and refuses topology changes, printing why', async () => {
    const directory = project({ 'agent.yaml': 'name: live\ninstructions: Be brief.\nmaxIterations: 3\n' });
    const file = join(directory, 'agent.yaml');
    const agent = await Agent.fromConfig(file);
    const stderr = new PassThrough();
    let notes = '';
    stderr.on('data', (chunk) => (notes += chunk));
    const cli = createCliContext({ stderr, stdout: new PassThrough(), env: { NO_COLOR: '1' } });

    let waiter = waitForReload();
    stop = watchConfig(agent, file, cli, { debounceMs: 50, onReload: (outcome) => waiter.callback(outcome) });
    writeFileSync(file, 'name: live\ninstructions: Be very brief.\nmaxIterations: 4\n');
    const applied = await waiter.promise;
    expect(applied.error).toBeUndefined();
    expect(agent.currentSettings).toMatchObject({ instructions: 'Be very brief.', maxIterations: 4 });
    expect(notes).toContain('reloaded:');

    waiter = waitForReload();
    writeFileSync(join(directory, 'extra.ts'), "export default { name: 'extra', kind: 'prompt', execute() {} };\n");
    writeFileSync(file, `${readFileSync(file, 'utf8')}plugins:\n  - ./extra.ts\n`);
    const refused = await waiter.promise;
    expect(refused.error).toBeDefined();
    expect(notes).toContain('reload refused');
    expect(notes).toMatch(/restart required/);
    expect(agent.currentSettings.maxIterations).toBe(4);
    await agent.stop();
  });
});
