import { describe, expect, it } from 'vitest';
import { ConfigError, EntityError, ResourceError, TimeoutError, ToolError } from '../src/index.js';

describe('errors', () => {
  it('recognises kinds across copies of core through Symbol.for markers', () => {
    const error = new TimeoutError('slow', 5);
    // A plain object carrying the same markers stands in for an instance from a second copy of core.
    const foreign = Object.create(null) as Record<symbol, boolean>;
    foreign[Symbol.for('entity.error.TimeoutError')] = true;
    foreign[Symbol.for('entity.error.EntityError')] = true;
    expect(TimeoutError.isInstance(foreign)).toBe(true);
    expect(EntityError.isInstance(error)).toBe(true);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(ToolError.isInstance(error)).toBe(false);
    expect(error.name).toBe('TimeoutError');
    expect(error.retryable).toBe(true);
  });

  it('lists every config issue with path and fix, and keeps a safe message', () => {
    const error = new ConfigError([
      { path: 'resources.llm.model', message: 'required', fix: 'set a model name' },
      { path: 'maxIterations', message: 'must be positive', fix: 'use 5' },
    ]);
    expect(error.message).toContain('resources.llm.model: required — fix: set a model name');
    expect(error.message).toContain('maxIterations: must be positive');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.safeMessage).not.toContain('resources');
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('ECONNREFUSED 10.0.0.1:5432');
    const error = new ResourceError('memory', 'Resource "memory" failed to start', { cause });
    expect(error.cause).toBe(cause);
    expect(error.safeMessage).not.toContain('10.0.0.1');
  });
});
