import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearer, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';
import { connect } from './websocket-client.js';
import { CHAT_COMPLETION, CHAT_COMPLETION_CHUNK, CHAT_RESULT } from '../src/response-schemas.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, celsius: { type: 'number' } },
  required: ['city', 'celsius'],
  additionalProperties: false,
};

/** `$defs` d0..dN where each uses the next twice: under 2 KB, but 2^N checks if followed naively. */
function refBomb(levels: number, chain = 0): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  // First, `chain` $defs that each only point to the next one, then the multiplying ones.
  for (let i = 0; i < chain; i++) defs[`c${i}`] = { $ref: i + 1 < chain ? `#/$defs/c${i + 1}` : '#/$defs/d0' };
  for (let i = 0; i < levels; i++) defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
  defs[`d${levels}`] = { type: 'number' };
  return { $defs: defs, $ref: chain > 0 ? '#/$defs/c0' : '#/$defs/d0' };
}

interface ErrorBody {
  error: { code: string; message: string; param: string | null };
}

describe('POST /v1/chat with output (a JSON Schema)', () => {
  it('answers in the schema: output in the body, the model asked through structured output', async () => {
    server = await startTestServer(['{"city":"Paris","celsius":21}']);
    const response = await server.post('/v1/chat', { message: 'Weather in Paris?', output: WEATHER_SCHEMA, outputName: 'weather' });
    expect(response.status).toBe(200);
    const body = CHAT_RESULT.parse(await response.json());
    expect(body.output).toEqual({ city: 'Paris', celsius: 21 });
    expect(body.text).toBe('{"city":"Paris","celsius":21}');
    const request = server.llm.structuredRequests[0]!;
    expect(request.schemaName).toBe('weather');
    // The compiled schema is what validates: it refuses what the JSON Schema refuses.
    expect(request.schema.safeParse({ city: 'Paris' }).success).toBe(false);
    expect(request.schema.safeParse({ city: 'Paris', celsius: 3 }).success).toBe(true);
  });

  it('has no output and shows the failure when the model never matches the schema', async () => {
    server = await startTestServer(['{"city":"Paris"}']);
    const body = (await (await server.post('/v1/chat', { message: 'Weather?', output: WEATHER_SCHEMA })).json()) as { output?: unknown; info: { failure?: object } };
    expect(body.output).toBeUndefined();
    expect(body.info.failure).toMatchObject({ plugin: 'entity:chat', errorType: 'LLM_OUTPUT_INVALID' });
  });

  it.each([
    ['not an object', { output: [WEATHER_SCHEMA] }, /output: /],
    ['a regular expression', { output: { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } } }, /"pattern" is not accepted over HTTP/],
    ['patternProperties', { output: { type: 'object', patternProperties: { '^x': { type: 'string' } } } }, /"patternProperties" is not accepted/],
    ['too large', { output: { type: 'object', description: 'x'.repeat(17_000) } }, /larger than 16384 characters/],
    ['too deep', { output: JSON.parse(`${'{"type":"array","items":'.repeat(40)}{"type":"string"}${'}'.repeat(40)}`) }, /deeper than 32 levels/],
    ['a remote $ref', { output: { $ref: 'https://example.com/schema.json' } }, /External \$ref is not supported/],
    ['a keyword zod cannot use', { output: JSON.parse('{"if":{"type":"string"},"then":{"minLength":2}}') }, /Conditional schemas/],
    ['$refs that loop', { output: { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' } }, /\$refs lead back to themselves/],
    ['$refs that multiply (each $def uses the next twice)', { output: refBomb(20) }, /\$refs expand to more than 20000 subschemas/],
    ['$refs that multiply behind a long chain of $refs', { output: refBomb(20, 60) }, /\$refs expand to more than 20000 subschemas/],
    ['outputName without output', { outputName: 'weather' }, /outputName needs output/],
    ['a bad outputName', { output: WEATHER_SCHEMA, outputName: 'has space' }, /outputName: use 1-64 letters/],
  ])('refuses %s with a 400 naming the problem, before any model call', async (_label, extra, message) => {
    server = await startTestServer(['{}']);
    const response = await server.post('/v1/chat', { message: 'hi', ...extra });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(message);
    expect(body.error.param).toMatch(/^output/);
    expect(server.llm.requests).toHaveLength(0);
  });

  it('accepts a recursive schema (a tree through $ref): recursion counts once, not without end', async () => {
    server = await startTestServer(['{"name":"root","children":[{"name":"leaf","children":[]}]}']);
    const node = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['name', 'children'] };
    const schema = { $defs: { node }, $ref: '#/$defs/node' };
    const body = CHAT_RESULT.parse(await (await server.post('/v1/chat', { message: 'tree', output: schema })).json());
    expect(body.output).toEqual({ name: 'root', children: [{ name: 'leaf', children: [] }] });
  });

  it('a property named "pattern" is a name, not a regular expression', async () => {
    server = await startTestServer(['{"pattern":"stripes"}']);
    const schema = { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] };
    const body = (await (await server.post('/v1/chat', { message: 'hi', output: schema })).json()) as { output?: unknown };
    expect(body.output).toEqual({ pattern: 'stripes' });
  });

  it('streams over SSE: done carries output', async () => {
    server = await startTestServer(['{"city":"Oslo","celsius":4}']);
    const response = await server.post('/v1/chat', { message: 'Weather?', output: WEATHER_SCHEMA }, { accept: 'text/event-stream' });
    const { messages } = parseSse(await response.text());
    const done = JSON.parse(messages.find((message) => message.event === 'done')!.data) as { output?: unknown };
    expect(done.output).toEqual({ city: 'Oslo', celsius: 4 });
    expect(messages.some((message) => message.event === 'token')).toBe(false);
  });

  it('keeps output through an EventSource ticket', async () => {
    server = await startTestServer(['{"city":"Rome","celsius":30}']);
    const minted = (await (await server.post('/v1/chat/streams', { message: 'Weather?', output: WEATHER_SCHEMA })).json()) as { url: string };
    const { messages } = parseSse(await (await fetch(server.url(minted.url))).text());
    const done = JSON.parse(messages.find((message) => message.event === 'done')!.data) as { output?: unknown };
    expect(done.output).toEqual({ city: 'Rome', celsius: 30 });
  });
});

describe('WebSocket chat with output', () => {
  it('answers in the schema: done carries output', async () => {
    server = await startTestServer(['{"city":"Kyiv","celsius":-2}'], { websocket: true });
    const client = await connect(server.handle.websocket!.url, { headers: bearer(KEYS.admin) });
    try {
      client.send({ type: 'chat', id: 'w1', message: 'Weather?', output: WEATHER_SCHEMA });
      const { end } = await client.run('w1');
      expect(end).toMatchObject({ event: { type: 'done', output: { city: 'Kyiv', celsius: -2 } } });
    } finally {
      client.socket.terminate();
    }
  });
});

describe('/v1/chat/completions with response_format json_schema, through the official openai SDK', () => {
  const Weather = z.object({ city: z.string(), celsius: z.number() });
  const client = () => new OpenAI({ apiKey: KEYS.admin, baseURL: `${server!.handle.url}/v1`, maxRetries: 0 });

  it('answers chat.completions.parse() with the parsed object', async () => {
    server = await startTestServer(['{"city":"Lima","celsius":18}']);
    const completion = await client().chat.completions.parse({
      model: 'test-agent',
      messages: [{ role: 'user', content: 'Weather in Lima?' }],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    expect(completion.choices[0]!.message.parsed).toEqual({ city: 'Lima', celsius: 18 });
    expect(server.llm.structuredRequests[0]!.schemaName).toBe('weather');
  });

  it('reports a run that could not answer in the schema as a refusal, as OpenAI does', async () => {
    server = await startTestServer(['no json here']);
    // The documented shapes hold for a refusal, plain and streamed.
    const body = { model: 'test-agent', messages: [{ role: 'user', content: 'Weather?' }], response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: WEATHER_SCHEMA } } };
    const plain = CHAT_COMPLETION.parse(await (await server.post('/v1/chat/completions', body)).json());
    expect(plain.choices[0]!.message.refusal).toBe('The model did not produce a valid answer. Please try again.');
    const streamed = parseSse(await (await server.post('/v1/chat/completions', { ...body, stream: true })).text());
    const chunks = streamed.messages.filter((message) => message.data !== '[DONE]').map((message) => CHAT_COMPLETION_CHUNK.parse(JSON.parse(message.data)));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.refusal).filter(Boolean)).toEqual(['The model did not produce a valid answer. Please try again.']);
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.content)).toBe(false);
    const completion = await client().chat.completions.parse({
      model: 'test-agent',
      messages: [{ role: 'user', content: 'Weather?' }],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    expect(completion.choices[0]!.message.content).toBeNull();
    expect(completion.choices[0]!.message.parsed).toBeNull();
    expect(completion.choices[0]!.message.refusal).toBe('The model did not produce a valid answer. Please try again.');
  });

  it('streams the JSON as content, parseable once complete', async () => {
    server = await startTestServer(['{"city":"Bern","celsius":12}']);
    const stream = client().chat.completions.stream({
      model: 'test-agent',
      messages: [{ role: 'user', content: 'Weather?' }],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.parsed).toEqual({ city: 'Bern', celsius: 12 });
  });

  it('refuses JSON mode without a schema with a 400 that says what to send', async () => {
    server = await startTestServer(['{}']);
    const error = await client()
      .chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/send type "json_schema"/);
  });
});
