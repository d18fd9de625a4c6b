import type { CheckResult, DoctorSettings } from './check.js';

const FIXES: Record<string, string> = {
  openai: 'check resources.llm: baseURL (it ends in /v1 for most servers), apiKey (usually ${OPENAI_API_KEY}) and model (one the server lists)',
  anthropic: 'check resources.llm: apiKey (usually ${ANTHROPIC_API_KEY}), baseURL if you set one, and model (one the API lists)',
  ollama: 'check resources.llm: host (is `ollama serve` running there?) and model (`ollama pull <model>`)',
  fallback: 'check each entry of resources.llm.providers: address, key and model',
};

/**
 * The model the project configures (`resources.llm` of its config), checked the way it will be
 * used: the resource is built from the config (its baseURL, key and model, `${VAR}` and `.env`
 * included) and its health check asks the server for its models. `undefined` when the config
 * names no `llm`, so the zero-config detection (Ollama, then keys) is what gets checked.
 */
export async function checkConfiguredModel(configFile: string, settings: DoctorSettings): Promise<CheckResult | undefined> {
  const internal = await import('@entity/core/internal');
  const { document, baseDir } = await internal.readConfigDocument(configFile, settings.env);
  const resources = document.resources as Record<string, unknown> | undefined;
  const llm = resources?.llm;
  if (typeof llm !== 'object' || llm === null) return undefined;
  const type = String((llm as { type?: unknown }).type);
  const title = 'Language model';
  // Only the llm: the rest of the config (plugins, other resources) is the config check's business.
  const compiled = await internal.compileConfig({ resources: { llm } }, { baseDir, environment: settings.env });
  const resource = compiled.agentOptions?.resources?.llm as { healthCheck?(): Promise<{ healthy: boolean; message: string }>; stop?(): unknown } | undefined;
  if (!compiled.report.ok || !resource) {
    const issue = compiled.report.issues[0];
    return { id: 'model', title, status: 'fail', message: `resources.llm (${type}) is not usable: ${issue ? `${issue.path}: ${issue.message}` : 'it could not be created'}`, fix: issue?.fix ?? FIXES[type] ?? 'run `entity validate`' };
  }
  try {
    const health = await resource.healthCheck?.();
    if (!health) return { id: 'model', title, status: 'warn', message: `resources.llm (${type}) has no health check`, fix: 'try `entity run "hello"`' };
    return health.healthy
      ? { id: 'model', title, status: 'ok', message: health.message }
      : { id: 'model', title, status: 'fail', message: `resources.llm (${type}): ${health.message}`, fix: FIXES[type] ?? 'check resources.llm in the config' };
  } finally {
    await resource.stop?.();
  }
}
