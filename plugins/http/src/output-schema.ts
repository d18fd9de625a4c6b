import { z } from 'zod';

/** Bounds on a JSON Schema a client sends as `output`: it is compiled and run on the server. */
export const MAX_OUTPUT_SCHEMA_CHARS = 16_384;
export const MAX_OUTPUT_SCHEMA_DEPTH = 32;

/** Keys whose value maps names (not keywords) to subschemas. */
const NAME_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Why a schema is refused, or undefined. Regular expressions (`pattern`, `patternProperties`)
 * are refused: compiled from a client's text and run against the model's answer, one written to
 * backtrack would stall the server for every user.
 */
function schemaProblem(schema: Record<string, unknown>): string | undefined {
  if (JSON.stringify(schema).length > MAX_OUTPUT_SCHEMA_CHARS) return `the schema is larger than ${MAX_OUTPUT_SCHEMA_CHARS} characters of JSON`;
  const pending: { node: unknown; names: boolean; depth: number }[] = [{ node: schema, names: false, depth: 1 }];
  while (pending.length > 0) {
    const { node, names, depth } = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_OUTPUT_SCHEMA_DEPTH) return `the schema nests deeper than ${MAX_OUTPUT_SCHEMA_DEPTH} levels`;
    if (Array.isArray(node)) {
      for (const item of node) pending.push({ node: item, names: false, depth: depth + 1 });
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (!names && ((key === 'pattern' && typeof value === 'string') || key === 'patternProperties')) {
        return `"${key}" is not accepted over HTTP (a regular expression from the request would run on the server); describe the format in "description" or use "format"/"enum"`;
      }
      pending.push({ node: value, names: !names && NAME_MAPS.has(key), depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * A JSON Schema object sent as the answer's shape, checked (size, depth, no regular expressions)
 * and compiled to a zod schema with zod's own `z.fromJSONSchema` (local `$ref`s only).
 */
export const OUTPUT_JSON_SCHEMA = z
  .record(z.string(), z.unknown())
  .describe(
    `A JSON Schema (draft 2020-12, 07 or 04) the answer must match; at most ${MAX_OUTPUT_SCHEMA_CHARS} characters and ${MAX_OUTPUT_SCHEMA_DEPTH} levels, local $refs only, no "pattern"/"patternProperties".`,
  )
  .transform((schema, context) => {
    const problem = schemaProblem(schema);
    if (problem !== undefined) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    try {
      const compiled = z.fromJSONSchema(schema);
      // References resolve lazily: one check now makes `$ref`s that only loop fail here, not in a run.
      compiled.safeParse(null);
      return compiled;
    } catch (error) {
      // A `$ref` that only leads back to itself recurses without end: say so, not "call stack size".
      const reason = error instanceof RangeError ? 'its $refs lead back to themselves without a schema in between' : (error as Error).message;
      context.addIssue({ code: 'custom', message: `not a JSON Schema zod can use: ${reason}` });
      return z.NEVER;
    }
  });

/** Name of the answer's schema, as providers see it. */
export const OUTPUT_NAME = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1-64 letters, digits, _ or -');
