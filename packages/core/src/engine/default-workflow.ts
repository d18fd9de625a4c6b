import type { Context } from '../contracts/context.js';
import type { ToolCall } from '../contracts/message.js';
import type { Plugin } from '../contracts/plugin.js';
import type { Stage } from '../contracts/stage.js';
import { askModel, STATE } from './ask-model.js';
import type { StructuredAnswer } from './structured-output.js';

/** Loads the conversation's recent history from `memory` on the first iteration. */
export const loadConversationPlugin = (historyLimit: () => number): Plugin => ({
  name: 'entity:load-conversation',
  kind: 'input',
  dependencies: ['memory'],
  description: 'Loads recent conversation history from memory',
  async execute(context: Context) {
    if (context.iteration !== 1 || context.load(STATE.callerHistory)) return;
    const stored = await context.memory.loadMessages(
      { userId: context.userId, conversationId: context.conversationId },
      { last: historyLimit() },
    );
    context.advanced.setHistory(dropOrphanToolMessages(stored.map((item) => item.message)));
  },
});

/** A window of history may start inside a tool exchange; providers reject tool results without their call. */
function dropOrphanToolMessages<T extends { role: string }>(messages: T[]): T[] {
  let start = 0;
  while (start < messages.length && messages[start]!.role === 'tool') start++;
  return messages.slice(start);
}

/** Asks the model (with the registered tools), unless a user prompt plugin already did in this iteration. */
export const chatPlugin = (instructions: () => string | undefined): Plugin => ({
  name: 'entity:chat',
  kind: 'prompt',
  dependencies: ['llm'],
  description: 'Asks the llm resource, offering every registered tool',
  async execute(context: Context) {
    if (context.load(STATE.answeredIteration) === context.iteration) return;
    const system = instructions();
    await askModel(context, system === undefined ? {} : { system });
  },
});

/** Queues the tool calls the model asked for; they run in parallel at the end of DO. */
export const runToolCallsPlugin: Plugin = {
  name: 'entity:run-tool-calls',
  kind: 'tool',
  description: 'Runs the tool calls the model asked for, in parallel',
  execute(context: Context) {
    const calls = context.load<ToolCall[]>(STATE.pendingToolCalls) ?? [];
    for (const call of calls) context.queueTool(call.name, call.arguments, { toolCallId: call.id });
    context.store(STATE.pendingToolCalls, []);
  },
};

/** Responds with the model's final answer and appends the turn to memory (unless the caller owns it); otherwise the loop goes on. */
export const respondPlugin: Plugin = {
  name: 'entity:respond',
  kind: 'output',
  dependencies: ['memory'],
  description: "Responds with the model's final answer and saves the turn",
  async execute(context: Context) {
    const answer = context.load<string>(STATE.answer);
    if (answer === undefined || context.responded) return;
    // A caller that passed the history owns the conversation (a hand-off): it saves the turn itself.
    if (!context.load(STATE.callerHistory)) {
      await context.memory.appendMessages({ userId: context.userId, conversationId: context.conversationId }, context.advanced.newMessages);
    }
    // A structured answer goes out as its JSON value, not as the text saved in history.
    const structured = context.load<StructuredAnswer>(STATE.structuredAnswer);
    context.respond(structured !== undefined && structured.text === answer ? structured.json : answer);
  },
};

/** The built-in plugins of the default chat workflow, registered like any user plugin. */
export function defaultChatPlugins(settings: { historyLimit: () => number; instructions: () => string | undefined }): Plugin[] {
  return [loadConversationPlugin(settings.historyLimit), chatPlugin(settings.instructions), runToolCallsPlugin, respondPlugin];
}

/** Where the default plugins sit: user plugins of a stage run before the built-in one. */
export const DEFAULT_CHAT_WORKFLOW: Readonly<Partial<Record<Stage, readonly string[]>>> = Object.freeze({
  PARSE: ['entity:load-conversation'],
  THINK: ['entity:chat'],
  DO: ['entity:run-tool-calls'],
  DELIVER: ['entity:respond'],
});
