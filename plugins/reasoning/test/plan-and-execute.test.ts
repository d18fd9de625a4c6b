import { CancelledError, type ChatRequest, type ChatResult, defineTool, ToolError } from '@entity/core';
import type { ScriptedTurn } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Plan, PlanAndExecute, planAndExecutePlugin, type StepFailure, SYNTHESIS_INSTRUCTION } from '../src/index.js';
import { agentWith, deferred, lastOf, streamAll, systemOf } from './helpers.js';

type Turn = ScriptedTurn | Promise<ScriptedTurn>;
/** Routes each model call by what the pattern asked for: a plan, a step, or the final answer. */
function script(handlers: { plan: (request: ChatRequest, index: number) => Turn; step?: (request: ChatRequest) => Turn; answer?: (request: ChatRequest) => Turn }) {
  let plans = 0;
  return (request: ChatRequest): Turn => {
    const system = systemOf(request);
    if (system.includes('Reply with the plan as JSON only')) return handlers.plan(request, plans++);
    if (system.includes('carrying out one step of a plan')) return handlers.step?.(request) ?? 'step done';
    if (system.includes(SYNTHESIS_INSTRUCTION)) return handlers.answer?.(request) ?? 'final answer';
    throw new Error(`unexpected model call: ${system}`);
  };
}
const plan = (steps: unknown[]) => JSON.stringify({ steps });
const planOf = (result: ChatResult) => result.info.annotations?.['reasoning.plan'] as { status: string; replans: number; steps: { id: string; status: string; plan: number; result?: string; error?: string }[] };

/** Two tools that each wait for the other to have started: they can only both finish if they overlap. */
function meetingTools() {
  const arrived = { a: deferred(), b: deferred() };
  const meet = (self: 'a' | 'b', other: 'a' | 'b') =>
    defineTool({
      name: `meet_${self}`,
      description: `Arrives as ${self} and waits for ${other}`,
      input: z.object({}),
      execute: async () => {
        arrived[self].resolve();
        await arrived[other].promise;
        return `${self} met ${other}`;
      },
    });
  return [meet('a', 'b'), meet('b', 'a')];
}

describe('PlanAndExecute', () => {
  it('runs independent steps in parallel, a dependent step after them with their results, then answers', async () => {
    const { agent, llm, memory } = agentWith(
      planAndExecutePlugin(),
      script({
        plan: () =>
          '```json\n' +
          plan([
            { id: 'a', task: 'meet as a', tool: 'meet_a', arguments: {} },
            { id: 'b', task: 'meet as b', tool: 'meet_b', arguments: {} },
            { id: 'c', task: 'report who met', dependsOn: ['a', 'b'] },
          ]) +
          '\n```',
        step: (request) => (lastOf(request).content.includes('a met b') && lastOf(request).content.includes('b met a') ? 'Both met.' : 'missing inputs'),
        answer: (request) => `Answer from: ${systemOf(request).split('Results:\n')[1]}`,
      }),
      // A sequential run would leave meet_a waiting for meet_b until this timeout fails the step.
      { tools: meetingTools(), toolTimeoutMs: 5_000 },
    );
    const result = await agent.chat('Who met?', { userId: 'u', conversationId: 'c' });
    expect(result.status).toBe('ok');
    expect(planOf(result).steps.map(({ id, status }) => [id, status])).toEqual([['a', 'done'], ['b', 'done'], ['c', 'done']]);
    expect(result.text).toBe('Answer from: - a (meet as a): a met b\n- b (meet as b): b met a\n- c (report who met): Both met.');
    expect(planOf(result)).toMatchObject({ status: 'done', replans: 0 });
    // Steps run by their tool directly are ordinary tool calls of the run.
    expect(result.info.toolCalls.map((call) => [call.name, call.success])).toEqual([['meet_a', true], ['meet_b', true]]);
    expect(llm.requests).toHaveLength(3);
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'c' });
    expect(stored.map(({ message }) => message.role)).toEqual(['user', 'assistant']);
  });

  it('keeps to its concurrency bound', async () => {
    let active = 0;
    let most = 0;
    const work = defineTool({
      name: 'work',
      description: 'Does some work',
      input: z.object({ n: z.number() }),
      execute: async ({ n }) => {
        active++;
        most = Math.max(most, active);
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        active--;
        return n;
      },
    });
    const steps = [1, 2, 3, 4, 5].map((n) => ({ id: `s${n}`, task: `work ${n}`, tool: 'work', arguments: { n } }));
    const { agent } = agentWith(planAndExecutePlugin({ concurrency: 2 }), script({ plan: () => plan(steps) }), { tools: [work] });
    const result = await agent.chat('work');
    expect(planOf(result).steps.every((step) => step.status === 'done')).toBe(true);
    expect(most).toBe(2);
  });

  it('streams the plan and every status change of each step', async () => {
    const { agent } = agentWith(planAndExecutePlugin(), script({ plan: () => plan([{ id: 'only', task: 'think' }]) }));
    const events = await streamAll(agent, 'hi');
    const custom = events.flatMap((event) => (event.type === 'custom' ? [[event.name, (event.data as { status?: string }).status ?? '']] : []));
    expect(custom).toEqual([
      ['reasoning.plan', ''],
      ['reasoning.step', 'running'],
      ['reasoning.step', 'done'],
    ]);
    expect(events.find((event) => event.type === 'custom')).toMatchObject({ data: { plan: 1, steps: [{ id: 'only', task: 'think', dependsOn: [], status: 'pending' }] } });
  });

  it('sends an invalid plan back once with the problem, and uses the corrected one', async () => {
    const { agent, llm } = agentWith(
      planAndExecutePlugin(),
      script({ plan: (_request, index) => (index === 0 ? 'Sure! Here is my plan: step one, then step two.' : plan([{ id: 's1', task: 'do it' }])) }),
    );
    const result = await agent.chat('plan please');
    expect(result.status).toBe('ok');
    expect(lastOf(llm.requests[1]!)).toMatchObject({ role: 'user', content: expect.stringMatching(/^That plan is not valid: the reply is not valid JSON .*Reply with the corrected plan as JSON only\.$/) });
    expect(llm.requests[1]!.messages.at(-2)).toEqual({ role: 'assistant', content: 'Sure! Here is my plan: step one, then step two.' });
    expect(result.info.annotations?.['reasoning.plan.invalid']).toEqual([expect.stringContaining('not valid JSON')]);
  });

  it('fails clearly when the plan is still invalid after the retry', async () => {
    const { agent, llm } = agentWith(
      planAndExecutePlugin(),
      script({ plan: (_request, index) => (index === 0 ? plan([{ id: 'x', task: 'loop', dependsOn: ['y'] }, { id: 'y', task: 'loop', dependsOn: ['x'] }]) : plan([{ id: 'x', task: 'use', tool: 'nope' }])) }),
    );
    const result = await agent.chat('plan please');
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({
      plugin: 'reasoning:plan-and-execute',
      code: 'REASONING_PLAN_INVALID',
      message: 'Sorry, I could not make a workable plan for this request. Please rephrase it or try again.',
    });
    expect(lastOf(llm.requests[1]!).content).toContain('cycle: x → y → x');
    expect(result.info.annotations?.['reasoning.plan.invalid']).toEqual([expect.stringContaining('cycle'), expect.stringContaining('tool "nope", which does not exist')]);
    expect(llm.requests).toHaveLength(2);
  });

  it('replans after a failed step: skips what depended on it, keeps what was done, and runs the new plan', async () => {
    const flaky = defineTool({ name: 'primary_source', description: 'Primary source', input: z.object({}), execute: () => { throw new ToolError('primary_source', 'primary source is down'); } });
    const backup = defineTool({ name: 'backup_source', description: 'Backup source', input: z.object({}), execute: () => 'backup data' });
    const prices = defineTool({ name: 'prices', description: 'Prices', input: z.object({}), execute: () => 'prices data' });
    const { agent, llm } = agentWith(
      planAndExecutePlugin(),
      script({
        plan: (_request, index) =>
          index === 0
            ? plan([
                { id: 'fetch', task: 'fetch data', tool: 'primary_source', arguments: {} },
                { id: 'prices', task: 'fetch prices', tool: 'prices', arguments: {} },
                { id: 'combine', task: 'combine', dependsOn: ['fetch', 'prices'] },
              ])
            : plan([
                { id: 'fetch2', task: 'fetch from backup', tool: 'backup_source', arguments: {} },
                { id: 'combine2', task: 'combine', dependsOn: ['fetch2', 'prices'] },
              ]),
        step: (request) => `combined: ${lastOf(request).content.includes('backup data') && lastOf(request).content.includes('prices data')}`,
      }),
      { tools: [flaky, backup, prices] },
    );
    const events = await streamAll(agent, 'report');
    const result = (events.at(-1) as { result: ChatResult }).result;
    expect(result.status).toBe('ok');
    const replanRequest = llm.requests.filter((request) => systemOf(request).includes('Reply with the plan as JSON only'))[1]!;
    expect(systemOf(replanRequest)).toContain('step "fetch" (fetch data) failed: primary source is down');
    expect(systemOf(replanRequest)).toContain('- prices (fetch prices): prices data');
    expect(planOf(result)).toMatchObject({ status: 'done', replans: 1 });
    expect(planOf(result).steps.map(({ id, status, plan: number }) => [id, status, number])).toEqual([
      ['fetch', 'failed', 1],
      ['prices', 'done', 1],
      ['combine', 'skipped', 1],
      ['fetch2', 'done', 2],
      ['combine2', 'done', 2],
    ]);
    expect(planOf(result).steps[4]!.result).toBe('combined: true');
    expect(events.find((event) => event.type === 'custom' && event.name === 'reasoning.replan')).toMatchObject({ data: { replan: 1, failedStep: 'fetch', error: 'primary source is down' } });
  });

  it('fails clearly once no replan is left', async () => {
    const broken = defineTool({ name: 'broken', description: 'Always fails', input: z.object({}), execute: () => { throw new ToolError('broken', 'still broken'); } });
    const { agent, llm } = agentWith(planAndExecutePlugin({ maxReplans: 1 }), script({ plan: () => plan([{ id: 'try', task: 'try', tool: 'broken', arguments: {} }]) }), { tools: [broken] });
    const result = await agent.chat('go');
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ code: 'REASONING_PLAN_FAILED', plugin: 'reasoning:plan-and-execute' });
    expect(llm.requests).toHaveLength(2);
    expect(planOf(result)).toMatchObject({ status: 'failed', replans: 1 });
  });

  it('lets a model-executed step use tools, reading a failing tool as an observation', async () => {
    const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({ q: z.string() }), execute: ({ q }) => { if (q === 'bad') throw new ToolError('lookup', 'no such entry'); return `entry ${q}`; } });
    const { agent, llm } = agentWith(
      planAndExecutePlugin(),
      script({
        plan: () => plan([{ id: 'find', task: 'find the entry' }]),
        step: (request) => {
          const last = lastOf(request);
          if (last.role === 'user') return { toolCalls: [{ name: 'lookup', arguments: { q: 'bad' } }] };
          if (last.role === 'tool' && last.isError) return { toolCalls: [{ name: 'lookup', arguments: { q: 'good' } }] };
          return `found ${last.content}`;
        },
      }),
      { tools: [lookup] },
    );
    const result = await agent.chat('find it');
    expect(planOf(result).steps[0]).toMatchObject({ status: 'done', result: 'found entry good' });
    const stepRequests = llm.requests.filter((request) => systemOf(request).includes('one step of a plan'));
    expect(stepRequests).toHaveLength(3);
    expect(stepRequests[0]!.tools?.map((tool) => tool.name)).toEqual(['lookup']);
    expect(lastOf(stepRequests[0]!).content).toBe('The user asked: find it\n\nYour step (find): find the entry');
  });

  it('hands a long result in full to the steps that need it, and cuts it only in the annotation', async () => {
    const long = 'x'.repeat(5_000);
    const big = defineTool({ name: 'big', description: 'Big', input: z.object({}), execute: () => long });
    let seen = '';
    const { agent } = agentWith(
      planAndExecutePlugin(),
      script({
        plan: () => plan([{ id: 'get', task: 'get', tool: 'big', arguments: {} }, { id: 'use', task: 'use', dependsOn: ['get'] }]),
        step: (request) => {
          seen = lastOf(request).content;
          return 'used';
        },
      }),
      { tools: [big] },
    );
    const result = await agent.chat('go');
    expect(seen).toContain(`- get (get): ${long}`);
    expect(planOf(result).steps[0]!.result).toBe(`${'x'.repeat(4_000)}… [1000 more characters]`);
  });

  it('fails a model-executed step that runs out of turns', async () => {
    const noop = defineTool({ name: 'noop', description: 'Nothing', input: z.object({}), execute: () => 'ok' });
    const { agent } = agentWith(
      planAndExecutePlugin({ stepMaxTurns: 2, maxReplans: 0 }),
      script({ plan: () => plan([{ id: 'spin', task: 'spin' }]), step: () => ({ toolCalls: [{ name: 'noop', arguments: {} }] }) }),
      { tools: [noop] },
    );
    const result = await agent.chat('spin');
    expect(result.info.failure).toMatchObject({ code: 'REASONING_PLAN_FAILED' });
    expect(planOf(result).steps[0]).toMatchObject({ status: 'failed', error: 'the step did not finish within 2 model turns' });
    expect(result.info.toolCalls).toHaveLength(2);
  });

  it('stops mid-plan when the run is cancelled: no new step starts and the model is not asked again', async () => {
    const started = deferred();
    const block = defineTool({
      name: 'block',
      description: 'Blocks until cancelled',
      input: z.object({}),
      execute: (_args, context) =>
        new Promise((_resolve, reject) => {
          started.resolve();
          context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
        }),
    });
    let afterCalls = 0;
    const after = defineTool({ name: 'after', description: 'After', input: z.object({}), execute: () => ++afterCalls });
    const { agent, llm } = agentWith(
      planAndExecutePlugin(),
      script({ plan: () => plan([{ id: 'first', task: 'block', tool: 'block', arguments: {} }, { id: 'second', task: 'after', tool: 'after', arguments: {}, dependsOn: ['first'] }]) }),
      { tools: [block, after] },
    );
    const controller = new AbortController();
    const chat = agent.chat('go', { signal: controller.signal });
    await started.promise;
    controller.abort();
    await expect(chat).rejects.toSatisfy((error) => CancelledError.isInstance(error));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(afterCalls).toBe(0);
    expect(llm.requests).toHaveLength(1);
  });

  it('refuses a plan from an overridden buildPlan whose steps can never start', async () => {
    class CyclicPlanner extends PlanAndExecute {
      protected override async buildPlan(): Promise<Plan> {
        return { steps: [{ id: 'x', task: 'x', dependsOn: ['y'] }, { id: 'y', task: 'y', dependsOn: ['x'] }] };
      }
    }
    const { agent } = agentWith(new CyclicPlanner().plugin(), ['unused']);
    const result = await agent.chat('go');
    expect(result.info.failure).toMatchObject({ code: 'REASONING_PLAN_INVALID' });
  });

  it('turns a step that throws into a failure the model can replan from, with the detail only in the log', async () => {
    class ThrowingStep extends PlanAndExecute {
      protected override async executeStep(): Promise<never> {
        throw new TypeError('secret internal detail');
      }
    }
    const { agent, llm, logging } = agentWith(new ThrowingStep({ maxReplans: 1 }).plugin(), script({ plan: () => plan([{ id: 'boom', task: 'explode' }]) }));
    const result = await agent.chat('go');
    expect(result.info.failure).toMatchObject({ code: 'REASONING_PLAN_FAILED' });
    expect(planOf(result).steps[0]).toMatchObject({ status: 'failed', error: 'TypeError' });
    expect(JSON.stringify(llm.requests)).not.toContain('secret internal detail');
    expect(systemOf(llm.requests[1]!)).toContain('step "boom" (explode) failed: TypeError');
    expect(logging.entries.some((entry) => entry.level === 'warn' && entry.message === 'Step "boom" of the plan threw: secret internal detail')).toBe(true);
  });

  it('is extendable: a fixed plan, a veto on replanning, and an answer without the model', async () => {
    const broken = defineTool({ name: 'broken', description: 'Fails', input: z.object({}), execute: () => { throw new ToolError('broken', 'nope'); } });
    const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ text: z.string() }), execute: ({ text }) => text });
    const vetoed: string[] = [];
    class FixedPlanner extends PlanAndExecute {
      constructor(private readonly steps: Plan['steps']) {
        super({ maxReplans: 3 });
      }
      protected override async buildPlan(): Promise<Plan> {
        return { steps: this.steps };
      }
      protected override shouldReplan(_run: unknown, failure: StepFailure): boolean {
        vetoed.push(failure.step.id);
        return false;
      }
      protected override async synthesize(): Promise<string> {
        return 'all echoed';
      }
    }
    const ok = agentWith(new FixedPlanner([{ id: 'hi', task: 'echo', tool: 'echo', arguments: { text: 'hi' }, dependsOn: [] }]).plugin(), ['unused'], { tools: [echo] });
    const result = await ok.agent.chat('go');
    expect(result.text).toBe('all echoed');
    expect(ok.llm.requests).toHaveLength(0);

    const failing = agentWith(new FixedPlanner([{ id: 'bad', task: 'fail', tool: 'broken', arguments: {}, dependsOn: [] }]).plugin(), ['unused'], { tools: [broken] });
    const failed = await failing.agent.chat('go');
    expect(failed.info.failure).toMatchObject({ code: 'REASONING_PLAN_FAILED' });
    expect(vetoed).toEqual(['bad']);
  });
});
