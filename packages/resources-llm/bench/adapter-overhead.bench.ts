// Framework overhead per provider call: the Entity adapter (resilience policy, message mapping,
// usage/cost, stream assembly) against the same official SDK called directly, in the same run.
//
//   pnpm --filter @entity/resources-llm bench [-- --rounds 30 --calls 50 --warmup 150]
//
// Table 1 talks to the loopback wire-format servers (the measure; goal: within 5%).
// Table 2 replays the same server responses from memory, without sockets, so what remains is the
// adapter's own cost in microseconds. Rounds alternate which side runs first, so a shared
// machine's changing load hits both alike; each row reports medians over rounds, and an A/A row
// (the bare SDK against itself) shows the run's noise.
import { availableParallelism, loadavg } from 'node:os';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatStreamEvent } from '@entity/core';
import { type LoopbackServer, startAnthropicServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

// The built package, as users run it; typed from the sources so typechecking needs no build.
const distEntry: string = '../dist/index.js';
const { anthropic, ollama, openai } = (await import(distEntry)) as typeof import('../src/index.js');

const args = new Map<string, string>();
for (let index = 2; index < process.argv.length; index += 2) args.set(String(process.argv[index]).replace(/^--/, ''), String(process.argv[index + 1]));
const ROUNDS = Number(args.get('rounds') ?? 30);
const CALLS = Number(args.get('calls') ?? 50);
const WARMUP = Number(args.get('warmup') ?? 150);

const REPLY = { text: 'The quick brown fox jumps over the lazy dog, twice, before breakfast.', usage: { inputTokens: 12, outputTokens: 16 } };
const messages = [{ role: 'user' as const, content: 'Tell me something about foxes.' }];

interface Scenario {
  provider: string;
  mode: string;
  bare: () => Promise<unknown>;
  entity: () => Promise<unknown>;
  control?: boolean;
}

interface Endpoints {
  openai: string;
  anthropic: string;
  ollama: string;
}

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text-delta') text += event.text;
  return text;
}

/** Both sides built on the same `fetch`, configured alike (no SDK retries). */
function scenariosFor(endpoints: Endpoints, fetch: typeof globalThis.fetch): Scenario[] {
  const openaiClient = new OpenAI({ apiKey: 'k', baseURL: endpoints.openai, maxRetries: 0, fetch });
  const anthropicClient = new Anthropic({ apiKey: 'k', baseURL: endpoints.anthropic, maxRetries: 0, fetch });
  const ollamaClient = new Ollama({ host: endpoints.ollama, fetch });
  const openaiLLM = openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: endpoints.openai, fetch });
  const anthropicLLM = anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: endpoints.anthropic, fetch });
  const ollamaLLM = ollama({ model: 'llama3.2:3b', host: endpoints.ollama, fetch });
  const openaiChat = async () => (await openaiClient.chat.completions.create({ model: 'gpt-4o-mini', messages })).choices[0]?.message.content;
  return [
    { provider: 'openai', mode: 'chat', bare: openaiChat, entity: () => openaiLLM.chat({ messages }) },
    {
      provider: 'openai',
      mode: 'stream',
      bare: async () => {
        let text = '';
        const stream = await openaiClient.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      },
      entity: () => drain(openaiLLM.stream({ messages })),
    },
    {
      provider: 'anthropic',
      mode: 'chat',
      bare: async () => (await anthropicClient.messages.create({ model: 'claude-haiku-4-5', max_tokens: 4096, messages })).content,
      entity: () => anthropicLLM.chat({ messages }),
    },
    {
      provider: 'anthropic',
      mode: 'stream',
      bare: async () => {
        let text = '';
        const stream = await anthropicClient.messages.create({ model: 'claude-haiku-4-5', max_tokens: 4096, messages, stream: true });
        for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
        return text;
      },
      entity: () => drain(anthropicLLM.stream({ messages })),
    },
    {
      provider: 'ollama',
      mode: 'chat',
      bare: async () => (await ollamaClient.chat({ model: 'llama3.2:3b', messages, stream: false })).message.content,
      entity: () => ollamaLLM.chat({ messages }),
    },
    {
      provider: 'ollama',
      mode: 'stream',
      bare: async () => {
        let text = '';
        for await (const chunk of await ollamaClient.chat({ model: 'llama3.2:3b', messages, stream: true })) text += chunk.message.content;
        return text;
      },
      entity: () => drain(ollamaLLM.stream({ messages })),
    },
    { provider: 'openai', mode: 'A/A control', bare: openaiChat, entity: openaiChat, control: true },
  ];
}

/** Records each server response once (per path and streaming flag) and replays it from memory. */
function replayingFetch(): typeof globalThis.fetch {
  const recorded = new Map<string, { status: number; headers: [string, string][]; body: string }>();
  const keyOf = (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
    `${new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname} ${String(init?.body ?? '').includes('"stream":true')}`;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const key = keyOf(input, init);
    const hit = recorded.get(key);
    if (hit) return new Response(hit.body, { status: hit.status, headers: hit.headers });
    const response = await globalThis.fetch(input, init);
    const body = await response.text();
    recorded.set(key, { status: response.status, headers: [...response.headers.entries()].filter(([name]) => name !== 'content-length'), body });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return fetch;
}

/** Wall-clock and CPU (user + system) microseconds per call over one block. */
async function timeBlock(run: () => Promise<unknown>, calls: number): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index++) await run();
  const wall = Number(process.hrtime.bigint() - started) / 1000 / calls;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall, cpu: (cpu.user + cpu.system) / calls };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((first, second) => first - second);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function measure(title: string, scenarios: Scenario[]): Promise<void> {
  // Both sides must produce the same answer, or the comparison means nothing.
  for (const scenario of scenarios) {
    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    const [bare, entity] = [text(await scenario.bare()), text(await scenario.entity())];
    if (!bare.includes('quick brown fox') || !entity.includes('quick brown fox')) {
      throw new Error(`${scenario.provider} ${scenario.mode}: unexpected reply (bare: ${bare}, entity: ${entity})`);
    }
  }
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (let index = 0; index < WARMUP; index++) {
      await scenario.bare();
      await scenario.entity();
    }
    const bare: Array<{ wall: number; cpu: number }> = [];
    const entity: Array<{ wall: number; cpu: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        bare.push(await timeBlock(scenario.bare, CALLS));
        entity.push(await timeBlock(scenario.entity, CALLS));
      } else {
        entity.push(await timeBlock(scenario.entity, CALLS));
        bare.push(await timeBlock(scenario.bare, CALLS));
      }
    }
    // Per-round ratios pair each adapter block with the bare block next to it in time.
    const ratio = (key: 'wall' | 'cpu') => median(entity.map((block, index) => block[key] / (bare[index] as { wall: number; cpu: number })[key]));
    const mid = (blocks: typeof bare, key: 'wall' | 'cpu') => median(blocks.map((block) => block[key]));
    rows.push([
      scenario.provider,
      scenario.mode,
      mid(bare, 'wall').toFixed(0),
      mid(entity, 'wall').toFixed(0),
      (mid(entity, 'wall') - mid(bare, 'wall')).toFixed(0),
      ratio('wall').toFixed(3),
      mid(bare, 'cpu').toFixed(0),
      mid(entity, 'cpu').toFixed(0),
      (mid(entity, 'cpu') - mid(bare, 'cpu')).toFixed(0),
      ratio('cpu').toFixed(3),
      scenario.control ? '(noise)' : ratio('wall') <= 1.05 ? 'yes' : 'NO',
    ]);
  }
  const header = ['provider', 'mode', 'bare wall µs', 'Entity wall µs', 'Δ wall µs', 'wall ratio', 'bare CPU µs', 'Entity CPU µs', 'Δ CPU µs', 'CPU ratio', 'within 5%'];
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] as number)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const [openaiServer, anthropicServer, ollamaServer] = await Promise.all([startOpenAIServer(), startAnthropicServer(), startOllamaServer()]);
  const servers: LoopbackServer[] = [openaiServer, anthropicServer, ollamaServer];
  for (const server of servers) server.respondWith(REPLY);
  const endpoints: Endpoints = { openai: openaiServer.baseURL, anthropic: anthropicServer.baseURL, ollama: ollamaServer.host };

  console.log(`Adapter overhead vs bare SDK — ${ROUNDS} rounds × ${CALLS} sequential calls per side, ${WARMUP} warm-up calls`);
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start (load inflates wall-clock noise; see the A/A rows)`);
  await measure('1. Against the loopback servers (CPU includes the in-process server, the same work on both sides)', scenariosFor(endpoints, globalThis.fetch));
  await measure('2. Replayed responses, no sockets: the adapter’s own cost', scenariosFor(endpoints, replayingFetch()));
  await Promise.all(servers.map((server) => server.close()));
}

await main();
