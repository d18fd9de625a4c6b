import { readFileSync } from 'node:fs';
import type { LlmChoice, MemoryChoice, ProjectChoices } from './project-templates.js';

/**
 * The Entity range generated projects ask for: this CLI's own version, since the packages are
 * released together (a fixed changesets group), so `entity init` of version X gets packages of X.
 */
export const ENTITY_RANGE = `^${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

/**
 * The SDK each provider needs. They are optional peer dependencies of @entity/resources-llm (so a
 * project installs only its own provider's); these ranges are the peer ranges declared there
 * (test/init.test.ts checks that they match).
 */
export const PROVIDER_PACKAGES: Readonly<Record<LlmChoice, readonly [name: string, range: string]>> = {
  openai: ['openai', '^7.57.0'],
  anthropic: ['@anthropic-ai/sdk', '~1.11.0'],
  ollama: ['ollama', '^0.6.4'],
};

/** The driver each memory needs: optional peer dependencies of @entity/resources-memory. */
export const MEMORY_PACKAGES: Readonly<Record<Exclude<MemoryChoice, 'none'>, readonly [name: string, range: string]>> = {
  pglite: ['@electric-sql/pglite', '^0.4.6'],
  postgres: ['pg', '^8.23.1'],
};

/** Tool versions of the generated project (the ones this repository builds and tests with). */
const ZOD_RANGE = '^4.6.7';
const DEV_RANGES = { '@types/node': '^24.10.0', typescript: '^5.9.3', vitest: '^5.1.1' } as const;

const sorted = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The generated package.json: only the packages the choices need. `localPackages` maps package
 * names to `file:` specifiers (from `--packages`), used instead of registry ranges.
 */
export function projectPackageJson(choices: ProjectChoices, localPackages: ReadonlyMap<string, string> = new Map()): string {
  const entity = (name: string) => localPackages.get(name) ?? ENTITY_RANGE;
  const dependencies: Record<string, string> = { '@entity/core': entity('@entity/core'), '@entity/resources-llm': entity('@entity/resources-llm') };
  const [sdk, sdkRange] = PROVIDER_PACKAGES[choices.llm];
  dependencies[sdk] = sdkRange;
  if (choices.memory !== 'none') {
    dependencies['@entity/resources-memory'] = entity('@entity/resources-memory');
    const [driver, driverRange] = MEMORY_PACKAGES[choices.memory];
    dependencies[driver] = driverRange;
  }
  if (choices.storage) dependencies['@entity/resources-storage'] = entity('@entity/resources-storage');
  dependencies.zod = ZOD_RANGE;
  const manifest = {
    name: choices.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22.12' },
    scripts: {
      chat: 'entity chat',
      ask: 'entity run',
      validate: 'entity validate',
      graph: 'entity graph',
      doctor: 'entity doctor',
      typecheck: 'tsc',
      test: 'vitest run',
    },
    dependencies: sorted(dependencies),
    devDependencies: sorted({ '@entity/cli': entity('@entity/cli'), ...DEV_RANGES }),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
