import { createMetrics } from '@entity/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

type ErrorBody = { error: { code: string; message: string } };

function request(path: string, key: string, method = 'GET') {
  return fetch(server!.url(path), { method, headers: bearer(key) });
}

/** Alice (through her own key) has `trip` and `work`; bob (through the admin key) has `secret`. */
async function seed(): Promise<void> {
  for (const [conversationId, message] of [
    ['trip', 'Plan a trip'],
    ['work', 'Draft an email'],
    ['trip', 'Add a museum'],
  ] as const) {
    expect((await server!.post('/v1/chat', { message, conversationId }, bearer(KEYS.alice))).status).toBe(200);
  }
  expect((await server!.post('/v1/chat', { message: 'my password is hunter2', userId: 'bob', conversationId: 'secret' })).status).toBe(200);
}

describe('conversations', () => {
  it("lists and reads the caller's user's conversations", async () => {
    server = await startTestServer(['Sure.', 'Done.', 'Added.', 'Noted.']);
    await seed();
    const list = await request('/v1/conversations', KEYS.alice);
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { userId: string; conversations: { conversationId: string; messageCount: number; lastMessageAt: string }[] };
    expect(listed.userId).toBe('alice');
    expect(listed.conversations.map((conversation) => [conversation.conversationId, conversation.messageCount]).sort()).toEqual([
      ['trip', 4],
      ['work', 2],
    ]);
    expect(Number.isNaN(Date.parse(listed.conversations[0]!.lastMessageAt))).toBe(false);

    const trip = (await (await request('/v1/conversations/trip', KEYS.alice)).json()) as { conversationId: string; messages: { sequence: number; role: string; content: string }[] };
    expect(trip.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Plan a trip'],
      ['assistant', 'Sure.'],
      ['user', 'Add a museum'],
      ['assistant', 'Added.'],
    ]);
    const last = (await (await request('/v1/conversations/trip?last=1', KEYS.alice)).json()) as { messages: { content: string }[] };
    expect(last.messages.map((message) => message.content)).toEqual(['Added.']);
    // A viewer key may read any user it is allowed to.
    const viewed = await request('/v1/conversations?userId=bob', KEYS.viewer);
    expect(((await viewed.json()) as { conversations: unknown[] }).conversations).toHaveLength(1);
  });

  it("never shows another user's conversation: 404 under the caller's user, 403 when asking for another user", async () => {
    server = await startTestServer(['Sure.', 'Done.', 'Added.', 'Noted.']);
    await seed();
    const hidden = await request('/v1/conversations/secret', KEYS.alice);
    expect(hidden.status).toBe(404);
    const hiddenText = await hidden.text();
    expect(hiddenText).not.toContain('hunter2');
    expect((JSON.parse(hiddenText) as ErrorBody).error.code).toBe('conversation_not_found');
    const asBob = await request('/v1/conversations/secret?userId=bob', KEYS.alice);
    expect(asBob.status).toBe(403);
    expect(await asBob.text()).not.toContain('hunter2');
    expect((await request('/v1/conversations?userId=bob', KEYS.alice)).status).toBe(403);
    expect((await request('/v1/conversations/secret', KEYS.alice, 'DELETE')).status).toBe(404);
    expect((await request('/v1/conversations/secret?userId=bob', KEYS.alice, 'DELETE')).status).toBe(403);
    // Bob's conversation is still there.
    expect((await request('/v1/conversations/secret?userId=bob', KEYS.admin)).status).toBe(200);
  });

  it('deletes a conversation for a user or admin key, never for a viewer', async () => {
    server = await startTestServer(['Sure.', 'Done.', 'Added.', 'Noted.']);
    await seed();
    const viewer = await request('/v1/conversations/work?userId=alice', KEYS.viewer, 'DELETE');
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as ErrorBody).error.code).toBe('forbidden_role');
    expect((await request('/v1/conversations/work', KEYS.alice)).status).toBe(200);
    const deleted = await request('/v1/conversations/work', KEYS.alice, 'DELETE');
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await request('/v1/conversations/work', KEYS.alice)).status).toBe(404);
    expect((await request('/v1/conversations/work', KEYS.alice, 'DELETE')).status).toBe(404);
    expect((await request('/v1/conversations/secret?userId=bob', KEYS.admin, 'DELETE')).status).toBe(204);
  });

  it('validates ids and query parameters', async () => {
    server = await startTestServer(['unused']);
    const cases: [string, RegExp][] = [
      ['/v1/conversations/has%20space', /id: use 1-200 letters/],
      ['/v1/conversations?user=alice', /Unrecognized key: "user"/],
      ['/v1/conversations/trip?last=0', /last: must be a whole number/],
      ['/v1/conversations/trip?userId=../x', /userId: use 1-200 letters/],
    ];
    for (const [path, message] of cases) {
      const response = await request(path, KEYS.admin);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as ErrorBody).error.message).toMatch(message);
    }
    expect((await fetch(server.url('/v1/conversations'))).status).toBe(401);
  });
});

describe('GET /metrics', () => {
  it("serves the metrics resource's Prometheus text to admin and viewer keys, not to user keys", async () => {
    server = await startTestServer(['Counted.'], {}, { resources: { metrics: createMetrics({ tracing: false }) } });
    expect((await server.post('/v1/chat', { message: 'count me' })).status).toBe(200);
    const scraped = await request('/metrics', KEYS.viewer);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await scraped.text();
    expect(text).toMatch(/^# (HELP|TYPE) entity_/m);
    expect(text).toMatch(/^entity_\w+(\{[^}]*\})? \d/m);
    expect((await request('/metrics', KEYS.admin)).status).toBe(200);
    const user = await request('/metrics', KEYS.alice);
    expect(user.status).toBe(403);
    expect(((await user.json()) as ErrorBody).error.code).toBe('forbidden_role');
    expect((await fetch(server.url('/metrics'))).status).toBe(401);
  });

  it('answers 404 when the agent has no metrics resource', async () => {
    server = await startTestServer(['unused']);
    const response = await request('/metrics', KEYS.admin);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error.message).toMatch(/no metrics resource.*@entity\/metrics/);
  });
});
