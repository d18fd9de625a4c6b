import type Anthropic from '@anthropic-ai/sdk';
import { type ChatRequest, ConfigError } from '@entity/core';
import { fromMessage, streamEventsOf, toAnthropicConversation, toAnthropicToolChoice, toAnthropicTools } from './anthropic-messages.js';
import { signalAwareFetch, withCallSignal } from './call-signal.js';
import { type CommonLLMOptions, DEFAULT_TIMEOUT_MS } from './llm-options.js';
import { loadSdk } from './load-sdk.js';
import { priceOf } from './pricing.js';
import { createProviderLLM, type ProviderDriver, type ProviderLLM } from './provider-llm.js';
import { createSdkLogBridge } from './sdk-logger.js';
import { unlistedModel } from './unlisted-model.js';

/** Options of `anthropic()`. */
export interface AnthropicOptions extends CommonLLMOptions {
  /** API key. Default: `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** API base URL (without `/v1`). Default: `ANTHROPIC_BASE_URL` or https://api.anthropic.com. */
  baseURL?: string;
  /** Extra headers on every request (beta flags, proxies). */
  headers?: Record<string, string>;
}

/** The Messages API requires `max_tokens`; this is used when neither the request nor the options set one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** An LLM served by Anthropic's Messages API through the official `@anthropic-ai/sdk`. */
export function anthropic(options: AnthropicOptions): ProviderLLM {
  if (!options.model) throw new ConfigError([{ path: 'model', message: 'A model is required', fix: 'Pass a model name such as "claude-haiku-4-5"' }]);
  const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new ConfigError([{ path: 'apiKey', message: 'No Anthropic API key was given and ANTHROPIC_API_KEY is not set', fix: 'export ANTHROPIC_API_KEY=sk-ant-... (or pass apiKey)' }]);
  }
  const baseURL = options.baseURL ?? process.env.ANTHROPIC_BASE_URL;
  const priceFor = (model: string) => options.pricing ?? priceOf('anthropic', model);

  const sdkLog = createSdkLogBridge('anthropic');
  let client: Promise<Anthropic> | undefined;
  const getClient = () =>
    (client ??= loadSdk('@anthropic-ai/sdk', 'The Anthropic provider', () => import('@anthropic-ai/sdk')).then(
      ({ default: AnthropicClient }) =>
        new AnthropicClient({
          apiKey,
          ...(baseURL ? { baseURL } : {}),
          ...(options.headers ? { defaultHeaders: options.headers } : {}),
          fetch: signalAwareFetch(options.fetch),
          // Retries and timeouts are Entity's (createResilientCall); two layers would multiply attempts.
          maxRetries: 0,
          // The SDK prints parse errors (with the raw chunk) and warnings to console otherwise, unredacted.
          logger: sdkLog.sdkLogger,
        }),
    ));

  const body = (request: ChatRequest, model: string) => {
    const conversation = toAnthropicConversation(request.messages);
    return {
      model,
      max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: conversation.messages,
      ...(conversation.system ? { system: conversation.system } : {}),
      ...(request.tools?.length
        ? { tools: toAnthropicTools(request.tools), ...(request.toolChoice ? { tool_choice: toAnthropicToolChoice(request.toolChoice) } : {}) }
        : {}),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
  };

  const driver: ProviderDriver = {
    provider: 'anthropic',
    capabilities: { streaming: true, tools: true, structuredOutput: true, embeddings: false },
    attachLogger: (log) => sdkLog.attach(log),

    async chat(request, model, signal) {
      const sdk = await getClient();
      const message = await withCallSignal(signal, () => sdk.messages.create(body(request, model), { maxRetries: 0 }));
      return fromMessage(message, priceFor(model), model);
    },

    async openStream(request, model, signal) {
      const sdk = await getClient();
      const stream = await withCallSignal(signal, () => sdk.messages.create({ ...body(request, model), stream: true }, { maxRetries: 0 }));
      return streamEventsOf(stream, priceFor(model), model);
    },

    // The tool trick: one tool whose input schema is the answer's schema, and the model forced to call it.
    async structured(request, output, model, signal) {
      const sdk = await getClient();
      const message = await withCallSignal(signal, () =>
        sdk.messages.create(
          {
            ...body({ ...request, tools: [] }, model),
            tools: [{ name: output.name, description: 'Give your answer as the input of this tool.', input_schema: output.schema as Anthropic.Tool.InputSchema }],
            tool_choice: { type: 'tool', name: output.name },
          },
          { maxRetries: 0 },
        ),
      );
      const { content, toolCalls, ...response } = fromMessage(message, priceFor(model), model);
      const answer = toolCalls.find((call) => call.name === output.name);
      const raw = answer === undefined ? content : typeof answer.arguments === 'string' ? answer.arguments : JSON.stringify(answer.arguments);
      return { raw, response };
    },

    async healthCheck(signal, model) {
      const sdk = await getClient();
      const listed: string[] = [];
      // Every page: Anthropic pages its model list (20 per page by default).
      await withCallSignal(signal, async () => {
        for await (const entry of sdk.models.list({ limit: 1000 }, { maxRetries: 0 })) listed.push(entry.id);
      });
      if (listed.length > 0 && !listed.includes(model)) return unlistedModel('anthropic', sdk.baseURL, model, listed);
      return { healthy: true, message: `Anthropic answers at ${sdk.baseURL}; model ${model}`, details: { provider: 'anthropic', model, baseURL: sdk.baseURL } };
    },
  };
  return createProviderLLM(driver, { ...options, defaultTimeoutMs: DEFAULT_TIMEOUT_MS });
}
