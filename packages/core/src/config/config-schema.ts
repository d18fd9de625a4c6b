import { z } from 'zod';
import { ALL_STAGES } from '../contracts/stage.js';
import { lazySchema, once } from '../define/lazy-schema.js';

const RESOURCE_NAME = /^[a-zA-Z][\w-]*$/;

/**
 * The config document's schemas, built on first use: a code-only agent (no YAML) never needs them,
 * and building them at import was a noticeable part of `@entity/core`'s cold start.
 */
export const configSchemas = once(() => {
  const stageSchema = z.enum(ALL_STAGES as [string, ...string[]]);
  const positiveInteger = z.number().int().positive();

  /** A plugin entry: a module specifier, or one with options. */
  const pluginEntrySchema = z.union([
    z.string().min(1),
    z
      .object({
        use: z.string().min(1).describe('Module path relative to the config file (./plugins/x.ts, staying inside its folder), or a package name.'),
        export: z.string().optional().describe('Named export to use. Default: the default export, or every plugin and tool the module exports.'),
        config: z
          .record(z.string(), z.unknown())
          .optional()
          .describe("The plugin's settings, checked against its own schema; unknown keys are rejected unless the plugin's schema is .loose()."),
        stages: z.array(stageSchema).optional().describe("Stages to run the plugin in, instead of its kind's default stage."),
      })
      .strict(),
  ]);

  const resourceEntrySchema = z.object({ type: z.string().min(1).describe('The resource type: openai, pglite, local, logging, …') }).loose();

  const agentConfigSchema = z
    .object({
      name: z.string().min(1).optional().describe('Name of the agent, shown in logs, metrics and `entity graph`.'),
      instructions: z.string().optional().describe("System prompt of the default workflow's model calls."),
      maxIterations: positiveInteger.optional().describe('THINK/DO loops of one run before it gives up. Default: 5.'),
      runTimeoutMs: positiveInteger.optional().describe('Budget of a whole run, in ms. Default: 120000.'),
      toolTimeoutMs: positiveInteger.optional().describe('Budget of one tool call, in ms, unless the tool sets its own. Default: 30000.'),
      toolConcurrency: positiveInteger.optional().describe('Queued tool calls run at once at a stage boundary. Default: 8.'),
      historyLimit: positiveInteger.optional().describe('Messages of history the default workflow loads. Default: 50.'),
      stopTimeoutMs: positiveInteger.optional().describe('How long `stop()` waits for runs to finish before closing resources, in ms. Default: 10000.'),
      errorTimeoutMs: positiveInteger.optional().describe('Budget of the ERROR stage of a failed run, in ms. Default: 5000.'),
      defaultWorkflow: z.boolean().optional().describe('Add the built-in chat workflow (load history, ask the model, run tools, respond). Default: true.'),
      resources: z
        .record(z.string().regex(RESOURCE_NAME, 'resource names start with a letter'), resourceEntrySchema)
        .default({})
        .describe('Resources by name (llm, memory, storage, logging, metrics, or your own); `type` selects the kind, the other keys are its settings.'),
      plugins: z.array(pluginEntrySchema).default([]).describe('Plugin and tool modules: a path or package name, or an entry with use/export/config/stages.'),
      workflow: z
        .partialRecord(stageSchema, z.array(z.string().min(1)))
        .optional()
        .describe('Plugin names per stage, in order; plugins not named keep their own stages. Built-ins are named entity:….'),
      /**
       * How to serve the agent (port, host, auth, limits, CORS). Core passes it through unchecked:
       * it belongs to `@entity/plugin-http`, which validates it (`entity validate`, `entity serve`),
       * and core does not depend on the HTTP package.
       */
      server: z.record(z.string(), z.unknown()).optional().describe('How `entity serve` serves the agent (port, host, auth, limits, CORS); checked by @entity/plugin-http.'),
    })
    .strict();

  return { pluginEntrySchema, resourceEntrySchema, agentConfigSchema };
});

type ConfigSchemas = ReturnType<typeof configSchemas>;

/**
 * The agent configuration document (YAML or JSON). Unknown keys are rejected. Built on its first
 * use (any property read), so importing `@entity/core` does not build it.
 */
export const agentConfigSchema: ConfigSchemas['agentConfigSchema'] = lazySchema(() => configSchemas().agentConfigSchema);

export type AgentConfig = z.infer<ConfigSchemas['agentConfigSchema']>;
export type PluginEntry = z.infer<ConfigSchemas['pluginEntrySchema']>;

/**
 * The parts of an invalid document that are valid on their own: each resource with a type, each
 * well-formed plugin entry (holes keep the others' indexes), the workflow. Validation goes on with
 * them so one problem does not hide the rest; nothing is run from a document that failed.
 */
export function usableParts(raw: unknown): Omit<AgentConfig, 'plugins'> & { plugins: (PluginEntry | undefined)[] } {
  const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const { agentConfigSchema, resourceEntrySchema, pluginEntrySchema } = configSchemas();
  const shape = agentConfigSchema.shape;
  const resources: AgentConfig['resources'] = {};
  if (typeof record.resources === 'object' && record.resources !== null) {
    for (const [name, entry] of Object.entries(record.resources)) {
      const parsed = resourceEntrySchema.safeParse(entry);
      if (parsed.success && RESOURCE_NAME.test(name)) resources[name] = parsed.data;
    }
  }
  const plugins = Array.isArray(record.plugins) ? record.plugins.map((entry) => pluginEntrySchema.safeParse(entry).data) : [];
  const workflow = shape.workflow.safeParse(record.workflow);
  return { resources, plugins, ...(workflow.success && workflow.data ? { workflow: workflow.data } : {}) };
}
