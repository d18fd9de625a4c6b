/** Any value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema document (draft 2020-12 unless a provider needs otherwise). */
export type JsonSchema = { [key: string]: unknown };
