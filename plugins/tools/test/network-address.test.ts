import { describe, expect, it } from 'vitest';
import { whyNotPublic } from '../src/index.js';

describe('whyNotPublic (the public-address rule of fetch_url)', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['10.0.0.1', /private-network/],
    ['172.16.5.4', /private-network/],
    ['192.168.1.1', /private-network/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['192.0.2.1', /reserved/],
    ['198.18.0.1', /reserved/],
    ['240.0.0.1', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['::ffff:127.0.0.1', /IPv4-mapped/],
    ['::ffff:7f00:1', /IPv4-mapped/],
    ['::ffff:8.8.8.8', /IPv4-mapped/],
    ['::127.0.0.1', /IPv4-mapped|non-global/],
    ['fd00::1', /unique-local/],
    ['fc00::1', /unique-local/],
    ['fe80::1', /link-local/],
    ['fec0::1', /special-purpose/],
    ['ff02::1', /multicast/],
    ['64:ff9b::7f00:1', /special-purpose \(rfc6052\)/],
    ['2002:7f00:1::', /special-purpose \(6to4\)/],
    ['2001:0:4136:e378::1', /special-purpose \(teredo\)/],
    ['2001:db8::1', /special-purpose \(reserved\)/],
    ['100::1', /special-purpose \(discard\)/],
  ])('refuses %s', (address, reason) => {
    expect(whyNotPublic(address)).toMatch(reason);
  });

  it.each(['2130706433', '0x7f.1', '017700000001', '127.1', '0x7f000001', 'localhost', '[::1]'])('does not read %s as an address at all', (text) => {
    expect(whyNotPublic(text)).toMatch(/is not an IP address/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e'])('accepts the public address %s', (address) => {
    expect(whyNotPublic(address)).toBeUndefined();
  });
});
