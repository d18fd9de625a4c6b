// Shared Vitest settings. Tests talk to real services (Postgres, loopback servers), so
// timeouts are generous; speed targets live in benchmarks, never in test timeouts.
import { defineConfig } from 'vitest/config';

/** @param {import('vitest/config').ViteUserConfig['test']} [overrides] */
export function entityVitestConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // The JSON report feeds scripts/test-summary.mjs, which prints one total for the whole workspace.
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
      ...overrides,
    },
  });
}
