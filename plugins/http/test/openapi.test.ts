import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AGENT_SUMMARY,
  CHAT_COMPLETION,
  CHAT_COMPLETION_CHUNK,
  CHAT_RESULT,
  ERROR_BODY,
  HEALTH_LIVE,
  HEALTH_READY,
  MODEL,
  MODEL_LIST,
  RUN_EVENT,
} from '../src/response-schemas.js';
import { bearer, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** The body matches the documented schema exactly: nothing missing, nothing undocumented. */
function expectDocumented(schema: z.ZodType, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document generated from the request schemas', async () => {
    server = await startTestServer(['unused'], { limits: { maxMessageChars: 777 } });
    expect((await fetch(server.url('/openapi.json'))).status).toBe(401);
    type Schema = { type?: string; additionalProperties?: boolean; required?: string[]; properties?: Record<string, { maxLength?: number }> };
    type Operation = { requestBody: { content: Record<string, { schema: Schema }> } };
    const document = (await (await fetch(server.url('/openapi.json'), { headers: bearer(KEYS.viewer) })).json()) as { paths: Record<string, Record<string, Operation>> };
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/chat', '/v1/agent', '/v1/chat/completions', '/v1/models', '/v1/models/{id}', '/health/live', '/health/ready', '/openapi.json']),
    );
    const chatBody = document.paths['/v1/chat']!.post!.requestBody.content['application/json']!.schema;
    expect(chatBody).toMatchObject({ type: 'object', additionalProperties: false, required: ['message'], properties: { message: { maxLength: 777 } } });
    const completionBody = document.paths['/v1/chat/completions']!.post!.requestBody.content['application/json']!.schema;
    expect(completionBody.additionalProperties).toBe(false);
    expect(completionBody.required).toEqual(['model', 'messages']);
  });

  it('documents what the routes really send', async () => {
    server = await startTestServer(['Documented answer.']);
    const get = async (path: string, key: string = KEYS.admin) => (await fetch(server!.url(path), { headers: bearer(key) })).json();
    expectDocumented(AGENT_SUMMARY, await get('/v1/agent'));
    expectDocumented(MODEL_LIST, await get('/v1/models'));
    expectDocumented(MODEL, await get('/v1/models/test-agent'));
    expectDocumented(HEALTH_LIVE, await get('/health/live'));
    expectDocumented(HEALTH_READY, await get('/health/ready'));
    expectDocumented(ERROR_BODY, await get('/v1/agent', 'ent_wrong'));
    expectDocumented(CHAT_RESULT, await (await server.post('/v1/chat', { message: 'hi' })).json());
    const events = parseSse(await (await server.post('/v1/chat', { message: 'hi' }, { accept: 'text/event-stream' })).text()).messages;
    for (const event of events) RUN_EVENT.parse(JSON.parse(event.data));
    const completion = { model: 'test-agent', messages: [{ role: 'user', content: 'hi' }] };
    expectDocumented(CHAT_COMPLETION, await (await server.post('/v1/chat/completions', completion)).json());
    const chunks = parseSse(await (await server.post('/v1/chat/completions', { ...completion, stream: true, stream_options: { include_usage: true } })).text()).messages;
    expect(chunks.at(-1)!.data).toBe('[DONE]');
    for (const chunk of chunks.slice(0, -1)) expectDocumented(CHAT_COMPLETION_CHUNK, JSON.parse(chunk.data));
  });
});
