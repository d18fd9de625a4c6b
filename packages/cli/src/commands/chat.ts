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
  await serveCli(agent, {
    cli,
    ...(user ? { userId: user } : {}),
    ...(conversation ? { conversationId: conversation } : {}),
    newConversation: command.values.new === true,
  });
  return EXIT.ok;
}
