import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses the fetch tool may connect to. The rule is an allow-list, not a deny-list:
 * IPv4 only when ipaddr.js calls it `unicast` (not loopback, private, link-local, CGNAT,
 * multicast, broadcast, reserved, documentation, benchmarking, …); IPv6 only inside global
 * unicast `2000::/3` and not in one of its special ranges (Teredo, 6to4, documentation, ORCHID,
 * …). Everything else — `::1`, `::`, `::ffff:127.0.0.1`, `::127.0.0.1`, `fd00::`, `fe80::`,
 * `64:ff9b::` — falls outside and is refused, so a range nobody thought of is refused too.
 */

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `127.0.0.1`, `::1` or `10.0.0.0/8` (exact address = one-address range); throws on anything else. */
export function parseAddressRange(text: string): AddressRange {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    const [address = '', bits] = trimmed.split('/');
    if (isIP(address) !== 0 && /^\d{1,3}$/.test(bits ?? '') && ipaddr.isValidCIDR(trimmed)) return ipaddr.parseCIDR(trimmed);
  } else if (isIP(trimmed) !== 0) {
    const address = ipaddr.parse(trimmed);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  throw new TypeError(`"${text}" is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)`);
}

/**
 * Why `address` is not a public unicast address — the range it is in (`loopback`,
 * `private-network`, …) — or `undefined` when it is one.
 */
export function nonPublicRange(address: string): string | undefined {
  // Only the strict textual forms count: net.isIP refuses `0x7f.1`, `2130706433` and other
  // spellings that some parsers read as 127.0.0.1.
  if (isIP(address) === 0) return 'not-an-address';
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (range !== 'unicast') return describeRange(range);
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return 'non-global IPv6 (outside 2000::/3)';
  return undefined;
}

/** The reason `address` is not a public unicast address, or `undefined` when it is one. */
export function whyNotPublic(address: string): string | undefined {
  const range = nonPublicRange(address);
  if (range === undefined) return undefined;
  return range === 'not-an-address' ? `"${address}" is not an IP address` : `${address} is in the ${range} range`;
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    private: 'private-network',
    loopback: 'loopback',
    linkLocal: 'link-local',
    carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
    uniqueLocal: 'unique-local (private IPv6)',
    ipv4Mapped: 'IPv4-mapped IPv6',
    unspecified: 'unspecified',
  };
  return names[range] ?? `special-purpose (${range})`;
}

/** Whether `address` falls in one of `ranges` (a test's or a deployment's explicit exception). */
export function inRanges(address: string, ranges: readonly AddressRange[]): boolean {
  if (ranges.length === 0 || isIP(address) === 0) return false;
  const parsed = ipaddr.parse(address);
  return ranges.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
}
