/**
 * Credential shapes scrubbed from any text, matched case-insensitively (`DB_PASSWORD=`,
 * `Password=`, `POSTGRES://`, `X-Api-Key:` alike). Every pattern starts at a fixed literal or
 * keyword and keeps its repetitions bounded or self-delimiting, so scanning stays linear in the
 * length of the text: a pattern that can start at every word and scan to the end of the input
 * (the old `(?:\w+[_-])*password` prefix) took seconds on 128 KB of `a-a-a-…` and froze the
 * event loop. `keep` is the part of a match that stays readable before the censor, `keepEnd` the
 * part after it. `@entity/logging` scrubs with this same list.
 */
export const SECRET_TEXT_PATTERNS: readonly { name: string; pattern: string; keep?: string; keepEnd?: string }[] = [
  /** A PEM private key block (`-----BEGIN RSA PRIVATE KEY-----` … `-----END …-----`); the markers stay. */
  {
    name: 'PEM private key',
    pattern: String.raw`-----BEGIN [A-Z ]{0,32}PRIVATE KEY-----(?:[\s\S]{1,8192}?-----END [A-Z ]{0,32}PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]{1,8192})`,
    keep: '^-----BEGIN [A-Z ]*PRIVATE KEY-----',
    keepEnd: '-----END [A-Z ]*PRIVATE KEY-----$',
  },
  /** OpenAI (`sk-…`, `sk-proj-…`) and Anthropic (`sk-ant-…`) style API keys. */
  { name: 'provider API key', pattern: String.raw`\bsk-[A-Za-z0-9_-]{16,}` },
  /**
   * `Authorization: Bearer …` / `Basic …`: the scheme stays, the credential goes. A `Basic`
   * credential must look like base64 (a digit, `+`, `/` or `=`), so prose like "basic settings"
   * stays.
   */
  {
    name: 'authorization header',
    pattern: String.raw`\b(?:bearer\s{1,8}[A-Za-z0-9._~+/=-]{8,}|basic\s{1,8}(?=[A-Za-z0-9._~+/=-]{0,256}?[0-9+/=])[A-Za-z0-9._~+/=-]{8,})`,
    keep: String.raw`^\S+\s+`,
  },
  { name: 'JSON Web Token', pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}` },
  { name: 'AWS access key id', pattern: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b` },
  { name: 'GitHub token', pattern: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})` },
  { name: 'Slack token', pattern: String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}` },
  { name: 'Google API key', pattern: String.raw`\bAIza[0-9A-Za-z_-]{35}` },
  /**
   * The password of `scheme://user:password@host` (the user and host stay readable). Matched from
   * the scheme forwards: a lookbehind would be tried at every position of every string.
   */
  { name: 'URL password', pattern: String.raw`\b[a-z][a-z0-9+.-]{0,32}://[^\s:/@]{0,256}:[^\s@/]+@`, keep: String.raw`^[^:]*://[^\s:/@]*:`, keepEnd: '@$' },
  /**
   * The value of `password=…`, `apikey: …`, `"client_secret":"…"`, `DB_PASSWORD=…`,
   * `X-Api-Key: …`, `SECRET_KEY="…"` and similar pairs (query strings, headers, JSON, `.env`
   * lines, connection strings); the name stays. It starts at the keyword itself (whatever comes
   * before it, `DB_`, `x-`, `client_`, stays as it is). A quoted value is censored up to its
   * closing quote, spaces included; an unquoted one must look like a credential — 8 characters or
   * more, or a digit or symbol in it — so prose such as "the token: expired" stays.
   */
  {
    name: 'secret pair',
    pattern: String.raw`(?:(?:password|passwd|pwd|secret|token|credentials?)(?:[_-]?key)?|(?:api|access|private)[_-]?key)["']?\s{0,16}[:=]\s{0,16}(?:"[^"\r\n]{1,4096}"|'[^'\r\n]{1,4096}'|[^\s"'&,;)}\][]{8,}|(?=[^\s"'&,;)}\][]{0,6}[0-9!#$%*+/=@^_~-])[^\s"'&,;)}\][]{3,})`,
    keep: String.raw`^.*?[:=]\s*["']?`,
    keepEnd: "[\"']$",
  },
];

/**
 * Environment variables whose values are secrets wherever they show up in text: names ending in
 * `_KEY` (or exactly `KEY`), or in `TOKEN`, `SECRET`, `PASSWORD`, `PASSWD` or `CREDENTIALS`
 * (`OPENAI_API_KEY`, `GITHUB_TOKEN`, `PGPASSWORD`, `AWS_SECRET_ACCESS_KEY`).
 */
export const SECRET_ENVIRONMENT_NAME = /(?:(?:^|_)KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/**
 * Values shorter than this are never treated as secrets. A value also needs 12 characters, or a
 * character other than a lowercase letter: `postgres`, `entity` or `ollama` — common development
 * passwords and the documented Ollama key — are ordinary words, and censoring them would censor
 * "could not connect to postgres" and "@entity/logging" in every log line.
 */
export const MIN_ENVIRONMENT_SECRET_LENGTH = 8;

/** Whether an environment value (of a secret-named variable) is distinctive enough to censor wherever it appears. */
export function isDistinctiveSecretValue(value: string): boolean {
  if (value.length < MIN_ENVIRONMENT_SECRET_LENGTH) return false;
  return value.length >= 12 || /[^a-z]/.test(value);
}

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

/**
 * Longest string the redactor scans (64 KB). Longer text is cut there, with a marker naming how
 * much was dropped: the patterns are linear, but a log line or tool error of megabytes is itself
 * the problem, and unscanned text cannot be let through.
 */
export const MAX_REDACTED_TEXT_LENGTH = 64 * 1024;
