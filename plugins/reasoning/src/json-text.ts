import type { JsonValue } from '@entity/core';

/** Longest text kept per value in annotations and events: a run's info must stay small enough to send. */
export const MAX_RECORDED_TEXT = 4_000;

/** Cuts long text for annotations and events, saying how much was left out. */
export function clip(text: string, max = MAX_RECORDED_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** A tool's value as the model reads it: strings as they are, anything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A value as JSON for `ctx.annotate()` (tool arguments come from a model and may hold anything). */
export function jsonOf(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return String(value);
  }
}
