import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Agent, definePlugin, type InMemoryMetrics, inMemoryMemory, inMemoryMetrics } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

// What a turn costs when nobody listens: no instrumentation records, no resource wrappers, and no
// config machinery loaded by `import '@entity/core'`. Speed itself is measured by `pnpm bench`.

describe('a turn nobody observes', () => {
  it('hands plugins the resources themselves and records nothing into the fallback metrics', async () => {
    const memory = inMemoryMemory();
    let seen: unknown;
    const spy = definePlugin({ name: 'spy', kind: 'input', execute: (ctx) => {
      seen = ctx.memory;
    } });
    const agent = new Agent({ resources: { llm: scriptedLLM(['hi']), memory }, plugins: [spy], zeroConfig: false });
    expect((await agent.chat('hello')).status).toBe('ok');
    expect(seen).toBe(memory);
    expect(agent.resource<InMemoryMetrics>('metrics').pluginExecutions).toEqual([]);
    await agent.stop();
  });

  it('still measures every plugin and resource call once metrics are configured', async () => {
    const memory = inMemoryMemory();
    const metrics = inMemoryMetrics();
    let seen: unknown;
    const spy = definePlugin({ name: 'spy', kind: 'input', execute: (ctx) => {
      seen = ctx.memory;
    } });
    const agent = new Agent({ resources: { llm: scriptedLLM(['hi']), memory, metrics }, plugins: [spy], zeroConfig: false });
    await agent.chat('hello');
    expect(seen).not.toBe(memory);
    expect(metrics.pluginExecutions.map((record) => record.plugin)).toContain('spy');
    expect(metrics.resourceOperations.map((record) => `${record.resource}.${record.operation}`)).toEqual(
      expect.arrayContaining(['memory.loadMessages', 'llm.chat', 'memory.appendMessages']),
    );
    await agent.stop();
  });

  it("importing the package does not load the YAML parser or config compilation (they load with the first config)", () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      await import(${JSON.stringify(entry)});
      console.log(JSON.stringify(loaded));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
    expect(loaded.some((url) => url.includes('/core/dist/engine/agent.js'))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/.*yaml\/|compile-config\.js|agent-loaders\.js/.test(url))).toEqual([]);
  });
});
