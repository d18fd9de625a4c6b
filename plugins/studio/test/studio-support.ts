import { existsSync } from 'node:fs';
import { Agent, definePlugin, defineTool, inMemoryMemory } from '@entity/core';
import { createLogging, type LoggingResource } from '@entity/logging';
import { createMetrics, type MetricsResource } from '@entity/metrics';
import { type ApiKeyConfig, hashApiKey, type HttpServerHandle, serveHttp } from '@entity/plugin-http';
import { openai } from '@entity/resources-llm';
import { type LoopbackServer, type RecordedRequest, startOpenAIServer } from '@entity/test-servers';
import { type Browser, chromium } from 'playwright-core';
import { z } from 'zod';
import type { StudioMount } from '../src/index.js';

export const KEYS = {
  admin: 'ent_studio_admin_key_0000000000000000000000',
  alice: 'ent_studio_alice_key_0000000000000000000000',
  viewer: 'ent_studio_viewer_key_000000000000000000000',
  /** A viewer of one user's data only (as a JWT viewer token is, for its own `sub`). */
  bobViewer: 'ent_studio_bob_viewer_key_0000000000000000',
} as const;

export const API_KEYS: ApiKeyConfig[] = [
  { name: 'admin', hash: hashApiKey(KEYS.admin), role: 'admin' },
  { name: 'alice', hash: hashApiKey(KEYS.alice), role: 'user', userIds: ['alice'] },
  { name: 'dashboard', hash: hashApiKey(KEYS.viewer), role: 'viewer', userIds: '*' },
  { name: 'bob-viewer', hash: hashApiKey(KEYS.bobViewer), role: 'viewer', userIds: ['bob'] },
];

/** Secrets planted in the config, the environment and the log: none may reach the page. */
export const SECRETS = {
  openaiKey: 'sk-proj-STUDIOSECRET0123456789abcdefABCDEF',
  databasePassword: 'pg-Secret-Studio-Pass-42',
  logToken: 'tok_STUDIO_LOG_SECRET_987654321',
} as const;

export const CONFIG_DOCUMENT = {
  name: 'studio-test-agent',
  resources: {
    llm: { type: 'openai', model: 'gpt-4o-mini', apiKey: SECRETS.openaiKey },
    memory: { type: 'postgres', url: `postgres://agent:${SECRETS.databasePassword}@db.internal:5432/agent` },
  },
  plugins: [{ name: 'add' }],
};

/** A model that asks for `add(2, 3)` when the message mentions adding, then answers from the tool's result. */
export function arithmeticModel(request: RecordedRequest) {
  const messages = (request.body as { messages?: { role: string; content: unknown }[] }).messages ?? [];
  const last = messages.at(-1);
  if (last?.role === 'tool') return { text: `The sum is ${String(last.content)}.`, usage: { inputTokens: 40, outputTokens: 8 } };
  if (typeof last?.content === 'string' && /add/i.test(last.content)) return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 30, outputTokens: 12 } };
  return { text: 'Hello from the Studio test model.', usage: { inputTokens: 10, outputTokens: 6 } };
}

export interface StudioTestAgent {
  agent: Agent;
  model: LoopbackServer;
  metrics: MetricsResource;
  logging: LoggingResource;
  mounts: StudioMount[];
}

/** An agent with an `add` tool over the loopback OpenAI-compatible server; run log and logs in memory. */
export async function startStudioAgent(mountsFor: (agent: Agent, config: unknown) => StudioMount[]): Promise<StudioTestAgent> {
  const model = await startOpenAIServer();
  model.respondWith(arithmeticModel);
  const metrics = createMetrics({ inMemoryOnly: true, flushIntervalMs: 100 });
  const logging = createLogging({ console: false, level: 'debug' });
  const agent = new Agent({
    name: 'studio-test-agent',
    zeroConfig: false,
    resources: {
      llm: openai({ model: 'gpt-4o-mini', apiKey: SECRETS.openaiKey, baseURL: (model as LoopbackServer & { baseURL: string }).baseURL }),
      memory: inMemoryMemory(),
      logging,
      metrics,
    },
  });
  agent.tool(
    defineTool({
      name: 'add',
      description: 'Add two numbers',
      input: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => a + b,
    }),
  );
  // A review step that fails on purpose when asked to, and a failure plugin that apologises: the ERROR path of a run.
  agent.use(
    definePlugin({
      name: 'tripwire',
      kind: 'prompt',
      stages: ['REVIEW'],
      execute: (context) => {
        if (context.message.includes('explode')) throw new Error(`tripwire fired (password=${SECRETS.databasePassword})`);
      },
    }),
  );
  agent.use(definePlugin({ name: 'apology', kind: 'failure', execute: (context) => context.respond('Sorry, something went wrong.') }));
  await agent.start();
  return { agent, model, metrics, logging, mounts: mountsFor(agent, CONFIG_DOCUMENT) };
}

/** Serves the agent (and the Studio) on loopback; `port` reuses a port after a restart. */
export function serveStudio(test: StudioTestAgent, port = 0): Promise<HttpServerHandle> {
  // The tests send more requests a second from loopback than the default per-IP budget allows; rate limits are the serving layer's tests.
  return serveHttp(test.agent, { auth: { apiKeys: API_KEYS }, port, stopAgent: false, rateLimit: false, mounts: test.mounts as never });
}

/** Debian's Chromium, or the one ENTITY_CHROMIUM points to. */
export const CHROMIUM_PATH = process.env.ENTITY_CHROMIUM ?? '/usr/bin/chromium';

/** Under CI=true a missing Chromium fails the tests (never a skip); locally they are skipped with a note. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium is not installed at ${CHROMIUM_PATH}: run \`bash scripts/ensure-chromium.sh\` (installs Debian's chromium), or point ENTITY_CHROMIUM at a Chromium binary.`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`[plugin-studio] skipping browser tests: ${message}`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
