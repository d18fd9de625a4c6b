import { request as httpRequest } from 'node:http';
import { type HttpServerHandle, serveHttp } from '@entity/plugin-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, studioMounts } from '../src/index.js';
import { API_KEYS, bearer, KEYS, SECRETS, type StudioTestAgent, serveStudio, startStudioAgent } from './studio-support.js';

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Reads an SSE response until `until` matches the text so far, then cancels it. */
async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text;
}

describe('the Studio server side', () => {
  let test: StudioTestAgent;
  let handle: HttpServerHandle;
  let runId: string;
  const url = (path: string) => `${handle.url}${path}`;
  const get = (path: string, key: string = KEYS.viewer) => fetch(url(path), { headers: bearer(key) });

  beforeAll(async () => {
    test = await startStudioAgent((agent, config) => studioMounts(agent, { config }));
    handle = await serveStudio(test);
    const chat = await fetch(url('/v1/chat'), { method: 'POST', headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, body: JSON.stringify({ message: 'add 2 and 3', userId: 'ada', conversationId: 'api' }) });
    runId = ((await chat.json()) as { info: { runId: string } }).info.runId;
  });
  afterAll(async () => {
    await handle?.close();
    await test?.agent.stop();
    await test?.model.close();
  });

  it('serves the page without a credential, with its content types, CSP, revalidation and gzip', async () => {
    const redirect = await fetch(url('/studio'), { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/studio/');
    const page = await fetch(url('/studio/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain('<meta name="studio-api" content="/studio-api">');
    // No inline script: every <script> has a src on this origin.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="./app.js">']);
    expect(html).not.toMatch(/https?:\/\//);

    const script = await fetch(url('/studio/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-encoding')).toBe('gzip');
    const again = await fetch(url('/studio/app.js'), { headers: { 'if-none-match': script.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(url('/studio/app.css'))).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(url('/studio/views/chat-view.js'))).status).toBe(200);
    expect((await fetch(url('/studio/app.js'), { method: 'POST' })).status).toBe(405);
  });

  it('never serves a file outside the page: dot segments, encoded separators and unknown names are 404', async () => {
    const attempts = [
      '/studio/../package.json',
      '/studio/../../package.json',
      '/studio/%2e%2e/package.json',
      '/studio/%2e%2e%2fpackage.json',
      '/studio/..%2f..%2fpackage.json',
      '/studio/views/..%2f..%2fsrc%2findex.ts',
      '/studio/..%5c..%5cpackage.json',
      '/studio/%252e%252e/package.json',
      '/studio//etc/passwd',
      '/studio/index.html%00.js',
      '/studio/static-assets.js',
      '/studio/../studio-api/session',
    ];
    for (const path of attempts) {
      const response = await rawGet(handle.url, path);
      expect([400, 401, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain('"name": "@entity/plugin-studio"');
      expect(response.body, path).not.toContain('root:');
      expect(response.body, path).not.toContain('createAssetHandler');
    }
  });

  it('answers the API only with a key: admin and viewer read everything, a user key only its session', async () => {
    expect((await fetch(url('/studio-api/session'))).status).toBe(401);
    expect((await get('/studio-api/session', 'ent_wrong_key_0000000000000000000000000')).status).toBe(401);
    expect(await (await get('/studio-api/session', KEYS.alice)).json()).toMatchObject({ role: 'user', canChat: true, canInspect: false });
    expect(await (await get('/studio-api/session')).json()).toMatchObject({ role: 'viewer', canChat: false, canInspect: true });
    for (const path of ['/studio-api/runs', '/studio-api/metrics', '/studio-api/agent', `/studio-api/runs/${runId}`]) {
      expect((await get(path, KEYS.alice)).status, path).toBe(403);
      expect((await get(path, KEYS.viewer)).status, path).toBe(200);
      expect((await get(path, KEYS.admin)).status, path).toBe(200);
    }
    const post = await fetch(url('/studio-api/runs'), { method: 'POST', headers: bearer(KEYS.admin) });
    expect(post.status).toBe(405);
    // The viewer may read but not chat: the serving layer's own rule.
    const chat = await fetch(url('/v1/chat'), { method: 'POST', headers: { ...bearer(KEYS.viewer), 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi', userId: 'ada' }) });
    expect(chat.status).toBe(403);
  });

  it('keeps every-user data from keys scoped to some users: a viewer of bob only reads no runs, logs, metrics or config', async () => {
    expect(await (await get('/studio-api/session', KEYS.bobViewer)).json()).toMatchObject({ role: 'viewer', userIds: ['bob'], canChat: false, canInspect: false });
    for (const path of ['/studio-api/runs', '/studio-api/runs?userId=ada', '/studio-api/metrics', '/studio-api/agent', '/studio-api/logs', `/studio-api/runs/${runId}`]) {
      const response = await get(path, KEYS.bobViewer);
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message, path).toMatch(/userIds '\*'/);
    }
  });

  it('refuses malformed queries with a 400 that names the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['/studio-api/runs?limit=abc', /"limit"/],
      ['/studio-api/runs?limit=100000', /"limit"/],
      ['/studio-api/runs?status=bogus', /"status"/],
      ['/studio-api/runs?from=yesterday', /"from" must be an ISO date/],
      ['/studio-api/runs?from=2026-01-02&to=2026-01-01', /"from" must be before "to"/],
      ['/studio-api/runs?surprise=1', /unknown query parameter "surprise"/],
      ['/studio-api/runs?constructor=1', /unknown query parameter "constructor"/],
      ['/studio-api/runs?hours=1&hours=2', /"hours" is given twice/],
      ['/studio-api/runs/has%20space', /run id/],
      ['/studio-api/runs/%E0%A4%A', /run id/],
      ['/studio-api/metrics?hours=0', /"hours"/],
      ['/studio-api/logs?level=loud', /"level"/],
      ['/studio-api/logs?component=%3Cscript%3E', /"component"/],
    ];
    for (const [path, message] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error: { message: string; type: string } };
      expect(body.error.type, path).toBe('invalid_request_error');
      expect(body.error.message, path).toMatch(message);
    }
    expect((await get('/studio-api/runs/no-such-run')).status).toBe(404);
    expect((await get('/studio-api/nowhere')).status).toBe(404);
  });

  it('lists runs with their user, status, tokens, cost and tool calls, and filters them', async () => {
    const body = (await (await get('/studio-api/runs')).json()) as { runs: Record<string, unknown>[] };
    const run = body.runs.find((candidate) => candidate.runId === runId);
    expect(run).toMatchObject({ userId: 'ada', conversationId: 'api', status: 'ok', inputTokens: 70, outputTokens: 20, toolCalls: 1, modelCalls: 2 });
    const filtered = async (query: string) => ((await (await get(`/studio-api/runs?${query}`)).json()) as { runs: { runId: string }[] }).runs.map((each) => each.runId);
    expect(await filtered('status=ok&userId=ada')).toContain(runId);
    expect(await filtered('status=error')).not.toContain(runId);
    expect(await filtered('userId=bob')).toEqual([]);
    expect(await filtered('minTokens=91')).not.toContain(runId);
    expect(await filtered('minTokens=90')).toContain(runId);
    expect(await filtered('maxDurationMs=0')).not.toContain(runId);
    expect(await filtered(`from=${Date.now() + 60_000}&to=${Date.now() + 120_000}`)).toEqual([]);

    const timeline = (await (await get(`/studio-api/runs/${runId}`)).json()) as { rows: { kind: string; name: string; depth: number }[] };
    const log = await test.metrics.runLog(runId);
    expect(timeline.rows.map(({ kind, name, depth }) => ({ kind, name, depth }))).toEqual(log.map(({ kind, name, depth }) => ({ kind, name, depth })));

    const metrics = (await (await get('/studio-api/metrics?hours=1&buckets=6')).json()) as { buckets: { turns: number; inputTokens: number }[] };
    expect(metrics.buckets).toHaveLength(6);
    expect(metrics.buckets.reduce((sum, bucket) => sum + bucket.turns, 0)).toBeGreaterThanOrEqual(1);
  });

  it('streams the live log filtered by level, component and run, with secrets removed', async () => {
    const response = await get(`/studio-api/logs?level=info&component=billing&runId=${runId}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readUntil(response, (text) => text.includes('last line'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const billing = test.logging.child({ component: 'billing' });
    billing.debug('below the level', { runId });
    billing.info('another run', { runId: 'other' });
    test.logging.child({ component: 'shipping' }).info('another component', { runId });
    billing.info('charged', { runId, token: SECRETS.logToken, note: `key ${SECRETS.openaiKey}` });
    billing.warn('last line', { runId });
    const text = await reading;
    const lines = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)));
    expect(lines[0]).toMatchObject({ filter: { level: 'info', component: 'billing', runId } });
    expect(lines.slice(1).map((line) => line.message)).toEqual(['charged', 'last line']);
    expect(lines[1]).toMatchObject({ component: 'billing', runId, fields: { token: '[REDACTED]' } });
    expect(text).not.toContain(SECRETS.logToken);
    expect(text).not.toContain(SECRETS.openaiKey);
  });

  it('bounds the live log streams open at once (429), and frees a place when a client goes away', async () => {
    const bounded = await serveHttp(test.agent, { auth: { apiKeys: API_KEYS }, port: 0, stopAgent: false, mounts: studioMounts(test.agent, { maxLogStreams: 2 }) as never });
    const open = () => fetch(`${bounded.url}/studio-api/logs`, { headers: bearer(KEYS.viewer) });
    try {
      const first = await open();
      const second = await open();
      expect([first.status, second.status]).toEqual([200, 200]);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_log_streams');
      await readUntil(first, (text) => text.includes('event: ready'));
      let again = await open();
      for (let tries = 0; again.status === 429 && tries < 50; tries++) {
        await again.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 20));
        again = await open();
      }
      expect(again.status).toBe(200);
      await again.body?.cancel();
      await second.body?.cancel();
    } finally {
      await bounded.close();
    }
  });

  it('shows the agent graph and config with every secret masked', async () => {
    const text = await (await get('/studio-api/agent')).text();
    const agent = JSON.parse(text) as { tools: { name: string }[]; config: { resources: { llm: { apiKey: string } } } };
    expect(agent.tools.map((tool) => tool.name)).toContain('add');
    expect(agent.config.resources.llm.apiKey).toBe('[REDACTED]');
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it('answers without a key when the server has no authentication (entity studio --no-auth, loopback only)', async () => {
    const open = await serveHttp(test.agent, { auth: 'none', port: 0, stopAgent: false, mounts: test.mounts as never });
    try {
      const session = await fetch(`${open.url}/studio-api/session`);
      expect(session.status).toBe(200);
      expect(await session.json()).toMatchObject({ name: 'anonymous', role: 'admin', canChat: true, canInspect: true });
    } finally {
      await open.close();
    }
  });

  it('refuses an API path under the page path (the serving layer refuses nested mounts)', () => {
    expect(() => studioMounts(test.agent, { path: '/studio', apiPath: '/studio/api' })).toThrow(/must not be "\/studio" nor under it/);
  });
});
