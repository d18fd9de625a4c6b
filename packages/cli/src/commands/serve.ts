import { join } from 'node:path';
import { findConfigFile, loadAgent, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { loadHttpAdapter } from '../http-adapter.js';
import { serveAuth } from '../serve-auth.js';
import { serverSection } from '../server-section.js';
import { studioConfigOf, studioMountsFor } from '../studio-adapter.js';
import { watchConfig } from '../watch-config.js';

function portOf(text: string, where: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`${where} needs a port number (0-65535); got "${text}"`);
  return port;
}

export default function serve(command: ParsedCommand, cli: CliContext): Promise<number> {
  return serveAgent(command, cli, { studio: command.values.studio === true ? 'always' : 'when-configured', feature: 'entity serve' });
}

/**
 * `entity serve` and `entity studio`: the agent over HTTP (and WebSocket), with the Studio at
 * /studio when asked for (`entity studio`, `--studio`, or `server.studio` in agent.yaml).
 */
export async function serveAgent(command: ParsedCommand, cli: CliContext, how: { studio: 'always' | 'when-configured'; feature: string }): Promise<number> {
  const source = resolveAgentSource(command.positionals[0], cli);
  const portFlag = command.values.port as string | undefined;
  if (portFlag !== undefined) portOf(portFlag, '--port');
  const configFile = source.kind === 'config' ? source.path : source.kind === 'directory' ? findConfigFile(source.path) : undefined;
  const http = await loadHttpAdapter(cli, how.feature);
  // agent.yaml's `server:` section; flags win over it, and it over PORT and the defaults.
  const { options: configured, baseDir, studio: studioSetting, document } = await serverSection(http, configFile, cli);
  const studio = how.studio === 'always' ? (studioSetting || {}) : studioSetting;
  const port = portFlag !== undefined ? Number(portFlag) : (configured.port ?? (cli.env.PORT ? portOf(cli.env.PORT, 'PORT') : 3000));
  const host = (command.values.host as string | undefined) ?? configured.host ?? '127.0.0.1';
  const { auth, source: authSource } = serveAuth({
    noAuth: command.values['no-auth'] === true,
    env: cli.env,
    configured: configured.auth,
    keysFile: join(baseDir, http.DEFAULT_KEYS_FILE),
  });
  const agent = await loadAgent(source);
  const c = cli.out;
  const closers: (() => Promise<void>)[] = [];
  try {
    // The agent is stopped below, after every adapter closed.
    // --websocket adds /v1/ws to the same server and port (@entity/plugin-http serves both).
    const websocket = command.values.websocket === true;
    const studioMounts = studio ? await studioMountsFor(agent, studio, await studioConfigOf(document, configFile, baseDir, cli), cli, how.feature) : [];
    const mounts = [...(configured.mounts ?? []), ...studioMounts];
    const handle = (await agent.serveHttp({ ...configured, port, host, auth, stopAgent: false, ...(websocket ? { websocket: true } : {}), ...(mounts.length > 0 ? { mounts } : {}) })) as
      | { url?: string; close?: () => Promise<void>; websocket?: { url: string } }
      | undefined;
    if (handle?.close) closers.push(() => handle.close!());
    const url = handle?.url ?? `http://${host}:${port}`;
    cli.note(`${c.green('✔')} HTTP on ${url}`);
    cli.note(c.dim(`  native API ${url}/v1/chat · OpenAI base URL ${url}/v1 · OpenAPI ${url}/openapi.json`));
    if (auth === 'none') cli.note(c.yellow(`⚠ no authentication (--no-auth): only this machine can connect, directly (requests through a proxy or tunnel, or naming another Host, are refused)`));
    else cli.note(c.dim(`  credentials from ${authSource === 'key file' ? join(baseDir, http.DEFAULT_KEYS_FILE) : authSource}`));
    if (studio) {
      const studioPath = studioMounts[0]?.path ?? '/studio';
      cli.note(`${c.green('✔')} Studio on ${c.bold(`${url}${studioPath}/`)}`);
      cli.note(c.dim(auth === 'none' ? '  no key needed (--no-auth)' : '  sign in with an API key of this server (entity keys create --role viewer --user "*" for a read-only one)'));
    }
    if (websocket) cli.note(`${c.green('✔')} WebSocket on ${handle?.websocket?.url ?? `${url.replace(/^http/, 'ws')}/v1/ws`}`);
    let stopWatching = () => {};
    if (command.values.watch) {
      if (source.kind !== 'config') throw new UsageError('--watch needs a config file (agent.yaml)', 'run `entity serve agent.yaml --watch`');
      stopWatching = watchConfig(agent, source.path, cli);
      cli.note(c.dim(`watching ${source.path} (parameters reload; topology and server: changes need a restart)`));
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
