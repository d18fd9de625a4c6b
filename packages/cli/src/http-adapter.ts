import type * as HttpAdapter from '@entity/plugin-http';
import type { CliContext } from './cli-context.js';

/** What the CLI uses of `@entity/plugin-http` (an optional package of the project). */
export type HttpAdapterModule = typeof HttpAdapter;

/** Loads `@entity/plugin-http` as the project installed it; a MissingPackageError (exit 2) says how to install it. */
export async function loadHttpAdapter(cli: CliContext, feature: string): Promise<HttpAdapterModule> {
  const { importFromProject } = await import('@entity/core/internal');
  return importFromProject<HttpAdapterModule>('@entity/plugin-http', feature, cli.cwd);
}
