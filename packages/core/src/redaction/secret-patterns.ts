/**
 * Credential shapes scrubbed from any text. Kept in step with `@entity/logging`'s patterns (its
 * list is a subset of this one), so an entry looks the same whichever logger wrote it.
 */
export const SECRET_TEXT_PATTERNS: readonly { name: string; pattern: string; keep?: string }[] = [
  /** OpenAI (`sk-…`, `sk-proj-…`) and Anthropic (`sk-ant-…`) style API keys. */
  { name: 'provider API key', pattern: String.raw`\bsk-[A-Za-z0-9_-]{16,}` },
  /** `Authorization: Bearer …` / `Basic …`: the scheme stays, the credential goes. */
  { name: 'authorization header', pattern: String.raw`\b(?:[Bb]earer|[Bb]asic)\s+[A-Za-z0-9._~+/=-]{8,}`, keep: String.raw`^\S+\s` },
  { name: 'JSON Web Token', pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}` },
  { name: 'AWS access key id', pattern: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b` },
  { name: 'GitHub token', pattern: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})` },
  { name: 'Slack token', pattern: String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}` },
  { name: 'Google API key', pattern: String.raw`\bAIza[0-9A-Za-z_-]{35}` },
  /** The password of `scheme://user:password@host` (the user and host stay readable). */
  { name: 'URL password', pattern: String.raw`(?<=\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)` },
  /**
   * The value of `password=…`, `apikey: …`, `"client_secret":"…"`, `DB_PASSWORD=…`, `x-api-key: …`
   * and similar pairs (query strings, headers, JSON, `.env` lines); the name stays.
   */
  {
    name: 'secret pair',
    pattern: String.raw`\b(?:[A-Za-z0-9]+[_-])*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)["']?\s*[:=]\s*["']?[^\s"'&,;)}\]]{3,}`,
    keep: String.raw`^.*?[:=]\s*["']?`,
  },
];

/**
 * Environment variables whose values are secrets wherever they show up in text: names ending in
 * `_KEY` (or exactly `KEY`), or in `TOKEN`, `SECRET`, `PASSWORD`, `PASSWD` or `CREDENTIALS`
 * (`OPENAI_API_KEY`, `GITHUB_TOKEN`, `PGPASSWORD`, `AWS_SECRET_ACCESS_KEY`).
 */
export const SECRET_ENVIRONMENT_NAME = /(?:(?:^|_)KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/** Values shorter than this are not treated as secrets (`true`, `1`, `dev` would censor ordinary words). */
export const MIN_ENVIRONMENT_SECRET_LENGTH = 6;

/**
 * Field names censored whole at any depth, compared case-insensitively with `-` and `_` ignored; a
 * name also matches when it ends with one of them (`openaiApiKey` matches `apikey`). The same
 * list as `@entity/logging`'s `DEFAULT_SECRET_KEYS`.
 */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'password',
  'passwd',
  'secret',
  'token',
  'privatekey',
  'secretkey',
  'accesskey',
  'credentials',
  'connectionstring',
];
