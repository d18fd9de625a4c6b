import { ConfigError } from '@entity/core';

/**
 * pgvector session settings for every connection. Iterative scans (pgvector >= 0.8) keep
 * walking the HNSW graph until enough rows pass the user/metadata filter, so a filtered
 * search still returns k results; older servers ignore the unknown setting.
 */
export function searchSettings(efSearch = 100): Record<string, string | number> {
  if (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
    throw new ConfigError([{ path: 'efSearch', message: `is ${efSearch}`, fix: 'use an integer between 1 and 1000 (default 100)' }]);
  }
  return { 'hnsw.ef_search': efSearch, 'hnsw.iterative_scan': 'relaxed_order' };
}
