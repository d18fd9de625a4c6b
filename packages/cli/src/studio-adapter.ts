import type { Agent } from '@entity/core';
import type * as StudioPackage from '@entity/plugin-studio';
import type { CliContext } from './cli-context.js';
import type { StudioSetting } from './server-section.js';

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
