import type { HealthReport } from '@entity/core';

/** The health report of a server that answers but does not offer the configured model. */
export function unlistedModel(provider: string, baseURL: string, model: string, listed: readonly string[]): HealthReport {
  const shown = listed.length > 12 ? `${listed.slice(0, 12).join(', ')}, … (${listed.length} in all)` : listed.join(', ');
  return {
    healthy: false,
    message: `${provider} at ${baseURL} does not offer model "${model}"; it lists: ${shown}. Set model to one of them.`,
    details: { provider, model, baseURL, listed },
  };
}
