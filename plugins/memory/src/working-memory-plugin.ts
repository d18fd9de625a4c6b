import { definePlugin, defineTool, type JsonValue, type Memory, type Plugin, type Tool, ToolError } from '@entity/core';
import { z } from 'zod';
import { PerUserQueue } from './per-user-queue.js';

export const WORKING_MEMORY_KEY = 'entity:working-memory';
export const WORKING_MEMORY_TOOL = 'update_working_memory';
export const WORKING_MEMORY_LABEL = 'What you know about this user';

/** Field types a working-memory record can have when it is declared in agent.yaml. */
const FIELD_TYPES = { string: z.string().max(2_000), number: z.number(), boolean: z.boolean(), 'string[]': z.array(z.string().max(2_000)).max(100) } as const;
type FieldType = keyof typeof FIELD_TYPES;

/** The record when none is declared: free-form facts, one sentence each. */
export const DEFAULT_WORKING_MEMORY_FIELDS: Record<string, FieldType> = { facts: 'string[]' };

export const workingMemoryConfigSchema = z.strictObject({
  /** The record's fields and their types (`string`, `number`, `boolean`, `string[]`). Default: `{ facts: string[] }`. */
  fields: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, 'field names are letters, digits and _ (at most 64)'), z.enum(Object.keys(FIELD_TYPES) as [FieldType, ...FieldType[]]))
    .refine((fields) => Object.keys(fields).length > 0 && Object.keys(fields).length <= 50, 'declare between 1 and 50 fields')
    .optional(),
  /** Largest record in bytes of JSON; an update past it is refused so the prompt stays small. Default: 8 192. */
  maxBytes: z.number().int().min(256).max(1_000_000).default(8_192),
});
export type WorkingMemoryConfig = z.input<typeof workingMemoryConfigSchema>;

export interface WorkingMemoryOptions<Shape extends z.ZodRawShape> {
  /** The record's fields. Every field is optional in the stored record (the model fills them in over time). */
  schema: z.ZodObject<Shape>;
  /** Largest record in bytes of JSON. Default: 8 192. */
  maxBytes?: number;
}

/** A zod object from the fields declared in YAML. */
export function schemaFromFields(fields: Record<string, FieldType>): z.ZodObject {
  return z.object(Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, FIELD_TYPES[type]])));
}

/** The stored record for `userId`, or an empty one. A stored value that no longer fits the schema keeps only its valid fields. */
export async function readWorkingMemory(memory: Memory, userId: string, schema: z.ZodObject): Promise<Record<string, unknown>> {
  const stored = await memory.get(userId, WORKING_MEMORY_KEY);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const record: Record<string, unknown> = {};
  for (const [field, fieldSchema] of Object.entries(schema.shape)) {
    const parsed = (fieldSchema as z.ZodType).safeParse((stored as Record<string, unknown>)[field]);
    if (parsed.success && parsed.data !== undefined) record[field] = parsed.data;
  }
  return record;
}

/** Shared by every working-memory tool in the process: agents on one store share its rows. */
const updates = new PerUserQueue();

function updateTool(schema: z.ZodObject, maxBytes: number) {
  const fieldNames = Object.keys(schema.shape);
  return defineTool({
    name: WORKING_MEMORY_TOOL,
    description:
      `Saves what you learned about the user for later conversations. Fields: ${fieldNames.join(', ')}. ` +
      'Pass only the fields that changed in `set` (a list replaces the whole list: send all its items), and field names in `clear` to forget them.',
    input: z.strictObject({
      set: schema.partial().strict().optional(),
      clear: z.array(z.enum(fieldNames as [string, ...string[]])).optional(),
    }),
    async execute({ set, clear }, context) {
      if (!set && !clear?.length) throw new ToolError(WORKING_MEMORY_TOOL, 'Nothing to update: pass `set` with the changed fields or `clear` with field names');
      const memory = context.resource<Memory>('memory');
      return updates.run(context.userId, async () => {
        const record = await readWorkingMemory(memory, context.userId, schema);
        for (const [field, value] of Object.entries(set ?? {})) if (value !== undefined) record[field] = value;
        for (const field of clear ?? []) delete record[field];
        const size = Buffer.byteLength(JSON.stringify(record));
        if (size > maxBytes) {
          throw new ToolError(WORKING_MEMORY_TOOL, `The working memory would be ${size} bytes, over its ${maxBytes}-byte limit; keep only what matters (shorten or clear fields) and try again`);
        }
        await memory.set(context.userId, WORKING_MEMORY_KEY, record as JsonValue);
        return { saved: record };
      });
    },
  });
}

/** The plugin around `state`, which says the record's schema and size limit when the plugin runs. */
function build(state: { schema: z.ZodObject; tool: Tool<unknown, unknown> }, config?: z.ZodType, init?: Plugin<unknown>['init']): Plugin<unknown> {
  // The registry reads a tool's description, schema and input when it lists or calls the tool,
  // so this view follows `state.tool` when the YAML factory swaps it in at init.
  const tool: Tool<unknown, unknown> = {
    name: WORKING_MEMORY_TOOL,
    get description() {
      return state.tool.description;
    },
    get input() {
      return state.tool.input;
    },
    get parameters() {
      return state.tool.parameters;
    },
    execute: (args, context) => state.tool.execute(args, context),
  };
  return definePlugin({
    name: 'memory:working-memory',
    kind: 'prompt',
    dependencies: ['memory'],
    description: 'Keeps a typed record of facts about the user, shown to the model and updated by it through a tool',
    ...(config ? { config } : {}),
    ...(init ? { init } : {}),
    tools: [tool],
    async execute(context) {
      if (context.iteration !== 1) return;
      const record = await readWorkingMemory(context.memory, context.userId, state.schema);
      const known = Object.keys(record).length > 0 ? JSON.stringify(record, null, 2) : '(nothing yet)';
      context.addContext(`${known}\n\nWhen the user tells you something worth remembering about them, call ${WORKING_MEMORY_TOOL}.`, { label: WORKING_MEMORY_LABEL });
    },
  }) as Plugin<unknown>;
}

const stateFor = (schema: z.ZodObject, maxBytes: number) => ({ schema, tool: updateTool(schema, maxBytes) as Tool<unknown, unknown> });

/**
 * Working memory with a typed record, in code:
 * `agent.use(workingMemory({ schema: z.object({ name: z.string(), timezone: z.string() }) }))`.
 * The record is kept per user (key `entity:working-memory`), shown to the model in each run's
 * system prompt, and updated by the model through the `update_working_memory` tool, whose
 * arguments are validated against the schema (a wrong type comes back to the model as a tool error).
 */
export function workingMemory<Shape extends z.ZodRawShape>(options: WorkingMemoryOptions<Shape>): Plugin<unknown> {
  return build(stateFor(options.schema, options.maxBytes ?? 8_192));
}

/**
 * The agent.yaml form: `use: '@entity/plugin-memory'`, `export: workingMemoryPlugin`, with
 * `config: { fields: { name: string, interests: 'string[]' } }`. A factory, so the loader makes
 * one per agent: the fields are read from the config when the agent starts.
 */
export const workingMemoryPlugin = (): Plugin<unknown> => {
  const state = stateFor(schemaFromFields(DEFAULT_WORKING_MEMORY_FIELDS), 8_192);
  return build(state, workingMemoryConfigSchema, ({ config }) => {
    const { fields, maxBytes } = config as z.output<typeof workingMemoryConfigSchema>;
    Object.assign(state, stateFor(schemaFromFields(fields ?? DEFAULT_WORKING_MEMORY_FIELDS), maxBytes));
  });
};
