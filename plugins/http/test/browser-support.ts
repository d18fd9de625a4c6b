import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, or the one ENTITY_CHROMIUM points to. */
export const CHROMIUM_PATH = process.env.ENTITY_CHROMIUM ?? '/usr/bin/chromium';

/** A name that resolves to 127.0.0.1 inside the browser only: a foreign origin for the same page server. */
export const FOREIGN_HOST = 'foreign.test';

/**
 * Whether the browser tests can run. Under CI=true a missing Chromium is an error, never a
 * skip; locally the tests are skipped with a note on how to install it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (scripts/ensure-chromium.sh does it), or point ENTITY_CHROMIUM at a Chromium binary.`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`[plugin-http] skipping browser tests: ${message}`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`],
  });
}

/** Serves one empty HTML page, so scripts in it run with this server's origin. */
export async function startPageServer(): Promise<{ origin: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html><head><title>Entity browser test</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
