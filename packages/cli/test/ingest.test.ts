import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entity, project } from './helpers.js';

describe('entity ingest', () => {
  it('ingests a folder incrementally into the config’s memory, with the knowledge plugin’s settings', async () => {
    const directory = project({
      'agent.yaml': `name: kb
resources:
  llm:
    type: openai
    model: gpt-4o-mini
    baseURL: http://127.0.0.1:1/v1
    apiKey: sk-test
  memory:
    type: pglite
    path: ./.entity/memory
    embedder: hashing
plugins:
  - use: '@entity/plugin-knowledge'
    config:
      collections: [handbook]
      chunking: { maxTokens: 64, overlapTokens: 8 }
`,
      'docs/guide.md': '# Guide\n\n## Setup\n\nInstall the widget.\n\n## Use\n\nTurn the crank.',
      'docs/notes.txt': 'Plain notes.',
      'docs/page.html': '<h1>Page</h1><p>Hello &amp; welcome.</p>',
    });
    const first = await entity(['ingest', 'docs', '--json'], { cwd: directory, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ collection: 'handbook', scope: 'shared', added: ['guide.md', 'notes.txt', 'page.html'], chunks: 4 });

    unlinkSync(join(directory, 'docs/notes.txt'));
    writeFileSync(join(directory, 'docs/page.html'), '<h1>Page</h1><p>Changed.</p>');
    const second = await entity(['ingest', 'docs', '--user', 'alice', '--collection', 'handbook'], { cwd: directory, timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('handbook (private to alice): 2 added');

    const third = await entity(['ingest', 'docs'], { cwd: directory, timeoutMs: 120_000 });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('handbook (shared): 0 added, 1 updated, 1 unchanged, 1 removed, 1 chunks written');
    // Not a terminal: no progress bar in the output.
    expect(third.stderr).not.toContain('█');
  }, 240_000);

  it('without a config, ingests into the embedded memory under ./.entity as the shared "docs" collection', async () => {
    const directory = project({ 'notes/a.md': '# A\n\nAlpha.' });
    const result = await entity(['ingest', 'notes', '--json'], { cwd: directory, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ collection: 'docs', scope: 'shared', added: ['a.md'], chunks: 1 });
  }, 150_000);

  it('explains a missing folder', async () => {
    const directory = project({});
    const result = await entity(['ingest', 'nowhere'], { cwd: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a folder: nowhere');
  });
});
