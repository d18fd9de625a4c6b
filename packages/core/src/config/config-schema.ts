import { z } from 'zod';
import { ALL_STAGES } from '../contracts/stage.js';
import type { ConfigIssue } from '../errors/index.js';

const stageSchema = z.enum(ALL_STAGES as [string, ...string[]]);
const positiveInteger = z.number().int().positive();

/** A plugin entry: a module specifier, or one with options. */
export const pluginEntrySchema = z.union([
  z.string().min(1),
  z
    .object({
      /** Module path relative to the config file, or a package name. */
      use: z.string().min(1),
      /** Named export to use. Default: the default export (or every plugin the module exports). */
      export: z.string().optional(),
      config: z.record(z.string(), z.unknown()).optional(),
      stages: z.array(stageSchema).optional(),
    })
    .strict(),
]);

export const resourceEntrySchema = z.object({ type: z.string().min(1) }).loose();

/** The agent configuration document (YAML or JSON). Unknown keys are rejected. */
export const agentConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    instructions: z.string().optional(),
    maxIterations: positiveInteger.optional(),
    runTimeoutMs: positiveInteger.optional(),
    toolTimeoutMs: positiveInteger.optional(),
    toolConcurrency: positiveInteger.optional(),
    historyLimit: positiveInteger.optional(),
    stopTimeoutMs: positiveInteger.optional(),
    errorTimeoutMs: positiveInteger.optional(),
    defaultWorkflow: z.boolean().optional(),
    resources: z.record(z.string().regex(/^[a-zA-Z][\w-]*$/, 'resource names start with a letter'), resourceEntrySchema).default({}),
    plugins: z.array(pluginEntrySchema).default([]),
    workflow: z.partialRecord(stageSchema, z.array(z.string().min(1))).optional(),
    /**
     * How to serve the agent (port, host, auth, limits, CORS). Core passes it through unchecked:
     * it belongs to `@entity/plugin-http`, which validates it (`entity validate`, `entity serve`),
     * and core does not depend on the HTTP package.
     */
    server: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type PluginEntry = z.infer<typeof pluginEntrySchema>;

/** Turns zod issues into config issues, each with a one-line fix a user can act on. */
export function configIssuesFrom(error: z.ZodError, prefix: readonly string[] = []): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    switch (issue.code) {
      case 'unrecognized_keys':
        return {
          path,
          message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`,
          fix: 'remove it or check its spelling against the documentation',
        };
      case 'invalid_type':
        return {
          path,
          message: issue.message,
          fix: issue.message.endsWith('received undefined') ? `add ${path || 'the value'} (${issue.expected})` : `use a ${issue.expected} here`,
        };
      case 'invalid_value':
        return { path, message: issue.message, fix: `use one of: ${issue.values.map(String).join(', ')}` };
      case 'too_small':
      case 'too_big':
        return { path, message: issue.message, fix: 'change the value to fit the limit' };
      default:
        return { path, message: issue.message, fix: 'correct this value' };
    }
  });
}
