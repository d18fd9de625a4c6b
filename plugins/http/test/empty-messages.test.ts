import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

// Found by the fuzz test: zod runs a schema's refinements even when its array check failed, and
// the refinements read the last message of an empty list, so both routes answered 500.
describe('an empty messages list', () => {
  it.each([
    ['/v1/chat/completions', { model: 'test-agent', messages: [] }, /messages: send at least one message/],
    ['/v1/ui/chat', { id: 'chat-1', messages: [], trigger: 'submit-message' }, /messages: must hold at least the new user message/],
  ])('is a 400 that says so on %s', async (path, body, message) => {
    server = await startTestServer(['unused']);
    const response = await server.post(path, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(server.logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
