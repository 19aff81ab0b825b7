/**
 * Named secrets (passwords, API tokens) kept out of notebooks.
 *
 * A connection config never holds a credential in clear: it holds a {@link SecretRef}
 * (`{ secret: 'pg-prod' }`) that is resolved when the connector runs. Secrets live in a JSON file
 * readable only by the user (mode 0600; default `~/.config/stratum/secrets.json`, or
 * `$STRATUM_SECRETS_FILE`), written atomically (temp file with mode 0600 + fsync + rename). The OS
 * keychain (libsecret, macOS Keychain, Windows Credential Manager) is not used: it is not available
 * on headless machines such as CI, and this file store works everywhere.
 */
import { open, readFile, rename, stat, unlink, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { StratumError } from '../errors.ts';

/** A reference to a named secret, used in connection configs in place of the value. */
export interface SecretRef {
  /** Secret name: letters, digits, `.`, `_`, `-` (1-128 characters). */
  secret: string;
}

/** Something that resolves secret names to values (the file store, or a map in tests). */
export interface SecretSource {
  /**
   * The value of the named secret.
   * @throws {StratumError} `SECRET_MISSING` when there is no secret of that name.
   */
  get(name: string): Promise<string>;
}

/** Pattern of a valid secret name. */
export const SECRET_NAME_RE = /^[A-Za-z0-9._-]{1,128}$/;

/** JSON Schema (2020-12) of a {@link SecretRef}, for connector config schemas. */
export const SECRET_REF_SCHEMA = {
  type: 'object',
  title: 'Secret',
  description: 'Name of a stored secret (stratum secrets set NAME); the value never appears in the notebook.',
  properties: { secret: { type: 'string', pattern: SECRET_NAME_RE.source } },
  required: ['secret'],
  additionalProperties: false,
} as const;

/** True when `value` is a {@link SecretRef}. */
export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as { secret?: unknown }).secret === 'string' && Object.keys(value).length === 1;
}

/** Default secrets file: `$STRATUM_SECRETS_FILE`, else `~/.config/stratum/secrets.json`. */
export function defaultSecretsPath(): string {
  return process.env['STRATUM_SECRETS_FILE'] ?? join(homedir(), '.config', 'stratum', 'secrets.json');
}

/**
 * Secrets in a JSON file `{ "name": "value", ... }` readable only by its owner.
 *
 * @example
 * const store = new FileSecretStore('/home/me/.config/stratum/secrets.json');
 * await store.set('pg-prod', 'hunter2');
 * await store.get('pg-prod'); // 'hunter2'
 */
export class FileSecretStore implements SecretSource {
  /** @param path - the secrets file (created on first {@link FileSecretStore.set}) */
  constructor(readonly path: string = defaultSecretsPath()) {}

  /**
   * The value of a secret.
   * @throws {StratumError} `SECRET_MISSING` when the file or the name does not exist;
   *   `SECRET_FILE_INSECURE` when the file is readable or writable by group or others.
   */
  async get(name: string): Promise<string> {
    const all = await this.readAll();
    const value = all[name];
    if (value === undefined) {
      throw new StratumError('SECRET_MISSING', `no secret named "${name}" in ${this.path}`, {
        detail: { path: this.path, field: name },
        hint: `Store it first: stratum secrets set ${name} (or FileSecretStore.set).`,
      });
    }
    return value;
  }

  /**
   * Names of the stored secrets (never the values), sorted; empty when the file does not exist yet.
   * @throws {StratumError} `SECRET_FILE_INSECURE` as {@link FileSecretStore.get}.
   */
  async names(): Promise<string[]> {
    return Object.keys(await this.readAll(true)).sort();
  }

  /**
   * Stores (or replaces) a secret; creates the file (and its folder, mode 0700) if needed. The
   * file is rewritten atomically with mode 0600.
   * @throws {StratumError} `CONNECTOR_CONFIG` for an invalid name; `SECRET_FILE_INSECURE` as {@link FileSecretStore.get}.
   */
  async set(name: string, value: string): Promise<void> {
    checkName(name);
    const all = await this.readAll(true);
    all[name] = value;
    await this.writeAll(all);
  }

  /** Removes a secret; true when it existed. */
  async delete(name: string): Promise<boolean> {
    const all = await this.readAll(true);
    if (!(name in all)) return false;
    delete all[name];
    await this.writeAll(all);
    return true;
  }

  private async readAll(allowMissing = false): Promise<Record<string, string>> {
    let mode: number;
    try {
      mode = (await stat(this.path)).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        if (allowMissing) return {};
        throw new StratumError('SECRET_MISSING', `no secrets file at ${this.path}`, {
          detail: { path: this.path },
          hint: 'Store a secret first (stratum secrets set NAME), or set STRATUM_SECRETS_FILE.',
          cause: error,
        });
      }
      throw error;
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new StratumError('SECRET_FILE_INSECURE', `refusing to read ${this.path}: it is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`, {
        detail: { path: this.path, mode: (mode & 0o777).toString(8) },
        hint: `Make it private: chmod 600 ${this.path}`,
      });
    }
    const text = await readFile(this.path, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StratumError('SOURCE_FORMAT', `${this.path} is not valid JSON`, { detail: { path: this.path }, hint: 'Fix or delete the secrets file.', cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new StratumError('SOURCE_FORMAT', `${this.path} must be a JSON object of strings`, { detail: { path: this.path }, hint: 'Fix or delete the secrets file.' });
    }
    return { ...(parsed as Record<string, string>) };
  }

  private async writeAll(all: Record<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(all, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }
}

/** Secrets from a plain map (tests, or values passed programmatically). */
export class MapSecretSource implements SecretSource {
  /** @param values - name -> value */
  constructor(private readonly values: Readonly<Record<string, string>>) {}

  /** @throws {StratumError} `SECRET_MISSING` for an unknown name. */
  async get(name: string): Promise<string> {
    const value = this.values[name];
    if (value === undefined) throw new StratumError('SECRET_MISSING', `no secret named "${name}"`, { detail: { field: name }, hint: `Store it first: stratum secrets set ${name}.` });
    return value;
  }
}

/**
 * Resolves a config value that may be a {@link SecretRef}: a ref gives the secret's value, a plain
 * string is returned as is, `undefined` stays `undefined`.
 * @throws {StratumError} `SECRET_MISSING` as {@link SecretSource.get}.
 */
export async function resolveSecret(value: string | SecretRef | undefined, source: SecretSource): Promise<string | undefined> {
  if (value === undefined || typeof value === 'string') return value;
  return source.get(value.secret);
}

function checkName(name: string): void {
  if (!SECRET_NAME_RE.test(name)) {
    throw new StratumError('CONNECTOR_CONFIG', `invalid secret name ${JSON.stringify(name)}`, {
      detail: { field: 'secret' },
      hint: 'Use 1-128 letters, digits, ".", "_" or "-".',
    });
  }
}
