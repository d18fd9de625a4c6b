import type { JsonSchema } from './agent-json-schema.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const isObject = (schema: JsonSchema) => schema.type === 'object' || schema.properties !== undefined;

/** A short type for a JSON Schema node: `integer > 0`, `"a" | "b"`, `list of string`, `map of string`. */
export function typeOf(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(schema.anyOf)) return [...new Set((schema.anyOf as JsonSchema[]).map(typeOf))].join(' | ');
  const type = schema.type as string | undefined;
  if (type === 'array') return `list of ${typeOf((schema.items ?? {}) as JsonSchema)}`;
  if (type === 'object' && !schema.properties) {
    const values = schema.additionalProperties;
    return typeof values === 'object' && values !== null && Object.keys(values).length > 0 ? `map of ${typeOf(values as JsonSchema)}` : 'map';
  }
  if (type === 'object') return 'object';
  const limits: string[] = [];
  if (typeof schema.minimum === 'number') limits.push(`≥ ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number') limits.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER) limits.push(`≤ ${schema.maximum}`);
  if (typeof schema.exclusiveMaximum === 'number') limits.push(`< ${schema.exclusiveMaximum}`);
  if (schema.format === 'uri') return 'URL';
  return [type ?? 'any', ...limits].join(' ');
}

/** The object a property holds, looking through `anyOf` (`file: true | {…}`), for nesting its keys. */
function objectOf(schema: JsonSchema): JsonSchema | undefined {
  if (isObject(schema) && schema.properties) return schema;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).find((option) => isObject(option) && option.properties);
  return undefined;
}

interface Row {
  key: string;
  type: string;
  required: boolean;
  notes: string;
}

function rowsOf(schema: JsonSchema, prefix: string, skip: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (skip.has(name)) continue;
    const key = `${prefix}${name}`;
    const nested = objectOf(property);
    const notes = [property.description as string | undefined, property.default !== undefined ? `Default: \`${JSON.stringify(property.default)}\`.` : undefined].filter(Boolean).join(' ');
    rows.push({ key, type: typeOf(property), required: required.has(name), notes });
    if (nested) rows.push(...rowsOf(nested, `${key}.`, new Set()));
  }
  return rows;
}

/** A Markdown table of an object schema's keys, nested objects flattened to dotted keys. */
export function keyTable(schema: JsonSchema, skip: readonly string[] = []): string {
  const rows = rowsOf(schema, '', new Set(skip));
  if (rows.length === 0) return '_No settings._';
  return [
    '| Key | Type | Required | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.key}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.notes)} |`),
  ].join('\n');
}
