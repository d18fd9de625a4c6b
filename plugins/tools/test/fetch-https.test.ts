import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { ToolError, type ToolContext } from '@entity/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddressResolver, fetchTool } from '../src/index.js';

// HTTPS with the connection pinned to the checked address: the certificate must still be checked
// against the host name in the URL (SNI and verification), not against the address.

let server: Server;
let port: number;
let folder: string;
const defaultCAs = getCACertificates('default');
const context = { signal: new AbortController().signal } as ToolContext;
const resolve: AddressResolver = async () => [{ address: '127.0.0.1', family: 4 }];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'entity-tools-tls-'));
  const key = join(folder, 'key.pem');
  const cert = join(folder, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test'], {
    stdio: 'ignore',
  });
  const certificate = readFileSync(cert, 'utf8');
  // This test's own CA, trusted by this worker only, for as long as the file runs.
  setDefaultCACertificates([...defaultCAs, certificate]);
  server = createServer({ key: readFileSync(key), cert: certificate }, (request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`secure hello to ${request.headers.host}`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  setDefaultCACertificates(defaultCAs);
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('fetch_url over HTTPS', () => {
  const tool = () => fetchTool({ allowHosts: ['secure.test', 'other.test'], allowPrivateAddresses: ['127.0.0.1'], resolve });

  it('verifies the certificate against the URL host while connecting to the pinned address', async () => {
    expect(await tool().execute({ url: `https://secure.test:${port}/` }, context)).toMatchObject({ status: 200, text: `secure hello to secure.test:${port}` });
  });

  it('refuses a certificate for another name, even at the same checked address', async () => {
    const error = await Promise.resolve()
      .then(() => tool().execute({ url: `https://other.test:${port}/` }, context))
      .catch((caught: unknown) => caught);
    expect(ToolError.isInstance(error)).toBe(true);
    expect((error as ToolError).code).toBe('FETCH_FAILED');
    expect((error as Error).message).toMatch(/other\.test|altnames|certificate/i);
  });
});
