import type { Agent } from '@entity/core';
import { createAssetHandler, defaultAssetsDirectory } from './static-assets.js';
import { createStudioApi } from './studio-api.js';
import type { StudioMount } from './studio-types.js';

/** `studioMounts()` options. */
export interface StudioOptions {
  /** Where the page is served. Default: `/studio`. */
  path?: string;
  /**
   * Where its JSON API is served, behind the serving layer's credentials. A sibling of `path`,
   * not under it: the page loads without a credential, every API call needs one. Default: `${path}-api`.
   */
  apiPath?: string;
  /** The agent's config document (as read from agent.yaml), shown on the Agent screen with secrets masked. Default: none. */
  config?: unknown;
  /** Name of the metrics resource that keeps the run log. Default: `metrics`. */
  metricsResource?: string;
  /** Name of the logging resource whose live entries the Logs screen shows. Default: `logging`. */
  loggingResource?: string;
  /** Live log streams (Logs screens) open at once across all keys; one more gets a 429 and the page retries. Default: 20. */
  maxLogStreams?: number;
  /** Folder of the built page. Default: the package's own `dist/ui`. */
  assetsDirectory?: string;
}

const subpathOf = (request: Request, base: string) => new URL(request.url).pathname.slice(base.length);

/**
 * The Studio as two mounts of `@entity/plugin-http`:
 * `serveHttp(agent, { mounts: studioMounts(agent) })`. The page (`/studio`) is public, so a
 * browser can open it and ask for a key; the API (`/studio-api`) answers admin, user and viewer
 * keys (viewers read only; user keys chat but cannot read other users' runs). Chat itself goes
 * through the serving layer's `/v1/chat`, where its own role rules apply.
 */
export function studioMounts(agent: Agent, options: StudioOptions = {}): StudioMount[] {
  const path = options.path ?? '/studio';
  const apiPath = options.apiPath ?? `${path}-api`;
  if (apiPath === path || apiPath.startsWith(`${path}/`) || path.startsWith(`${apiPath}/`)) {
    throw new Error(`the Studio's apiPath "${apiPath}" must not be "${path}" nor under it (the serving layer refuses nested mounts); use a sibling such as "${path}-api"`);
  }
  const maxLogStreams = options.maxLogStreams ?? 20;
  if (!Number.isInteger(maxLogStreams) || maxLogStreams < 1) throw new Error(`the Studio's maxLogStreams must be a whole number of at least 1, not ${maxLogStreams}`);
  const assets = createAssetHandler(options.assetsDirectory ?? defaultAssetsDirectory(), { apiPath });
  const api = createStudioApi(agent, {
    metrics: options.metricsResource ?? 'metrics',
    logging: options.loggingResource ?? 'logging',
    config: options.config,
    maxLogStreams,
  });
  return [
    {
      path,
      public: true,
      async handle(request) {
        const subpath = subpathOf(request, path);
        // Relative URLs in the page resolve against `/studio/`, not `/`.
        if (subpath === '') return new Response(null, { status: 308, headers: { location: `${path}/` } });
        return assets(request, subpath);
      },
    },
    {
      path: apiPath,
      roles: ['admin', 'user', 'viewer'],
      handle: (request, context) => api(request, subpathOf(request, apiPath), context),
    },
  ];
}
