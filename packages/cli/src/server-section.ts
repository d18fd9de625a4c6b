import type { ValidationReport } from '@entity/core';
import type { CliContext } from './cli-context.js';
import { type HttpAdapterModule, loadHttpAdapter } from './http-adapter.js';

type ServeOptions = ReturnType<HttpAdapterModule['serveOptionsFromConfig']>;

/**
 * `server.studio`: serve Entity Studio (@entity/plugin-studio) at /studio. Read by the CLI, not by
 * @entity/plugin-http (a mount is code, not config), so it is taken out before that package's strict
 * schema sees the section. `true`, or `{ path }` for another path than /studio.
 */
export type StudioSetting = false | { path?: string };

function studioSettingOf(value: unknown): { setting: StudioSetting; issue?: string } {
  if (value === undefined || value === false) return { setting: false };
  if (value === true) return { setting: {} };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { path, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) return { setting: false, issue: `unknown key ${unknown.map((key) => `"${key}"`).join(', ')}; only path is allowed` };
    if (path === undefined) return { setting: {} };
    if (typeof path === 'string' && /^\/[A-Za-z0-9._~-]+$/.test(path)) return { setting: { path } };
    return { setting: false, issue: 'path must be one segment such as "/studio"' };
  }
  return { setting: false, issue: 'must be true, false or { path: "/studio" }' };
}

/** The `server:` section without its `studio` key, and that key read. */
function splitStudio(server: unknown): { server: unknown; studio: StudioSetting; issue?: string } {
  if (typeof server !== 'object' || server === null || Array.isArray(server) || !('studio' in server)) return { server, studio: false };
  const { studio, ...rest } = server as Record<string, unknown>;
  const { setting, issue } = studioSettingOf(studio);
  return { server: rest, studio: setting, ...(issue !== undefined ? { issue } : {}) };
}

/**
 * The `server:` section of a config file as `serveHttp` options, validated by @entity/plugin-http
 * (the package that owns it), with `${VAR}` placeholders replaced. A config without one, or an
 * agent from a module, gives `{}`; relative paths resolve against the config's directory.
 */
export async function serverSection(
  http: HttpAdapterModule,
  configFile: string | undefined,
  cli: CliContext,
): Promise<{ options: ServeOptions; baseDir: string; studio: StudioSetting; document?: Record<string, unknown> }> {
  if (!configFile) return { options: {}, baseDir: cli.cwd, studio: false };
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  const { document, baseDir, issues } = await internal.readConfigDocument(configFile, cli.env);
  const unset = issues.filter((issue) => issue.path === 'server' || issue.path.startsWith('server.'));
  if (unset.length > 0) throw new core.ConfigError(unset);
  const { server, studio, issue } = splitStudio(document.server);
  if (issue) throw new core.ConfigError([{ path: 'server.studio', message: issue, fix: 'write studio: true (served at /studio), or studio: { path: /dashboard }' }]);
  return { options: http.serveOptionsFromConfig(server, baseDir), baseDir, studio, document };
}

/**
 * `entity validate` checks the `server:` section with @entity/plugin-http's own schema when the
 * project has that package (loaded only then, so core never depends on it); without it, the
 * section is reported as unchecked, since nothing in the project can serve it.
 */
export async function checkServerSection(configFile: string, report: ValidationReport, cli: CliContext): Promise<void> {
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  let read: Awaited<ReturnType<typeof internal.readConfigDocument>>;
  try {
    read = await internal.readConfigDocument(configFile, cli.env);
  } catch {
    return; // Unreadable or broken YAML: already reported by core's structure phase.
  }
  await checkServerValue(read.document.server, report, cli);
}

/** The check of {@link checkServerSection} on a `server:` value already read (a config module's). */
export async function checkServerValue(server: unknown, report: ValidationReport, cli: CliContext): Promise<void> {
  const core = await import('@entity/core');
  // Not a mapping: core's schema already says so.
  if (server === undefined || typeof server !== 'object' || server === null || Array.isArray(server)) return;
  const split = splitStudio(server);
  if (split.issue) {
    report.issues.push({ path: 'server.studio', message: split.issue, fix: 'write studio: true (served at /studio), or studio: { path: /dashboard }', phase: 'structure' });
    report.ok = false;
  }
  server = split.server;
  let http: HttpAdapterModule;
  try {
    http = await loadHttpAdapter(cli, 'entity validate');
  } catch (error) {
    if (!core.MissingPackageError.isInstance(error)) throw error;
    report.warnings.push('the server: section was not checked: @entity/plugin-http, which reads it, is not installed (pnpm add @entity/plugin-http)');
    return;
  }
  const issues = http.validateServerConfig(server);
  if (issues.length === 0) return;
  report.issues.push(...issues.map((issue) => ({ ...issue, phase: 'structure' as const })));
  report.ok = false;
}
