// One server under test, in its own process so the clients and the model server do not share
// its event loop: `entity` (the agent behind @entity/plugin-http) or `floor` (a bare Hono route
// that streams the model's answer as SSE, the least any HTTP+SSE server must do).
// Started by serve.bench.ts with fork(); reports { url } and, when told to stop, { maxRssBytes }.
import { Agent, inMemoryMemory } from '@entity/core';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import OpenAI from 'openai';

// The built packages, as users run them; typed from the sources so typechecking needs no build.
const httpEntry: string = '../dist/index.js';
const llmEntry: string = '@entity/resources-llm';
const { hashApiKey, serveHttp } = (await import(httpEntry)) as typeof import('../src/index.js');
const { openai } = (await import(llmEntry)) as typeof import('@entity/resources-llm');

const [kind, modelBaseURL, key] = process.argv.slice(2) as ['entity' | 'floor', string, string];
const MODEL = 'gpt-4o-mini';

async function startEntity(): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new Agent({
    name: 'bench',
    zeroConfig: false,
    resources: { llm: openai({ model: MODEL, apiKey: 'sk-bench', baseURL: modelBaseURL }), memory: inMemoryMemory() },
  });
  // Production settings except the rate limits, which would throttle a load test by design.
  const handle = await serveHttp(agent, { auth: { apiKeys: [{ name: 'bench', hash: hashApiKey(key), role: 'admin' }] }, port: 0, rateLimit: false });
  return handle;
}

async function startFloor(): Promise<{ url: string; close(): Promise<void> }> {
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: modelBaseURL, maxRetries: 0 });
  const app = new Hono();
  app.post('/v1/chat', async (context) => {
    const { message } = (await context.req.json()) as { message: string };
    return streamSSE(context, async (sse) => {
      let text = '';
      const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: message }] });
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta.content;
        if (delta) {
          text += delta;
          await sse.writeSSE({ event: 'token', data: JSON.stringify({ type: 'token', text: delta }) });
        }
      }
      await sse.writeSSE({ event: 'done', data: JSON.stringify({ type: 'done', text }) });
    });
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

const server = kind === 'entity' ? await startEntity() : await startFloor();
process.send!({ url: server.url });
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  await server.close();
  process.send!({ maxRssBytes }, () => process.exit(0));
});
