import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpServerHandle } from '@entity/plugin-http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studioMounts } from '../src/index.js';
import { bearer, chromiumAvailable, KEYS, launchChromium, SECRETS, type StudioTestAgent, serveStudio, startStudioAgent } from './studio-support.js';

/**
 * The Studio in headless Chromium (Debian's, driven by playwright-core) against a real agent:
 * an `add` tool, the loopback OpenAI-compatible model server, the in-memory run log. One
 * browser and one agent for the whole file; each screen is saved as a screenshot to look at.
 */
const available = chromiumAvailable();
const SCREENSHOTS = join(import.meta.dirname, '..', 'test-results', 'screenshots');

describe.skipIf(!available)('Entity Studio in a browser', { timeout: 60_000 }, () => {
  let test: StudioTestAgent;
  let handle: HttpServerHandle;
  let port: number;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  /** Every body the page received, to scan for secrets. */
  const bodies: string[] = [];
  let runId = '';

  const studioUrl = (hash = '') => `http://127.0.0.1:${port}/studio/${hash}`;
  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  async function newPage(context: BrowserContext): Promise<Page> {
    const opened = await context.newPage();
    opened.on('response', async (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (type.includes('json') || type.includes('html') || type.includes('javascript')) bodies.push(await response.text().catch(() => ''));
    });
    return opened;
  }

  async function signIn(target: Page, key: string): Promise<void> {
    await target.goto(studioUrl());
    await target.getByLabel('API key').fill(key);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.locator('.layout').waitFor();
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    test = await startStudioAgent((agent, config) => studioMounts(agent, { config }));
    handle = await serveStudio(test);
    port = Number(new URL(handle.url).port);
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await newPage(admin);
  });

  afterAll(async () => {
    await browser?.close();
    await handle?.close();
    await test?.agent.stop();
    await test?.model.close();
  });

  it('signs in with a key (a wrong one is refused) and streams an answer with its tool call', async () => {
    await page.goto(studioUrl());
    await page.locator('.login-card').waitFor();
    await shot('01-login');
    await page.getByLabel('API key').fill('ent_not_a_key_000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.login-error').textContent()).toContain('not accepted');
    await page.getByLabel('API key').fill(KEYS.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.chat').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('entity-studio-key'))).toBe(KEYS.admin);
    await shot('02-chat-empty');

    await page.getByLabel('User id').fill('ada');
    await page.getByLabel('User id').dispatchEvent('change');
    await page.getByLabel('Message').fill('Please add 2 and 3');
    await page.getByLabel('Message').press('Enter');
    const toolCall = page.locator('.tool-call');
    await expect.poll(() => toolCall.locator('.tool-name').textContent()).toBe('add');
    await expect.poll(() => toolCall.locator('.badge').textContent()).toBe('done');
    await expect.poll(() => page.locator('.message.assistant .message-text').last().textContent()).toBe('The sum is 5.');
    await expect.poll(() => page.locator('.conversations li').count()).toBe(1);
    await toolCall.locator('summary').click();
    await shot('03-chat-answer');
  });

  it('opens the run from the chat, and its timeline rows are the run log of the metrics resource', async () => {
    await page.getByRole('link', { name: 'View run timeline →' }).click();
    await page.locator('.wf-row[data-kind]').first().waitFor();
    runId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
    const log = await test.metrics.runLog(runId);
    const attributes = await page.locator('.wf-row[data-kind]').evaluateAll((elements) => elements.map((element) => [element.getAttribute('data-kind'), element.getAttribute('data-name'), element.getAttribute('data-depth')]));
    const rows = attributes.map(([kind, name, depth]) => ({ kind, name, depth: Number(depth) }));
    expect(rows).toEqual(log.map((event) => ({ kind: event.kind, name: event.name, depth: event.depth })));
    expect(rows.map((row) => row.kind)).toEqual(expect.arrayContaining(['run', 'stage', 'plugin', 'tool', 'resource']));
    expect(rows).toContainEqual(expect.objectContaining({ kind: 'tool', name: 'add' }));
    await page.locator('.wf-row[data-kind="tool"]').first().click();
    await expect.poll(() => page.locator('.row-detail h3').textContent()).toBe('add');
    await shot('04-run-timeline');

    await page.getByRole('link', { name: '← Runs' }).click();
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('ada');
    await shot('05-runs');
    await page.getByLabel('Status').selectOption('error');
    await page.locator('.empty').waitFor();
    await shot('06-runs-empty');
  });

  it('shows a failed run: the failing plugin in red and the ERROR stage that answered', async () => {
    await page.goto(studioUrl('#/chat'));
    await page.getByLabel('Message').fill('Please explode');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => page.locator('.message.assistant .message-text').last().textContent()).toBe('Sorry, something went wrong.');
    await expect.poll(() => page.locator('.inline-error').last().textContent()).toContain('REVIEW · tripwire');
    await page.getByRole('link', { name: 'View run timeline →' }).last().click();
    await page.locator('.wf-row[data-kind]').first().waitFor();
    expect(await page.locator('.wf-row.failed[data-name="tripwire"]').count()).toBe(1);
    expect(await page.locator('.wf-row.error-path[data-name="apology"]').count()).toBe(1);
    expect(await page.locator('.notice.error').textContent()).toContain('This run failed');
    await page.locator('.wf-row.failed[data-name="tripwire"]').click();
    await shot('04b-run-failed');
  });

  it('filters the live log by level and component, pauses, and links a line to its run', async () => {
    await page.goto(studioUrl('#/logs'));
    await expect.poll(() => page.locator('.pill').textContent()).toBe('Live');
    await page.locator('.empty').waitFor();
    await shot('07-logs-empty');
    const logger = test.logging.child({ component: 'billing' });
    logger.info('invoice sent', { runId, token: SECRETS.logToken });
    logger.debug('debug detail hidden at info');
    test.logging.child({ component: 'other' }).warn('another component');
    await expect.poll(() => page.locator('.log-line').count()).toBe(2);
    expect(await page.locator('.log-line').allTextContents()).not.toContain(expect.stringContaining('debug detail'));

    await page.getByLabel('Component').fill('billing');
    await page.getByLabel('Level').selectOption('debug');
    await expect.poll(() => page.locator('.pill').textContent()).toBe('Live');
    logger.debug('billing debug line');
    test.logging.child({ component: 'other' }).warn('filtered out');
    logger.info('billing info line', { runId });
    await expect.poll(() => page.locator('.log-message').allTextContents()).toEqual(['billing debug line', 'billing info line']);

    await page.getByRole('button', { name: 'Pause' }).click();
    logger.info('while paused');
    await expect.poll(() => page.locator('.pill').textContent()).toBe('Paused · 1 new');
    expect(await page.locator('.log-message').count()).toBe(2);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('.log-message').count()).toBe(3);
    await shot('08-logs-filtered');

    await page.locator('.log-run').first().click();
    await page.locator('.wf-row[data-kind]').first().waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/runs/${runId}`);
  });

  it('charts the metrics and draws the agent with its config masked', async () => {
    await page.goto(studioUrl('#/metrics'));
    await page.locator('.chart-svg').first().waitFor();
    expect(await page.locator('.chart-svg').count()).toBe(4);
    expect(await page.locator('.stat-value.big').first().textContent()).toBe('2');
    await shot('09-metrics');

    await page.goto(studioUrl('#/agent'));
    await page.locator('.plugin-node').first().waitFor();
    expect(await page.locator('.node-tools').textContent()).toContain('add');
    expect(await page.locator('.json-secret').count()).toBeGreaterThanOrEqual(2);
    await shot('10-agent');
  });

  it('lets a viewer read but not send: the composer is disabled and the API refuses with 403', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const viewerPage = await newPage(viewer);
    await signIn(viewerPage, KEYS.viewer);
    expect(await viewerPage.getByLabel('Message').isDisabled()).toBe(true);
    expect(await viewerPage.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await viewerPage.locator('.notice').textContent()).toContain('viewer key');
    await viewerPage.getByLabel('User id').fill('ada');
    await viewerPage.getByLabel('User id').dispatchEvent('change');
    await viewerPage.locator('.conversations button').first().click();
    await expect.poll(() => viewerPage.locator('.message').count()).toBe(2);
    await shot('11-chat-viewer', viewerPage);
    const status = await viewerPage.evaluate(async (key) => {
      const response = await fetch('/v1/chat', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi', userId: 'ada' }) });
      return response.status;
    }, KEYS.viewer);
    expect(status).toBe(403);
    await viewer.close();
  });

  it('never lets a secret reach the page: API bodies, scripts and the rendered HTML', async () => {
    for (const hash of ['#/agent', '#/logs', '#/runs', '#/metrics']) {
      await page.goto(studioUrl(hash));
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(150);
      bodies.push(await page.content());
    }
    const everything = bodies.join('\n');
    expect(bodies.length).toBeGreaterThan(20);
    expect(everything).toContain('[REDACTED]');
    for (const secret of [...Object.values(SECRETS), KEYS.admin, KEYS.viewer]) expect(everything).not.toContain(secret);
  });

  it('keeps working when the server restarts: the log stream reconnects and chat answers again', async () => {
    await page.goto(studioUrl('#/logs'));
    await expect.poll(() => page.locator('.pill').textContent()).toBe('Live');
    await handle.close();
    await expect.poll(() => page.locator('.pill').textContent(), { timeout: 10_000 }).toMatch(/^Reconnecting/);
    await shot('12-logs-reconnecting');
    handle = await serveStudio(test, port);
    await expect.poll(() => page.locator('.pill').textContent(), { timeout: 15_000 }).toBe('Live');
    test.logging.child({ component: 'billing' }).warn('after the restart');
    await expect.poll(() => page.locator('.log-message').allTextContents()).toContain('after the restart');
    await shot('13-logs-reconnected');

    await page.goto(studioUrl('#/chat'));
    await page.getByLabel('Message').fill('Hello again');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => page.locator('.message.assistant .message-text').last().textContent()).toBe('Hello from the Studio test model.');
  });

  it('loads in well under 300 KB gzip on a first visit', async () => {
    const fresh = await browser.newContext();
    const first = await fresh.newPage();
    let transferred = 0;
    first.on('requestfinished', async (request) => {
      const sizes = await request.sizes();
      transferred += sizes.responseBodySize + sizes.responseHeadersSize;
    });
    await first.goto(studioUrl(), { waitUntil: 'networkidle' });
    await first.locator('.login-card').waitFor();
    console.log(`[plugin-studio] first load transferred ${transferred} bytes (${(transferred / 1024).toFixed(1)} KB, gzip)`);
    expect(transferred).toBeGreaterThan(1000);
    expect(transferred).toBeLessThan(300 * 1024);
    await fresh.close();
  });

  it('an API call without the key is refused even though the page loads', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/studio-api/runs`);
    expect(response.status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/studio-api/runs`, { headers: bearer(KEYS.viewer) })).status).toBe(200);
  });
});
