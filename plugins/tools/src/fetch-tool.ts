import { ConfigError, defineTool } from '@entity/core';
import { z } from 'zod';
import { type AddressResolver, systemResolver } from './address-resolver.js';
import { type ConnectTarget, guardedFetch } from './guarded-fetch.js';
import { hostAllowList, hostEntryProblem } from './host-allow-list.js';
import { parseAddressRange } from './network-address.js';

export interface FetchToolOptions {
  /**
   * Hosts the model may fetch from: `api.example.com`, or `*.example.com` for its subdomains.
   * Required and non-empty: with no list there is nothing the tool could safely fetch.
   */
  allowHosts: readonly string[];
  /** Most bytes of a response body returned (after decompression); longer ones are cut with `truncated: true`. Default: 256 KB. */
  maxBytes?: number;
  /** Time for one whole fetch (lookups, redirects, body), in ms. Default: 10,000. */
  timeoutMs?: number;
  /** Most redirects followed; every hop is checked like the first URL. Default: 3. */
  maxRedirects?: number;
  /**
   * Addresses or CIDR ranges exempt from the public-address rule, e.g. `['127.0.0.1']` for a
   * test server or `['10.1.2.3']` for one known internal service. Default: none — loopback,
   * private, link-local and other non-public addresses are refused.
   */
  allowPrivateAddresses?: readonly string[];
  /** Resolves host names; pass one in tests. Default: the system resolver (`dns.lookup`). */
  resolve?: AddressResolver;
  /** Called after every check passed, just before a connection opens; throwing stops it. For audits and tests. */
  beforeConnect?: (target: ConnectTarget) => void;
  /** The User-Agent header. Default: `entity-fetch/0.1 (+https://github.com/entity)`. */
  userAgent?: string;
}

export const DEFAULT_FETCH_MAX_BYTES = 256 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_FETCH_MAX_REDIRECTS = 3;

const TEXT_TYPE = /^(text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|graphql)\b)/i;

/** Checks options given in code the way the YAML schema checks them. */
function checkOptions(options: FetchToolOptions): void {
  const issues = [];
  if (!Array.isArray(options.allowHosts) || options.allowHosts.length === 0) {
    issues.push({ path: 'fetch.allowHosts', message: 'no hosts are allowed, so the fetch tool could fetch nothing', fix: 'list the hosts the model may fetch from, e.g. allowHosts: ["api.example.com"]' });
  }
  for (const [index, entry] of (options.allowHosts ?? []).entries()) {
    const problem = hostEntryProblem(entry);
    if (problem) issues.push({ path: `fetch.allowHosts.${index}`, message: problem, fix: 'write a host name such as "api.example.com" or "*.example.com"' });
  }
  for (const [index, entry] of (options.allowPrivateAddresses ?? []).entries()) {
    try {
      parseAddressRange(entry);
    } catch (error) {
      issues.push({ path: `fetch.allowPrivateAddresses.${index}`, message: (error as Error).message, fix: 'write an IP address or CIDR range' });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

function decodeText(body: Buffer, contentType: string | undefined, truncated: boolean): string {
  const charset = /charset="?([\w-]+)"?/i.exec(contentType ?? '')?.[1];
  let text: string;
  try {
    text = new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    text = new TextDecoder('utf-8').decode(body);
  }
  // A cut in the middle of a multi-byte character decodes to U+FFFD; drop it rather than show garbage.
  return truncated ? text.replace(/\uFFFD+$/, '') : text;
}

/**
 * `fetch_url`: GETs a web page or API response for the model, only from allowed hosts and never
 * from a private-network address (see `guardedFetch`). Text comes back as text; other content
 * types come back described, not dumped.
 */
export function fetchTool(options: FetchToolOptions) {
  checkOptions(options);
  const settings = {
    allowHosts: hostAllowList(options.allowHosts),
    maxBytes: options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_FETCH_MAX_REDIRECTS,
    allowPrivate: (options.allowPrivateAddresses ?? []).map(parseAddressRange),
    resolve: options.resolve ?? systemResolver,
    beforeConnect: options.beforeConnect,
    userAgent: options.userAgent ?? 'entity-fetch/0.1',
  };
  return defineTool({
    name: 'fetch_url',
    description: `Fetch a URL with HTTP GET and return its status and text (at most ${settings.maxBytes} bytes). Only these hosts are allowed: ${options.allowHosts.join(', ')}.`,
    input: z
      .object({
        url: z.string().max(2048).describe(`Absolute http(s) URL on an allowed host (${options.allowHosts.join(', ')})`),
      })
      .strict(),
    // The tool's own deadline is the fetch's; a little more so its own timeout message wins.
    timeoutMs: settings.timeoutMs + 1_000,
    async execute({ url }, context) {
      const response = await guardedFetch(url, settings, context.signal);
      const type = response.contentType?.split(';')[0]?.trim().toLowerCase();
      const isText = type === undefined ? !response.body.includes(0) : TEXT_TYPE.test(type);
      return {
        url: response.url,
        status: response.status,
        ok: response.status >= 200 && response.status < 300,
        ...(response.contentType === undefined ? {} : { contentType: response.contentType }),
        ...(response.redirects.length > 0 ? { redirectedFrom: response.redirects } : {}),
        ...(isText
          ? { text: decodeText(response.body, response.contentType, response.truncated), truncated: response.truncated }
          : { binary: true, bytes: response.body.byteLength, message: `The response is ${type ?? 'binary data'}, not text; it is not shown.` }),
      };
    },
  });
}
