import { EntityError } from '../errors/index.js';

/**
 * How deep a run is nested in other agents' runs (`agentTool` calls, hand-offs): a key of the
 * engine's own, kept off the public `ChatOptions` so no HTTP body or config can set it. A symbol,
 * not AsyncLocalStorage, which on Node 22 turns on promise hooks for the whole process.
 */
export const NESTING_DEPTH: unique symbol = Symbol('entity.nestingDepth');

/** Runs nested deeper than this are refused: an agent that is its own tool, or two that hand off to each other, stop here. */
export const MAX_NESTING_DEPTH = 8;

/** Options or a context that may carry a nesting depth. */
export interface Nested {
  [NESTING_DEPTH]?: number;
}

/** The depth a run started with `options` has; throws past {@link MAX_NESTING_DEPTH}. */
export function checkedNestingDepth(options: object, agentName: string): number {
  const depth = (options as Nested)[NESTING_DEPTH] ?? 0;
  if (depth > MAX_NESTING_DEPTH) {
    const message = `Agents are nested more than ${MAX_NESTING_DEPTH} deep: agent "${agentName}" was asked again by another agent's tool call or hand-off. An agent that is its own tool (agentTool), or agents that hand off to each other, loop; change the rule or the tools that lead back.`;
    throw new EntityError(message, { code: 'NESTING_TOO_DEEP', safeMessage: message });
  }
  return depth;
}
