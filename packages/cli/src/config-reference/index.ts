export { agentJsonSchema, agentSchemaParts, type AgentSchemaParts, type JsonSchema } from './agent-json-schema.js';
export { renderConfigReference, SCHEMA_PATH_IN_PROJECT } from './config-markdown.js';

import { agentJsonSchema, agentSchemaParts } from './agent-json-schema.js';
import { renderConfigReference } from './config-markdown.js';

/** Both generated files' contents, from the schemas installed now. */
export async function generatedConfigFiles(): Promise<{ markdown: string; jsonSchema: string }> {
  const parts = await agentSchemaParts();
  return { markdown: renderConfigReference(parts), jsonSchema: `${JSON.stringify(agentJsonSchema(parts), null, 2)}\n` };
}
