import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import type { HttpServerHandle } from '../src/index.js';
import { API_KEYS, bearer, deferred, KEYS, startTestServer } from './helpers.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A resource that records when the agent stops it. */
function stopRecorder() {
  const recorder = {
    stopped: false,
    stop() {
      recorder.stopped = true;
    },
  };
  return recorder;
}

describe('graceful shutdown', () => {
  it('stops taking requests, lets the in-flight turn finish, then stops the agent', async () => {
    const modelCalled = deferred();
    const release = deferred();
    const recorder = stopRecorder();
    const server = await startTestServer(
      async () => {
        modelCalled.resolve();
        await release.promise;
        return 'finished after close began';
      },
      {},
      { resources: { recorder } },
    );
    const inFlight = server.post('/v1/chat', { message: 'long turn' });
    await modelCalled.promise;
    let closed = false;
    const closing = server.handle.close().then(() => {
      closed = true;
    });
    // New connections are refused (or answered 503 on a kept-alive one); either way nothing new runs.
    const late = await fetch(server.url('/v1/chat'), {
      method: 'POST',
      headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' },
      body: '{"message":"too late"}',
    }).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    expect(closed).toBe(false);
    expect(recorder.stopped).toBe(false);
    release.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toBe('finished after close began');
    await closing;
    expect(recorder.stopped).toBe(true);
    expect(server.llm.requests).toHaveLength(1);
  });

  it('cancels turns still running at the deadline and tells their clients why', async () => {
    const modelCalled = deferred();
    const modelAborted = deferred<unknown>();
    const server = await startTestServer(
      (request) => {
        request.signal!.addEventListener('abort', () => modelAborted.resolve(request.signal!.reason));
        modelCalled.resolve();
        return new Promise<string>(() => {});
      },
      { shutdownTimeoutMs: 50 },
    );
    const inFlight = server.post('/v1/chat', { message: 'never finishes' });
    await modelCalled.promise;
    await server.handle.close();
    const reason = (await modelAborted.promise) as Error & { code: string };
    expect(reason.code).toBe('CANCELLED');
    expect(reason.message).toMatch(/the HTTP server is shutting down/);
    const response = await inFlight;
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('run_cancelled');
  });
});

describe("core's agent.serveHttp()", () => {
  it('loads @entity/plugin-http from the project and serves the agent', async () => {
    // A project that installed the package: node_modules/@entity/plugin-http links to this package (its built dist).
    const project = mkdtempSync(join(tmpdir(), 'entity-serve-'));
    mkdirSync(join(project, 'node_modules', '@entity'), { recursive: true });
    symlinkSync(PACKAGE_DIR, join(project, 'node_modules', '@entity', 'plugin-http'), 'dir');
    const agent = new Agent({
      name: 'served',
      resources: { llm: scriptedLLM(['Served by agent.serveHttp().']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
      zeroConfig: false,
      projectDir: project,
    });
    let handle: HttpServerHandle | undefined;
    try {
      handle = (await agent.serveHttp({ auth: { apiKeys: API_KEYS }, port: 0 })) as HttpServerHandle;
      expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${handle.url}/v1/chat`, {
        method: 'POST',
        headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' },
        body: '{"message":"hi"}',
      });
      expect(((await response.json()) as { text: string }).text).toBe('Served by agent.serveHttp().');
      const models = (await (await fetch(`${handle.url}/v1/models`, { headers: bearer(KEYS.viewer) })).json()) as { data: { id: string }[] };
      expect(models.data[0]!.id).toBe('served');
    } finally {
      await handle?.close();
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('slow clients', () => {
  it('answers 408 and closes the connection when a request is not sent within requestReceiveTimeoutMs', async () => {
    const server = await startTestServer(['unused'], { requestReceiveTimeoutMs: 200 });
    try {
      const socket = connect(server.handle.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(`POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEYS.admin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mess`);
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(server.llm.requests).toHaveLength(0);
    } finally {
      await server.handle.close();
    }
  });
});
