import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CONVERSATION, CONVERSATION_LIST, UI_MESSAGE_CHUNK } from '../src/conversation-schemas.js';
import { ERROR_BODY } from '../src/response-schemas.js';
import { bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

function expectDocumented(schema: z.ZodType, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { required?: string[]; additionalProperties?: boolean } }> }; responses: Record<string, unknown> };

describe('OpenAPI document: conversations, UI stream, metrics, idempotency', () => {
  it('describes the routes and stays a valid OpenAPI 3.1 document', async () => {
    server = await startTestServer(['unused']);
    const document = (await (await fetch(server.url('/openapi.json'), { headers: bearer(KEYS.viewer) })).json()) as { paths: Record<string, Record<string, Operation>> };
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/ui/chat', '/v1/conversations', '/v1/conversations/{id}', '/metrics']));
    expect(Object.keys(document.paths['/v1/conversations/{id}']!)).toEqual(['get', 'delete']);
    const ui = document.paths['/v1/ui/chat']!.post!;
    expect(ui.requestBody!.content['application/json']!.schema).toMatchObject({ additionalProperties: false, required: ['id', 'messages', 'trigger'] });
    for (const [path, method] of [
      ['/v1/chat', 'post'],
      ['/v1/chat/completions', 'post'],
    ] as const) {
      const operation = document.paths[path]![method]!;
      expect(operation.parameters!.map((parameter) => `${parameter.in}:${parameter.name}`)).toContain('header:Idempotency-Key');
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });

  it('documents what the routes really send', async () => {
    server = await startTestServer(['Documented.']);
    await server.post('/v1/chat', { message: 'hi', conversationId: 'doc' });
    const get = async (path: string) => (await fetch(server!.url(path), { headers: bearer(KEYS.admin) })).json();
    expectDocumented(CONVERSATION_LIST, await get('/v1/conversations'));
    expectDocumented(CONVERSATION, await get('/v1/conversations/doc'));
    expectDocumented(ERROR_BODY, await get('/v1/conversations/missing'));
    expectDocumented(ERROR_BODY, await get('/metrics'));
    const stream = await server.post('/v1/ui/chat', { id: 'doc-ui', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }], trigger: 'submit-message' });
    const data = (await stream.text()).split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    for (const chunk of data.slice(0, -1)) expectDocumented(UI_MESSAGE_CHUNK, JSON.parse(chunk));
  });
});
