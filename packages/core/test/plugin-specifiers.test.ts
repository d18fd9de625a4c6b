import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, ConfigError, validateConfig } from '../src/index.js';

/** Every module below sets this global when it is imported: the proof that config-named code ran. */
const RAN = '__entityPluginSpecifierRan';
const marker = (label: string) =>
  `globalThis.${RAN} = [...(globalThis.${RAN} ?? []), ${JSON.stringify(label)}];\nexport default { name: ${JSON.stringify(label)}, kind: 'prompt', execute() {} };\n`;
const ran = () => ((globalThis as Record<string, unknown>)[RAN] as string[] | undefined) ?? [];

function folders() {
  const root = mkdtempSync(join(tmpdir(), 'entity-specifiers-'));
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(join(project, 'plugins'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'evil.mjs'), marker('outside'));
  writeFileSync(join(project, 'plugins', 'good.mjs'), marker('good'));
  return { root, project, outside };
}

async function issuesFor(use: string, project: string) {
  const report = await validateConfig({ defaultWorkflow: false, plugins: [use] }, { baseDir: project });
  return report.issues;
}

describe('plugin module specifiers from a config', () => {
  beforeEach(() => {
    delete (globalThis as Record<string, unknown>)[RAN];
  });
  afterEach(() => {
    delete (globalThis as Record<string, unknown>)[RAN];
  });

  it('loads relative paths inside the config folder and bare package names', async () => {
    const { project } = folders();
    const report = await validateConfig({ defaultWorkflow: false, plugins: ['./plugins/good.mjs', 'plugins/../plugins/good.mjs'] }, { baseDir: project });
    // The second entry is neither ./relative nor a valid package name ("..").
    expect(report.issues).toEqual([expect.objectContaining({ path: 'plugins.1', message: expect.stringMatching(/not a valid npm package name/) })]);
    expect(ran()).toEqual([]);
    const ok = await validateConfig({ defaultWorkflow: false, plugins: ['./plugins/good.mjs'] }, { baseDir: project });
    expect(ok.issues).toEqual([]);
    expect(ran()).toEqual(['good']);
  });

  const dataUrl = `data:text/javascript,${encodeURIComponent(marker('data-url'))}`;
  it.each([
    ['data: URL', () => dataUrl, /URL \(data:\)/, /package name|relative path/],
    ['file: URL', (outside: string) => pathToFileURL(join(outside, 'evil.mjs')).href, /URL \(file:\)/, /package name|relative path/],
    ['http: URL', () => 'http://127.0.0.1:9/evil.mjs', /URL \(http:\)/, /package name|relative path/],
    ['node: built-in', () => 'node:child_process', /Node built-in/, /not plugins/],
    ['bare built-in name', () => 'child_process', /Node built-in/, /not plugins/],
    ['absolute path', (outside: string) => join(outside, 'evil.mjs'), /absolute path/, /relative to the config file/],
    ['../ escape', () => '../outside/evil.mjs', /outside the config's folder/, /move the plugin|install it/],
  ])('refuses a %s and imports nothing', async (_label, specifier, problem, fix) => {
    const { project, outside } = folders();
    const use = specifier(outside);
    const issues = await issuesFor(use, project);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ phase: 'structure', path: 'plugins.0' });
    expect(issues[0]!.message).toContain(use.slice(0, 40));
    expect(issues[0]!.message).toMatch(problem);
    expect(issues[0]!.fix).toMatch(fix);
    expect(ran()).toEqual([]);
  });

  it('refuses a symlink inside the folder that points outside it (checked after realpath)', async () => {
    const { project, outside } = folders();
    symlinkSync(join(outside, 'evil.mjs'), join(project, 'plugins', 'linked.mjs'));
    symlinkSync(outside, join(project, 'plugins', 'linked-dir'));
    for (const use of ['./plugins/linked.mjs', './plugins/linked-dir/evil.mjs']) {
      const issues = await issuesFor(use, project);
      expect(issues).toEqual([expect.objectContaining({ path: 'plugins.0', message: expect.stringMatching(/outside the config's folder.*symbolic link/) })]);
    }
    expect(ran()).toEqual([]);
  });

  it('checks every entry before importing any, so one bad entry stops the good ones too', async () => {
    const { project } = folders();
    const report = await validateConfig({ defaultWorkflow: false, plugins: ['./plugins/good.mjs', dataUrl] }, { baseDir: project });
    expect(report.issues.map((issue) => issue.path)).toEqual(['plugins.1']);
    expect(ran()).toEqual([]);
  });

  it('Agent.fromConfig rejects with a ConfigError naming the entry, the problem and the fix', async () => {
    const { project } = folders();
    writeFileSync(join(project, 'agent.yaml'), `defaultWorkflow: false\nplugins:\n  - use: ${JSON.stringify(dataUrl)}\n`);
    const error = await Agent.fromConfig(join(project, 'agent.yaml')).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/plugins\.0: plugin module "data:text\/javascript,.*" is a URL \(data:\).* — fix: /s);
    expect(ran()).toEqual([]);
  });

  it('accepts scoped names and subpaths, and refuses subpaths that climb out of the package', async () => {
    const { project } = folders();
    const scoped = await issuesFor('@entity/no-such-plugin/tools', project);
    expect(scoped).toEqual([expect.objectContaining({ phase: 'graph', message: expect.stringMatching(/Install it with: pnpm add @entity\/no-such-plugin/) })]);
    const climbing = await issuesFor('some-package/../../outside/evil.mjs', project);
    expect(climbing).toEqual([expect.objectContaining({ phase: 'structure', message: expect.stringMatching(/not a valid npm package name/) })]);
    expect(ran()).toEqual([]);
  });

  it('loads a package installed in the project, by name and by an exported subpath', async () => {
    const { project } = folders();
    const packageDir = join(project, 'node_modules', '@acme', 'plugins');
    mkdirSync(join(packageDir, 'dist'), { recursive: true });
    writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: '@acme/plugins', type: 'module', exports: { '.': './dist/main.js', './tools': { import: './dist/tools.js' } } }));
    writeFileSync(join(packageDir, 'dist', 'main.js'), marker('acme-main'));
    writeFileSync(join(packageDir, 'dist', 'tools.js'), marker('acme-tools'));
    const report = await validateConfig({ defaultWorkflow: false, plugins: ['@acme/plugins', '@acme/plugins/tools', '@acme/plugins/secret'] }, { baseDir: project });
    expect(report.issues).toEqual([expect.objectContaining({ path: 'plugins.2', message: expect.stringMatching(/does not export "\.\/secret"/) })]);
    expect(ran()).toEqual(['acme-main', 'acme-tools']);
  });

  it('says to write ./ when a package-looking entry names a file next to the config', async () => {
    const { project } = folders();
    expect(await issuesFor('plugins/good.mjs', project)).toEqual([
      expect.objectContaining({ phase: 'structure', path: 'plugins.0', message: expect.stringMatching(/read as a package name/), fix: 'write "./plugins/good.mjs"' }),
    ]);
    expect(ran()).toEqual([]);
  });
});

describe('Agent.fromDirectory', () => {
  beforeEach(() => {
    delete (globalThis as Record<string, unknown>)[RAN];
  });
  afterEach(() => {
    delete (globalThis as Record<string, unknown>)[RAN];
  });

  it('refuses a file in plugins/ or tools/ that links outside the folder, and imports none of the files', async () => {
    const { project, outside } = folders();
    symlinkSync(join(outside, 'evil.mjs'), join(project, 'plugins', 'evil.mjs'));
    const error = await Agent.fromDirectory(project).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({ path: 'plugins/evil.mjs', message: expect.stringMatching(/outside the config's folder.*symbolic link/), fix: expect.any(String) }),
    ]);
    // Not even the good plugin beside it ran.
    expect(ran()).toEqual([]);
  });

  it('validates the config before importing anything from plugins/ or tools/', async () => {
    const { project } = folders();
    writeFileSync(join(project, 'agent.yaml'), 'defaultWorkflow: false\nmaxIterations: -1\n');
    const error = await Agent.fromDirectory(project).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues[0]).toMatchObject({ path: 'maxIterations' });
    expect(ran()).toEqual([]);
  });

  it('still loads the files that stay inside the folder', async () => {
    const { project } = folders();
    const agent = await Agent.fromDirectory(project);
    expect(ran()).toEqual(['good']);
    expect(agent.describe().stages.flatMap((stage) => stage.plugins.map((plugin) => plugin.name))).toContain('good');
  });
});
