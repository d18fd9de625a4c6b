import { ValidationError } from '@entity/core';

// The Memory contract's input rules live in core, so the fallback in-process memory and the SQL
// memories accept exactly the same input.
export { MAX_IDENTIFIER_LENGTH, requireIdentifier, requireJson, requireMessages } from '@entity/core/internal';

/** A positive integer up to `max`, or the default when undefined. */
export function requireCount(value: unknown, what: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${what} must be an integer between 0 and ${max}`);
  }
  return value;
}
