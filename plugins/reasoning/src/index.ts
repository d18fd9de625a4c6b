export { CHAIN_OF_THOUGHT_INSTRUCTION, ChainOfThought, chainOfThoughtPlugin, type ReasoningSplit } from './chain-of-thought.js';
export { type Plan, type PlanParse, type PlanRules, type PlanStep, parsePlan, planSchema, planStepSchema } from './plan.js';
export {
  PLAN_INSTRUCTION,
  PlanAndExecute,
  planAndExecutePlugin,
  type PlanProgress,
  type PlanRequest,
  STEP_INSTRUCTION,
  type StepFailure,
  type StepOutcome,
  type StepState,
  type StepStatus,
  SYNTHESIS_INSTRUCTION,
} from './plan-and-execute.js';
export { REACT_INSTRUCTION, ReAct, type ReActStep, reActPlugin } from './react.js';
export { type ModelCall, type Observation, type PatternRun, ReasoningPattern } from './reasoning-pattern.js';
export {
  type ChainOfThoughtOptions,
  type ChainOfThoughtSettings,
  chainOfThoughtConfigSchema,
  type PatternSettings,
  type PlanAndExecuteOptions,
  type PlanAndExecuteSettings,
  planAndExecuteConfigSchema,
  type ReActOptions,
  type ReActSettings,
  reActConfigSchema,
} from './settings.js';
