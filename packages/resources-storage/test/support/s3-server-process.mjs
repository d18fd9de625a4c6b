// Runs s3rver (a pure-JS S3-protocol server) on 127.0.0.1, port 0, and prints {"port":N} once it
// listens. Started by tests with --openssl-legacy-provider: s3rver 3.7 signs list continuation
// tokens with DES, which OpenSSL 3 only offers through its legacy provider.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

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
