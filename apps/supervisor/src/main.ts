// `pnpm --filter @entity/app-supervisor start [question]`: the supervisor answers one question,
// showing what its team members do as they do it.
import type { AgentEvent } from '@entity/core';
import { createTeam } from './team.ts';

const team = createTeam();
const question = process.argv.slice(2).join(' ').trim() || 'Explain what pgvector is good for.';
const userId = process.env.TEAM_USER ?? 'supervisor-demo';

/** One line per thing worth seeing; events of team members are indented under the call that asked them. */
function describe(event: AgentEvent, depth: number): string | undefined {
  const indent = '  '.repeat(depth);
  switch (event.type) {
    case 'tool-call':
      return `${indent}→ ${event.name}(${JSON.stringify(event.arguments)})`;
    case 'tool-result':
      return event.ok ? `${indent}← ${event.name} answered` : `${indent}✖ ${event.name}: ${event.error ?? 'failed'}`;
    case 'nested': {
      const inner = describe(event.event, depth + 1);
      return inner === undefined ? undefined : `${inner.slice(0, indent.length + 2)}[${event.agent}] ${inner.slice(indent.length + 2)}`;
    }
    case 'response':
      return depth > 0 ? `${indent}${event.text}` : undefined;
    default:
      return undefined;
  }
}

try {
  console.log(`you › ${question}`);
  for await (const event of team.supervisor.stream(question, { userId })) {
    const line = describe(event, 0);
    if (line !== undefined) console.log(line);
    if (event.type === 'done') {
      console.log(`supervisor › ${event.result.text}`);
      if (event.result.status !== 'ok') process.exitCode = 1;
    }
  }
} catch (error) {
  // The error says what to do (start Ollama and pull a model, or set an API key); a stack trace would bury it.
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await team.stop();
}
