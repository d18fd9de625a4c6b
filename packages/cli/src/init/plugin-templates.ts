/** Plugin kinds `entity plugin new` can generate (resource plugins are written by hand). */
export const PLUGIN_KINDS = ['tool', 'prompt', 'input', 'output', 'failure'] as const;
export type GeneratedKind = (typeof PLUGIN_KINDS)[number];

export const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `word-count` → `wordCount`. */
export function identifierOf(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

export interface GeneratedFile {
  path: string;
  content: string;
}

const SOURCES: Record<GeneratedKind, (name: string, id: string) => string> = {
  tool: (name, id) => `import { definePlugin, defineTool } from '@entity/core';
import { z } from 'zod';

/** The function the model can call. Say in the description when to use it: the model reads it. */
export const ${id}Tool = defineTool({
  name: '${name.replace(/-/g, '_')}',
  description: 'Reverses a piece of text. Use it when the user asks to reverse or mirror text.',
  input: z.object({ text: z.string().min(1).describe('the text to reverse') }),
  execute: ({ text }) => [...text].reverse().join(''),
});

/** A tool plugin (runs in DO). Registering it is what allows the model to call the tool. */
export const ${id} = definePlugin({
  name: '${name}',
  kind: 'tool',
  description: 'Offers the ${name.replace(/-/g, '_')} tool to the model',
  tools: [${id}Tool],
});

export default ${id};
`,
  prompt: (name, id) => `import { definePlugin } from '@entity/core';
import { z } from 'zod';

/**
 * A prompt plugin (runs in THINK, before the built-in model call): it asks the model a side
 * question and stores the answer for later plugins with ctx.store().
 */
export const ${id} = definePlugin({
  name: '${name}',
  kind: 'prompt',
  description: 'Classifies the mood of the message',
  dependencies: ['llm'],
  config: z.object({ labels: z.array(z.string()).default(['positive', 'neutral', 'negative']) }).strict(),
  async execute(ctx, config) {
    if (ctx.iteration !== 1) return;
    const reply = await ctx.llm.chat({
      messages: [
        { role: 'system', content: \`Answer with one word: \${config.labels.join(', ')}.\` },
        { role: 'user', content: ctx.message },
      ],
      signal: ctx.signal,
    });
    const label = config.labels.find((candidate) => reply.content.toLowerCase().includes(candidate)) ?? 'unknown';
    ctx.store('${name}:label', label);
  },
});

export default ${id};
`,
  input: (name, id) => `import { definePlugin } from '@entity/core';

/** An input plugin (runs in PARSE): it reads the incoming message and stores what later stages need. */
export const ${id} = definePlugin({
  name: '${name}',
  kind: 'input',
  description: 'Counts the words of the incoming message',
  execute(ctx) {
    const words = ctx.message.trim().split(/\\s+/).filter(Boolean).length;
    ctx.store('${name}:words', words);
  },
});

export default ${id};
`,
  output: (name, id) => `import { definePlugin } from '@entity/core';

/**
 * An output plugin: it decides what the user gets back. It answers "/ping" itself, without asking
 * the model, and says in the run info who answered.
 *
 * - PARSE (before the model is asked): ctx.answer('pong') settles the turn. The built-in model
 *   call is skipped; the built-in reply sends "pong" and saves the turn like any other answer.
 * - DELIVER (an output plugin's own stage): ctx.annotate() records who answered; callers read it
 *   in result.info.annotations. (To replace the reply instead, call ctx.respond() here.)
 */
export const ${id} = definePlugin({
  name: '${name}',
  kind: 'output',
  stages: ['PARSE', 'DELIVER'],
  description: 'Answers /ping without asking the model',
  execute(ctx) {
    if (ctx.stage === 'PARSE') {
      if (ctx.message.trim() === '/ping') {
        ctx.answer('pong');
        ctx.store('${name}:command', 'ping');
      }
      return;
    }
    ctx.annotate('answeredBy', ctx.has('${name}:command') ? 'command' : 'model');
  },
});

export default ${id};
`,
  failure: (name, id) => `import { definePlugin } from '@entity/core';

/** A failure plugin (runs in ERROR): it logs what failed and gives the user a friendly answer. */
export const ${id} = definePlugin({
  name: '${name}',
  kind: 'failure',
  description: 'Logs failures and apologises to the user',
  execute(ctx) {
    const failure = ctx.failure;
    ctx.log.error('turn failed', { stage: failure?.stage, plugin: failure?.plugin, errorType: failure?.errorType });
    ctx.respond(\`Sorry, I could not finish that (\${failure?.errorType ?? 'error'}). Please try again.\`);
  },
});

export default ${id};
`,
};

const TESTS: Record<GeneratedKind, (name: string, id: string) => string> = {
  tool: (name, id) => `import { Agent } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { ${id}, ${id}Tool } from './${name}.ts';

describe('${name}', () => {
  it('reverses text', async () => {
    expect(await ${id}Tool.execute({ text: 'abc' }, {} as never)).toBe('cba');
  });

  it('is called by the model and its result reaches the answer', async () => {
    const llm = scriptedLLM((request, index) =>
      index === 0
        ? { toolCalls: [{ name: '${name.replace(/-/g, '_')}', arguments: { text: 'hello' } }] }
        : \`The reverse is \${String(request.messages.at(-1)?.content)}\`,
    );
    const agent = new Agent({ resources: { llm }, plugins: [${id}], zeroConfig: false });
    const result = await agent.chat('Reverse hello');
    expect(result.info.toolCalls.map((call) => call.name)).toEqual(['${name.replace(/-/g, '_')}']);
    expect(result.text).toContain('olleh');
    await agent.stop();
  });
});
`,
  prompt: (name, id) => `import { Agent, definePlugin } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { ${id} } from './${name}.ts';

describe('${name}', () => {
  it('stores the label the model picked', async () => {
    const llm = scriptedLLM(['negative', 'I am sorry to hear that.']);
    let seen: unknown;
    const spy = definePlugin({ name: 'spy', kind: 'output', execute: (ctx) => void (seen = ctx.load('${name}:label')) });
    const agent = new Agent({ resources: { llm }, plugins: [${id}, spy], zeroConfig: false });
    const result = await agent.chat('My day was awful');
    expect(seen).toBe('negative');
    expect(result.text).toBe('I am sorry to hear that.');
    await agent.stop();
  });
});
`,
  input: (name, id) => `import { Agent, definePlugin } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { ${id} } from './${name}.ts';

describe('${name}', () => {
  it('counts the words before the model is asked', async () => {
    let words: unknown;
    const spy = definePlugin({ name: 'spy', kind: 'prompt', execute: (ctx) => void (words = ctx.load('${name}:words')) });
    const agent = new Agent({ resources: { llm: scriptedLLM(['ok']) }, plugins: [${id}, spy], zeroConfig: false });
    await agent.chat('three little words');
    expect(words).toBe(3);
    await agent.stop();
  });
});
`,
  output: (name, id) => `import { Agent } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { ${id} } from './${name}.ts';

describe('${name}', () => {
  it('answers /ping without calling the model', async () => {
    const llm = scriptedLLM(['from the model']);
    const agent = new Agent({ resources: { llm }, plugins: [${id}], zeroConfig: false });
    const result = await agent.chat('/ping');
    expect(result.text).toBe('pong');
    expect(result.info.annotations).toEqual({ answeredBy: 'command' });
    // The scripted model records every request it gets: none.
    expect(llm.requests).toHaveLength(0);
    await agent.stop();
  });

  it('leaves other messages to the model', async () => {
    const llm = scriptedLLM(['from the model']);
    const agent = new Agent({ resources: { llm }, plugins: [${id}], zeroConfig: false });
    const result = await agent.chat('hello');
    expect(result.text).toBe('from the model');
    expect(result.info.annotations).toEqual({ answeredBy: 'model' });
    expect(llm.requests).toHaveLength(1);
    await agent.stop();
  });
});
`,
  failure: (name, id) => `import { Agent, definePlugin } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { ${id} } from './${name}.ts';

describe('${name}', () => {
  it('answers with an apology when a plugin fails', async () => {
    const broken = definePlugin({ name: 'broken', kind: 'input', execute: () => { throw new Error('boom'); } });
    const agent = new Agent({ resources: { llm: scriptedLLM(['unused']) }, plugins: [broken, ${id}], zeroConfig: false });
    const result = await agent.chat('hi');
    expect(result.text).toMatch(/^Sorry, I could not finish that/);
    expect(result.info.failure?.plugin).toBe('broken');
    await agent.stop();
  });
});
`,
};

/** The plugin file and its test for `entity plugin new`. */
export function pluginFiles(name: string, kind: GeneratedKind, directory: string): GeneratedFile[] {
  const id = identifierOf(name);
  return [
    { path: `${directory}/${name}.ts`, content: SOURCES[kind](name, id) },
    { path: `${directory}/${name}.test.ts`, content: TESTS[kind](name, id) },
  ];
}
