import { describe, expect, it } from 'vitest';
import { Agent, CancelledError, type Context, DEFAULT_SAFE_MESSAGE, definePlugin, type FailureInfo } from '../src/index.js';

/** A THINK plugin that only ends when the run's signal aborts (a model call that outlives the run budget). */
const waitsForAbort = definePlugin({
  name: 'slow-model',
  kind: 'prompt',
  execute: (ctx) =>
    new Promise<void>((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    }),
});

const agentWith = (failurePlugin: (ctx: Context) => Promise<void> | void, options: ConstructorParameters<typeof Agent>[0] = {}) =>
  new Agent({
    defaultWorkflow: false,
    zeroConfig: false,
    ...options,
    plugins: [
      ...(options.plugins ?? [waitsForAbort]),
      definePlugin({ name: 'answer', kind: 'output', execute: (ctx) => ctx.respond('never reached') }),
      definePlugin({ name: 'on-failure', kind: 'failure', execute: failurePlugin }),
    ],
  });

describe('ERROR stage after a timeout', () => {
  it('runs failure plugins under their own deadline, so the user gets "took too long"', async () => {
    const seen: { failure: FailureInfo | undefined; aborted: boolean }[] = [];
    const agent = agentWith(
      (ctx) => {
        seen.push({ failure: ctx.failure, aborted: ctx.signal.aborted });
      },
      { runTimeoutMs: 20 },
    );
    const result = await agent.chat('hi');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(false);
    expect(seen[0]!.failure).toMatchObject({ errorType: 'TIMEOUT', plugin: 'slow-model', stage: 'THINK' });
    expect(result.text).toBe('Sorry, that took too long. Please try again.');
    expect(result.info.failure).toMatchObject({ errorType: 'TIMEOUT' });
    await agent.stop();
  });

  it('lets a failure plugin reply after a timeout', async () => {
    const agent = agentWith((ctx) => ctx.respond(`Still working on it (${ctx.failure?.errorType}).`), { runTimeoutMs: 20 });
    await expect(agent.chat('hi')).resolves.toMatchObject({ text: 'Still working on it (TIMEOUT).' });
    await agent.stop();
  });

  it('ends a failure plugin that outlives errorTimeoutMs with the last-resort reply', async () => {
    let errorSignal: AbortSignal | undefined;
    const failing = definePlugin({
      name: 'throws',
      kind: 'prompt',
      execute: () => {
        throw new Error('boom');
      },
    });
    const agent = agentWith(
      (ctx) => {
        errorSignal = ctx.signal;
        return new Promise<void>(() => {});
      },
      // The hung plugin is never going to settle: stop() need not wait for it long.
      { plugins: [failing], runTimeoutMs: 60_000, errorTimeoutMs: 20, stopTimeoutMs: 10 },
    );
    const result = await agent.chat('hi');
    expect(result.text).toBe(DEFAULT_SAFE_MESSAGE);
    expect(result.info.failure).toMatchObject({ plugin: 'throws' });
    expect(errorSignal?.aborted).toBe(true);
    expect(errorSignal?.reason).toMatchObject({ code: 'TIMEOUT' });
    await agent.stop();
  });

  it("still ends the ERROR stage when the caller cancels: chat() rejects with CancelledError", async () => {
    const controller = new AbortController();
    const failing = definePlugin({
      name: 'throws',
      kind: 'prompt',
      execute: () => {
        throw new Error('boom');
      },
    });
    const agent = agentWith(
      () => {
        controller.abort();
        return new Promise<void>(() => {});
      },
      { plugins: [failing], runTimeoutMs: 60_000, stopTimeoutMs: 10 },
    );
    const error = await agent.chat('hi', { signal: controller.signal }).catch((e: unknown) => e);
    expect(CancelledError.isInstance(error)).toBe(true);
    await agent.stop();
  });
});
