import type { ZodType } from 'zod';

/** The parts of zod's definition object this module reads (zod 4's `_zod.def`). */
interface Definition {
  type: string;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  innerType?: ZodType;
  in?: ZodType;
  out?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
  options?: ZodType[];
  left?: ZodType;
  right?: ZodType;
  getter?: () => ZodType;
}

// Anything else with a `safeParse` (a hand-written schema) has no definition and no known keys.
const definitionOf = (schema: ZodType): Definition => (schema as unknown as { _zod?: { def?: Definition } })._zod?.def ?? { type: 'unknown' };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch', 'success']);

/** The schemas a value may be checked against once wrappers, pipes, unions and lazies are looked through. */
function alternatives(schema: ZodType, depth = 0): ZodType[] {
  if (depth > 20) return [];
  const definition = definitionOf(schema);
  if (WRAPPERS.has(definition.type) && definition.innerType) return alternatives(definition.innerType, depth + 1);
  if (definition.type === 'pipe') return [definition.in, definition.out].filter((part): part is ZodType => part !== undefined).flatMap((part) => alternatives(part, depth + 1));
  if (definition.type === 'union') return (definition.options ?? []).flatMap((option) => alternatives(option, depth + 1));
  if (definition.type === 'intersection') return [definition.left, definition.right].filter((part): part is ZodType => part !== undefined).flatMap((part) => alternatives(part, depth + 1));
  if (definition.type === 'lazy' && definition.getter) return alternatives(definition.getter(), depth + 1);
  return [schema];
}

/** The keys an object at `path` of `schema` knows (empty when the path leads to no object). */
export function knownKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] {
  let current = alternatives(schema);
  for (const segment of path) {
    current = current.flatMap((candidate) => {
      const definition = definitionOf(candidate);
      if (definition.type === 'object') {
        const child = definition.shape?.[String(segment)] ?? definition.catchall;
        return child ? alternatives(child) : [];
      }
      if (definition.type === 'record' && definition.valueType) return alternatives(definition.valueType);
      if (definition.type === 'array' && definition.element) return alternatives(definition.element);
      return [];
    });
  }
  const keys = current.flatMap((candidate) => Object.keys(definitionOf(candidate).type === 'object' ? (definitionOf(candidate).shape ?? {}) : {}));
  return [...new Set(keys)];
}

/** Edit distance counting a swap of neighbours as one edit (`modle` → `model`), as typos usually are. */
function editDistance(left: string, right: string): number {
  const rows: number[][] = Array.from({ length: left.length + 1 }, (_, row) => Array.from({ length: right.length + 1 }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)));
  for (let row = 1; row <= left.length; row++) {
    for (let column = 1; column <= right.length; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(rows[row - 1]![column]! + 1, rows[row]![column - 1]! + 1, rows[row - 1]![column - 1]! + cost);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) best = Math.min(best, rows[row - 2]![column - 2]! + 1);
      rows[row]![column] = best;
    }
  }
  return rows[left.length]![right.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive edit distance), when it is close enough to be
 * a likely typo: at most a third of the word's length, so `temprature` finds `temperature` but
 * `colour` does not turn into `model`.
 */
export function closestKey(word: string, candidates: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best && best.distance <= limit ? best.key : undefined;
}
