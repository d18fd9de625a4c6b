import { loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT } from '../exit-codes.js';
import { serveCli } from '../repl/serve-cli.js';

export default async function chat(command: ParsedCommand, cli: CliContext): Promise<number> {
  const source = resolveAgentSource(command.positionals[0], cli);
  const agent = await loadAgent(source);
  const user = command.values.user as string | undefined;
  const conversation = command.values.conversation as string | undefined;
  const result = await serveCli(agent, {
    cli,
    ...(user ? { userId: user } : {}),
    ...(conversation ? { conversationId: conversation } : {}),
    newConversation: command.values.new === true,
  });
  if (result.interrupted) return EXIT.interrupted;
  // A script piping messages in learns that some of them failed; a person at the prompt saw each failure.
  if (result.failures > 0 && cli.stdin.isTTY !== true) {
    cli.note(cli.err.red(`${result.failures} of ${result.turns} turn${result.turns === 1 ? '' : 's'} failed`));
    return EXIT.problems;
  }
  return EXIT.ok;
}
