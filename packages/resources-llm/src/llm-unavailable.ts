import { ResourceError } from '@entity/core';
import { LLM_ERROR_CODES } from './provider-errors.js';

/** The model `defaultLLM()` suggests pulling: small enough for a laptop, good at tool calls. */
export const SUGGESTED_OLLAMA_MODEL = 'llama3.2:3b';

export const DEFAULT_OLLAMA_HOST = 'http://localhost:11434';

/** `OLLAMA_HOST` accepts `host`, `host:port` or a URL; the SDK and our messages need a URL. */
export function normaliseOllamaHost(host: string | undefined): string {
  const value = (host ?? '').trim();
  if (value.length === 0) return DEFAULT_OLLAMA_HOST;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  try {
    const url = new URL(withScheme);
    if (url.hostname === '0.0.0.0') url.hostname = 'localhost';
    if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(withScheme)) url.port = url.protocol === 'https:' ? '443' : '11434';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return withScheme.replace(/\/+$/, '');
  }
}

/** The three ways to get a model, as printed by `defaultLLM()`, the quickstart and `entity doctor`. */
export function howToGetAModel(): string {
  return [
    'Get a model in one of three ways:',
    `  1. Local, free: install Ollama (https://ollama.com/download), start it with \`ollama serve\`, then run \`ollama pull ${SUGGESTED_OLLAMA_MODEL}\``,
    '  2. OpenAI: export OPENAI_API_KEY=sk-...',
    '  3. Anthropic: export ANTHROPIC_API_KEY=sk-ant-...',
  ].join('\n');
}

/** No provider could be found: lists what was checked and what to do. */
export function noLLMAvailableError(checks: readonly string[]): ResourceError {
  const message = ['No language model is available. Entity checked:', ...checks.map((check) => `  - ${check}`), '', howToGetAModel()].join('\n');
  return new ResourceError('llm', message, {
    code: LLM_ERROR_CODES.unavailable,
    safeMessage: 'No language model is configured for this agent yet.',
    details: { reason: 'no-provider', checks },
  });
}

/** The configured Ollama model is not installed. */
export function missingOllamaModelError(host: string, model: string, installed?: readonly string[]): ResourceError {
  const installedText = installed === undefined ? '' : installed.length === 0 ? ' It has no models installed yet.' : ` Installed: ${installed.join(', ')}.`;
  const message = [
    `Ollama at ${host} does not have the model "${model}".${installedText}`,
    `Run \`ollama pull ${model}\` and try again, or choose an installed model (\`ollama list\`).`,
    'Or use a hosted model instead: export OPENAI_API_KEY=sk-... or export ANTHROPIC_API_KEY=sk-ant-...',
  ].join('\n');
  return new ResourceError('llm', message, {
    code: LLM_ERROR_CODES.unavailable,
    safeMessage: 'The language model for this agent is not installed yet.',
    details: { reason: 'model-missing', provider: 'ollama', host, model, ...(installed ? { installed: [...installed] } : {}) },
  });
}
