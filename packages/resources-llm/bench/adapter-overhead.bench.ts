// Framework overhead per provider call: the Entity adapter (resilience wrapper, message mapping,
// usage/cost, stream assembly) against the same official SDK called directly, both talking to the
// same loopback server in the same process. Rounds alternate which side runs first, so drift in a
// shared machine's load hits both alike; the table reports medians over rounds.
//
//   pnpm --filter @entity/resources-llm bench [-- --rounds 15 --calls 100]
//
// Goal (issue #3): the adapter within 5% of the bare SDK.
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
const ROUNDS = Number(args.get('rounds') ?? 15);
const CALLS = Number(args.get('calls') ?? 100);
const WARMUP = Number(args.get('warmup') ?? 150);

const REPLY = { text: 'The quick brown fox jumps over the lazy dog, twice, before breakfast.', usage: { inputTokens: 12, outputTokens: 16 } };
const QUESTION = 'Tell me something about foxes.';
const messages = [{ role: 'user' as const, content: QUESTION }];

interface Scenario {
  provider: string;
  mode: 'chat' | 'stream';
  bare: () => Promise<unknown>;
  entity: () => Promise<unknown>;
}

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text-delta') text += event.text;
  return text;
}

/** Wall-clock and CPU (user + system, server included) microseconds per call over one block. */
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

async function main(): Promise<void> {
  const [openaiServer, anthropicServer, ollamaServer] = await Promise.all([startOpenAIServer(), startAnthropicServer(), startOllamaServer()]);
  const servers: LoopbackServer[] = [openaiServer, anthropicServer, ollamaServer];
  for (const server of servers) server.respondWith(REPLY);

  // Bare SDK clients, configured like the adapter configures them (no SDK retries).
  const openaiClient = new OpenAI({ apiKey: 'k', baseURL: openaiServer.baseURL, maxRetries: 0 });
  const anthropicClient = new Anthropic({ apiKey: 'k', baseURL: anthropicServer.baseURL, maxRetries: 0 });
  const ollamaClient = new Ollama({ host: ollamaServer.host });

  const openaiLLM = openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: openaiServer.baseURL });
  const anthropicLLM = anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: anthropicServer.baseURL });
  const ollamaLLM = ollama({ model: 'llama3.2:3b', host: ollamaServer.host });

  const scenarios: Scenario[] = [
    {
      provider: 'openai',
      mode: 'chat',
      bare: async () => (await openaiClient.chat.completions.create({ model: 'gpt-4o-mini', messages })).choices[0]?.message.content,
      entity: () => openaiLLM.chat({ messages }),
    },
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
  ];

  // Both sides must produce the same answer, or the comparison means nothing.
  for (const scenario of scenarios) {
    const [bare, entity] = [await scenario.bare(), await scenario.entity()];
    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    if (!text(bare).includes('quick brown fox') || !text(entity).includes('quick brown fox')) {
      throw new Error(`${scenario.provider} ${scenario.mode}: unexpected reply (bare: ${text(bare)}, entity: ${text(entity)})`);
    }
  }

  const { loadavg, availableParallelism } = await import('node:os');
  console.log(`Adapter overhead vs bare SDK — ${ROUNDS} rounds × ${CALLS} sequential calls per side, ${WARMUP} warm-up calls`);
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)} (a busy machine inflates wall-clock noise; CPU columns are steadier)`);
  console.log('CPU is user+system time of this process per call, the in-process loopback server included (the same work on both sides).');
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
    const wallRatio = median(entity.map((block, index) => block.wall / (bare[index] as { wall: number }).wall));
    const cpuRatio = median(entity.map((block, index) => block.cpu / (bare[index] as { cpu: number }).cpu));
    const bareWall = median(bare.map((block) => block.wall));
    const entityWall = median(entity.map((block) => block.wall));
    rows.push([
      scenario.provider,
      scenario.mode,
      bareWall.toFixed(0),
      entityWall.toFixed(0),
      (entityWall - bareWall).toFixed(0),
      wallRatio.toFixed(3),
      median(bare.map((block) => block.cpu)).toFixed(0),
      median(entity.map((block) => block.cpu)).toFixed(0),
      (median(entity.map((block) => block.cpu)) - median(bare.map((block) => block.cpu))).toFixed(0),
      cpuRatio.toFixed(3),
      wallRatio <= 1.05 ? 'yes' : 'NO',
    ]);
  }
  const header = ['provider', 'mode', 'bare wall µs', 'Entity wall µs', 'Δ µs', 'wall ratio', 'bare CPU µs', 'Entity CPU µs', 'Δ CPU µs', 'CPU ratio', 'wall within 5%'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] as number)).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  await Promise.all(servers.map((server) => server.close()));
}

await main();
