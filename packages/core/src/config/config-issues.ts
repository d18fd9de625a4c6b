import type { z } from 'zod';
import type { ConfigIssue } from '../errors/index.js';
import { closestKey, knownKeysAt } from './did-you-mean.js';

/**
 * Turns zod issues into config issues, each with a one-line fix a user can act on. Each unknown
 * key is its own issue whose path ends at the key; with the `schema` that failed, the fix names
 * the closest known key (`temprature` → `temperature`) or lists the known ones.
 */
export function configIssuesFrom(error: z.ZodError, prefix: readonly string[] = [], schema?: z.ZodType): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = schema ? knownKeysAt(schema, issue.path) : [];
        return issue.keys.map((key) => {
          const suggestion = closestKey(key, known);
          return {
            path: path ? `${path}.${key}` : key,
            message: `unknown key "${key}"`,
            fix: suggestion
              ? `did you mean "${suggestion}"?`
              : known.length > 0
                ? `remove it; known keys here: ${known.join(', ')}`
                : 'remove it or check its spelling against the documentation',
          };
        });
      }
      case 'invalid_type':
        return [{
          path,
          message: issue.message,
          fix: issue.message.endsWith('received undefined') ? `add ${path || 'the value'} (${issue.expected})` : `use a ${issue.expected} here`,
        }];
      case 'invalid_value':
        return [{ path, message: issue.message, fix: `use one of: ${issue.values.map(String).join(', ')}` }];
      case 'too_small':
      case 'too_big':
        return [{ path, message: issue.message, fix: 'change the value to fit the limit' }];
      default:
        return [{ path, message: issue.message, fix: 'correct this value' }];
    }
  });
}
