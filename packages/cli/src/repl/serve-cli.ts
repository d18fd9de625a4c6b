import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Agent, Memory } from '@entity/core';
import { type CliContext, createCliContext } from '../cli-context.js';
import { printTurn } from '../event-printer.js';
import { reportError } from '../format-error.js';
import { newConversationId, readSession, type Session, writeSession } from '../session.js';
import { startSpinner } from '../terminal/spinner.js';
import { LineCollector } from './line-collector.js';
import { terminalSafe } from '../terminal/safe-text.js';

/** Options of the interactive chat (`entity chat`, `agent.serveCli()`). */
export interface ServeCliOptions {
  /** User to chat as. Default: the last one used in `sessionDir`, else `default`. */
  userId?: string;
  /** Conversation to continue. Default: the last one used in `sessionDir`, else `default`. */
  conversationId?: string;
  /** Start a new conversation instead of continuing the last one. Default: false. */
  newConversation?: boolean;
  /** Where the current user and conversation are remembered between runs (`.entity/cli-session.json`). Default: the working directory. */
  sessionDir?: string;
  /** Default: process.stdin. */
  input?: Readable & { isTTY?: boolean };
  /** Default: process.stdout. */
  output?: Writable & { isTTY?: boolean };
  /** Tool calls, errors and notices. Default: process.stderr. */
  errorOutput?: Writable & { isTTY?: boolean };
  /** Colours: true/false to force; default follows NO_COLOR, FORCE_COLOR and whether output is a terminal. */
  color?: boolean;
  /** Prebuilt context (the CLI passes its own). */
  cli?: CliContext;
}

export interface ServeCliResult {
  /** Turns sent to the agent. */
  turns: number;
  /** Turns that failed (went through the ERROR stage, or could not run). */
  failures: number;
  /** True when the chat ended with Ctrl-C at the prompt (the CLI then exits 130, like any interrupted command). */
  interrupted: boolean;
  session: Session;
}

const HELP = [
  '/reset        start a new conversation',
  '/history      show this conversation',
  '/user <id>    chat as another user',
  '/help         this list',
  '/exit         leave (also Ctrl-D)',
  'End a line with \\ to continue it; wrap several lines in """.',
];

/**
 * An interactive chat with `agent` in the terminal: streamed answers, visible tool calls,
 * multi-line input and slash commands. Works with piped input too (one message per line).
 * Resolves when the input ends or the user types /exit; the agent is stopped.
 */
export async function serveCli(agent: Agent, options: ServeCliOptions = {}): Promise<ServeCliResult> {
  const cli =
    options.cli ??
    createCliContext({
      ...(options.output ? { stdout: options.output } : {}),
      ...(options.errorOutput ? { stderr: options.errorOutput } : {}),
      ...(options.input ? { stdin: options.input } : {}),
      ...(options.color === undefined ? {} : { color: options.color }),
    });
  const sessionDir = options.sessionDir ?? cli.cwd;
  const saved = readSession(sessionDir);
  const session: Session = {
    userId: options.userId ?? saved.userId,
    conversationId: options.newConversation ? newConversationId() : (options.conversationId ?? saved.conversationId),
  };
  writeSession(sessionDir, session);
  const c = cli.out;
  const interactive = cli.stdin.isTTY === true;

  const spinner = startSpinner(cli.stderr, cli.err, 'Starting the agent…');
  try {
    await agent.start();
  } finally {
    spinner.stop();
  }
  cli.note(c.dim(`${agent.name} · ${modelLabel(agent)} · user ${session.userId} · conversation ${session.conversationId}`));
  cli.note(c.dim('Type /help for commands, /exit to leave.'));

  const result: ServeCliResult = { turns: 0, failures: 0, interrupted: false, session };
  const lines = createInterface({ input: cli.stdin, ...(interactive ? { output: cli.stdout, terminal: true } : {}), crlfDelay: Infinity });
  const collector = new LineCollector();
  let turn: AbortController | undefined;
  let closed = false;
  const prompt = () => {
    if (!interactive || closed) return;
    lines.setPrompt(collector.pending ? c.dim('... ') : c.green('you › '));
    lines.prompt();
  };
  const onInterrupt = () => {
    if (turn) {
      turn.abort();
      return;
    }
    closed = true;
    result.interrupted = true;
    lines.close();
  };
  lines.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);

  try {
    prompt();
    for await (const line of lines) {
      const message = collector.push(line);
      if (message === undefined) {
        prompt();
        continue;
      }
      const trimmed = message.trim();
      if (trimmed === '') {
        prompt();
        continue;
      }
      if (trimmed.startsWith('/') && !trimmed.includes('\n')) {
        const keepGoing = await runSlashCommand(trimmed, agent, session, sessionDir, cli);
        if (!keepGoing) break;
        prompt();
        continue;
      }
      turn = new AbortController();
      result.turns++;
      try {
        const outcome = await printTurn(agent.stream(message, { ...session, signal: turn.signal }), cli, interactive ? { textPrefix: c.cyan(`${agent.name} › `) } : {});
        if (outcome.result?.status !== 'ok') result.failures++;
      } catch (error) {
        result.failures++;
        if (turn.signal.aborted) cli.note(cli.err.yellow('(cancelled)'));
        else reportError(error, cli);
      } finally {
        turn = undefined;
      }
      prompt();
    }
  } finally {
    closed = true;
    lines.close();
    process.off('SIGINT', onInterrupt);
    await agent.stop();
  }
  if (interactive) cli.stdout.write('\n');
  return result;
}

function modelLabel(agent: Agent): string {
  try {
    const llm = agent.resource<{ provider?: string; model?: string }>('llm');
    return `${llm.provider ?? 'llm'} ${llm.model ?? ''}`.trim();
  } catch {
    return 'no llm';
  }
}

async function runSlashCommand(input: string, agent: Agent, session: Session, sessionDir: string, cli: CliContext): Promise<boolean> {
  const [name, ...rest] = input.slice(1).split(/\s+/);
  const c = cli.out;
  switch (name) {
    case 'exit':
    case 'quit':
    case 'q':
      return false;
    case 'help':
      for (const line of HELP) cli.print(`  ${line}`);
      return true;
    case 'reset':
      session.conversationId = newConversationId();
      writeSession(sessionDir, session);
      cli.print(c.dim(`Started a new conversation (${session.conversationId}).`));
      return true;
    case 'user': {
      const id = rest[0];
      if (!id || !/^[\w.@:+-]{1,200}$/.test(id)) {
        cli.print(c.yellow('usage: /user <id> (letters, digits, . _ @ : + -)'));
        return true;
      }
      session.userId = id;
      writeSession(sessionDir, session);
      cli.print(c.dim(`Now chatting as ${id} (conversation ${session.conversationId}).`));
      return true;
    }
    case 'history': {
      const memory = agent.resource<Memory>('memory');
      const stored = await memory.loadMessages(session);
      if (stored.length === 0) cli.print(c.dim('(no messages yet)'));
      for (const { message } of stored) {
        if (message.role === 'tool') continue;
        const calls = message.role === 'assistant' && message.toolCalls?.length ? c.dim(` [called ${terminalSafe(message.toolCalls.map((call) => call.name).join(', '))}]`) : '';
        cli.print(`${message.role === 'user' ? c.green('you') : c.cyan(message.role)}: ${terminalSafe(message.content)}${calls}`);
      }
      return true;
    }
    default:
      cli.print(c.yellow(`unknown command /${name} — try /help`));
      return true;
  }
}
