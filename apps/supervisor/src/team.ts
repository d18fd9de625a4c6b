import { Agent, agentTool, inMemoryMemory, type LLM, type Memory } from '@entity/core';

/** The three members, by role. */
export type Role = 'supervisor' | 'research' | 'writer';

export const INSTRUCTIONS: Readonly<Record<Role, string>> = {
  supervisor:
    'You are the supervisor of a small team. For a request, ask the research tool for the facts, then give them to the writer tool ' +
    "to turn into the answer, and reply with the writer's text. If a team member fails, say what could not be done.",
  research: 'You are the research agent. Answer with the key facts about the question, as short bullet points. You do not write prose.',
  writer: 'You are the writer agent. Turn the notes you are given into one clear, friendly paragraph.',
};

export interface TeamOptions {
  /**
   * The model of each member. Default: none given, so each agent finds one at start (Ollama, then
   * `OPENAI_API_KEY`, then `ANTHROPIC_API_KEY`) — the same model for all three, told apart by their instructions.
   */
  llm?: (role: Role) => LLM | undefined;
  /**
   * The memory of each member. Default: the supervisor keeps its conversations in an embedded
   * database under ./.entity/ (zero config); research and writer in the process, since what they
   * keep (their own conversation per user and supervisor conversation) is working notes.
   */
  memory?: (role: Role) => Memory | undefined;
}

export interface Team {
  supervisor: Agent;
  research: Agent;
  writer: Agent;
  /** Stops all three (the supervisor first: it uses the others). */
  stop(): Promise<void>;
}

function member(role: Role, options: TeamOptions, extra: Partial<ConstructorParameters<typeof Agent>[0]> = {}): Agent {
  const llm = options.llm?.(role);
  const memory = options.memory ? options.memory(role) : role === 'supervisor' ? undefined : inMemoryMemory();
  return new Agent({
    name: role,
    instructions: INSTRUCTIONS[role],
    resources: { ...(llm ? { llm } : {}), ...(memory ? { memory } : {}) },
    ...extra,
  });
}

/**
 * A supervisor with two specialists as tools. Each specialist is a whole agent with its own model
 * and memory; what it remembers is scoped by the supervisor's user and conversation (agentTool).
 */
export function createTeam(options: TeamOptions = {}): Team {
  const research = member('research', options);
  const writer = member('writer', options);
  const supervisor = member('supervisor', options, {
    tools: [
      agentTool(research, { name: 'research', description: 'Finds the facts about a topic. Pass the full question as message.' }),
      agentTool(writer, { name: 'writer', description: 'Writes the final answer from research notes. Pass the notes and the question as message.' }),
    ],
    // Two specialists run one after the other inside the supervisor's turn.
    toolTimeoutMs: 120_000,
    runTimeoutMs: 300_000,
  });
  return {
    supervisor,
    research,
    writer,
    async stop() {
      await supervisor.stop();
      await Promise.all([research.stop(), writer.stop()]);
    },
  };
}
