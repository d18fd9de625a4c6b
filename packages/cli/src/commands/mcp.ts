import { Writable } from 'node:stream';
import type { Agent } from '@entity/core';
import { findConfigFile, loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT } from '../exit-codes.js';

type McpModule = typeof import('@entity/plugin-mcp');

/**
 * A config whose `logging` resource prints to the console writes to stdout (fd 1), which is the
 * MCP channel here: that output is turned off for this command (the file output stays).
 * Returns the config object to load, or undefined when the file can be loaded as it is.
 */
async function withoutConsoleLogs(configFile: string, cli: CliContext): Promise<{ document: Record<string, unknown>; baseDir: string } | undefined> {
  const { readConfigDocument } = await import('@entity/core/internal');
  const { document, baseDir } = await readConfigDocument(configFile, cli.env);
  const resources = document.resources as Record<string, Record<string, unknown>> | undefined;
  const logging = resources?.logging;
  if (!logging || !['logging', 'pino'].includes(String(logging.type)) || logging.console === false) return undefined;
  cli.note(cli.err.dim('entity mcp: the logging resource\'s console output is off (stdout carries MCP messages); use its file output to keep logs'));
  return { document: { ...document, resources: { ...resources, logging: { ...logging, console: false } } }, baseDir };
}

export default async function mcp(command: ParsedCommand, cli: CliContext): Promise<number> {
  const source = resolveAgentSource(command.positionals[0], cli);
  const { importFromProject } = await import('@entity/core/internal');
  const { serveMcpStdio } = await importFromProject<McpModule>('@entity/plugin-mcp', 'entity mcp', cli.cwd);
  // Stdout is the protocol channel: whatever else would print there (console.log in a plugin) goes to stderr.
  const protocolWrite = process.stdout.write.bind(process.stdout);
  const protocolOut = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      protocolWrite(chunk, (error) => callback(error ?? null));
    },
  });
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let agent: Agent | undefined;
  try {
    const configFile = source.kind === 'config' ? source.path : source.kind === 'directory' ? findConfigFile(source.path) : undefined;
    const quieted = configFile ? await withoutConsoleLogs(configFile, cli) : undefined;
    const { Agent } = await import('@entity/core');
    agent = quieted ? await Agent.fromConfig(quieted.document, { baseDir: quieted.baseDir, environment: cli.env }) : await loadAgent(source);
    const server = await serveMcpStdio(agent, {
      stdout: protocolOut,
      ...(command.values.user ? { userId: command.values.user as string } : {}),
      ...(command.values.conversation ? { conversationId: command.values.conversation as string } : {}),
      ...(command.values['no-chat'] === true ? { chatTool: false } : {}),
    });
    cli.note(`entity mcp: serving agent "${agent.name}" over MCP on stdio`);
    await new Promise<void>((resolve) => {
      void server.closed.then(resolve);
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT.ok;
  } finally {
    await agent?.stop().catch(() => {});
    process.stdout.write = protocolWrite as typeof process.stdout.write;
  }
}
