import { describe, expect, it } from 'vitest';
import { Agent, askModel, definePlugin, inMemoryLogger, inMemoryMemory, type Plugin } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });

function agentWith(plugins: Plugin[], replies: Parameters<typeof scriptedLLM>[0] = ['model answer'], instructions?: string) {
  const llm = scriptedLLM(replies);
  const memory = inMemoryMemory();
  const agent = new Agent({ resources: { llm, memory, logging: quiet() }, plugins, zeroConfig: false, ...(instructions ? { instructions } : {}) });
  return { agent, llm, memory };
}

describe('context added for one run (ctx.addContext)', () => {
  it('reaches the model after the instructions, under its label, and is never saved into history', async () => {
    const retriever = definePlugin({
      name: 'retriever',
      kind: 'prompt',
      execute: (context) => {
        if (context.iteration === 1) context.addContext(`Passage about ${context.message}`, { label: 'Retrieved passages' });
      },
    });
    const { agent, llm, memory } = agentWith([retriever], ['first', 'second'], 'Be brief.');
    await agent.chat('pgvector', { userId: 'u', conversationId: 'c' });
    await agent.chat('indexes', { userId: 'u', conversationId: 'c' });
    expect(llm.requests[0]!.messages[0]).toEqual({ role: 'system', content: 'Be brief.\n\n## Retrieved passages\nPassage about pgvector' });
    // The second turn sees only its own passage: the first run's context did not pile up.
    expect(llm.requests[1]!.messages[0]).toEqual({ role: 'system', content: 'Be brief.\n\n## Retrieved passages\nPassage about indexes' });
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'c' });
    expect(stored.map(({ message }) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(JSON.stringify(stored)).not.toContain('Passage about');
  });

  it('lets a plugin read the instructions, and works without any', async () => {
    const seen: (string | undefined)[] = [];
    const persona = definePlugin({
      name: 'persona',
      kind: 'prompt',
      execute: (context) => {
        seen.push(context.instructions);
        context.addContext('You are a pirate.');
      },
    });
    const { agent, llm } = agentWith([persona]);
    await agent.chat('hi');
    expect(seen).toEqual([undefined]);
    expect(llm.requests[0]!.messages[0]).toEqual({ role: 'system', content: 'You are a pirate.' });
    const withInstructions = agentWith([persona], ['x'], 'Answer in French.');
    await withInstructions.agent.chat('hi');
    expect(seen[1]).toBe('Answer in French.');
  });

  it('warns, naming the plugin and the fix, when context comes after the turn was already answered (it reaches no model)', async () => {
    const answering = definePlugin({ name: 'pattern', kind: 'prompt', execute: (context) => context.answer('settled') });
    const late = definePlugin({ name: 'late-memory', kind: 'prompt', execute: (context) => context.addContext('facts about the user') });
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ resources: { llm: scriptedLLM(['x']), memory: inMemoryMemory(), logging }, plugins: [answering, late], zeroConfig: false });
    const result = await agent.chat('hi');
    expect(result.text).toBe('settled');
    const warning = logging.entries.find((entry) => entry.level === 'warn' && entry.message.includes('addContext()'));
    expect(warning?.message).toMatch(/late-memory[\s\S]*already answered[\s\S]*before/);
    // Context added before a model call that then asks for tools is not warned about: the loop goes on.
    const early = inMemoryLogger({ echoLevel: false });
    const tooly = new Agent({ resources: { llm: scriptedLLM(['fine']), memory: inMemoryMemory(), logging: early }, plugins: [late], zeroConfig: false });
    await tooly.chat('hi');
    expect(early.entries.filter((entry) => entry.level === 'warn' && entry.message.includes('addContext()'))).toEqual([]);
  });

  it('refuses empty text with a clear error', async () => {
    const bad = definePlugin({ name: 'bad', kind: 'prompt', execute: (context) => context.addContext('  ') });
    const { agent } = agentWith([bad]);
    const result = await agent.chat('hi');
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ plugin: 'bad', code: 'VALIDATION_FAILED' });
  });

  it('refuses context past a million characters in one run, naming the limit and the fix', async () => {
    const chunk = 'x'.repeat(300_000);
    const corpus = definePlugin({ name: 'corpus', kind: 'prompt', execute: (context) => { for (let i = 0; i < 4; i += 1) context.addContext(chunk); } });
    const { agent, llm } = agentWith([corpus]);
    const result = await agent.chat('hi');
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ plugin: 'corpus', code: 'VALIDATION_FAILED' });
    expect(llm.requests).toHaveLength(0);
    const fits = definePlugin({ name: 'fits', kind: 'prompt', execute: (context) => { for (let i = 0; i < 3; i += 1) context.addContext(chunk); } });
    expect((await agentWith([fits]).agent.chat('hi')).status).toBe('ok');
  });
});

describe('answering without the model (ctx.answer)', () => {
  const ping = definePlugin({
    name: 'ping',
    kind: 'input',
    execute: (context) => {
      if (context.message.trim() === '/ping') context.answer('pong');
    },
  });

  it('a PARSE plugin settles the turn: no model call, the answer is responded and saved like a model answer', async () => {
    const { agent, llm, memory } = agentWith([ping]);
    const result = await agent.chat('/ping', { userId: 'u', conversationId: 'c' });
    expect(result).toMatchObject({ status: 'ok', text: 'pong' });
    expect(result.info.iterations).toBe(1);
    expect(llm.requests).toHaveLength(0);
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'c' });
    expect(stored.map(({ message }) => message)).toEqual([
      { role: 'user', content: '/ping' },
      { role: 'assistant', content: 'pong' },
    ]);
    // Other messages still go to the model.
    expect((await agent.chat('hello', { userId: 'u', conversationId: 'c' })).text).toBe('model answer');
    expect(llm.requests).toHaveLength(1);
  });

  it('works from THINK before the built-in model call, and streams the answer as the response', async () => {
    const cached = definePlugin({ name: 'cache', kind: 'prompt', execute: (context) => context.answer('from cache') });
    const { agent, llm } = agentWith([cached]);
    const events = [];
    for await (const event of agent.stream('anything')) events.push(event);
    expect(events.find((event) => event.type === 'response')).toMatchObject({ text: 'from cache' });
    expect(llm.requests).toHaveLength(0);
  });

  it('is refused outside PARSE/THINK and after the model answered, naming what to do instead', async () => {
    const late = definePlugin({ name: 'late', kind: 'prompt', stages: ['REVIEW'], execute: (context) => context.answer('too late') });
    const afterModel = definePlugin({
      name: 'after-model',
      kind: 'prompt',
      execute: async (context) => {
        await askModel(context);
        context.answer('second opinion');
      },
    });
    const refused = await agentWith([late]).agent.chat('hi');
    expect(refused.info.failure).toMatchObject({ plugin: 'late', code: 'STAGE_VIOLATION' });
    const twice = await agentWith([afterModel]).agent.chat('hi');
    expect(twice.info.failure).toMatchObject({ plugin: 'after-model', code: 'STAGE_VIOLATION' });
  });
});

describe('sources and annotations in run info', () => {
  it('lists what plugins recorded, and leaves both out when none did', async () => {
    const citing = definePlugin({
      name: 'citing',
      kind: 'prompt',
      execute: (context) => {
        context.addSources([{ source: 'docs/indexes.md', section: 'GIN > Operators', score: 0.82, collection: 'manual' }]);
        context.annotate('plan', { steps: ['look up', 'answer'] });
        context.annotate('plan', { steps: ['answer'] });
      },
    });
    const { agent } = agentWith([citing]);
    const result = await agent.chat('hi');
    expect(result.info.sources).toEqual([{ source: 'docs/indexes.md', section: 'GIN > Operators', score: 0.82, collection: 'manual' }]);
    expect(result.info.annotations).toEqual({ plan: { steps: ['answer'] } });
    const plain = await agentWith([]).agent.chat('hi');
    expect(plain.info).not.toHaveProperty('sources');
    expect(plain.info).not.toHaveProperty('annotations');
  });

  it('refuses an annotation JSON cannot carry (BigInt, a function, a cycle), so run info always serialises', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [10n, () => 1, cyclic, new Date(0), Number.NaN]) {
      const bad = definePlugin({ name: 'bad-annotation', kind: 'prompt', execute: (context) => context.annotate('x', value as never) });
      const result = await agentWith([bad]).agent.chat('hi');
      expect(result.info.failure).toMatchObject({ plugin: 'bad-annotation', code: 'VALIDATION_FAILED' });
      expect(() => JSON.stringify(result.info)).not.toThrow();
    }
  });

  it('refuses an annotation over 64 KiB of JSON, and more than 100 keys in one run', async () => {
    const big = definePlugin({ name: 'big', kind: 'prompt', execute: (context) => context.annotate('dump', 'x'.repeat(70_000)) });
    const bigResult = await agentWith([big]).agent.chat('hi');
    expect(bigResult.info.failure).toMatchObject({ plugin: 'big', code: 'VALIDATION_FAILED' });
    const many = definePlugin({ name: 'many', kind: 'prompt', execute: (context) => { for (let i = 0; i <= 100; i += 1) context.annotate(`k${i}`, i); } });
    expect((await agentWith([many]).agent.chat('hi')).info.failure).toMatchObject({ plugin: 'many', code: 'VALIDATION_FAILED' });
    // Replacing a key is not a new annotation.
    const same = definePlugin({ name: 'same', kind: 'prompt', execute: (context) => { for (let i = 0; i <= 200; i += 1) context.annotate('k', i); } });
    const sameResult = await agentWith([same]).agent.chat('hi');
    expect(sameResult.status).toBe('ok');
    expect(sameResult.info.annotations).toEqual({ k: 200 });
  });

  it('keeps the annotated value as it was when annotate() was called', async () => {
    const plan = { steps: ['look up'] };
    const mutating = definePlugin({
      name: 'mutating',
      kind: 'prompt',
      execute: (context) => {
        context.annotate('plan', plan);
        plan.steps.push('changed later');
      },
    });
    const result = await agentWith([mutating]).agent.chat('hi');
    expect(result.info.annotations).toEqual({ plan: { steps: ['look up'] } });
  });

  it('refuses source fields of the wrong type (a NaN score, an object section)', async () => {
    for (const ref of [{ source: 'a.md', score: Number.NaN }, { source: 'a.md', score: '0.9' }, { source: 'a.md', section: { h: 1 } }, { source: 'a.md', collection: 7 }]) {
      const bad = definePlugin({ name: 'bad-field', kind: 'prompt', execute: (context) => context.addSources([ref as never]) });
      const result = await agentWith([bad]).agent.chat('hi');
      expect(result.info.failure).toMatchObject({ plugin: 'bad-field', code: 'VALIDATION_FAILED' });
    }
  });

  it('refuses a source without a name', async () => {
    const bad = definePlugin({ name: 'bad-source', kind: 'prompt', execute: (context) => context.addSources([{ source: '' }]) });
    const result = await agentWith([bad]).agent.chat('hi');
    expect(result.info.failure).toMatchObject({ plugin: 'bad-source', code: 'VALIDATION_FAILED' });
  });
});
