import { DEFAULT_STAGE_BY_KIND, type Plugin, type PluginKind } from '../contracts/plugin.js';
import type { Stage } from '../contracts/stage.js';
import type { Context } from '../contracts/context.js';

/** How a plugin's stages were decided, in precedence order. */
export type StageSource = 'explicit' | 'kind-default' | 'inferred' | 'none';

export interface StageAssignment {
  stages: readonly Stage[];
  source: StageSource;
  /** Human-readable explanation, shown by `entity plugin analyze`. */
  reason: string;
  /** Set when explicit stages differ from the kind's default (worth a warning). */
  warning?: string;
}

/** A plain async function used as a plugin (`agent.use(async (ctx) => ...)`). */
export type PluginFunction = ((context: Context) => Promise<void> | void) & { pluginName?: string };

/**
 * Stage precedence: explicit stages > the kind's default > (function plugins only) a hint read
 * from the function's own source: `respond(` → DELIVER, `failure` → ERROR, tool calls → DO,
 * `llm` use → THINK, otherwise THINK. The hint sees only the function's own text (not helpers it
 * calls, and not reliably minified code); give such functions their stage explicitly.
 */
export function assignStages(plugin: Plugin<never>, override?: readonly Stage[], isFunction = false): StageAssignment {
  const explicit = override ?? plugin.stages;
  if (plugin.kind === 'resource') {
    return { stages: [], source: 'none', reason: 'resource plugins provide infrastructure and never run in a stage' };
  }
  const kindDefault = DEFAULT_STAGE_BY_KIND[plugin.kind as Exclude<PluginKind, 'resource'>];
  if (explicit && explicit.length > 0) {
    const differs = !isFunction && (explicit.length !== 1 || explicit[0] !== kindDefault);
    return {
      stages: explicit,
      source: 'explicit',
      reason: `stages set explicitly: ${explicit.join(', ')}`,
      ...(differs
        ? { warning: `plugin "${plugin.name}" of kind ${plugin.kind} runs in ${explicit.join(', ')} instead of its default ${kindDefault}` }
        : {}),
    };
  }
  if (isFunction && plugin.execute) return inferStages(plugin.execute.toString());
  return { stages: [kindDefault], source: 'kind-default', reason: `default stage of kind "${plugin.kind}"` };
}

function inferStages(source: string): StageAssignment {
  const rules: [RegExp, Stage, string][] = [
    // ERROR plugins may respond too, so reading ctx.failure decides before respond() does.
    [/\.failure\b/, 'ERROR', 'reads ctx.failure, which only ERROR has'],
    [/\.respond\s*\(/, 'DELIVER', 'calls respond(), which only DELIVER (and ERROR) may do'],
    [/\.(queueTool|tool)\s*\(/, 'DO', 'calls tools'],
    [/\.llm\b|resource\(\s*['"]llm/, 'THINK', 'uses the llm resource'],
  ];
  for (const [pattern, stage, why] of rules) {
    if (pattern.test(source)) return { stages: [stage], source: 'inferred', reason: `inferred ${stage}: the function ${why}` };
  }
  return { stages: ['THINK'], source: 'inferred', reason: 'inferred THINK: no stage-specific call found (the default for functions)' };
}

/**
 * Wraps a plain function as a plugin; its name comes from `fn.pluginName`, `fn.name` or a counter.
 * The function itself is the `execute`, not a wrapper around it: the stage heuristic reads
 * `execute`'s source, which must be the user's code.
 */
export function pluginFromFunction(fn: PluginFunction, fallbackName: string): Plugin<never> {
  const name = fn.pluginName ?? (fn.name && fn.name !== 'anonymous' ? fn.name : fallbackName);
  return { name, kind: 'prompt', execute: fn };
}
