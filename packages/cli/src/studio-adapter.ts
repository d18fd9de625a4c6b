import { readFile } from 'node:fs/promises';
import type { Agent } from '@entity/core';
import type * as StudioPackage from '@entity/plugin-studio';
import type { CliContext } from './cli-context.js';
import type { StudioSetting } from './server-section.js';
import { configForStudio } from './studio-config.js';

/** What the CLI uses of `@entity/plugin-studio` (an optional package of the project). */
export type StudioModule = typeof StudioPackage;

/**
 * The Studio's mounts for `serveHttp`, from `@entity/plugin-studio` as the project installed it;
 * a MissingPackageError (exit 2) says how to install it. The config document is shown masked.
 */
export async function studioMountsFor(agent: Agent, setting: Exclude<StudioSetting, false>, config: unknown, cli: CliContext, feature: string) {
  const { importFromProject } = await import('@entity/core/internal');
  const studio = await importFromProject<StudioModule>('@entity/plugin-studio', feature, cli.cwd);
  return studio.studioMounts(agent, { ...(setting.path ? { path: setting.path } : {}), ...(config !== undefined ? { config } : {}) });
}

/** The config document for the Studio's Agent screen: values from the environment or `.env` shown as their `${VAR}`. */
export async function studioConfigOf(document: Record<string, unknown> | undefined, configFile: string | undefined, baseDir: string, cli: CliContext): Promise<unknown> {
  if (document === undefined || configFile === undefined) return document;
  const { loadEnvironment } = await import('@entity/core/internal');
  return configForStudio(document, await readFile(configFile, 'utf8'), loadEnvironment(baseDir, cli.env));
}
