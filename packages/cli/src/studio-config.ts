/** Values shorter than this stay: `${PORT}` = `80` would otherwise turn every "80" of the config into a placeholder. */
const MIN_VALUE_LENGTH = 4;

/**
 * The config document as the Studio shows it: every value that came from the environment or
 * `.env` (the usual home of secrets) is shown as its placeholder again (`${LLM_URL}`). The
 * Studio's redactor only knows secret-named fields and credential shapes, so a token in a URL
 * path, a webhook or a custom field would otherwise reach every viewer key.
 */
export function configForStudio(document: unknown, configText: string, environment: Record<string, string | undefined>): unknown {
  const names = new Set([...configText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!));
  const replacements = [...names]
    .map((name) => [name, Object.hasOwn(environment, name) ? environment[name] : undefined] as const)
    .filter((pair): pair is readonly [string, string] => typeof pair[1] === 'string' && pair[1].length >= MIN_VALUE_LENGTH)
    // Longest first, so a value that contains another one is replaced whole.
    .sort((a, b) => b[1].length - a[1].length);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return replacements.reduce((text, [name, secret]) => text.split(secret).join(`\${${name}}`), value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    return value;
  };
  return walk(document);
}
