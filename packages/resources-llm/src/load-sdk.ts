import { MissingPackageError } from '@entity/core';

const cache = new Map<string, Promise<unknown>>();

/**
 * Imports a provider SDK on first use and caches it, so an app that only talks to Ollama never
 * loads the OpenAI or Anthropic SDKs. A missing package becomes a MissingPackageError naming it.
 */
export function loadSdk<T>(packageName: string, feature: string, importer: () => Promise<T>): Promise<T> {
  let loading = cache.get(packageName) as Promise<T> | undefined;
  if (!loading) {
    loading = importer().catch((error: unknown) => {
      cache.delete(packageName);
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw new MissingPackageError(packageName, feature, { cause: error });
      }
      throw error;
    });
    cache.set(packageName, loading);
  }
  return loading;
}
