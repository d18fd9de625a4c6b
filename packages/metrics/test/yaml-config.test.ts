import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '@entity/core';
import { compileConfig } from '@entity/core/internal';
import { describe, expect, it } from 'vitest';
import { resourceTypes } from '../src/index.js';

// The loader finds `type: logging` in the installed package's `resourceTypes`; this package cannot
// import itself by name from its own folder, so its types are passed the way a host can add types.
const packageDir = join(import.meta.dirname, '..');
const options = { baseDir: packageDir, resourceTypes };

describe('YAML configuration through the core loader', () => {
  it('builds the logging and metrics resources from their blocks', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'entity-metrics-yaml-'));
    try {
      // The loader looks for `@entity/logging` from the config's folder, as it would in a user's
      // project: give this temporary project the package's node_modules.
      await symlink(join(packageDir, 'node_modules'), join(folder, 'node_modules'), 'dir');
      const file = join(folder, 'agent.yaml');
      await writeFile(
        file,
        [
          'resources:',
          '  logging:',
          '    type: logging',
          '    level: debug',
          '    console: false',
          "    file: { path: ./logs/agent.jsonl, maxSizeBytes: 5MB }",
          '    filters: { resources: { memory: warn } }',
          '  metrics:',
          '    type: metrics',
          '    retentionDays: 3',
          '    tracing: false',
        ].join('\n'),
      );
      const compiled = await compileConfig(file, options);
      expect(compiled.report.issues).toEqual([]);
      expect(compiled.resourceConfigs.get('logging')).toMatchObject({ type: 'logging', config: { file: { maxSizeBytes: 5 * 1024 * 1024 } } });
      const resources = compiled.agentOptions!.resources!;
      expect(typeof (resources.logging as { instrumentation?: unknown }).instrumentation).toBe('object');
      expect((resources.metrics as { optionalDependencies?: unknown }).optionalDependencies).toEqual(['memory']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('reports unknown keys and bad values with their path', async () => {
    const report = await validateConfig(
      { resources: { logging: { type: 'pino', colour: true }, metrics: { type: 'metrics', retentionDays: -1 } } },
      options,
    );
    expect(report.ok).toBe(false);
    const paths = report.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['resources.logging.colour', 'resources.metrics.retentionDays']));
  });
});
