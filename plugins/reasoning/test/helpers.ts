import { Agent, type AgentEvent, type AgentOptions, type ChatMessage, type ChatRequest, inMemoryLogger, inMemoryMemory, type Plugin } from '@entity/core';
import { type ScriptedReplies, scriptedLLM } from '@entity/core/testing';

/** An agent with a scripted model, in-process memory, the given tools and one reasoning plugin. */
export function agentWith<TConfig>(plugin: Plugin<TConfig>, replies: ScriptedReplies, options: { tools?: AgentOptions['tools']; instructions?: string; toolTimeoutMs?: number; config?: unknown } = {}) {
  const llm = scriptedLLM(replies);
  const memory = inMemoryMemory();
  const logging = inMemoryLogger({ echoLevel: false });
  const agent = new Agent({
    resources: { llm, memory, logging },
    tools: options.tools ?? [],
    zeroConfig: false,
    ...(options.instructions ? { instructions: options.instructions } : {}),
    ...(options.toolTimeoutMs ? { toolTimeoutMs: options.toolTimeoutMs } : {}),
  });
  agent.use(plugin, options.config === undefined ? {} : { config: options.config });
  return { agent, llm, memory, logging };
}

/** Every event of a streamed run. */
export async function streamAll(agent: Agent, message: string): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of agent.stream(message)) events.push(event);
  return events;
}

export const systemOf = (request: ChatRequest) => (request.messages[0]?.role === 'system' ? request.messages[0].content : '');
export const lastOf = (request: ChatRequest): ChatMessage => request.messages.at(-1)!;

/** A promise with its resolve function, for tools that wait on each other. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
