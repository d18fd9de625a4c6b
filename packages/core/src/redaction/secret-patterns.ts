/**
 * Credential shapes scrubbed from any text, matched case-insensitively (`DB_PASSWORD=`,
 * `Password=`, `POSTGRES://`, `X-Api-Key:` alike) — except the `caseSensitive` ones: vendor
 * tokens have a fixed case (`sk-`, `AKIA`, `ghp_`), and matched in any case they would censor
 * ordinary words and identifiers (`Asiapacificregions12`, `SK-1234567890ABCDEFGH`). Every
 * pattern starts at a fixed literal or keyword and keeps its repetitions bounded or self-delimiting, so scanning stays linear in the
 * length of the text: a pattern that can start at every word and scan to the end of the input
 * (the old `(?:\w+[_-])*password` prefix) took seconds on 128 KB of `a-a-a-…` and froze the
 * event loop. `keep` is the part of a match that stays readable before the censor, `keepEnd` the
 * part after it. `@entity/logging` scrubs with this same list.
 */
export const SECRET_TEXT_PATTERNS: readonly { name: string; pattern: string; keep?: string; keepEnd?: string; caseSensitive?: boolean }[] = [
  /**
   * A PEM private key block (`-----BEGIN RSA PRIVATE KEY-----` … `-----END …-----`); the markers
   * stay. The body is what a PEM body may hold (base64, line breaks, `\n` escapes, the
   * `Proc-Type:`/`DEK-Info:` lines of an encrypted key) and never the start of a `-----` marker,
   * so it is read greedily once: no lazy scan for the END marker from every BEGIN.
   */
  {
    name: 'PEM private key',
    pattern: String.raw`-----BEGIN [A-Z ]{0,32}PRIVATE KEY-----(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----)){1,8192}(?:-----END [A-Z ]{0,32}PRIVATE KEY-----)?`,
    keep: '^-----BEGIN [A-Z ]*PRIVATE KEY-----',
    keepEnd: '-----END [A-Z ]*PRIVATE KEY-----$',
  },
  /** OpenAI (`sk-…`, `sk-proj-…`) and Anthropic (`sk-ant-…`) style API keys. */
  { name: 'provider API key', pattern: String.raw`\bsk-[A-Za-z0-9_-]{16,}`, caseSensitive: true },
  /**
   * `Authorization: Basic …` as a header (or `"authorization": "Basic …"`): after the header name
   * the credential goes whatever it looks like — `dXNlcjpwYXNz` (`user:pass`) has no digit.
   */
  {
    name: 'authorization header (Basic)',
    pattern: String.raw`\bauthorization["']?\s{0,8}[:=]\s{0,8}["']?basic\s{1,8}[^\s"'\\,;]{1,1024}`,
    keep: String.raw`^.*?basic\s+`,
  },
  /**
   * `Bearer …` / `Basic …` anywhere else: the scheme stays, the credential goes. A `Basic`
   * credential there must look like base64 — 12 characters or more up to a word's end, with a
   * digit, `+`, `/`, `=` or a lower-then-upper case change in them — so prose like "basic
   * settings" or "Basic authentication" stays.
   */
  {
    name: 'authorization credential',
    pattern: String.raw`\b(?:[Bb][Ee][Aa][Rr][Ee][Rr]\s{1,8}[A-Za-z0-9._~+/=-]{8,}|[Bb][Aa][Ss][Ii][Cc]\s{1,8}(?=[A-Za-z0-9+/]{0,256}?(?:[0-9+/=]|[a-z][A-Z]))[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=._~-]))`,
    keep: String.raw`^\S+\s+`,
    // The case change in a credential is a signal, so this one is case-sensitive; the scheme's own case is spelled out.
    caseSensitive: true,
  },
  { name: 'JSON Web Token', pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, caseSensitive: true },
  { name: 'AWS access key id', pattern: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, caseSensitive: true },
  { name: 'GitHub token', pattern: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`, caseSensitive: true },
  { name: 'Slack token', pattern: String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`, caseSensitive: true },
  { name: 'Google API key', pattern: String.raw`\bAIza[0-9A-Za-z_-]{35}`, caseSensitive: true },
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
   * more, or a digit or symbol in it — so prose such as "the token: expired" stays. An unquoted
   * value that is a PEM block (`PRIVATE_KEY=-----BEGIN …`) is left to the PEM pattern, which
   * censors the whole body rather than the first word of it.
   */
  {
    name: 'secret pair',
    pattern: String.raw`(?:(?:password|passwd|pwd|secret|token|credentials?)(?:[_-]?key)?|(?:api|access|private)[_-]?key)["']?\s{0,16}[:=]\s{0,16}(?:"[^"\r\n]{1,4096}"|'[^'\r\n]{1,4096}'|(?!-----BEGIN )(?:[^\s"'&,;)}\][]{8,}|(?=[^\s"'&,;)}\][]{0,6}[0-9!#$%*+/=@^_~-])[^\s"'&,;)}\][]{3,}))`,
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
 * Values shorter than this are never treated as secrets. A value of 6 or 7 characters also needs a
 * digit or symbol (`Pa55w0r`), one of 8 to 11 a character other than a lowercase letter, and any
 * longer one counts: `postgres`, `entity`, `ollama` or `Secret` — common development passwords and
 * the documented Ollama key — are ordinary words, and censoring them would censor "could not
 * connect to postgres" and "@entity/logging" in every log line.
 */
export const MIN_ENVIRONMENT_SECRET_LENGTH = 6;

/** Whether an environment value (of a secret-named variable) is distinctive enough to censor wherever it appears. */
export function isDistinctiveSecretValue(value: string): boolean {
  if (value.length < MIN_ENVIRONMENT_SECRET_LENGTH) return false;
  if (value.length < 8) return /[^A-Za-z]/.test(value);
  return value.length >= 12 || /[^a-z]/.test(value);
}

/**
 * Field names censored whole at any depth, compared case-insensitively with `-` and `_` ignored; a
 * name also matches when it ends with one of them (`openaiApiKey` matches `apikey`). The same
 * list `@entity/logging` uses as its `DEFAULT_SECRET_KEYS`.
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
