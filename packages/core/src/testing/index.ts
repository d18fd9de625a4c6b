export { type ScriptedLLM, type ScriptedReplies, type ScriptedTurn, scriptedLLM } from './scripted-llm.js';
