// Runs s3rver (a pure-JS S3-protocol server) on 127.0.0.1, port 0, and prints {"port":N} once it
// listens. Started by tests with --openssl-legacy-provider: s3rver 3.7 signs list continuation
// tokens with DES, which OpenSSL 3 only offers through its legacy provider.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

// S3 replaces an object atomically when a PUT completes; s3rver writes the object file in place
// (and answers a buffered PUT before the bytes are on disk), so concurrent PUTs to one key tear.
// Make the test double faithful: write a temp file, then rename it over the object.
FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  const temp = `${objectPath}.${randomBytes(6).toString('hex')}.tmp`;
  const md5 = createHash('md5');
  let size = 0;
  const counter = new Transform({
    transform(chunk, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  try {
    await pipeline(source, counter, createWriteStream(temp));
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    await rename(temp, objectPath);
    return { size, md5: digest };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
};

const directory = mkdtempSync(join(tmpdir(), 'entity-s3rver-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const shutdown = async () => {
  await server.close().catch(() => undefined);
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// Dies with the test process even when it is killed without cleanup.
process.stdin.on('end', shutdown);
process.stdin.resume();
