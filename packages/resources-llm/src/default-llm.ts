import { anthropic } from './anthropic-llm.js';
import type { CommonLLMOptions } from './llm-options.js';
import { noLLMAvailableError, normaliseOllamaHost, SUGGESTED_OLLAMA_MODEL } from './llm-unavailable.js';
import { ollama, ollamaClientFactory } from './ollama-llm.js';
import { openai } from './openai-llm.js';
import type { ProviderLLM } from './provider-llm.js';
import { toProviderError } from './provider-errors.js';

/** Ollama models `defaultLLM()` prefers, in order, when several are installed. */
export const PREFERRED_OLLAMA_MODELS: readonly string[] = [SUGGESTED_OLLAMA_MODEL, 'llama3.2:1b', 'phi3:mini', 'gemma2:2b'];
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';

/** Options of `defaultLLM()` and `detectDefaultLLM()`. */
export interface DefaultLLMOptions {
  /** Environment to read `OLLAMA_HOST`, `OPENAI_API_KEY`, `ANTHROPIC_API_KEY` from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** How long to wait for Ollama to answer, in ms. Default: 1500. */
  probeTimeoutMs?: number;
  /** Ollama models to prefer, in order. Default: llama3.2:3b, llama3.2:1b, phi3:mini, gemma2:2b; else the first installed. */
  preferredOllamaModels?: readonly string[];
  /** Model used when OpenAI is chosen. Default: `gpt-4o-mini`. */
  openaiModel?: string;
  /** Model used when Anthropic is chosen. Default: `claude-haiku-4-5`. */
  anthropicModel?: string;
  /** Settings passed to the chosen provider (timeouts, retries, circuit breaker, fetch). */
  llmOptions?: Omit<CommonLLMOptions, 'model'>;
}

/** What `detectDefaultLLM()` found: the provider to use and, line by line, what it checked. */
export interface DefaultLLMDetection {
  provider: 'ollama' | 'openai' | 'anthropic';
  model: string;
  /** Ollama's address when Ollama was chosen. */
  host?: string;
  checks: string[];
}

interface InstalledModel {
  name: string;
  families: string[];
}

/** Embedding-only models cannot chat; never pick one as the default chat model. */
function isEmbeddingModel(model: InstalledModel): boolean {
  return /embed|minilm|bge-/i.test(model.name) || model.families.some((family) => /bert/i.test(family));
}

export function chooseOllamaModel(installed: readonly InstalledModel[], preferred: readonly string[]): string | undefined {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  for (const wanted of preferred) {
    const match = installed.find((model) => withTag(model.name) === withTag(wanted));
    if (match) return match.name;
  }
  return installed.find((model) => !isEmbeddingModel(model))?.name;
}

async function probeOllama(host: string, timeoutMs: number, fetch: typeof globalThis.fetch | undefined): Promise<InstalledModel[] | string> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const { models } = await ollamaClientFactory(host, fetch)(signal, (client) => client.list());
    if (!Array.isArray(models)) return 'answered, but not like Ollama';
    return models.map((model) => ({ name: model.name, families: model.details?.families ?? [] }));
  } catch (error) {
    if (signal.aborted) return `no answer within ${timeoutMs} ms`;
    const normalised = toProviderError('ollama', error) as { code?: string; message: string };
    return normalised.code === 'LLM_PROVIDER_UNAVAILABLE' && /Could not reach/.test(normalised.message) ? 'not reachable' : `not usable (${normalised.message.split('\n')[0]})`;
  }
}

/**
 * Finds the zero-config model: Ollama when it answers at `OLLAMA_HOST` or localhost:11434 and has
 * a chat model, else OpenAI when `OPENAI_API_KEY` is set, else Anthropic when `ANTHROPIC_API_KEY`
 * is set. Throws a `ResourceError` with code `LLM_UNAVAILABLE` listing the three ways to get one.
 */
export async function detectDefaultLLM(options: DefaultLLMOptions = {}): Promise<DefaultLLMDetection> {
  const env = options.env ?? process.env;
  const host = normaliseOllamaHost(env.OLLAMA_HOST);
  const source = env.OLLAMA_HOST ? 'OLLAMA_HOST' : 'default address';
  const checks: string[] = [];

  const probe = await probeOllama(host, options.probeTimeoutMs ?? 1500, options.llmOptions?.fetch);
  if (typeof probe === 'string') {
    checks.push(`Ollama at ${host} (${source}): ${probe}`);
  } else {
    const model = chooseOllamaModel(probe, options.preferredOllamaModels ?? PREFERRED_OLLAMA_MODELS);
    if (model) {
      checks.push(`Ollama at ${host} (${source}): running; using ${model}`);
      return { provider: 'ollama', model, host, checks };
    }
    checks.push(`Ollama at ${host} (${source}): running, but no chat model is installed — run \`ollama pull ${SUGGESTED_OLLAMA_MODEL}\``);
  }

  if (env.OPENAI_API_KEY) {
    const model = options.openaiModel ?? DEFAULT_OPENAI_MODEL;
    checks.push(`OPENAI_API_KEY: set; using ${model}`);
    return { provider: 'openai', model, checks };
  }
  checks.push('OPENAI_API_KEY: not set');

  if (env.ANTHROPIC_API_KEY) {
    const model = options.anthropicModel ?? DEFAULT_ANTHROPIC_MODEL;
    checks.push(`ANTHROPIC_API_KEY: set; using ${model}`);
    return { provider: 'anthropic', model, checks };
  }
  checks.push('ANTHROPIC_API_KEY: not set');
  throw noLLMAvailableError(checks);
}

/** The zero-config LLM (see `detectDefaultLLM` for the order). */
export async function defaultLLM(options: DefaultLLMOptions = {}): Promise<ProviderLLM> {
  const env = options.env ?? process.env;
  const found = await detectDefaultLLM(options);
  const settings = { ...options.llmOptions, model: found.model };
  switch (found.provider) {
    case 'ollama':
      return ollama({ ...settings, ...(found.host ? { host: found.host } : {}) });
    case 'openai':
      return openai({ ...settings, ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}), ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) });
    case 'anthropic':
      return anthropic({ ...settings, ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}), ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}) });
  }
}
