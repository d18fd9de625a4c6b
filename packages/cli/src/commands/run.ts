import { resolveAgentSource, loadAgent } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { printTurn } from '../event-printer.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { startSpinner } from '../terminal/spinner.js';
import { readSession } from '../session.js';
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
  const session = readSession(cli.cwd);
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
      { showText: !cli.json, onFirstOutput: () => spinner.stop() },
    );
    const result = outcome.result;
    const failed = !result || result.info.failure !== undefined;
    if (cli.json) {
      cli.printJson({
        ok: !failed,
        response: result?.response ?? null,
        text: result?.text ?? '',
        info: result?.info,
        stages: outcome.stages,
        errors: outcome.errors,
        timings: { totalMs: Math.round(performance.now() - started), firstTokenMs: outcome.firstTokenMs ?? null },
      });
    } else if (failed && result?.info.failure) {
      const failure = result.info.failure;
      cli.note(cli.err.red(terminalSafe(`The run failed in ${failure.stage} (${failure.plugin}): ${failure.message}`)));
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
