import { loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { serveAuth } from '../serve-auth.js';
import { watchConfig } from '../watch-config.js';

export default async function serve(command: ParsedCommand, cli: CliContext): Promise<number> {
  const source = resolveAgentSource(command.positionals[0], cli);
  const portText = (command.values.port as string | undefined) ?? cli.env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port needs a port number (0-65535); got "${portText}"`);
  const host = (command.values.host as string | undefined) ?? '127.0.0.1';
  const auth = serveAuth(command.values['no-auth'] === true, cli.env);
  const agent = await loadAgent(source);
  const c = cli.out;
  const closers: (() => Promise<void>)[] = [];
  try {
    // The agent is stopped below, after every adapter closed.
    // --websocket adds /v1/ws to the same server and port (@entity/plugin-http serves both).
    const websocket = command.values.websocket === true;
    const http = (await agent.serveHttp({ port, host, auth, stopAgent: false, ...(websocket ? { websocket: true } : {}) })) as
      | { url?: string; close?: () => Promise<void>; websocket?: { url: string } }
      | undefined;
    if (http?.close) closers.push(() => http.close!());
    const url = http?.url ?? `http://${host}:${port}`;
    cli.note(`${c.green('✔')} HTTP on ${url}`);
    cli.note(c.dim(`  native API ${url}/v1/chat · OpenAI base URL ${url}/v1 · OpenAPI ${url}/openapi.json`));
    if (auth === 'none') cli.note(c.yellow(`⚠ no authentication (--no-auth): only this machine can connect`));
    if (websocket) cli.note(`${c.green('✔')} WebSocket on ${http?.websocket?.url ?? `${url.replace(/^http/, 'ws')}/v1/ws`}`);
    let stopWatching = () => {};
    if (command.values.watch) {
      if (source.kind !== 'config') throw new UsageError('--watch needs a config file (agent.yaml)', 'run `entity serve agent.yaml --watch`');
      stopWatching = watchConfig(agent, source.path, cli);
      cli.note(c.dim(`watching ${source.path} (parameters reload; topology changes need a restart)`));
    }
    cli.note(c.dim('Press Ctrl-C to stop.'));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    stopWatching();
    cli.note(c.dim('stopping…'));
    return EXIT.ok;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await agent.stop().catch(() => {});
  }
}
