import { describe, expect, it } from 'vitest';
import { Agent, ConfigError, definePlugin, inMemoryLogger, Workflow } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const quiet = () => ({ logging: inMemoryLogger({ echoLevel: false }) });

describe('Workflow', () => {
  it('maps stages to plugin names, overriding the plugins own stages, and is reusable across agents', async () => {
    const trail: string[] = [];
    const step = (name: string) => definePlugin({ name, kind: 'prompt', execute: (ctx) => void trail.push(`${ctx.stage}:${name}`) });
    const reply = definePlugin({ name: 'reply', kind: 'output', execute: (ctx) => ctx.respond(`${ctx.userId} ok`) });
    const workflow = new Workflow({ PARSE: ['b'], THINK: ['a', 'c'], DELIVER: ['reply'] }, [step('a'), step('b'), step('c'), reply]);

    const first = new Agent({ workflow, defaultWorkflow: false, zeroConfig: false, resources: quiet() });
    const second = new Agent({ workflow, defaultWorkflow: false, zeroConfig: false, resources: quiet() });
    expect((await first.chat('x', { userId: 'one' })).text).toBe('one ok');
    expect((await second.chat('x', { userId: 'two' })).text).toBe('two ok');
    expect(trail).toEqual(['PARSE:b', 'THINK:a', 'THINK:c', 'PARSE:b', 'THINK:a', 'THINK:c']);
    expect(workflow.pluginNames()).toEqual(['b', 'a', 'c', 'reply']);
  });

  it('can name the built-in plugins and run the default chat with a review step', async () => {
    const reviewed: string[] = [];
    const review = definePlugin({ name: 'review', kind: 'prompt', execute: (ctx) => void reviewed.push(ctx.load<string>('entity:answer') ?? '') });
    const workflow = Workflow.defaultChat().with('REVIEW', 'review');
    const agent = new Agent({ workflow, plugins: [review], zeroConfig: false, resources: { llm: scriptedLLM(['hello']), ...quiet() } });
    expect((await agent.chat('hi')).text).toBe('hello');
    expect(reviewed).toEqual(['hello']);
  });

  it('rejects a workflow naming an unknown stage or plugin', async () => {
    expect(() => new Workflow({ THUNK: ['a'] } as never)).toThrow(ConfigError);
    const agent = new Agent({ workflow: new Workflow({ THINK: ['ghost'] }), defaultWorkflow: false, zeroConfig: false, resources: quiet() });
    await expect(agent.start()).rejects.toThrow(/plugin "ghost" is not registered/);
  });
});
