import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedConfigFiles } from '../src/config-reference/index.js';
import { entity } from './helpers.js';

const committed = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

describe('the agent.yaml reference', () => {
  it('docs/configuration.md and schema/agent.schema.json are what `pnpm docs:config` writes from the schemas', async () => {
    const generated = await generatedConfigFiles();
    // On failure: run `pnpm docs:config` and commit the result.
    expect(committed('../../../docs/configuration.md')).toBe(generated.markdown);
    expect(committed('../schema/agent.schema.json')).toBe(generated.jsonSchema);
  });

  it('documents every resource type and every key of core, the resource types and server', async () => {
    const { markdown } = await generatedConfigFiles();
    for (const type of ['openai', 'anthropic', 'ollama', 'fallback', 'pglite', 'postgres', 'local', 's3', 'memory', 'logging', 'metrics']) {
      expect(markdown).toContain(`#### \`type: ${type}\``);
    }
    for (const key of ['`maxIterations`', '`baseURL`', '`embeddingModel`', '`retention.maxAgeMs`', '`root`', '`file.path`', '`tracing.endpoint`', '`use`', '`export`', '`stages`', '`port`']) {
      expect(markdown).toContain(key);
    }
    expect(markdown).toContain('](../plugins/http/README.md)');
  });

  it('`entity schema` prints the JSON Schema: each resource checked by its type, plugin entries strict', async () => {
    const result = await entity(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const byType = schema.properties.resources.additionalProperties.anyOf as { properties: { type: { const?: string } }; required: string[] }[];
    const openai = byType.find((option) => option.properties.type.const === 'openai')!;
    expect(openai.required).toEqual(['type', 'model']);
    expect(Object.keys(openai.properties)).toEqual(expect.arrayContaining(['baseURL', 'apiKey', 'temperature']));
    expect(schema.properties.plugins.items.anyOf[1].additionalProperties).toBe(false);
    expect(schema.properties.server.properties.port).toBeDefined();
    expect(result.stdout).toBe(committed('../schema/agent.schema.json'));
  });
});
