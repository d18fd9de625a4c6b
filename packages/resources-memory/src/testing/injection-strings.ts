/**
 * Strings that break naively built SQL (quotes, comment markers, stacked statements,
 * placeholders, LIKE wildcards, JSON operators). A memory must store and match them literally.
 */
export const INJECTION_STRINGS: readonly string[] = [
  "'; DROP TABLE entity_kv; --",
  "' OR '1'='1",
  '" OR ""="',
  '1; DELETE FROM entity_messages',
  "Robert'); DROP TABLE students;--",
  "x' UNION SELECT key, value FROM entity_kv --",
  "'); SELECT pg_sleep(10); --",
  '$1',
  '$$ || $$',
  '%',
  '_',
  '\\',
  "\\'; --",
  '{"$gt": ""}',
  "metadata->>'role' = 'admin'",
  '\u2019 OR 1=1 --',
  '/* comment */',
];
