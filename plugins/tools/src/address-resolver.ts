import { lookup } from 'node:dns/promises';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to every address it has. The fetch tool checks all of them before it
 * connects, and connects only to one it checked. Tests pass their own, so a refusal can be
 * proven without asking DNS (or reaching a real private address).
 */
export type AddressResolver = (hostname: string, signal: AbortSignal) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`/etc/hosts`, then DNS), as `http.request` itself would use, stopped by `signal`. */
export const systemResolver: AddressResolver = async (hostname, signal) => {
  signal.throwIfAborted();
  const found = lookup(hostname, { all: true, order: 'verbatim' });
  // dns.lookup runs on libuv's thread pool and cannot be cancelled; stop waiting for it instead.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  found.catch(() => {});
  let addresses: Awaited<typeof found>;
  try {
    addresses = await Promise.race([found, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};
