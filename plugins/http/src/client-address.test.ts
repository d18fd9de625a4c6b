import { describe, expect, it } from 'vitest';
import { addressBucketId } from './client-address.js';

describe('addressBucketId', () => {
  it('groups an IPv6 client by its /64, whatever the spelling', () => {
    const bucket = addressBucketId('2001:db8:1:2::1');
    expect(addressBucketId('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(addressBucketId('2001:0DB8:0001:0002:0:0:0:abcd')).toBe(bucket);
    expect(addressBucketId('fe80::1%eth0')).toBe(addressBucketId('fe80::2'));
    expect(addressBucketId('2001:db8:1:3::1')).not.toBe(bucket);
  });

  it('folds IPv4-mapped IPv6 to the IPv4 address and keeps IPv4 addresses apart', () => {
    expect(addressBucketId('::ffff:203.0.113.7')).toBe(addressBucketId('203.0.113.7'));
    expect(addressBucketId('203.0.113.7')).not.toBe(addressBucketId('203.0.113.8'));
  });
});
