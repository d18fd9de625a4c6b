import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '@entity/core';
import { z } from 'zod';
import { withFileLock } from './key-file-lock.js';
import { assertKeyFileTrusted } from './key-file-permissions.js';
import { type ApiKeyConfig, ApiKeyVerifier, generateApiKey, hashApiKey, type Principal, type Role } from './api-keys.js';

/** Where `entity keys` keeps a project's keys, relative to the project directory. */
export const DEFAULT_KEYS_FILE = '.entity/api-keys.json';

/** One key in a key file: its hash and what it may do, never the key itself. */
export interface StoredApiKey {
  /** Stable id to list and revoke the key by (`key_` + 12 hex digits); not secret. */
  id: string;
  name?: string;
  hash: string;
  role: Role;
  userIds: string[] | '*';
  /** ISO 8601 time the key was created. */
  createdAt: string;
}

const storedKeySchema = z.strictObject({
  id: z.string().regex(/^key_[0-9a-f]{12}$/),
  name: z.string().min(1).max(100).optional(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  role: z.enum(['admin', 'user', 'viewer']),
  userIds: z.union([z.literal('*'), z.array(z.string().regex(/^[\w.@:+-]{1,200}$/)).min(1)]),
  createdAt: z.string().min(1),
});

const keyFileSchema = z.strictObject({ version: z.literal(1), keys: z.array(storedKeySchema) });

function fileProblem(path: string, message: string, fix: string): ConfigError {
  return new ConfigError([{ path, message, fix }]);
}

/** The keys in a key file; `[]` when the file does not exist yet. A damaged file is a ConfigError naming the problem. */
export function readApiKeyFile(path: string): StoredApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fileProblem(path, `cannot be read: ${(error as Error).message}`, 'check its permissions');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fileProblem(path, `is not valid JSON: ${(error as Error).message}`, 'restore it from a backup, or delete it and create the keys again with `entity keys create`');
  }
  const parsed = keyFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fileProblem(`${path}: ${issue.path.join('.')}`, issue.message, 'edit keys only with `entity keys create|revoke`');
  }
  return parsed.data.keys as StoredApiKey[];
}

/**
 * Replaces the file in one step: written beside it with mode 0600, then renamed over it, so a
 * reader (a running server) never sees half a file and other users of the machine cannot read hashes.
 */
function writeApiKeyFile(path: string, keys: StoredApiKey[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Options of `createStoredApiKey`. */
export interface CreateApiKeyOptions {
  role: Role;
  /** User ids the key may act for. Required for user and viewer keys; default `'*'` for admin keys. */
  userIds?: string[] | '*';
  name?: string;
}

/** Makes a key, stores its hash in the file and returns the key — the only time it is ever visible. */
export function createStoredApiKey(path: string, options: CreateApiKeyOptions): { key: string; stored: StoredApiKey } {
  const userIds = options.userIds ?? (options.role === 'admin' ? '*' : undefined);
  if (userIds === undefined) throw fileProblem('userIds', `a ${options.role} key needs the user ids it may act for`, "give them (e.g. --user alice), or '*' for any user");
  const key = generateApiKey();
  const stored: StoredApiKey = {
    id: `key_${randomBytes(6).toString('hex')}`,
    ...(options.name ? { name: options.name } : {}),
    hash: hashApiKey(key),
    role: options.role,
    userIds,
    createdAt: new Date().toISOString(),
  };
  const checked = storedKeySchema.safeParse(stored);
  if (!checked.success) throw fileProblem(checked.error.issues[0]!.path.join('.'), checked.error.issues[0]!.message, 'user ids are 1-200 letters, digits or . _ @ : + -; names 1-100 characters');
  changeApiKeyFile(path, (keys) => [...keys, stored]);
  if (!readApiKeyFile(path).some((entry) => entry.id === stored.id)) throw fileProblem(path, 'lost the new key: another program rewrote the file at the same time', 'run the command again');
  return { key, stored };
}

/** Removes a key by id; false when there was none with that id. */
export function revokeStoredApiKey(path: string, id: string): boolean {
  let found = false;
  changeApiKeyFile(path, (keys) => {
    const remaining = keys.filter((key) => key.id !== id);
    found = remaining.length < keys.length;
    return found ? remaining : undefined;
  });
  if (found && readApiKeyFile(path).some((key) => key.id === id)) {
    throw fileProblem(path, `still holds key ${id}: another program rewrote the file at the same time`, 'run `entity keys revoke` again');
  }
  return found;
}

/**
 * Reads, changes and writes the key file under its lock, so concurrent `entity keys` commands
 * never lose each other's changes. `change` returns the new keys, or undefined to leave the file as is.
 */
function changeApiKeyFile(path: string, change: (keys: StoredApiKey[]) => StoredApiKey[] | undefined): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  withFileLock(path, () => {
    const changed = change(readApiKeyFile(path));
    if (changed) writeApiKeyFile(path, changed);
  });
}

function configOf(key: StoredApiKey): ApiKeyConfig {
  return { name: key.name ? `${key.id} (${key.name})` : key.id, hash: key.hash, role: key.role, userIds: key.userIds };
}

/**
 * Checks bearer keys against a key file, re-reading it when it changes (looked at no more than
 * once a second), so `entity keys revoke` takes effect on a running server without a restart.
 * If the file becomes unreadable, no key from it is accepted until it is fixed.
 */
export class ApiKeyFileVerifier {
  private verifier: ApiKeyVerifier;
  private version = '';
  private checkedAt = 0;

  constructor(
    private readonly path: string,
    private readonly onError: (message: string) => void,
    onWarning: (message: string) => void = onError,
  ) {
    this.verifier = this.load();
    this.version = this.versionOf();
    if (this.version === 'missing') onWarning(`API key file ${path} does not exist yet: no key is accepted until \`entity keys create\` writes one`);
  }

  /** The keys of the file, once its permissions show only its owner could have written it. */
  private load(): ApiKeyVerifier {
    assertKeyFileTrusted(this.path);
    return new ApiKeyVerifier(readApiKeyFile(this.path).map(configOf));
  }

  private versionOf(): string {
    try {
      const stat = statSync(this.path);
      const directory = statSync(dirname(this.path));
      // ctime, mode and owner too: a chmod or chown must be seen, not only a new content.
      return `${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}:${stat.ino}:${stat.mode}:${stat.uid}:${directory.mode}`;
    } catch {
      return 'missing';
    }
  }

  verify(token: string): Principal | undefined {
    const now = Date.now();
    if (now - this.checkedAt >= 1_000) {
      this.checkedAt = now;
      const version = this.versionOf();
      if (version !== this.version) {
        this.version = version;
        try {
          this.verifier = this.load();
        } catch (error) {
          this.verifier = new ApiKeyVerifier([]);
          this.onError(`API key file ${this.path} could not be read; no key from it is accepted: ${(error as Error).message}`);
        }
      }
    }
    return this.verifier.verify(token);
  }
}
