import { type ZodObject, type ZodType, z } from 'zod';
import type { Plugin } from '../contracts/plugin.js';
import type { ConfigIssue } from '../errors/index.js';
import { configIssuesFrom } from '../config/config-issues.js';

/**
 * A plugin's config schema as the engine checks it: a plain `z.object` (zod's default strips
 * unknown keys silently) becomes strict, so a typo such as `temprature` is an error instead of a
 * setting that quietly does nothing. Authors who want extra keys say so with `.loose()` or
 * `.catchall()`, which are left as written.
 */
function strictByDefault(schema: ZodType): ZodType {
  // A schema that is not zod 4's (any object with `safeParse`) is used as given.
  const definition = (schema as unknown as { _zod?: { def?: { type: string; catchall?: unknown } } })._zod?.def;
  return definition?.type === 'object' && definition.catchall === undefined ? (schema as ZodObject).strict() : schema;
}

const checked = new WeakMap<ZodType, ZodType>();

/**
 * Parses a plugin's raw config against its schema (unknown keys rejected by default). Issue paths
 * start at `where` (`plugins.2 (my-plugin)` for a config entry) and continue under `.config`.
 */
export function parsePluginConfig(plugin: Plugin<unknown>, raw: unknown, where: string): { ok: true; config: unknown } | { ok: false; issues: ConfigIssue[] } {
  const schema = plugin.configSchema;
  if (!schema) return { ok: true, config: raw };
  let strict = checked.get(schema);
  if (!strict) {
    strict = strictByDefault(schema);
    checked.set(schema, strict);
  }
  const parsed = strict.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, issues: configIssuesFrom(parsed.error as z.ZodError, [where, 'config'], strict) };
}
