import fc from 'fast-check';
import { KEYS } from './helpers.js';

/**
 * Random and malformed HTTP requests for the fuzz test, as raw bytes so that anything a client
 * could put on the wire can be sent (odd methods, unicode in headers, broken framing), not only
 * what `fetch` allows.
 *
 * Every request is invalid by construction (bad credential, wrong method, path, content type,
 * framing, or a body with at least one invalidating mutation), so a correct server writes nothing:
 * a turn that ran, or a row that appeared, is a bug.
 */

export interface FuzzRequest {
  kind: string;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const MAX_MESSAGE_CHARS = 1_000;

/** Strings that stress parsers: unicode of every plane, lone surrogates, controls, RTL, NUL. */
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '💥'.repeat(50), 'a\r\nb', '%00', '../../etc/passwd', '{{7*7}}', "'; DROP TABLE x; --", '\u{10ffff}'),
);

const credential = fc.constantFrom<[string, string | undefined]>(
  ['admin', `Bearer ${KEYS.admin}`],
  ['alice', `Bearer ${KEYS.alice}`],
  ['viewer', `Bearer ${KEYS.viewer}`],
  ['wrong', 'Bearer ent_wrong_key'],
  ['basic', 'Basic YWRtaW46YWRtaW4='],
  ['empty', 'Bearer '],
  ['none', undefined],
);

/** A value of the wrong type for any field. */
const wrongValue = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
/** Ids that break the id rule (1-200 of letters, digits, `. _ @ : + -`). */
const badId = fc.oneof(fc.constant(''), fc.constant('x'.repeat(201)), oddText.map((text) => `${text}/ ${text}`));

type Body = Record<string, unknown>;
const chatBody = (): Body => ({ message: 'hello', userId: 'alice', conversationId: 'c1' });
const completionBody = (): Body => ({ model: 'test-agent', messages: [{ role: 'user', content: 'hello' }] });
const uiBody = (): Body => ({ id: 'chat1', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hello' }] }], trigger: 'submit-message' });

/** One change that makes a valid body invalid. */
const mutation = fc.oneof(
  fc.tuple(fc.constant('unknown-field'), fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })).map(([, key, value]) => (body: Body) => ({ ...body, [`x_${key}`]: value })),
  fc.tuple(fc.constantFrom('message', 'model', 'messages', 'id', 'trigger'), wrongValue).map(([field, value]) => (body: Body) => (field in body ? { ...body, [field]: value } : { ...body, [field]: value, x_extra: 1 })),
  fc.constantFrom('message', 'model', 'messages', 'id').map((field) => (body: Body) => {
    const { [field]: _removed, ...rest } = body;
    return field in body ? rest : { ...rest, x_extra: 1 };
  }),
  fc.tuple(fc.constantFrom('userId', 'conversationId', 'id', 'user'), badId).map(([field, id]) => (body: Body) => ({ ...body, [field]: id, ...(field === 'user' && !('model' in body) ? { x_extra: 1 } : {}) })),
  fc.constantFrom('huge', 'empty').map((size) => (body: Body) => {
    const text = size === 'huge' ? 'y'.repeat(MAX_MESSAGE_CHARS + 1) : '';
    if ('message' in body) return { ...body, message: text };
    if ('model' in body) return { ...body, messages: [{ role: 'user', content: text }] };
    return { ...body, messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text }] }] };
  }),
  fc.constantFrom('assistant-last', 'file-part', 'no-messages', 'other-model').map((change) => (body: Body) => {
    if (change === 'other-model') return { ...body, model: 'gpt-4o', x_extra: 'model' in body ? undefined : 1 };
    if (change === 'no-messages') return { ...body, messages: [], x_extra: 'messages' in body ? undefined : 1 };
    if (change === 'assistant-last') return { ...body, messages: [{ id: 'a', role: 'assistant', content: 'x', parts: [] }], x_extra: 'messages' in body ? undefined : 1 };
    return { ...body, messages: [{ id: 'm', role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }], parts: [{ type: 'file', url: 'x' }] }], x_extra: 'messages' in body ? undefined : 1 };
  }),
);

/** Body text: a valid body with a mutation, malformed JSON, odd JSON, or nothing. */
const bodyText = (template: () => Body) =>
  fc.oneof(
    { weight: 6, arbitrary: mutation.map((mutate) => JSON.stringify(mutate(template()))) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"message":', 'null', '[]', '"text"', '{"message":"hi"}garbage', '\ufeff{"message":"x"', 'NaN', '{"__proto__":{"admin":true}}') },
    { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).filter((text) => !/"message"|"model"|"messages"/.test(text)) },
    { weight: 1, arbitrary: oddText.map((text) => JSON.stringify({ message: text, x_odd: text })) },
  );

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/vnd.api+json', '', undefined);
const routes = [
  ['/v1/chat', chatBody],
  ['/v1/chat/completions', completionBody],
  ['/v1/ui/chat', uiBody],
] as const;

interface Parts {
  method: string;
  path: string;
  headers: [string, string][];
  body?: string | Uint8Array;
  framing?: 'content-length' | 'chunked' | 'none';
}

function serialize(parts: Parts): Uint8Array {
  const body = typeof parts.body === 'string' ? encoder.encode(parts.body) : parts.body;
  const lines = [`${parts.method} ${parts.path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', ...parts.headers.map(([name, value]) => `${name}: ${value}`)];
  let payload: Uint8Array = new Uint8Array();
  if (body !== undefined) {
    const framing = parts.framing ?? 'content-length';
    if (framing === 'content-length') lines.push(`content-length: ${body.byteLength}`);
    if (framing === 'chunked') {
      lines.push('transfer-encoding: chunked');
      payload = concat(encoder.encode(`${body.byteLength.toString(16)}\r\n`), body, encoder.encode('\r\n0\r\n\r\n'));
    } else payload = body;
  }
  return concat(encoder.encode(`${lines.join('\r\n')}\r\n\r\n`), payload);
}

function concat(...arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((size, array) => size + array.byteLength, 0));
  let offset = 0;
  for (const array of arrays) {
    out.set(array, offset);
    offset += array.byteLength;
  }
  return out;
}

/** A chat route with a bad body, credential or content type: the requests that must never run a turn. */
const brokenChat = fc
  .record({
    route: fc.constantFrom(...routes),
    credential,
    contentType,
    accept: fc.constantFrom(undefined, 'text/event-stream', 'application/json', '*/*'),
    idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.string({ unit: 'binary-ascii', maxLength: 300 })), { nil: undefined }),
    framing: fc.constantFrom<Parts['framing']>('content-length', 'content-length', 'chunked'),
    extraHeaders: fc.array(fc.tuple(fc.constantFrom('x-entity-user-id', 'x-entity-conversation-id', 'x-request-id', 'traceparent', 'origin'), fc.string({ unit: 'binary-ascii', maxLength: 60 })), { maxLength: 2 }),
  })
  .chain((base) => bodyText(base.route[1]).map((body) => ({ ...base, body })))
  .map(({ route, credential: [, authorization], contentType: type, accept, idempotencyKey, framing, extraHeaders, body }): FuzzRequest => {
    const headers: [string, string][] = [];
    if (authorization !== undefined) headers.push(['authorization', authorization]);
    if (type !== undefined) headers.push(['content-type', type]);
    if (accept !== undefined) headers.push(['accept', accept]);
    if (idempotencyKey !== undefined) headers.push(['idempotency-key', sanitizeHeaderValue(idempotencyKey)]);
    for (const [name, value] of extraHeaders) headers.push([name, sanitizeHeaderValue(value)]);
    return { kind: `chat ${route[0]}`, bytes: serialize({ method: 'POST', path: route[0], headers, body, framing }) };
  });

/** Header values may not hold CR, LF or NUL on the wire; the raw category sends those on purpose. */
const sanitizeHeaderValue = (value: string) => value.replace(/[\r\n\0]/g, ' ').trim() || 'x';

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD), which `encodeURIComponent` refuses. */
const percentEncode = (text: string) => [...encoder.encode(text)].map((byte) => (/[\w.~-]/.test(String.fromCharCode(byte)) && byte < 128 ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');

const knownPaths = ['/v1/chat', '/v1/chat/completions', '/v1/ui/chat', '/v1/models', '/v1/models/test-agent', '/v1/agent', '/v1/conversations', '/v1/conversations/c1', '/metrics', '/openapi.json', '/health/live', '/health/ready', '/'];
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...knownPaths), fc.string({ unit: 'grapheme', maxLength: 30 })).map(([known, suffix]) => `${known}${percentEncode(suffix)}`),
  fc.tuple(fc.constantFrom(...knownPaths), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 })).map(([known, query]) => `${known}?${new URLSearchParams(query)}`),
  fc.constantFrom('/v1/conversations/%2e%2e%2fsecret', '/v1/conversations/%00', '//v1//chat', '/v1/chat/../agent', `/${'a'.repeat(6_000)}`, '/v1/conversations/😀', '*', '/%zz', '/v1/conversations/seeded-conversation-1%20'),
  oddText.map((text) => `/${percentEncode(text)}`),
);

/** Any method (odd ones too) on any path with random headers and bytes. */
const randomRequest = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'BREW', 'get', 'X'.repeat(30)),
    path,
    credential,
    headers: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ unit: 'binary-ascii', maxLength: 100 })), { maxLength: 6 }),
    body: fc.option(fc.oneof(fc.uint8Array({ maxLength: 2_000 }), fc.string({ unit: 'grapheme', maxLength: 200 })), { nil: undefined }),
  })
  .map(({ method, path: target, credential: [, authorization], headers, body }): FuzzRequest => {
    const all: [string, string][] = headers
      .filter(([name]) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade'].includes(name))
      .map(([name, value]) => [name, sanitizeHeaderValue(value)]);
    if (authorization !== undefined) all.push(['authorization', authorization]);
    // A DELETE of a real conversation with a valid key would be a legitimate write: keep the
    // seeded conversation out of reach (its id is never generated; an admin DELETE hits 404).
    return { kind: `random ${method}`, bytes: serialize({ method, path: target, headers: all, ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}) }) };
  });

/** Broken HTTP: framing errors, bad lines, unicode and control bytes where the protocol forbids them. */
const malformedHttp = fc
  .oneof(
    fc.constantFrom(
      'GET / HTTP/1.1\r\n\r\n',
      'POST /v1/chat HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 9\r\n\r\nhello',
      'POST /v1/chat HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n',
      'POST /v1/chat HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'POST /v1/chat HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nffffffffffffffff\r\n',
      'POST /v1/chat HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      'GET / HTTP/9.9\r\nhost: x\r\n\r\n',
      'GET /\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: x\r\n folded: header\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: x\r\nbad header: x\r\n\r\n',
      'GET / HTTP/1.1\nhost: x\n\n',
      `GET / HTTP/1.1\r\nhost: x\r\n${'x-a: b\r\n'.repeat(3_000)}\r\n`,
      `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`,
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000',
    ),
    oddText.map((text) => `GET /${text} HTTP/1.1\r\nhost: x\r\nx-odd: ${text}\r\n\r\n`),
    fc.uint8Array({ minLength: 1, maxLength: 500 }),
  )
  .map((raw): FuzzRequest => ({ kind: 'malformed', bytes: typeof raw === 'string' ? encoder.encode(raw) : raw }));

/** The mix the fuzz test sends. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof({ weight: 5, arbitrary: brokenChat }, { weight: 3, arbitrary: randomRequest }, { weight: 2, arbitrary: malformedHttp });
