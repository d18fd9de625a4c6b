import type { JsonSchema } from '@entity/core';
import { type ZodType, z } from 'zod';

/** The JSON Schema sent to a provider for structured output. Providers want an object at the root. */
export interface OutputSchema {
  name: string;
  schema: JsonSchema;
  /** True when a non-object schema was wrapped as `{ value: ... }` and must be unwrapped. */
  wrapped: boolean;
}

/** Removes `$schema`, which some providers reject inside tool and response schemas. */
export function withoutMetaKeys(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

export function toOutputSchema(schema: ZodType, name = 'response'): OutputSchema {
  const json = withoutMetaKeys(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema);
  if (json.type === 'object') return { name: safeName(name), schema: json, wrapped: false };
  const { $defs, ...inner } = json;
  return {
    name: safeName(name),
    schema: { type: 'object', properties: { value: inner }, required: ['value'], additionalProperties: false, ...($defs ? { $defs } : {}) },
    wrapped: true,
  };
}

function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'response';
}

export type StructuredParse<T> = { success: true; object: T } | { success: false; problem: string };

/** Reads the model's JSON (tolerating a Markdown fence around it) and validates it against `schema`. */
export function parseStructured<T>(raw: string, schema: ZodType<T>, output: OutputSchema): StructuredParse<T> {
  const text = raw.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { success: false, problem: 'the reply was not valid JSON' };
  }
  if (output.wrapped) {
    if (typeof value !== 'object' || value === null || !('value' in value)) return { success: false, problem: 'the reply lacked the "value" field' };
    value = (value as { value: unknown }).value;
  }
  const result = schema.safeParse(value);
  if (result.success) return { success: true, object: result.data };
  const problem = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return { success: false, problem };
}

/** Parses tool-call arguments; unparsable text is kept as the raw string so the tool runner reports it to the model. */
export function parseArguments(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
