/** Why the guarded fetch refused or cut off a call; the tool turns it into a clear tool error. */
export class RemoteRefusal extends Error {
  constructor(
    readonly reason: 'scheme' | 'host' | 'redirect' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

export interface GuardedFetchOptions {
  /** Origins (`https://host:port`) calls may go to: the agent's own, plus the ones the user allowed. */
  allowedOrigins: ReadonlySet<string>;
  /** Headers added to every call (credentials for the remote agent). */
  headers: Readonly<Record<string, string>>;
  /** Largest response body, in bytes. */
  maxResponseBytes: number;
  /** Aborts every call (the tool's time budget and the run's cancellation). */
  signal: AbortSignal;
  /** The `fetch` to call through. Default: the global one. */
  fetch?: typeof fetch;
  /** Each refusal is recorded here too: the SDK may wrap the error it sees in one of its own. */
  refusals?: RemoteRefusal[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** `https://host:port` for an http(s) URL; refuses any other scheme. */
export function originOf(url: URL): string {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteRefusal('scheme', `${url.protocol} URLs are not allowed; the remote agent must be reached over http or https`);
  }
  return url.origin;
}

function checkOrigin(url: URL, allowed: ReadonlySet<string>, what: string, refusals: RemoteRefusal[]): void {
  let origin: string;
  try {
    origin = originOf(url);
  } catch (error) {
    throw record(refusals, error as RemoteRefusal);
  }
  if (!allowed.has(origin)) {
    throw record(refusals, new RemoteRefusal(what === 'redirect' ? 'redirect' : 'host', `${what === 'redirect' ? 'a redirect leads' : 'the agent card points'} to ${origin}, which is not the agent's host; add it to allowedOrigins to allow it`));
  }
}

function record(refusals: RemoteRefusal[], refusal: RemoteRefusal): RemoteRefusal {
  refusals.push(refusal);
  return refusal;
}

/** Counts the bytes of a body as it is read and fails the stream past the limit. */
function limitBody(response: Response, limit: number, refusals: RemoteRefusal[]): Response {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () => record(refusals, new RemoteRefusal('too-large', `the reply is larger than ${limit} bytes`));
  if (Number.isFinite(declared) && declared > limit) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return response;
  let size = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * A `fetch` for the A2A SDK's client that only goes where the user said: http(s) URLs on the
 * allowed origins (an agent card naming another host is refused), redirects followed by hand
 * and only within those origins, a byte limit on every reply, and one abort signal over it all.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const refusals = options.refusals ?? [];
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    let url = new URL(request ? request.url : input instanceof URL ? input.href : String(input));
    let method = init?.method ?? request?.method ?? 'GET';
    let body = init?.body ?? (request?.body ? await request.text() : undefined);
    const headers = new Headers(init?.headers ?? request?.headers);
    for (const [name, value] of Object.entries(options.headers)) headers.set(name, value);
    const signal = init?.signal ? AbortSignal.any([init.signal, options.signal]) : options.signal;
    for (let redirects = 0; ; redirects++) {
      checkOrigin(url, options.allowedOrigins, redirects === 0 ? 'call' : 'redirect', refusals);
      const response = await fetchImpl(url, { ...init, method, headers, body, signal, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return limitBody(response, options.maxResponseBytes, refusals);
      void response.body?.cancel().catch(() => undefined);
      if (redirects >= MAX_REDIRECTS) throw record(refusals, new RemoteRefusal('redirect', `more than ${MAX_REDIRECTS} redirects`));
      url = new URL(location, url);
      // As browsers do: 303 (and 301/302 after a POST) turn into a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
    }
  };
}
