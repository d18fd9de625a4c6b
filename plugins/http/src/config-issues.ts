import { type ConfigIssue } from '@entity/core';
import { configIssuesFrom } from '@entity/core/internal';
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** True when a union branch failed on the value's very type: that branch was not the one meant. */
const rejectsTheType = (issues: readonly Issue[]) => issues.some((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'));

/**
 * Replaces "invalid input" of a union (`auth: 'none' | {...}`, `rateLimit: false | {...}`) by the
 * problems inside the one branch the value was meant for — the one whose type it has — so a user
 * reads `server.auth.jwt.issuer: required`, not `server.auth: invalid input`.
 */
export function flattenUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors)) return [issue];
    const meant = (issue.errors as Issue[][]).filter((branch) => !rejectsTheType(branch));
    if (meant.length !== 1) return [issue];
    return flattenUnions(meant[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}

/** Config issues of a failed parse, with union failures narrowed to the branch meant. */
export function configIssuesOf(error: z.ZodError, prefix: readonly string[], schema?: z.ZodType): ConfigIssue[] {
  return configIssuesFrom({ issues: flattenUnions(error.issues) } as z.ZodError, prefix, schema);
}
