import { z } from 'zod';

/** Bounds on a JSON Schema a client sends as `output`: it is compiled and run on the server. */
export const MAX_OUTPUT_SCHEMA_CHARS = 16_384;
export const MAX_OUTPUT_SCHEMA_DEPTH = 32;
/**
 * Bound on the schema with every `$ref` written out in place. zod follows each `$ref` anew, so
 * `$defs` that each use the next one twice make a 2 KB schema cost 2^30 checks per validation.
 */
export const MAX_OUTPUT_SCHEMA_EXPANDED_NODES = 20_000;

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
  return expandedNodes(schema) > MAX_OUTPUT_SCHEMA_EXPANDED_NODES
    ? `the schema's $refs expand to more than ${MAX_OUTPUT_SCHEMA_EXPANDED_NODES} subschemas (each use of a $ref counts its whole target); define shared parts once without nesting reuses`
    : undefined;
}

/** The target of a local `$ref` as zod resolves it (`#` or `#/$defs/name`), or undefined. */
function refTarget(root: Record<string, unknown>, ref: string): unknown {
  if (ref === '#' || ref === '#/') return root;
  const [, maps, name] = ref.split('/');
  if (!ref.startsWith('#/') || (maps !== '$defs' && maps !== 'definitions') || name === undefined) return undefined;
  const defs = root[maps];
  if (typeof defs !== 'object' || defs === null) return undefined;
  return (defs as Record<string, unknown>)[name.replace(/~1/g, '/').replace(/~0/g, '~')];
}

/**
 * How many objects and arrays the schema holds with each `$ref` replaced by its target, capped
 * just above the limit. Sizes are memoized per node, so this is linear in the schema's size; a
 * `$ref` back to a node being counted (recursion) counts 1, as zod checks it only per level of data.
 */
function expandedNodes(root: Record<string, unknown>): number {
  const cap = MAX_OUTPUT_SCHEMA_EXPANDED_NODES + 1;
  const sizes = new Map<object, number>();
  const counting = new Set<object>();
  const size = (node: unknown): number => {
    if (typeof node !== 'object' || node === null) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (counting.has(node)) return 1;
    counting.add(node);
    let total = 1;
    for (const value of Array.isArray(node) ? node : Object.values(node)) {
      total = Math.min(cap, total + size(value));
    }
    const ref = Array.isArray(node) ? undefined : (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string') total = Math.min(cap, total + size(refTarget(root, ref)));
    counting.delete(node);
    sizes.set(node, total);
    return total;
  };
  try {
    return size(root);
  } catch (error) {
    // A chain of $refs as long as the 16 KB allow is a few thousand frames; should it still
    // exhaust the stack, the schema is too involved to check here.
    if (error instanceof RangeError) return cap;
    throw error;
  }
}

/**
 * A JSON Schema object sent as the answer's shape, checked (size, depth, no regular expressions)
 * and compiled to a zod schema with zod's own `z.fromJSONSchema` (local `$ref`s only).
 */
export const OUTPUT_JSON_SCHEMA = z
  .record(z.string(), z.unknown())
  .describe(
    `A JSON Schema (draft 2020-12, 07 or 04) the answer must match; at most ${MAX_OUTPUT_SCHEMA_CHARS} characters, ${MAX_OUTPUT_SCHEMA_DEPTH} levels and ${MAX_OUTPUT_SCHEMA_EXPANDED_NODES} subschemas with $refs written out, local $refs only, no "pattern"/"patternProperties".`,
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
