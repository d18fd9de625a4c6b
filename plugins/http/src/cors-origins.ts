import type { HttpHandlerOptions } from './http-options.js';

/**
 * Whether `cors.origins` lets a browser page on `origin` call the server: listed exactly, or
 * `'*'` for any origin. The one rule for HTTP (CORS headers) and WebSocket handshakes (Origin
 * check). Under `auth: 'none'` `'*'` does not count: without keys it would let every web page
 * act as admin through the user's browser.
 */
export function corsAllowsOrigin(options: HttpHandlerOptions, origin: string): boolean {
  const allowed = options.cors?.origins ?? [];
  return allowed.includes(origin) || (allowed.includes('*') && options.auth !== 'none');
}
