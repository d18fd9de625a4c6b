import { gzipSync } from 'node:zlib';
import { ConfigError, ToolError, type ToolContext } from '@entity/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AddressResolver, type ConnectTarget, type FetchToolOptions, fetchTool } from '../src/index.js';
import { startWebServer, type WebServer } from './web-server.js';

// Every request here goes to a loopback server this file starts. Refusals are checked with an
// injected resolver and a `beforeConnect` that throws, so even a bug in the checks could not open
// a connection to a real private address; the loopback servers' connection counts show that none
// was opened.

let web: WebServer;
let web6: WebServer;
const context = (signal = new AbortController().signal) => ({ signal }) as ToolContext;

beforeAll(async () => {
  const big = 'a'.repeat(1024 * 1024);
  const routes = {
    '/hello': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello world'),
    '/json': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}'),
    '/big': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'text/plain' }).end(big),
    '/gzip-bomb': (_request: unknown, response: import('node:http').ServerResponse) =>
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(20 * 1024 * 1024, 'a'))),
    '/png': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])),
    '/slow': (_request: unknown, response: import('node:http').ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    },
    '/to-hello': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(302, { location: '/hello' }).end(),
    '/loop': (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(302, { location: '/loop' }).end(),
    '/redirect': (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      response.writeHead(307, { location: target }).end();
    },
  };
  web = await startWebServer(routes, '127.0.0.1');
  web6 = await startWebServer(routes, '::1');
});
afterAll(async () => {
  await web?.close();
  await web6?.close();
});

/** A resolver from a table; records every name asked. Unknown names fail as DNS would. */
function tableResolver(table: Record<string, string[] | ((call: number) => string[])>) {
  const asked: string[] = [];
  const resolve: AddressResolver = async (hostname) => {
    asked.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const addresses = typeof entry === 'function' ? entry(asked.filter((name) => name === hostname).length) : entry;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
}

/** Records connections the tool is about to open; for refusal tests it throws, so none can open. */
function connectSpy(allow: boolean) {
  const targets: ConnectTarget[] = [];
  return {
    targets,
    beforeConnect(target: ConnectTarget) {
      targets.push(target);
      if (!allow) throw new Error(`test: a connection to ${target.address} was about to open`);
    },
  };
}

async function refusal(options: FetchToolOptions, url: string): Promise<ToolError> {
  const error = await Promise.resolve()
    .then(() => fetchTool(options).execute({ url }, context()))
    .catch((caught: unknown) => caught);
  expect(ToolError.isInstance(error), `expected a ToolError for ${url}, got ${String(error)}`).toBe(true);
  return error as ToolError;
}

let before: { web: number; web6: number };
beforeEach(() => {
  before = { web: web.connections, web6: web6.connections };
});
const newConnections = () => ({ web: web.connections - before.web, web6: web6.connections - before.web6 });

describe('fetch_url refuses private-network targets before any connection', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.0.0.5', /private-network/],
    ['172.20.1.1', /private-network/],
    ['192.168.0.1', /private-network/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['::ffff:127.0.0.1', /IPv4-mapped/],
    ['fd00::1', /unique-local/],
    ['fe80::1', /link-local/],
  ])('a name resolving to %s', async (address, reason) => {
    const { resolve, asked } = tableResolver({ 'internal.test': [address] });
    const spy = connectSpy(false);
    const error = await refusal({ allowHosts: ['internal.test'], resolve, beforeConnect: spy.beforeConnect }, `http://internal.test:${web.port}/hello`);
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/"internal\.test" resolves to an address in the .* range; only public internet addresses may be fetched/);
    // The model learns the kind of address; the address itself goes to the log only.
    expect(error.message).not.toContain(`${address} `);
    expect(error.details).toEqual({ host: 'internal.test', address });
    expect(asked).toEqual(['internal.test']);
    expect(spy.targets).toEqual([]);
    expect(newConnections()).toEqual({ web: 0, web6: 0 });
  });

  it('a name with one public and one private address (every address must pass)', async () => {
    const { resolve } = tableResolver({ 'mixed.test': ['93.184.216.34', '127.0.0.1'] });
    const spy = connectSpy(false);
    const error = await refusal({ allowHosts: ['mixed.test'], resolve, beforeConnect: spy.beforeConnect }, `http://mixed.test:${web.port}/hello`);
    expect(error.message).toMatch(/"mixed\.test" resolves to an address in the loopback range/);
    expect(spy.targets).toEqual([]);
    expect(newConnections()).toEqual({ web: 0, web6: 0 });
  });

  it.each([
    ['decimal', '2130706433', /127\.0\.0\.1 is in the loopback range/],
    ['hex', '0x7f.1', /127\.0\.0\.1 is in the loopback range/],
    ['hex, one part', '0x7f000001', /127\.0\.0\.1 is in the loopback range/],
    ['octal', '017700000001', /127\.0\.0\.1 is in the loopback range/],
    ['short', '127.1', /127\.0\.0\.1 is in the loopback range/],
    ['zero', '0', /0\.0\.0\.0 is in the unspecified range/],
    ['0.0.0.0', '0.0.0.0', /unspecified/],
    ['IPv6 loopback', '[::1]', /::1 is in the loopback range/],
    ['IPv4-mapped IPv6', '[::ffff:127.0.0.1]', /IPv4-mapped/],
    ['IPv4-mapped IPv6, hex', '[::ffff:7f00:1]', /IPv4-mapped/],
    ['unique-local IPv6', '[fd00::1]', /unique-local/],
    ['link-local IPv6', '[fe80::1]', /link-local/],
  ])('an IP literal in %s form (%s), even when the allow-list names it', async (_form, host, reason) => {
    const { resolve, asked } = tableResolver({});
    const spy = connectSpy(false);
    const port = host.includes(':') ? web6.port : web.port;
    const error = await refusal({ allowHosts: [host], resolve, beforeConnect: spy.beforeConnect }, `http://${host}:${port}/hello`);
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.message).toMatch(reason);
    expect(asked).toEqual([]);
    expect(spy.targets).toEqual([]);
    expect(newConnections()).toEqual({ web: 0, web6: 0 });
  });

  it('a host that is not on the allow-list, without asking DNS', async () => {
    const { resolve, asked } = tableResolver({ 'evil.test': ['93.184.216.34'] });
    const error = await refusal({ allowHosts: ['good.test', '*.example.com'], resolve }, 'http://evil.test/');
    expect(error.message).toMatch(/The host "evil\.test" is not in this agent's allowed hosts \(good\.test, \*\.example\.com\)/);
    expect(asked).toEqual([]);
    for (const url of ['http://example.com/', 'http://notexample.com/', 'http://example.com.evil.test/', 'http://good.test.evil.test/']) {
      expect((await refusal({ allowHosts: ['good.test', '*.example.com'], resolve }, url)).message).toMatch(/not in this agent's allowed hosts/);
    }
  });

  it.each([
    ['file:///etc/passwd', /file URLs are not allowed; only http and https/],
    ['ftp://good.test/x', /ftp URLs are not allowed/],
    ['data:text/plain,hi', /data URLs are not allowed/],
    ['javascript:alert(1)', /javascript URLs are not allowed/],
    ['gopher://good.test/', /gopher URLs are not allowed/],
    ['http://user:secret@good.test/', /user name or password are not allowed/],
    ['not a url', /is not a valid URL; give an absolute http\(s\) URL/],
    ['/relative/path', /is not a valid URL/],
  ])('%s', async (url, message) => {
    const { resolve, asked } = tableResolver({ 'good.test': ['93.184.216.34'] });
    const spy = connectSpy(false);
    const error = await refusal({ allowHosts: ['good.test'], resolve, beforeConnect: spy.beforeConnect }, url);
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.message).toMatch(message);
    expect(asked).toEqual([]);
    expect(spy.targets).toEqual([]);
  });
});

describe('fetch_url over a loopback server (explicit allowPrivateAddresses opt-in)', () => {
  const optIn = (extra: Partial<FetchToolOptions> = {}): FetchToolOptions => ({ allowHosts: ['127.0.0.1'], allowPrivateAddresses: ['127.0.0.1'], ...extra });

  it('fetches text, and JSON as text, over a real connection', async () => {
    const spy = connectSpy(true);
    const tool = fetchTool(optIn({ beforeConnect: spy.beforeConnect }));
    expect(await tool.execute({ url: `${web.origin}/hello` }, context())).toEqual({
      url: `${web.origin}/hello`,
      status: 200,
      ok: true,
      contentType: 'text/plain; charset=utf-8',
      text: 'hello world',
      truncated: false,
    });
    expect(await tool.execute({ url: `${web.origin}/json#fragment` }, context())).toMatchObject({ text: '{"answer":42}', contentType: 'application/json' });
    expect(spy.targets.map((target) => target.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(newConnections().web).toBe(2);
  });

  it('reports an HTTP error status as a result, not a failure', async () => {
    expect(await fetchTool(optIn()).execute({ url: `${web.origin}/missing` }, context())).toMatchObject({ status: 404, ok: false, text: 'not found' });
  });

  it('is off by default: the same URL without the opt-in is refused and never connects', async () => {
    const error = await refusal({ allowHosts: ['127.0.0.1'] }, `${web.origin}/hello`);
    expect(error.message).toMatch(/127\.0\.0\.1 is in the loopback range/);
    expect(newConnections().web).toBe(0);
  });

  it('connects only to the address it checked: the name is resolved once, never again by Node (DNS rebinding)', async () => {
    // First answer: the allowed loopback address; every later answer: a private one. Node's own
    // lookup would not know `rebind.test` at all, so a second lookup anywhere would fail the fetch.
    const { resolve, asked } = tableResolver({ 'rebind.test': (call) => (call === 1 ? ['127.0.0.1'] : ['10.0.0.1']) });
    const spy = connectSpy(true);
    const tool = fetchTool(optIn({ allowHosts: ['rebind.test'], resolve, beforeConnect: spy.beforeConnect }));
    expect(await tool.execute({ url: `http://rebind.test:${web.port}/hello` }, context())).toMatchObject({ status: 200, text: 'hello world' });
    expect(asked).toEqual(['rebind.test']);
    expect(spy.targets).toEqual([{ url: `http://rebind.test:${web.port}/hello`, hostname: 'rebind.test', address: '127.0.0.1', family: 4, port: web.port }]);
    expect(web.requests.at(-1)?.headers.host).toBe(`rebind.test:${web.port}`);
    // The next fetch asks again and gets the private address: refused before connecting.
    const second = await Promise.resolve()
      .then(() => tool.execute({ url: `http://rebind.test:${web.port}/hello` }, context()))
      .catch((caught: unknown) => caught);
    expect((second as Error).message).toMatch(/"rebind\.test" resolves to an address in the private-network range/);
    expect(newConnections().web).toBe(1);
  });

  it('follows a redirect on an allowed host and says so', async () => {
    expect(await fetchTool(optIn()).execute({ url: `${web.origin}/to-hello` }, context())).toMatchObject({
      url: `${web.origin}/hello`,
      text: 'hello world',
      redirectedFrom: [`${web.origin}/to-hello`],
    });
  });

  it.each([
    ['the IPv6 loopback server', () => `http://[::1]:${web6.port}/hello`, /::1 is in the loopback range/],
    ['a cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is in the link-local range/],
    ['a decimal loopback form', () => `http://2130706434:${web.port}/hello`, /127\.0\.0\.2 is in the loopback range/],
    ['a name resolving to a private address', () => 'http://inside.test/admin', /"inside\.test" resolves to an address in the private-network range/],
    ['a host not on the allow-list', () => 'http://elsewhere.test/', /"elsewhere\.test" is not in this agent's allowed hosts/],
    ['a file URL', () => 'file:///etc/passwd', /file URLs are not allowed/],
  ])('refuses a redirect to %s, checking the hop before connecting', async (_name, target, message) => {
    const { resolve } = tableResolver({ 'inside.test': ['10.0.0.7'], 'elsewhere.test': ['93.184.216.34'] });
    const targets: ConnectTarget[] = [];
    const error = await refusal(
      optIn({
        allowHosts: ['127.0.0.1', '[::1]', '169.254.169.254', '2130706434', 'inside.test'],
        resolve,
        beforeConnect: (next) => {
          targets.push(next);
          // Only the first hop (the allowed loopback server) may connect.
          if (targets.length > 1) throw new Error(`test: a connection to ${next.address} was about to open`);
        },
      }),
      `${web.origin}/redirect?to=${encodeURIComponent(target())}`,
    );
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.message).toMatch(message);
    expect(targets.map((hop) => hop.address)).toEqual(['127.0.0.1']);
    expect(newConnections()).toEqual({ web: 1, web6: 0 });
  });

  it('stops after maxRedirects', async () => {
    const error = await refusal(optIn({ maxRedirects: 2 }), `${web.origin}/loop`);
    expect(error.message).toMatch(/redirects more than 2 times/);
    expect(newConnections().web).toBe(3);
  });

  it('cuts a body at maxBytes, and counts decompressed bytes (a gzip bomb costs no more)', async () => {
    const tool = fetchTool(optIn({ maxBytes: 1000 }));
    const big = (await tool.execute({ url: `${web.origin}/big` }, context())) as { text: string; truncated: boolean };
    expect(big.truncated).toBe(true);
    expect(big.text).toBe('a'.repeat(1000));
    const bomb = (await tool.execute({ url: `${web.origin}/gzip-bomb` }, context())) as { text: string; truncated: boolean };
    expect(bomb.truncated).toBe(true);
    expect(bomb.text.length).toBe(1000);
    expect(web.requests.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('stops a fetch that takes longer than timeoutMs', async () => {
    const started = Date.now();
    const error = await refusal(optIn({ timeoutMs: 300 }), `${web.origin}/slow`);
    expect(error.code).toBe('FETCH_TIMEOUT');
    expect(error.message).toMatch(/took longer than 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    const pending = fetchTool(optIn()).execute({ url: `${web.origin}/slow` }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    await expect(pending).rejects.toThrow();
  });

  it('describes binary content instead of returning it', async () => {
    expect(await fetchTool(optIn()).execute({ url: `${web.origin}/png` }, context())).toMatchObject({ status: 200, binary: true, bytes: 7, message: 'The response is image/png, not text; it is not shown.' });
  });

  it('uses the system resolver by default (localhost from /etc/hosts): refused without the opt-in, fetched with it', async () => {
    const spy = connectSpy(false);
    const error = await refusal({ allowHosts: ['localhost'], beforeConnect: spy.beforeConnect }, `http://localhost:${web.port}/hello`);
    expect(error.message).toMatch(/"localhost" resolves to an address in the loopback range/);
    expect(spy.targets).toEqual([]);
    expect(newConnections()).toEqual({ web: 0, web6: 0 });
    const resolved: string[] = [];
    const tool = fetchTool({ allowHosts: ['localhost'], allowPrivateAddresses: ['127.0.0.1', '::1'], beforeConnect: (target) => resolved.push(target.address) });
    const result = (await Promise.resolve(tool.execute({ url: `http://localhost:${web.port}/hello` }, context())).catch((caught: unknown) => caught)) as { text?: string };
    // Where localhost lists ::1 first, the connection goes there, where this port has no listener.
    expect(['127.0.0.1', '::1']).toContain(resolved[0]);
    if (resolved[0] === '127.0.0.1') expect(result.text).toBe('hello world');
    else expect((result as unknown as ToolError).code).toBe('FETCH_FAILED');
  });

  it('accepts an exempt range in CIDR form', async () => {
    const tool = fetchTool({ allowHosts: ['127.0.0.1'], allowPrivateAddresses: ['127.0.0.0/8'] });
    expect(await tool.execute({ url: `${web.origin}/hello` }, context())).toMatchObject({ text: 'hello world' });
  });
});

describe('fetch_url options', () => {
  it('needs a non-empty allow-list', () => {
    expect(() => fetchTool({ allowHosts: [] })).toThrow(ConfigError);
    expect(() => fetchTool({ allowHosts: [] })).toThrow(/no hosts are allowed/);
  });

  it.each([
    ['https://example.com', /without "http:\/\/"/],
    ['example.com/path', /without port or path/],
    ['example.com:8080', /without port or path/],
    ['*.com', /every name under a top-level domain/],
    ['exa mple.com', /not a host name/],
  ])('refuses the allow-list entry %j', (entry, message) => {
    expect(() => fetchTool({ allowHosts: [entry] })).toThrow(message);
  });

  it('refuses an exemption that is not an address or range', () => {
    expect(() => fetchTool({ allowHosts: ['a.test'], allowPrivateAddresses: ['localhost'] })).toThrow(/"localhost" is not an IP address or CIDR range/);
  });

  it('names the allowed hosts in the description and schema the model sees', () => {
    const tool = fetchTool({ allowHosts: ['api.example.com'] });
    expect(tool.description).toMatch(/Only these hosts are allowed: api\.example\.com/);
    expect(tool.parameters).toMatchObject({ properties: { url: { type: 'string', maxLength: 2048 } }, required: ['url'], additionalProperties: false });
  });
});
