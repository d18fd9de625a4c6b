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
 * from the function's own source: reading its context's `failure` → ERROR, `respond(` → DELIVER, tool calls → DO,
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
    // A plugin that also works in other stages (an output plugin that settles commands in PARSE)
    // still does its kind's job: only stages that leave the kind's default out are worth a warning.
    const differs = !isFunction && !explicit.includes(kindDefault);
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

/**
 * How the function names its context: the first parameter (`ctx`, `context`, ...) or, when it
 * destructures it, the destructured text (`{ failure, respond }`). Undefined when it takes none.
 */
function contextParameter(source: string): { name: string } | { destructured: string } | undefined {
  const bareArrow = /^\s*(?:async\s*)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (bareArrow) return { name: bareArrow[1]! };
  const open = source.indexOf('(');
  if (open === -1) return undefined;
  const rest = source.slice(open + 1).trimStart();
  const named = /^([A-Za-z_$][\w$]*)/.exec(rest);
  if (named) return { name: named[1]! };
  const destructured = /^\{([^}]*)\}/.exec(rest);
  return destructured ? { destructured: destructured[1]! } : undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the function reads the failure from its own context (`ctx.failure`, `ctx?.failure`, `{ failure }`), not any `.failure`. */
function readsContextFailure(source: string): boolean {
  const parameter = contextParameter(source);
  if (!parameter) return false;
  if ('destructured' in parameter) return /(?:^|[\s,{])failure\b/.test(parameter.destructured);
  return new RegExp(`(?<![\\w$.])${escapeRegExp(parameter.name)}\\s*\\??\\.\\s*failure\\b`).test(source);
}

function inferStages(source: string): StageAssignment {
  const rules: [(source: string) => boolean, Stage, string][] = [
    // ERROR plugins may respond too, so reading ctx.failure decides before respond() does.
    [readsContextFailure, 'ERROR', 'reads ctx.failure, which only ERROR has'],
    [(text) => /\.respond\s*\(/.test(text), 'DELIVER', 'calls respond(), which only DELIVER (and ERROR) may do'],
    [(text) => /\.(queueTool|tool)\s*\(/.test(text), 'DO', 'calls tools'],
    [(text) => /\.llm\b|resource\(\s*['"]llm/.test(text), 'THINK', 'uses the llm resource'],
  ];
  for (const [matches, stage, why] of rules) {
    if (matches(source)) return { stages: [stage], source: 'inferred', reason: `inferred ${stage}: the function ${why}` };
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
