import { describe, expect, it } from 'vitest';
import { ProcessIdempotencyStore } from './idempotency-store.js';

const request = (scope: string, fingerprint = 'f') => ({ scope, fingerprint, leaseMs: 1_000, ttlMs: 10_000, conversation: 'c' });

describe('ProcessIdempotencyStore', () => {
  it('replays a finished record until its TTL, then lets the key be claimed again', async () => {
    let now = 0;
    const store = new ProcessIdempotencyStore(100, () => now);
    const claim = await store.claim(request('a'));
    expect(claim.kind).toBe('claimed');
    expect((await store.claim(request('a'))).kind).toBe('running');
    expect((await store.claim(request('a', 'other'))).kind).toBe('mismatch');
    await store.complete('a', (claim as { owner: string }).owner, { status: 200, body: '{"text":"hi"}' });
    expect(await store.claim(request('a'))).toEqual({ kind: 'done', response: { status: 200, body: '{"text":"hi"}' } });
    now = 10_000;
    expect((await store.claim(request('a', 'other'))).kind).toBe('claimed');
  });

  it('lets a retry take over a running claim whose lease ran out, and ignores the old owner afterwards', async () => {
    let now = 0;
    const store = new ProcessIdempotencyStore(100, () => now);
    const first = (await store.claim(request('a'))) as { owner: string };
    now = 1_000;
    const second = await store.claim(request('a'));
    expect(second.kind).toBe('claimed');
    await store.complete('a', first.owner, { status: 200, body: 'stale' });
    await store.release('a', first.owner);
    expect((await store.claim(request('a'))).kind).toBe('running');
  });

  it('stays within maxEntries by dropping the oldest finished records, never running ones', async () => {
    const store = new ProcessIdempotencyStore(2, () => 0);
    const running = await store.claim(request('running'));
    for (const scope of ['b', 'c', 'd']) {
      const claim = (await store.claim(request(scope))) as { owner: string };
      await store.complete(scope, claim.owner, { status: 200, body: scope });
    }
    await store.claim(request('e'));
    expect(running.kind).toBe('claimed');
    expect((await store.claim(request('running'))).kind).toBe('running');
    expect((await store.claim(request('b'))).kind).toBe('claimed');
  });
});
