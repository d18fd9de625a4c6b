import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { MissingPackageError, ResourceError, type StorageObjectInfo } from '@entity/core';
import { readBounded, readTooLarge } from './body.js';
import { createStorage, type ManagedStorage } from './create-storage.js';
import { describeS3Error, isMissingBucket, isMissingKey } from './s3-errors.js';
import type { DriverPutRequest, StorageDriver } from './storage-driver.js';
import { compareKeys, normaliseFolderPrefix } from './storage-key.js';
import type { StorageOptions } from './storage-options.js';

type S3Module = typeof import('@aws-sdk/client-s3');
type UploadModule = typeof import('@aws-sdk/lib-storage');

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3DriverOptions {
  /** Bucket holding the objects. */
  bucket: string;
  /**
   * Folder inside the bucket, so several agents can share one (e.g. `agents/support/`). Checked
   * like a key and treated as a folder: `agents/support` becomes `agents/support/`, so it never
   * reaches `agents/support-eu/`. Default: none (the whole bucket).
   */
  prefix?: string;
  /** Endpoint of an S3-compatible service (MinIO, R2, Ceph): `http://127.0.0.1:9000`. Default: AWS. */
  endpoint?: string;
  /** Region. Default: the AWS chain (`AWS_REGION`, profile); `us-east-1` when an endpoint is set and none is found. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most self-hosted services. Default: true with an endpoint, else false. */
  forcePathStyle?: boolean;
  /** Static credentials. Default: the AWS default chain (environment, profile, SSO, instance role). */
  credentials?: S3Credentials;
  /** Create the bucket at start when it is missing. Default: false (a missing bucket fails the start). */
  createBucket?: boolean;
  /** Bodies larger than this (and every stream) go up as multipart uploads of parts this size. Minimum 5 MB. Default: 8 MB. */
  partSize?: number;
  /** Parts uploaded in parallel; memory use is about `partSize × queueSize`. Default: 4. */
  queueSize?: number;
  /**
   * Request checksums: `'when-supported'` (the SDK default, CRC32 on every upload) or
   * `'when-required'` for S3-compatible services that reject the newer checksum headers. Default: SDK default.
   */
  checksums?: 'when-supported' | 'when-required';
  /** A ready client (its own retries should be off: this package retries). Default: one built from the options above. */
  client?: S3Client;
}

export interface S3StorageOptions extends S3DriverOptions, StorageOptions {}

const MIN_PART_SIZE = 5 * 1024 * 1024;
/** How long a confirmed bucket is trusted before a missing-object answer re-checks it. */
const BUCKET_CHECK_TTL_MS = 30_000;

let sdk: Promise<{ s3: S3Module; upload: UploadModule }> | undefined;

/** Loads the AWS SDK on first use, so agents that never touch S3 never pay for it. */
function loadSdk(): Promise<{ s3: S3Module; upload: UploadModule }> {
  sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
    .then(([s3, upload]) => ({ s3, upload }))
    .catch((error: unknown) => {
      sdk = undefined;
      throw new MissingPackageError('@aws-sdk/client-s3 @aws-sdk/lib-storage', 'S3 storage (type: s3)', { cause: error });
    });
  return sdk;
}

/**
 * The SDK's response body as a Node stream, read as it arrives. In Node it is already a Readable
 * (the HTTP response); a web stream (other runtimes, custom request handlers) is adapted, not buffered.
 */
function bodyStream(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null) return Readable.from([]);
  const web = body as { transformToWebStream?: () => ReadableStream<Uint8Array>; getReader?: unknown };
  if (typeof web.transformToWebStream === 'function') return Readable.fromWeb(web.transformToWebStream() as import('node:stream/web').ReadableStream<Uint8Array>);
  if (typeof web.getReader === 'function') return Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  throw new Error('the S3 response body is neither a Node stream nor a web stream');
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** A driver for AWS S3 and S3-compatible services through the official AWS SDK. */
export function s3Driver(options: S3DriverOptions): StorageDriver & { readonly bucket: string } {
  const { bucket } = options;
  const prefix = normaliseFolderPrefix(options.prefix ?? '');
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024);
  const queueSize = options.queueSize ?? 4;
  let client: Promise<S3Client> | undefined;
  let ownClient: S3Client | undefined;
  let bucketConfirmedAt = 0;

  const getClient = (): Promise<S3Client> => {
    client ??= (async () => {
      if (options.client) return options.client;
      const { s3 } = await loadSdk();
      const config: S3ClientConfig = {
        // This package owns retries (with its circuit breaker); SDK retries would multiply them.
        maxAttempts: 1,
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      };
      const region = options.region ?? (options.endpoint !== undefined ? (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1') : undefined);
      if (region !== undefined) config.region = region;
      if (options.endpoint !== undefined) config.endpoint = options.endpoint;
      if (options.credentials !== undefined) config.credentials = options.credentials;
      if (options.checksums !== undefined) {
        const mode = options.checksums === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
        config.requestChecksumCalculation = mode;
        config.responseChecksumValidation = mode;
      }
      ownClient = new s3.S3Client(config);
      return ownClient;
    })();
    return client;
  };

  const send = async <T>(build: (s3: S3Module) => object, signal: AbortSignal): Promise<T> => {
    const [s3Client, { s3 }] = await Promise.all([getClient(), loadSdk()]);
    return (s3Client.send as (command: object, options: { abortSignal: AbortSignal }) => Promise<T>)(build(s3), { abortSignal: signal });
  };

  /** HEAD cannot tell a missing key from a missing bucket; ask about the bucket (cached) before saying "missing". */
  const confirmBucket = async (signal: AbortSignal): Promise<void> => {
    if (Date.now() - bucketConfirmedAt < BUCKET_CHECK_TTL_MS) return;
    try {
      await send((s3) => new s3.HeadBucketCommand({ Bucket: bucket }), signal);
    } catch (error) {
      if (isMissingKey(error) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        throw Object.assign(new Error('NoSuchBucket'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
      }
      throw error;
    }
    bucketConfirmedAt = Date.now();
  };

  const head = async (key: string, signal: AbortSignal): Promise<StorageObjectInfo | undefined> => {
    try {
      const response = await send<import('@aws-sdk/client-s3').HeadObjectCommandOutput>(
        (s3) => new s3.HeadObjectCommand({ Bucket: bucket, Key: prefix + key }),
        signal,
      );
      bucketConfirmedAt = Date.now();
      const metadata = response.Metadata && Object.keys(response.Metadata).length > 0 ? response.Metadata : undefined;
      return {
        key,
        size: response.ContentLength ?? 0,
        contentType: response.ContentType,
        lastModified: response.LastModified ?? new Date(0),
        ...(response.ETag ? { etag: response.ETag } : {}),
        ...(metadata ? { metadata } : {}),
      };
    } catch (error) {
      if (!isMissingKey(error)) throw error;
      await confirmBucket(signal);
      return undefined;
    }
  };

  const ensureBucket = async (create: boolean): Promise<void> => {
    const signal = new AbortController().signal;
    try {
      await confirmBucket(signal);
    } catch (error) {
      if (!isMissingBucket(error)) throw error;
      if (!create) throw error;
      // Outside us-east-1, AWS wants the region repeated as the bucket's location.
      const region = await (await getClient()).config.region();
      const location = region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {};
      await send((s3) => new s3.CreateBucketCommand({ Bucket: bucket, ...location }), signal);
      bucketConfirmedAt = Date.now();
    }
  };

  return {
    name: 's3',
    bucket,
    async put(request: DriverPutRequest): Promise<StorageObjectInfo> {
      const params = {
        Bucket: bucket,
        Key: prefix + request.key,
        ContentType: request.contentType,
        ...(request.metadata ? { Metadata: request.metadata } : {}),
      };
      let size = 0;
      let etag: string | undefined;
      if (request.body instanceof Uint8Array && request.body.byteLength <= partSize) {
        const body = request.body;
        size = body.byteLength;
        const response = await send<{ ETag?: string }>((s3) => new s3.PutObjectCommand({ ...params, Body: body, ContentLength: size }), request.signal);
        etag = response.ETag;
      } else {
        const { upload } = await loadSdk();
        const source = request.body;
        let bodyError: unknown;
        const counted = Readable.from(
          (async function* () {
            if (source instanceof Uint8Array) {
              size = source.byteLength;
              yield source;
              return;
            }
            try {
              for await (const chunk of source) {
                size += chunk.byteLength;
                yield chunk;
              }
            } catch (error) {
              bodyError = error;
              throw error;
            }
          })(),
        );
        // lib-storage aborts the multipart upload on any error, so a failed stream leaves no object or parts.
        const uploader = new upload.Upload({ client: await getClient(), params: { ...params, Body: counted }, partSize, queueSize, leavePartsOnError: false });
        const onAbort = () => void uploader.abort();
        request.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const response = await uploader.done();
          etag = response.ETag;
        } catch (error) {
          // When the body failed (too large, broken source), that is the story, even if aborting the
          // upload failed too; parts left by a failed abort are cleared by a bucket lifecycle rule.
          throw bodyError ?? error;
        } finally {
          request.signal.removeEventListener('abort', onAbort);
          counted.destroy();
        }
      }
      bucketConfirmedAt = Date.now();
      return {
        key: request.key,
        size,
        contentType: request.contentType,
        lastModified: new Date(),
        ...(etag ? { etag } : {}),
        ...(request.metadata ? { metadata: request.metadata } : {}),
      };
    },
    async get(key, signal, maxBytes) {
      let response: { Body?: unknown; ContentLength?: number };
      try {
        response = await send((s3) => new s3.GetObjectCommand({ Bucket: bucket, Key: prefix + key }), signal);
      } catch (error) {
        if (isMissingKey(error)) return undefined;
        throw error;
      }
      const body = bodyStream(response.Body);
      // The size is known from the headers: refuse before reading a byte, and close the connection.
      if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
        body.destroy();
        throw readTooLarge(key, maxBytes, response.ContentLength);
      }
      return readBounded(body, key, maxBytes);
    },
    async getStream(key, signal) {
      try {
        const response = await send<{ Body?: unknown }>((s3) => new s3.GetObjectCommand({ Bucket: bucket, Key: prefix + key }), signal);
        return bodyStream(response.Body);
      } catch (error) {
        if (isMissingKey(error)) return undefined;
        throw error;
      }
    },
    async list(listPrefix, page, signal) {
      const response = await send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>(
        (s3) =>
          new s3.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix + listPrefix,
            MaxKeys: page.limit,
            ...(page.cursor === undefined ? {} : { ContinuationToken: page.cursor }),
          }),
        signal,
      );
      const items: StorageObjectInfo[] = (response.Contents ?? []).map((object) => ({
        key: (object.Key ?? '').slice(prefix.length),
        size: object.Size ?? 0,
        contentType: undefined,
        lastModified: object.LastModified ?? new Date(0),
        ...(object.ETag ? { etag: object.ETag } : {}),
      }));
      // S3 lists in UTF-8 byte order; some S3-compatible servers do not, so each page is put in order.
      items.sort((left, right) => compareKeys(left.key, right.key));
      return response.IsTruncated && response.NextContinuationToken ? { items, cursor: response.NextContinuationToken } : { items };
    },
    async delete(key, signal) {
      // S3 answers 204 whether or not the key existed; the contract wants to know.
      if ((await head(key, signal)) === undefined) return false;
      await send((s3) => new s3.DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }), signal);
      return true;
    },
    stat: head,
    async copy(from, to, signal) {
      await send(
        (s3) =>
          new s3.CopyObjectCommand({ Bucket: bucket, Key: prefix + to, CopySource: `${encodeURIComponent(bucket)}/${encodeKey(prefix + from)}`, MetadataDirective: 'COPY' }),
        signal,
      );
    },
    describeError: (error) => describeS3Error(error, bucket),
    async start(context) {
      try {
        await ensureBucket(options.createBucket ?? false);
      } catch (error) {
        if (MissingPackageError.isInstance(error)) throw error;
        const failure = describeS3Error(error, bucket);
        throw new ResourceError(context.name, `S3 storage cannot start: ${failure.reason}`, { cause: error, retryable: failure.retryable });
      }
    },
    async stop() {
      ownClient?.destroy();
      ownClient = undefined;
      client = undefined;
    },
    async healthCheck() {
      try {
        await confirmBucket(new AbortController().signal);
        return { healthy: true, message: `S3 bucket "${bucket}" answers` };
      } catch (error) {
        return { healthy: false, message: `S3 bucket "${bucket}": ${describeS3Error(error, bucket).reason}` };
      }
    },
  };
}

/** Objects in an S3 bucket (AWS, MinIO, R2, any S3-compatible service). The AWS SDK loads on first use. */
export function s3Storage(options: S3StorageOptions): ManagedStorage & { readonly bucket: string } {
  const { maxFileSize, allowedExtensions, backupOnOverwrite, maxBackups, retry, circuitBreaker, timeoutMs, ...driverOptions } = options;
  const safety: StorageOptions = {
    ...(maxFileSize === undefined ? {} : { maxFileSize }),
    ...(allowedExtensions === undefined ? {} : { allowedExtensions }),
    ...(backupOnOverwrite === undefined ? {} : { backupOnOverwrite }),
    ...(maxBackups === undefined ? {} : { maxBackups }),
    ...(retry === undefined ? {} : { retry }),
    ...(circuitBreaker === undefined ? {} : { circuitBreaker }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  const driver = s3Driver(driverOptions);
  return Object.assign(createStorage(driver, safety, { fixed: { ...driverOptions } }), { bucket: driver.bucket });
}
