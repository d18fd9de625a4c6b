import { randomUUID } from 'node:crypto';
import { EntityError, ValidationError } from '@entity/core';
import { expect } from 'vitest';

/** A user id no other test uses, so tests can share one started memory. */
export const uniqueUser = (label: string) => `${label}-${randomUUID()}`;

/** Awaits `promise` and returns what it rejected with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  expect(outcome.resolved, 'expected the call to fail').toBe(false);
  return outcome.resolved ? undefined : outcome.error;
}

export async function expectValidationError(promise: Promise<unknown>, pattern?: RegExp): Promise<ValidationError> {
  const error = await rejectionOf(promise);
  expect(ValidationError.isInstance(error), `expected a ValidationError, got ${String(error)}`).toBe(true);
  if (pattern) expect((error as Error).message).toMatch(pattern);
  return error as ValidationError;
}

export async function expectEntityError(promise: Promise<unknown>): Promise<EntityError> {
  const error = await rejectionOf(promise);
  expect(EntityError.isInstance(error), `expected an Entity error, got ${String(error)}`).toBe(true);
  return error as EntityError;
}

/** A vector of `dimensions` with the given leading values and small deterministic noise after them. */
export function vectorOf(dimensions: number, leading: readonly number[], seed = 1): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length: dimensions }, (_, index) => {
    if (index < leading.length) return leading[index]!;
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return ((state / 2 ** 32) - 0.5) * 0.001;
  });
}
