import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, ConfigError } from '@entity/core';
import { type ScriptedReply, startOpenAIServer } from '@entity/test-servers';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('..', import.meta.url));

/** A folder inside the app, so `use: '@entity/core'` resolves from the app's dependencies as in a project. */
function project(files: Record<string, string>): string {
  mkdirSync(join(APP, '.entity'), { recursive: true });
  const dir = mkdtempSync(join(APP, '.entity', 'handoff-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const agentYaml = (name: string, instructions: string, baseURL: string, extra = '') =>
  `name: ${name}
instructions: ${instructions}
resources:
  llm: { type: openai, model: ${name}-model, baseURL: '${baseURL}', apiKey: sk-test, retries: 0 }
  memory: { type: pglite, path: 'memory://' }
${extra}`;

describe('a hand-off configured in YAML (plugin entry naming another agent config file)', () => {
  it('routes a billing question to the billing agent built from ./billing.yaml, and answers others itself', async () => {
    const server = await startOpenAIServer({});
    server.respondWith((request): ScriptedReply => {
      const body = request.body as { model: string; messages: { role: string; content: string }[] };
      const last = body.messages.at(-1)!.content;
      if (body.model === 'billing-model') return { text: `Billing: ${last} is paid.` };
      if (body.messages[0]!.content.startsWith('You route')) return { text: /invoice/.test(last) ? 'billing' : 'none' };
      return { text: `Desk: ${last}` };
    });
    const dir = project({
      'agent.yaml': agentYaml(
        'desk',
        'You are the front desk.',
        server.baseURL,
        `plugins:
  - use: '@entity/core'
    export: handoffPlugin
    config:
      to:
        billing: { agent: ./billing.yaml, description: 'invoices, refunds and payments' }
`,
      ),
      'billing.yaml': agentYaml('billing', 'You handle billing.', server.baseURL),
    });
    let desk: Agent | undefined;
    try {
      desk = await Agent.fromConfig(join(dir, 'agent.yaml'));
      const other = await desk.chat('Where is the office?', { userId: 'alice' });
      expect(other.text).toBe('Desk: Where is the office?');
      expect(other.info.annotations?.handoff).toBeUndefined();
      const billing = await desk.chat('Is invoice 7 settled?', { userId: 'alice' });
      expect(billing.text).toBe('Billing: Is invoice 7 settled? is paid.');
      expect(billing.info.annotations?.handoff).toMatchObject({ to: 'billing', status: 'ok' });
      // The billing agent saw the desk's conversation: the earlier turn, then this question.
      const billingRequest = server.modelCalls.map((call) => call.body as { model: string; messages: { content: string }[] }).find((body) => body.model === 'billing-model')!;
      expect(billingRequest.messages.map((message) => message.content)).toEqual([
        'You handle billing.',
        'Where is the office?',
        'Desk: Where is the office?',
        'Is invoice 7 settled?',
      ]);
    } finally {
      await desk?.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('refuses an agent config file outside the config folder, naming the entry', async () => {
    const dir = project({
      'agent.yaml': `plugins:\n  - use: '@entity/core'\n    export: handoffPlugin\n    config:\n      to:\n        billing: ../../billing.yaml\n`,
    });
    try {
      const failure = await Agent.fromConfig(join(dir, 'agent.yaml')).catch((error: unknown) => error);
      expect(ConfigError.isInstance(failure)).toBe(true);
      expect((failure as ConfigError).issues).toEqual([
        expect.objectContaining({ path: 'plugins.0.config.to.billing', message: expect.stringContaining("resolves outside the config's folder") }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
