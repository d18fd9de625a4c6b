export { BENCHMARK_TURN_ANSWER, BENCHMARK_TURN_STAGE_PASSES, benchmarkTurnAgent, discardingMemory } from './benchmark-turn.js';
export { type ScriptedLLM, type ScriptedReplies, type ScriptedTurn, scriptedLLM } from './scripted-llm.js';
export { compareTurnCost, type TurnCostComparison, type TurnCostOptions, type TurnCostScenario, type TurnOverhead } from './turn-cost-comparison.js';
