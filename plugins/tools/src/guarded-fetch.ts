import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ToolError } from '@entity/core';
import type { AddressResolver, ResolvedAddress } from './address-resolver.js';
import type { HostAllowList } from './host-allow-list.js';
import { type AddressRange, inRanges, nonPublicRange, whyNotPublic } from './network-address.js';

const TOOL = 'fetch_url';

/** Where a request is about to connect: the checked address it is pinned to. */
export interface ConnectTarget {
  url: string;
  hostname: string;
  address: string;
  family: 4 | 6;
  port: number;
}

export interface GuardedFetchOptions {
  allowHosts: HostAllowList;
  /** Most body bytes read (after decompression); the rest is cut off and `truncated` is set. */
  maxBytes: number;
  /** Time for the whole fetch: every lookup, hop and the body. */
  timeoutMs: number;
  /** Most redirects followed; each hop is checked like the first URL. */
  maxRedirects: number;
  /** Addresses exempt from the public-address rule (tests, a known internal service). Default: none. */
  allowPrivate: readonly AddressRange[];
  resolve: AddressResolver;
  /** Called just before a connection is opened, after every check passed; throwing stops the request. */
  beforeConnect?: ((target: ConnectTarget) => void) | undefined;
  userAgent: string;
}

export interface FetchedResponse {
  /** The URL of the final response (after redirects). */
  url: string;
  status: number;
  statusText: string;
  contentType: string | undefined;
  body: Buffer;
  truncated: boolean;
  /** URLs redirected through, in order. */
  redirects: string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const refuse = (message: string, details?: Record<string, unknown>) => new ToolError(TOOL, message, { code: 'FETCH_REFUSED', ...(details ? { details } : {}) });

/** Parses and checks a URL against scheme, credentials and the host allow-list (no network). */
function checkUrl(text: string, base: URL | undefined, options: GuardedFetchOptions): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw refuse(`"${text}" is not a valid URL; give an absolute http(s) URL such as "https://example.com/page".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`${url.protocol.replace(/:$/, '')} URLs are not allowed; only http and https.`);
  if (url.username !== '' || url.password !== '') throw refuse('URLs with a user name or password are not allowed.');
  if (!options.allowHosts.allows(url.hostname)) {
    throw refuse(`The host "${url.hostname}" is not in this agent's allowed hosts (${options.allowHosts.entries.join(', ')}). Use a URL on one of those hosts.`, { host: url.hostname });
  }
  url.hash = '';
  return url;
}

/** The address to connect to, after every address the host has passed the public-address rule. */
async function checkedAddress(url: URL, options: GuardedFetchOptions, signal: AbortSignal): Promise<ResolvedAddress> {
  const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: readonly ResolvedAddress[];
  if (isIP(literal) !== 0) addresses = [{ address: literal, family: isIP(literal) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await options.resolve(url.hostname, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ToolError(TOOL, `Could not resolve "${url.hostname}": ${(error as Error).message}. Check the host name.`, { code: 'FETCH_FAILED', cause: error });
    }
  }
  if (addresses.length === 0) throw new ToolError(TOOL, `"${url.hostname}" has no addresses.`, { code: 'FETCH_FAILED' });
  // Every address must pass, not just the one used: a name that also points inside the network is refused.
  for (const { address } of addresses) {
    if (inRanges(address, options.allowPrivate)) continue;
    const range = nonPublicRange(address);
    if (range === undefined) continue;
    // For a name, the model learns the kind of address, not the address: what an internal name
    // resolves to is for the log (details), not for the conversation.
    const reason = isIP(literal) !== 0 ? whyNotPublic(address) : range === 'not-an-address' ? `"${url.hostname}" resolved to something that is not an IP address` : `"${url.hostname}" resolves to an address in the ${range} range`;
    throw refuse(`Refused to fetch ${url.href}: ${reason}; only public internet addresses may be fetched.`, { host: url.hostname, address });
  }
  const chosen = addresses[0]!;
  return { address: chosen.address, family: isIP(chosen.address) === 6 ? 6 : 4 };
}

/** A `lookup` that answers only with the checked address, so the socket cannot go anywhere else (DNS rebinding). */
function pinnedLookup(hostname: string, pinned: ResolvedAddress): LookupFunction {
  return (name, lookupOptions, callback) => {
    if (name !== hostname) {
      callback(Object.assign(new Error(`unexpected lookup of "${name}"`), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (lookupOptions.all) (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

function open(url: URL, pinned: ResolvedAddress, options: GuardedFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'GET',
      // A fresh socket per hop: a pooled one could belong to a connection made for another check.
      agent: false,
      lookup: pinnedLookup(url.hostname, pinned),
      signal,
      headers: { 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'gzip, deflate, br' },
    });
    outgoing.once('response', resolve);
    // `on`, not `once`: an abort after the response still emits 'error' here, and an unheard one would crash the process.
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function decoded(response: IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decompress =
    encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  // pipeline, not pipe: a response that fails (timeout, reset) must fail the reader too, not leave it waiting.
  return decompress === undefined ? response : pipeline(response, decompress, () => {});
}

/** Reads at most `maxBytes` of the (decompressed) body, then stops: a huge or endless body costs no more. */
async function readLimited(response: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const stream = decoded(response);
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      if (total + buffer.byteLength > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - total));
        truncated = true;
        break;
      }
      chunks.push(buffer);
      total += buffer.byteLength;
    }
  } finally {
    stream.destroy();
    response.destroy();
  }
  return { body: Buffer.concat(chunks), truncated };
}

/**
 * GETs `text` under the fetch tool's rules: http/https only, allowed hosts only, every address
 * of the host public (or explicitly exempt) before any connection is opened, the connection
 * pinned to the checked address, each redirect hop checked the same way, and the whole fetch
 * bounded in bytes and time. Refusals are `ToolError`s with code `FETCH_REFUSED`.
 */
export async function guardedFetch(text: string, options: GuardedFetchOptions, callerSignal: AbortSignal): Promise<FetchedResponse> {
  const signal = AbortSignal.any([callerSignal, AbortSignal.timeout(options.timeoutMs)]);
  const redirects: string[] = [];
  let url = checkUrl(text, undefined, options);
  try {
    for (;;) {
      const pinned = await checkedAddress(url, options, signal);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      options.beforeConnect?.({ url: url.href, hostname: url.hostname, address: pinned.address, family: pinned.family, port });
      const response = await open(url, pinned, options, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        response.destroy();
        if (redirects.length >= options.maxRedirects) {
          throw refuse(`${url.href} redirects more than ${options.maxRedirects} times; fetch the final URL directly if you know it.`);
        }
        redirects.push(url.href);
        url = checkUrl(location, url, options);
        continue;
      }
      const { body, truncated } = await readLimited(response, options.maxBytes);
      return { url: url.href, status, statusText: response.statusMessage ?? '', contentType: response.headers['content-type'], body, truncated, redirects };
    }
  } catch (error) {
    if (ToolError.isInstance(error)) throw error;
    if (signal.aborted && !callerSignal.aborted) {
      throw new ToolError(TOOL, `Fetching ${url.href} took longer than ${options.timeoutMs} ms and was stopped.`, { code: 'FETCH_TIMEOUT', cause: error });
    }
    if (callerSignal.aborted) throw error;
    throw new ToolError(TOOL, `Fetching ${url.href} failed: ${(error as Error).message}.`, { code: 'FETCH_FAILED', cause: error });
  }
}
