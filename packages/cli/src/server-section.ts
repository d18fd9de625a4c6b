import type { ValidationReport } from '@entity/core';
import type { CliContext } from './cli-context.js';
import { type HttpAdapterModule, loadHttpAdapter } from './http-adapter.js';

type ServeOptions = ReturnType<HttpAdapterModule['serveOptionsFromConfig']>;

/**
 * The `server:` section of a config file as `serveHttp` options, validated by @entity/plugin-http
 * (the package that owns it), with `${VAR}` placeholders replaced. A config without one, or an
 * agent from a module, gives `{}`; relative paths resolve against the config's directory.
 */
export async function serverSection(http: HttpAdapterModule, configFile: string | undefined, cli: CliContext): Promise<{ options: ServeOptions; baseDir: string }> {
  if (!configFile) return { options: {}, baseDir: cli.cwd };
  const [core, internal] = await Promise.all([import('@entity/core'), import('@entity/core/internal')]);
  const { document, baseDir, issues } = await internal.readConfigDocument(configFile, cli.env);
  const unset = issues.filter((issue) => issue.path === 'server' || issue.path.startsWith('server.'));
  if (unset.length > 0) throw new core.ConfigError(unset);
  return { options: http.serveOptionsFromConfig(document.server, baseDir), baseDir };
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
