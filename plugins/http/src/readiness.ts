import type { Agent, HealthReport, Logger, Resource } from '@entity/core';

/** What `GET /health/ready` answers: ready when the agent started and every resource is healthy. */
export interface Readiness {
  ready: boolean;
  /** Per resource: healthy or not. Messages stay in the log (they can name hosts and users). */
  resources: Record<string, { healthy: boolean }>;
}

const CHECK_TIMEOUT_MS = 5_000;
const CACHE_MS = 1_000;

async function checkOne(resource: Resource): Promise<HealthReport> {
  if (!resource.healthCheck) return { healthy: true, message: 'no health check' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => resolve({ healthy: false, message: `health check took longer than ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([resource.healthCheck(), timeout]);
  } catch (error) {
    return { healthy: false, message: `health check threw: ${(error as Error)?.message ?? String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks readiness at most once a second however often probes come, so a probe flood cannot
 * become a flood of database pings.
 */
export function readinessChecker(agent: Agent, logger: Logger): () => Promise<Readiness> {
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const check = async (): Promise<Readiness> => {
    try {
      await agent.start();
    } catch (error) {
      logger.warn(`not ready: the agent did not start: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
      return { ready: false, resources: {} };
    }
    const names = agent.describe().resources.map((resource) => resource.name);
    const reports = await Promise.all(names.map((name) => checkOne(agent.resource<Resource>(name))));
    const resources: Readiness['resources'] = {};
    names.forEach((name, index) => {
      const report = reports[index]!;
      resources[name] = { healthy: report.healthy };
      if (!report.healthy) logger.warn(`not ready: resource "${name}" is unhealthy: ${report.message}`, { component: 'http', resource: name });
    });
    return { ready: reports.every((report) => report.healthy), resources };
  };
  return () => {
    const now = performance.now();
    if (!cached || now - cached.at > CACHE_MS) cached = { at: now, result: check() };
    return cached.result;
  };
}
