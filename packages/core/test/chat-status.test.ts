import { describe, expect, it } from 'vitest';
import { Agent, definePlugin, ProviderError, RunFailedError } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

/** A model that fails the way a provider does (a 400 with its own text, which must not reach the caller). */
const failingModel = {
  chat: () => Promise.reject(new ProviderError('openai', 'HTTP 400: model "nope" does not exist (key sk-secret-1234567890)', { safeMessage: 'The model is unavailable.' })),
};

describe('chat() says whether the turn failed', () => {
  it('an answered turn has status "ok" and no failure', async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['Hello there.']) }, zeroConfig: false });
    const result = await agent.chat('hi');
    expect(result).toMatchObject({ status: 'ok', text: 'Hello there.' });
    expect(result.info.failure).toBeUndefined();
    await agent.stop();
  });

  it('a turn that went through ERROR has status "failed": the text is the apology, info.failure says what failed', async () => {
    const agent = new Agent({ resources: { llm: failingModel }, zeroConfig: false });
    const result = await agent.chat('hi');
    expect(result.status).toBe('failed');
    expect(result.text).toBe('The model is unavailable.');
    expect(result.info.failure).toMatchObject({ stage: 'THINK', plugin: 'entity:chat', code: 'PROVIDER_ERROR' });
    await agent.stop();
  });

  it('a failure plugin that apologises still leaves the status "failed"', async () => {
    const apology = definePlugin({ name: 'apology', kind: 'failure', execute: (ctx) => ctx.respond('Sorry!') });
    const agent = new Agent({ resources: { llm: failingModel }, plugins: [apology], zeroConfig: false });
    const result = await agent.chat('hi');
    expect(result).toMatchObject({ status: 'failed', text: 'Sorry!' });
    await agent.stop();
  });

  it('throwOnFailure: true rejects with RunFailedError carrying the result and the cause; safe text only in the message', async () => {
    const agent = new Agent({ resources: { llm: failingModel }, zeroConfig: false });
    const error = await agent.chat('hi', { throwOnFailure: true }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(RunFailedError.isInstance(error)).toBe(true);
    const failed = error as RunFailedError;
    expect(failed.code).toBe('RUN_FAILED');
    expect(failed.result.status).toBe('failed');
    expect(failed.message).toBe('The run failed in THINK (entity:chat): The model is unavailable.');
    expect(failed.message).not.toContain('sk-secret');
    expect(ProviderError.isInstance(failed.cause)).toBe(true);
    // A turn that answers resolves as usual.
    const ok = new Agent({ resources: { llm: scriptedLLM(['fine']) }, zeroConfig: false });
    expect((await ok.chat('hi', { throwOnFailure: true })).status).toBe('ok');
    await Promise.all([agent.stop(), ok.stop()]);
  });

  it('the stream\'s done event carries the status too', async () => {
    const agent = new Agent({ resources: { llm: failingModel }, zeroConfig: false });
    let status: string | undefined;
    for await (const event of agent.stream('hi')) if (event.type === 'done') status = event.result.status;
    expect(status).toBe('failed');
    await agent.stop();
  });
});
