export {
  isDistinctiveSecretValue,
  MAX_REDACTED_TEXT_LENGTH,
  MIN_ENVIRONMENT_SECRET_LENGTH,
  SECRET_ENVIRONMENT_NAME,
  SECRET_FIELD_NAMES,
  SECRET_TEXT_PATTERNS,
} from './secret-patterns.js';
export { createSecretRedactor, redactIssues, redactSecrets, type SecretRedactor, type SecretRedactorOptions } from './secret-redactor.js';
