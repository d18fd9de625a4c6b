import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Agent, inMemoryLogger, MissingPackageError } from '../src/index.js';

function installFakePackage(name: string, source: string): string {
  const project = mkdtempSync(join(tmpdir(), 'entity-pkg-'));
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: { '.': { import: './index.js' } } }));
  writeFileSync(join(dir, 'index.js'), source);
  return project;
}

describe('Agent loading', () => {
  it('builds an agent from an installed package that exports its options', async () => {
    const project = installFakePackage(
      'support-agent',
      "export default () => ({ name: 'support', defaultWorkflow: false, plugins: [{ name: 'hello', kind: 'output', execute(ctx) { ctx.respond('hello ' + ctx.userId); } }] });\n",
    );
    const agent = await Agent.fromPackage('support-agent', project);
    expect(agent.name).toBe('support');
    expect((await agent.chat('hi', { userId: 'ada' })).text).toBe('hello ada');
    await agent.stop();
  });

  it('says which package to install when an adapter is missing, loading nothing at start', async () => {
    const emptyProject = mkdtempSync(join(tmpdir(), 'entity-empty-'));
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, projectDir: emptyProject, resources: { logging: inMemoryLogger({ echoLevel: false }) } });
    const error = await agent.serveHttp().catch((e: unknown) => e);
    expect(MissingPackageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('agent.serveHttp() needs the package "@entity/plugin-http". Install it with: pnpm add @entity/plugin-http');
  });

  it('says which package provides a zero-config default that is not installed', async () => {
    const emptyProject = mkdtempSync(join(tmpdir(), 'entity-empty-'));
    const agent = new Agent({ resources: { logging: inMemoryLogger({ echoLevel: false }) }, projectDir: emptyProject });
    const error = await agent.start().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/The default "llm" resource needs the package "@entity\/resources-llm"/);
  });
});
