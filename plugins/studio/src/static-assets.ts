import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Same-origin scripts and styles only: no inline script, no `eval`, no foreign origin, no
 * framing. The page talks to this server's `/v1` and Studio API and nothing else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

interface Asset {
  contentType: string;
  body: Uint8Array;
  gzipped: Uint8Array | undefined;
  etag: string;
}

/** The built page: `dist/ui` next to the compiled module, or (running from `src` in the repository) `../dist/ui`. */
export function defaultAssetsDirectory(): string {
  for (const candidate of ['./ui/', '../dist/ui/']) {
    const directory = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(directory, 'index.html'))) return directory;
  }
  throw new Error('the Studio page is not built (dist/ui/index.html is missing): run `pnpm --filter @entity/plugin-studio build`');
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Templates filled when the page is served: where the Studio API lives. */
export interface PageValues {
  apiPath: string;
}

/**
 * Serves the page's files from memory. The set of files is read once at start, so a request can
 * only ever name one of them: `..`, encoded separators and anything not in the set are a 404,
 * never a read from disk.
 */
export function createAssetHandler(directory: string, values: PageValues): (request: Request, subpath: string) => Response {
  const assets = new Map<string, Asset>();
  for (const file of filesUnder(directory)) {
    const name = relative(directory, file).split(sep).join('/');
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    let body: Uint8Array = readFileSync(file);
    if (name === 'index.html') body = new TextEncoder().encode(new TextDecoder().decode(body).replaceAll('{{apiPath}}', values.apiPath));
    const compressible = contentType.startsWith('text/') || contentType.startsWith('application/json') || contentType === 'image/svg+xml';
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { contentType, body, gzipped: compressible ? gzipSync(body, { level: 9 }) : undefined, etag });
  }
  return (request, subpath) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: { allow: 'GET, HEAD', ...SECURITY_HEADERS } });
    }
    const name = subpath === '' || subpath === '/' ? 'index.html' : subpath.slice(1);
    const asset = assets.get(name);
    if (!asset) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      // Names carry no content hash, so browsers revalidate every time (a cheap 304) and an upgrade shows at once.
      'cache-control': 'no-cache',
      etag: asset.etag,
      vary: 'accept-encoding',
      ...SECURITY_HEADERS,
    };
    if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers });
    const gzip = asset.gzipped !== undefined && /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
    const body = gzip ? asset.gzipped! : asset.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.byteLength);
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
