import { ValidationError } from '@entity/core';

/** S3's limit on user metadata (keys plus values, in bytes); applied on every driver. */
export const MAX_METADATA_BYTES = 2048;
const METADATA_KEY = /^[a-z0-9][a-z0-9_-]*$/;
/** Printable ASCII only: values travel as HTTP headers on S3, where CR/LF would inject headers. */
const HEADER_VALUE = /^[\x20-\x7e]*$/;
const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9_-]+=("[\x20-\x7e]*"|[a-z0-9_.+-]+))*$/i;

function invalid(key: string, message: string): never {
  throw new ValidationError(`Storage put refused for key "${key}": ${message}`, { code: 'STORAGE_INVALID_METADATA', details: { key, operation: 'put' } });
}

/** Lower-cases metadata keys (S3 does) and checks names, values and total size. */
export function validateMetadata(key: string, metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) invalid(key, 'metadata must be an object of strings');
  const result: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    const lower = name.toLowerCase();
    if (!METADATA_KEY.test(lower)) invalid(key, `metadata name ${JSON.stringify(name)} must use letters, digits, "-" and "_"`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      invalid(key, `metadata value of "${name}" must be printable ASCII text`);
    }
    if (Object.hasOwn(result, lower)) invalid(key, `metadata name "${lower}" appears twice (names are case-insensitive)`);
    result[lower] = value;
    bytes += lower.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) invalid(key, `metadata is ${bytes} bytes; the limit is ${MAX_METADATA_BYTES}`);
  return Object.keys(result).length === 0 ? undefined : result;
}

/** Checks a caller-supplied MIME type (`text/plain; charset=utf-8`). */
export function validateContentType(key: string, contentType: string): string {
  if (typeof contentType !== 'string' || contentType.length > 255 || !CONTENT_TYPE.test(contentType)) {
    invalid(key, `content type ${JSON.stringify(contentType)} is not a valid MIME type`);
  }
  return contentType;
}
