import type { CheckResult, DoctorSettings } from './check.js';

export const SUGGESTED_MODEL = 'llama3.2:3b';
const isEmbeddingModel = (name: string) => /embed|minilm|bge-/i.test(name);

/** `OLLAMA_HOST` accepts `host`, `host:port` or a URL. */
export function normaliseOllamaHost(value: string | undefined): string {
  const text = (value ?? '').trim() || 'http://localhost:11434';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    const url = new URL(withScheme);
    if (url.hostname === '0.0.0.0') url.hostname = 'localhost';
    if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(withScheme)) url.port = url.protocol === 'https:' ? '443' : '11434';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return withScheme.replace(/\/+$/, '');
  }
}

/** Asks Ollama for its installed models (GET /api/tags). */
export async function checkOllama(settings: DoctorSettings): Promise<CheckResult & { chatModels: string[] }> {
  const host = settings.ollamaHost;
  try {
    const response = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(settings.timeoutMs) });
    if (!response.ok) {
      return { id: 'ollama', title: 'Ollama', status: 'warn', message: `${host} answered HTTP ${response.status}; is it Ollama?`, fix: 'check OLLAMA_HOST (or --ollama-host)', chatModels: [] };
    }
    const body = (await response.json()) as { models?: { name?: string }[] };
    const models = (body.models ?? []).map((model) => model.name ?? '').filter(Boolean);
    const chatModels = models.filter((name) => !isEmbeddingModel(name));
    if (chatModels.length === 0) {
      return {
        id: 'ollama',
        title: 'Ollama',
        status: 'warn',
        message: `running at ${host}, but no chat model is installed${models.length > 0 ? ` (only ${models.join(', ')})` : ''}`,
        fix: `ollama pull ${SUGGESTED_MODEL}`,
        details: { host, models },
        chatModels,
      };
    }
    return { id: 'ollama', title: 'Ollama', status: 'ok', message: `running at ${host}; models: ${models.join(', ')}`, details: { host, models }, chatModels };
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : 'not reachable';
    return {
      id: 'ollama',
      title: 'Ollama',
      status: 'warn',
      message: `${reason} at ${host}`,
      fix: `install Ollama (https://ollama.com/download), start it with \`ollama serve\`, then \`ollama pull ${SUGGESTED_MODEL}\`; or set OLLAMA_HOST`,
      details: { host },
      chatModels: [],
    };
  }
}

/** Whether any model is usable: Ollama with a chat model, or a hosted provider's key. */
export function checkModelAvailable(ollama: { chatModels: string[] }, settings: DoctorSettings): CheckResult {
  if (ollama.chatModels.length > 0) return { id: 'model', title: 'Language model', status: 'ok', message: `Ollama ${ollama.chatModels[0]}` };
  if (settings.env.OPENAI_API_KEY) return { id: 'model', title: 'Language model', status: 'ok', message: 'OpenAI (OPENAI_API_KEY)' };
  if (settings.env.ANTHROPIC_API_KEY) return { id: 'model', title: 'Language model', status: 'ok', message: 'Anthropic (ANTHROPIC_API_KEY)' };
  return {
    id: 'model',
    title: 'Language model',
    status: 'fail',
    message: 'no model is reachable: Ollama has no chat model (or is not running) and no API key is set',
    fix: `start Ollama and \`ollama pull ${SUGGESTED_MODEL}\`, or export OPENAI_API_KEY=sk-..., or export ANTHROPIC_API_KEY=sk-ant-...`,
  };
}
