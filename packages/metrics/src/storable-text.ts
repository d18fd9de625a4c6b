/** A UTF-16 surrogate without its partner, which PostgreSQL refuses in `text` and `jsonb` (as it does NUL). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const REPLACEMENT = '\uFFFD';

/**
 * A copy of `value` whose strings (object keys included) PostgreSQL can store: NUL and lone
 * surrogates become U+FFFD. Names and labels can come from a model (the tool names it asked
 * for), and one unstorable character must not make the database refuse a whole batch.
 */
export function storableText<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\0', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT) as T;
  if (Array.isArray(value)) return value.map((item) => storableText(item)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[storableText(key)] = storableText(item);
    return copy as T;
  }
  return value;
}
