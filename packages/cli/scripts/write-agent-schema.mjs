// Writes dist/agent.schema.json, the JSON Schema of agent.yaml, from @entity/core's zod schema
// (so it cannot drift from what `entity validate` checks). Generated projects point their
// agent.yaml at it (`# yaml-language-server: $schema=./node_modules/@entity/cli/dist/agent.schema.json`).
// Draft-07, the JSON Schema version every editor plugin (yaml-language-server included) reads.
// Runs after tsc in `pnpm build`.
import { writeFileSync } from 'node:fs';
import { agentConfigSchema } from '@entity/core';
import { z } from 'zod';

const schema = {
  ...z.toJSONSchema(agentConfigSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }),
  title: 'Entity agent configuration (agent.yaml)',
  description: 'Checked by `entity validate`. ${VAR} and ${VAR:-default} are replaced from the environment before checking.',
};
writeFileSync(new URL('../dist/agent.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
