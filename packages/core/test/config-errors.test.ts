import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, definePlugin, defineResource, validateConfig } from '../src/index.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'entity-config-errors-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

// A plugin with a plain z.object config: zod itself would drop `temprature` silently.
const TUNED = `import { definePlugin } from '${join(import.meta.dirname, '../src/index.ts').replaceAll('\\\\', '/')}';
import { z } from 'zod';
export default definePlugin({
  name: 'tuned', kind: 'prompt',
  config: z.object({ temperature: z.number().optional(), style: z.object({ tone: z.string() }).strict().optional() }),
  execute() {},
});
`;
const OPEN = `export default {
  name: 'open', kind: 'prompt',
  configSchema: { safeParse: (value) => ({ success: true, data: value }) },
  execute() {},
};
`;

describe('config errors', () => {
  it('a plugin config rejects an unknown key, names the entry index and plugin, and suggests the closest key', async () => {
    const dir = project({ 'plugins/open.mjs': OPEN, 'plugins/tuned.mjs': TUNED });
    const report = await validateConfig(
      { plugins: ['./plugins/open.mjs', { use: './plugins/tuned.mjs', config: { temprature: 0.2, style: { tone: 'dry', volume: 3 } } }] },
      { baseDir: dir },
    );
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ phase: 'graph', path: 'plugins.1 (tuned).config.temprature', message: 'unknown key "temprature"', fix: 'did you mean "temperature"?' }),
        expect.objectContaining({ path: 'plugins.1 (tuned).config.style.volume', message: 'unknown key "volume"', fix: 'remove it; known keys here: tone' }),
      ]),
    );
  });

  it('rejects unknown plugin config keys in code too (agent.use), while .loose() schemas keep accepting them', () => {
    const strictPlugin = definePlugin({ name: 'strict-one', kind: 'prompt', config: z.object({ limit: z.number() }), execute() {} });
    const agent = new Agent();
    const error = (() => {
      try {
        agent.use(strictPlugin, { config: { limit: 1, limt: 2 } });
      } catch (caught) {
        return caught;
      }
    })();
    expect(ConfigError.isInstance(error) && error.issues).toEqual([
      expect.objectContaining({ path: 'plugins.strict-one.config.limt', fix: 'did you mean "limit"?' }),
    ]);
    const loosePlugin = definePlugin({ name: 'loose-one', kind: 'prompt', config: z.object({ limit: z.number() }).loose(), execute() {} });
    expect(() => agent.use(loosePlugin, { config: { limit: 1, extra: true } })).not.toThrow();
  });

  it('a root typo does not hide plugin config problems: one pass reports both', async () => {
    const dir = project({ 'plugins/tuned.mjs': TUNED });
    const report = await validateConfig({ maxIteration: 3, plugins: [{ use: './plugins/tuned.mjs', config: { temprature: 1 } }] }, { baseDir: dir });
    const found = report.issues.map((issue) => [issue.path, issue.fix]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['maxIteration', 'did you mean "maxIterations"?'],
        ['plugins.0 (tuned).config.temprature', 'did you mean "temperature"?'],
      ]),
    );
  });

  it('a resource typo suggests the key and a far-off key lists the known ones', async () => {
    const folderType = defineResource({
      type: 'folder',
      packageName: '@entity/core',
      configSchema: z.object({ path: z.string().optional(), root: z.string().optional() }).strict(),
      create: () => ({}),
    });
    const report = await validateConfig(
      { resources: { memory: { type: 'folder', pth: './db' }, files: { type: 'folder', colour: 'red' } } },
      { resourceTypes: [folderType] },
    );
    expect(report.issues).toEqual([
      expect.objectContaining({ path: 'resources.memory.pth', fix: 'did you mean "path"?' }),
      expect.objectContaining({ path: 'resources.files.colour', fix: 'remove it; known keys here: path, root' }),
    ]);
  });

  it('an invalid plugin entry keeps the others checked with their own indexes', async () => {
    const dir = project({ 'plugins/tuned.mjs': TUNED });
    const report = await validateConfig({ plugins: [{ use: '' }, { use: './plugins/tuned.mjs', config: { temprature: 1 } }] }, { baseDir: dir });
    const paths = report.issues.map((issue) => issue.path);
    expect(paths).toContain('plugins.0.use');
    expect(paths).toContain('plugins.1 (tuned).config.temprature');
  });
});
