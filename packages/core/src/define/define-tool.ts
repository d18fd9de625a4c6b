import { type output as ZodOutput, type ZodType, z } from 'zod';
import type { JsonSchema } from '../contracts/json.js';
import type { Tool, ToolContext } from '../contracts/tool.js';
import { ConfigError } from '../errors/index.js';

/** Provider APIs accept tool names of letters, digits, `_` and `-`, up to 64 characters. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface ToolSpec<TInput, TOutput> {
  /** Letters, digits, `_` and `-`; at most 64 characters (what every provider accepts). */
  name: string;
  /** Tells the model when to use the tool; be specific. */
  description: string;
  /** Zod schema of the arguments; also the JSON Schema sent to the model. */
  input: ZodType<TInput>;
  /** Per-call time budget in ms. Default: the agent's `toolTimeoutMs` (30 s). */
  timeoutMs?: number;
  execute(args: TInput, context: ToolContext): Promise<TOutput> | TOutput;
}

/** The JSON Schema a model sees for a zod schema (input side, no `$schema` key). */
export function toJsonSchema(schema: ZodType): JsonSchema {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return jsonSchema;
}

/**
 * Defines a typed tool: arguments are validated with `input` before `execute` runs.
 * Generic over the schema itself (not its output type): inferring `T` back out of `ZodType<T>`
 * costs the checker thousands of instantiations per tool, which agents with many tools feel.
 */
export function defineTool<TSchema extends ZodType, TOutput>(
  spec: Omit<ToolSpec<ZodOutput<TSchema>, TOutput>, 'input'> & { input: TSchema },
): Tool<ZodOutput<TSchema>, TOutput> {
  if (!TOOL_NAME.test(spec.name)) {
    throw new ConfigError([
      {
        path: `tools.${spec.name}`,
        message: `"${spec.name}" is not a valid tool name`,
        fix: 'use 1-64 letters, digits, "_" or "-" (e.g. "get_weather")',
      },
    ]);
  }
  let parameters: JsonSchema | undefined;
  return {
    name: spec.name,
    description: spec.description,
    input: spec.input as ZodType<ZodOutput<TSchema>>,
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
    // Computed on first use: converting 50 schemas at import time would slow every start.
    get parameters() {
      parameters ??= toJsonSchema(spec.input);
      return parameters;
    },
    execute: spec.execute,
  };
}
