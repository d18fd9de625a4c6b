import { isRetryableError } from '@entity/core';
import type { DriverFailure } from './storage-driver.js';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const ACCESS_ERRORS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled']);
const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'ServiceUnavailable', 'InternalError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

/** True for the 404 a missing key produces (but not a missing bucket). */
export function isMissingKey(error: unknown): boolean {
  const name = (error as SdkError | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** True when S3 says the bucket does not exist. */
export function isMissingBucket(error: unknown): boolean {
  return (error as SdkError | null)?.name === 'NoSuchBucket';
}

/** Words an AWS SDK or network failure without leaking credentials, endpoints' internals or stack traces. */
export function describeS3Error(error: unknown, bucket: string): DriverFailure {
  const sdkError = (error ?? {}) as SdkError;
  const name = sdkError.name ?? 'Error';
  const status = sdkError.$metadata?.httpStatusCode;
  const withStatus = status === undefined ? {} : { status };
  if (name === 'NoSuchBucket') {
    return { reason: `bucket "${bucket}" does not exist (create it, or set createBucket: true)`, retryable: false, ...withStatus };
  }
  if (ACCESS_ERRORS.has(name) || status === 403) {
    return { reason: `access denied by the S3 service (${name}); check the credentials and the bucket policy`, retryable: false, ...withStatus };
  }
  if (name === 'CredentialsProviderError') {
    return {
      reason: 'no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or credentials in the storage config',
      retryable: false,
    };
  }
  if (sdkError.message === 'Region is missing') {
    return { reason: 'no AWS region configured; set region in the storage config or AWS_REGION', retryable: false };
  }
  if (sdkError.code !== undefined && NETWORK_CODES.has(sdkError.code)) {
    return { reason: `cannot reach the S3 endpoint (${sdkError.code})`, retryable: true };
  }
  if (name === 'TimeoutError') return { reason: 'the S3 request timed out', retryable: true };
  if (THROTTLING.has(name) || status === 429 || (status !== undefined && status >= 500)) {
    return { reason: `the S3 service is unavailable or throttling (${name}${status === undefined ? '' : `, HTTP ${status}`})`, retryable: true, ...withStatus };
  }
  if (name === 'EntityTooLarge') return { reason: 'the object is larger than the S3 service accepts', retryable: false, ...withStatus };
  return {
    reason: `${name}${status === undefined ? '' : ` (HTTP ${status})`}`,
    retryable: isRetryableError(error) || sdkError.$retryable !== undefined,
    ...withStatus,
  };
}
