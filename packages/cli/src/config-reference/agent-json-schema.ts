import type { ResourceType } from '@entity/core';
import type { ZodType } from 'zod';

/** A JSON Schema node, as far as this module builds and reads it. */
export type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/** The packages whose `resourceTypes` the reference lists, in the order it documents them. */
export const RESOURCE_PACKAGES = ['@entity/resources-llm', '@entity/resources-memory', '@entity/resources-storage', '@entity/logging', '@entity/metrics'] as const;

export interface ResourceTypeInfo {
  type: string;
  packageName: string;
  schema: JsonSchema;
}

export interface AgentSchemaParts {
  root: JsonSchema;
  resourceTypes: ResourceTypeInfo[];
  /** The `server:` section, when @entity/plugin-http is installed. */
  server: JsonSchema | undefined;
}

// Each zod 4 schema converts itself, so the CLI needs no zod of its own (a project's zod is core's).
type Convertible = { toJSONSchema(options: Record<string, unknown>): JsonSchema };

async function importIfPresent<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    return undefined;
  }
}

/**
 * The zod schemas of agent.yaml, turned into JSON Schema (draft-07, which yaml-language-server
 * reads): core's document, each installed resource type's block, and plugin-http's `server:`.
 * What a YAML file may contain is the schema's input side (`io: 'input'`).
 */
export async function agentSchemaParts(): Promise<AgentSchemaParts> {
  const core = await import('@entity/core');
  const convert = (schema: ZodType): JsonSchema => {
    const { $schema: _dialect, ...rest } = (schema as unknown as Convertible).toJSONSchema({ target: 'draft-7', io: 'input', unrepresentable: 'any' });
    return rest;
  };
  const resourceTypes: ResourceTypeInfo[] = [];
  for (const name of RESOURCE_PACKAGES) {
    const module = await importIfPresent<{ resourceTypes?: ResourceType[] }>(name);
    for (const type of module?.resourceTypes ?? []) resourceTypes.push({ type: type.type, packageName: type.packageName, schema: convert(type.configSchema as ZodType) });
  }
  const http = await importIfPresent<{ serverConfigSchema?: ZodType }>('@entity/plugin-http');
  return { root: convert(core.agentConfigSchema as unknown as ZodType), resourceTypes, server: http?.serverConfigSchema ? convert(http.serverConfigSchema) : undefined };
}

/** One JSON Schema for agent.yaml: each resource checked against its `type`'s block. */
export function agentJsonSchema(parts: AgentSchemaParts): JsonSchema {
  const known = parts.resourceTypes.map((info) => info.type);
  const byType = parts.resourceTypes.map(({ type, packageName, schema }) => ({
    ...schema,
    title: `${type} (${packageName})`,
    properties: { type: { const: type }, ...schema.properties },
    required: ['type', ...(schema.required ?? [])],
  }));
  // Resource types registered in code (`resourceTypes` option) are not known here: any other type passes.
  const custom = { type: 'object', title: 'a resource type registered in code', properties: { type: { type: 'string', not: { enum: known } } }, required: ['type'] };
  const properties = { ...parts.root.properties } as Record<string, JsonSchema>;
  properties.resources = { ...properties.resources, additionalProperties: { anyOf: [...byType, custom] } };
  if (parts.server) properties.server = { ...parts.server, description: properties.server?.description };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://entity.dev/schema/agent.schema.json',
    title: 'Entity agent.yaml',
    ...parts.root,
    properties,
  };
}
