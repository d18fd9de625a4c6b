import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, project } from './helpers.js';

const TRACE = fileURLToPath(new URL('./fixtures/trace-modules.mjs', import.meta.url));

function loadedModules(args: string[], cwd?: string): string[] {
  const result = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, OLLAMA_HOST: 'http://127.0.0.1:1' } });
  const line = result.stderr.split('\n').find((text) => text.startsWith('__MODULES__'));
  if (!line) throw new Error(`no module list; stderr: ${result.stderr}`);
  return JSON.parse(line.slice('__MODULES__'.length)) as string[];
}

const isHeavy = (url: string) => /\/(core|resources-[a-z]+|logging|metrics)\/dist\/|node_modules\/(zod|yaml|openai|ollama|@anthropic-ai|@electric-sql|pg)\//.test(url);

describe('startup stays light', () => {
  it('--help loads no command module, no @entity package and no dependency', () => {
    const modules = loadedModules(['--help']);
    const own = modules.filter((url) => url.startsWith('file:')).map((url) => url.replace(/^.*\/cli\/dist\//, ''));
    expect(modules.filter(isHeavy)).toEqual([]);
    expect(own.filter((path) => path.startsWith('commands/'))).toEqual([]);
  });

  it('a command loads only its own module, and core only when it needs an agent', () => {
    const analyze = loadedModules(['plugin', 'new', 'x', '--kind', 'tool'], project());
    expect(analyze.filter((url) => url.includes('/commands/')).map((url) => url.replace(/^.*\/commands\//, ''))).toEqual(['plugin-new.js']);
    expect(analyze.filter(isHeavy)).toEqual([]);
    const graph = loadedModules(['graph'], project({ 'agent.yaml': 'name: light\n' }));
    expect(graph.some((url) => url.includes('/core/dist/index.js'))).toBe(true);
    // Provider SDKs stay unloaded until a model is called.
    expect(graph.filter((url) => /node_modules\/(openai|ollama|@anthropic-ai)\//.test(url))).toEqual([]);
  });
});
