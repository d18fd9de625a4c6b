import { resolveAgentSource, loadAgent } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { printTurn } from '../event-printer.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { startSpinner } from '../terminal/spinner.js';
import { newConversationId, readSession } from '../session.js';
import { terminalSafe } from '../terminal/safe-text.js';

export function positiveInteger(value: string | boolean | string[] | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`--${flag} needs a whole number above 0; got "${String(value)}"`);
  return number;
}

export default async function run(command: ParsedCommand, cli: CliContext): Promise<number> {
  const [configArgument, message] = command.positionals.length === 2 ? command.positionals : [undefined, command.positionals[0]];
  if (!message || message.trim() === '') throw new UsageError('the message is empty', 'usage: entity run [config] <message>');
  const source = resolveAgentSource(configArgument, cli);
  const timeoutMs = positiveInteger(command.values.timeout, 'timeout');
  // One turn is its own conversation unless the user asks to continue the last chat's: a script
  // running `entity run` must not depend on (or add to) whatever `entity chat` left behind.
  const session = command.values.continue === true ? readSession(cli.cwd) : { userId: 'default', conversationId: newConversationId() };
  const userId = (command.values.user as string | undefined) ?? session.userId;
  const conversationId = (command.values.conversation as string | undefined) ?? session.conversationId;

  const started = performance.now();
  const spinner = startSpinner(cli.stderr, cli.err, 'Starting the agent…');
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const agent = await loadAgent(source).catch((error: unknown) => {
    spinner.stop();
    throw error;
  });
  try {
    const outcome = await printTurn(
      agent.stream(message, { userId, conversationId, signal: controller.signal, ...(timeoutMs ? { timeoutMs } : {}) }),
      cli,
      { showText: !cli.json, onFirstOutput: () => spinner.stop(), callerReportsFailure: true },
    );
    const result = outcome.result;
    const failed = result?.status !== 'ok';
    if (cli.json) {
      cli.printJson({
        ok: !failed,
        status: result?.status ?? 'failed',
        response: result?.response ?? null,
        text: result?.text ?? '',
        info: result?.info,
        stages: outcome.stages,
        errors: outcome.errors,
        timings: { totalMs: Math.round(performance.now() - started), firstTokenMs: outcome.firstTokenMs ?? null },
      });
    } else if (failed) {
      // Once, on stderr: stdout holds answers only, so `entity run … > answer.txt` never captures an apology.
      const failure = result?.info.failure;
      const line = failure ? `The run failed in ${failure.stage} (${failure.plugin}): ${failure.message} [${failure.code}]` : 'The run ended without a result';
      cli.note(cli.err.red(terminalSafe(line)));
    }
    return failed ? EXIT.problems : EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) {
      cli.note(cli.err.yellow('interrupted'));
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    spinner.stop();
    process.off('SIGINT', interrupt);
    await agent.stop().catch(() => {});
  }
}
