/**
 * Hosts the fetch tool may reach: `example.com` (that host only) or `*.example.com` (any
 * subdomain, not `example.com` itself). Entries and URLs go through the same WHATWG host parser,
 * so case, punycode (`bücher.de`), a trailing dot and IP spellings compare as the URL will.
 */
export interface HostAllowList {
  allows(hostname: string): boolean;
  /** The entries as given, for messages. */
  readonly entries: readonly string[];
}

/** The host as a URL parser reads it, or `undefined` when it is not a host. */
function canonicalHost(host: string): string | undefined {
  if (host === '' || /[/?#@\s\\]/.test(host)) return undefined;
  try {
    const url = new URL(`http://${host}/`);
    if (url.port !== '') return undefined;
    return url.hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** Checks one entry; returns the problem, or `undefined` when it is usable. */
export function hostEntryProblem(entry: string): string | undefined {
  if (entry.includes('://')) return `"${entry}" should be a host name only (e.g. "api.example.com"), without "http://"`;
  const wildcard = entry.startsWith('*.');
  const host = canonicalHost(wildcard ? entry.slice(2) : entry);
  if (host === undefined || host.includes('*')) return `"${entry}" is not a host name; use "api.example.com" or "*.example.com", without port or path`;
  if (wildcard && !host.includes('.')) return `"${entry}" would allow every name under a top-level domain; name a domain such as "*.example.com"`;
  return undefined;
}

/** Builds the matcher; entries must have passed {@link hostEntryProblem}. */
export function hostAllowList(entries: readonly string[]): HostAllowList {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const problem = hostEntryProblem(entry);
    if (problem) throw new TypeError(problem);
    if (entry.startsWith('*.')) suffixes.push(`.${canonicalHost(entry.slice(2))}`);
    else exact.add(canonicalHost(entry)!);
  }
  return {
    entries: [...entries],
    allows(hostname) {
      const host = hostname.replace(/\.$/, '').toLowerCase();
      return exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
    },
  };
}
