import { z } from 'zod';

const RESOURCE_NAME = /^[a-zA-Z][\w-]*$/;

/** Settings every pattern shares. */
const commonShape = {
  /** Name of the LLM resource the pattern asks. Default: `llm`. */
  llm: z.string().regex(RESOURCE_NAME, 'a resource name: a letter, then letters, digits, "_" or "-"').optional().describe('Name of the LLM resource to ask. Default: llm.'),
  /** Sampling temperature of the pattern's model calls. Default: the provider's. */
  temperature: z.number().min(0).max(2).optional().describe("Sampling temperature of the pattern's model calls. Default: the provider's."),
  /** Replaces the pattern's built-in instruction text (what it tells the model about how to work). */
  instruction: z.string().trim().min(1).max(20_000).optional().describe("Replaces the pattern's built-in instruction to the model."),
};

/** `chainOfThoughtPlugin()` options and its YAML `config`. */
export const chainOfThoughtConfigSchema = z.object({ ...commonShape }).strict();

/** `reActPlugin()` options and its YAML `config`. */
export const reActConfigSchema = z
  .object({
    ...commonShape,
    maxSteps: z.number().int().min(1).max(50).optional().describe('Model turns that may call tools before the pattern asks for a final answer. Default: 6.'),
  })
  .strict();

/** `planAndExecutePlugin()` options and its YAML `config`. */
export const planAndExecuteConfigSchema = z
  .object({
    ...commonShape,
    maxPlanSteps: z.number().int().min(1).max(50).optional().describe('Most steps a plan may have. Default: 8.'),
    concurrency: z.number().int().min(1).max(32).optional().describe('Independent steps run at the same time, at most this many. Default: 3.'),
    maxReplans: z.number().int().min(0).max(10).optional().describe('New plans made after a step fails, at most. Default: 1.'),
    stepMaxTurns: z.number().int().min(1).max(20).optional().describe('Model turns one step may take (each may call tools). Default: 4.'),
  })
  .strict();

export type ChainOfThoughtOptions = z.input<typeof chainOfThoughtConfigSchema>;
export type ReActOptions = z.input<typeof reActConfigSchema>;
export type PlanAndExecuteOptions = z.input<typeof planAndExecuteConfigSchema>;

/** Settings every pattern has once defaults are filled in. */
export interface PatternSettings {
  llm: string;
  temperature: number | undefined;
  instruction: string | undefined;
}
export type ChainOfThoughtSettings = PatternSettings;
export interface ReActSettings extends PatternSettings {
  maxSteps: number;
}
export interface PlanAndExecuteSettings extends PatternSettings {
  maxPlanSteps: number;
  concurrency: number;
  maxReplans: number;
  stepMaxTurns: number;
}

export const DEFAULT_REACT_MAX_STEPS = 6;

/** The shared settings with their defaults. */
export function commonSettings(options: { llm?: string | undefined; temperature?: number | undefined; instruction?: string | undefined }): PatternSettings {
  return { llm: options.llm ?? 'llm', temperature: options.temperature, instruction: options.instruction };
}
