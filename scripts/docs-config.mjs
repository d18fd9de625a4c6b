// Writes docs/configuration.md and packages/cli/schema/agent.schema.json from the zod schemas
// (`pnpm docs:config`; the CLI must be built). packages/cli/test/config-reference.test.ts fails
// when the committed files differ from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { generatedConfigFiles } = await import(join(root, 'packages/cli/dist/config-reference/index.js'));
const { markdown, jsonSchema } = await generatedConfigFiles();
const targets = { 'docs/configuration.md': markdown, 'packages/cli/schema/agent.schema.json': jsonSchema };
for (const [path, content] of Object.entries(targets)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
