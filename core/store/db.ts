/**
 * The SQLite side of the tracking store: opening a database file with the pragmas Stratum relies
 * on, the schema migrations, and transaction helpers that turn SQLite failures into
 * {@link StratumError}s.
 *
 * Concurrency model (see docs/tracking.md): WAL journal (readers never block the writer, one
 * writer at a time per file), `busy_timeout` so a writer waits for the lock instead of failing,
 * every write in a `BEGIN IMMEDIATE` transaction (takes the write lock up front, so a read-then-write
 * transaction can never fail half-way with `SQLITE_BUSY_SNAPSHOT`), `synchronous = FULL` (a commit
 * is on disk before it returns: a killed process or a power cut never loses a committed run).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StratumError } from '../errors.ts';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/** One schema migration: applied once, in order, inside the migration transaction. */
export interface Migration {
  /** Schema version after this migration (1, 2, 3... without gaps). */
  version: number;
  /** What it changes, stored in `schema_version.description`. */
  description: string;
  /** SQL statements (run with `exec`). */
  sql: string;
}

/**
 * Every migration of the tracking schema, in order. Never edit a released migration: append a new
 * one. Version 1 is the run tracker, version 2 adds the model registry.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs: experiments, runs, params, per-epoch metrics, artifacts',
    sql: `
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
        created_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY CHECK (length(id) = 12),
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'cancelled')),
        notebook_path TEXT,
        cell_id TEXT,
        notebook_revision TEXT,
        template_id TEXT,
        params_json TEXT NOT NULL CHECK (json_type(params_json) = 'object'),
        data_source TEXT,
        data_row_count INTEGER,
        data_sha256 TEXT,
        backend TEXT,
        seed INTEGER,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        evaluation_json TEXT,
        error_code TEXT,
        error_message TEXT
      );
      CREATE INDEX runs_by_start ON runs (started_at);
      CREATE INDEX runs_by_experiment ON runs (experiment_id, started_at);
      CREATE TABLE run_params (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
      ) WITHOUT ROWID;
      CREATE TABLE run_metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        value REAL,
        step_ms REAL,
        logged_at TEXT NOT NULL,
        PRIMARY KEY (run_id, name, epoch)
      ) WITHOUT ROWID;
      CREATE TABLE run_artifacts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('model', 'plot', 'bundle')),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'registry: models, versions, aliases, alias history',
    sql: `
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      );
      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id),
        version INTEGER NOT NULL CHECK (version >= 1),
        run_id TEXT REFERENCES runs(id),
        bundle_path TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (model_id, version),
        UNIQUE (model_id, id)
      );
      -- The composite key makes "an alias of model A points at a version of model B" impossible.
      CREATE TABLE model_aliases (
        model_id INTEGER NOT NULL REFERENCES models(id),
        alias TEXT NOT NULL,
        version_id INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (model_id, alias),
        FOREIGN KEY (model_id, version_id) REFERENCES model_versions(model_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE model_alias_events (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id),
        alias TEXT NOT NULL,
        from_version_id INTEGER REFERENCES model_versions(id),
        to_version_id INTEGER REFERENCES model_versions(id),
        at TEXT NOT NULL
      );
    `,
  },
];

/** Schema version this build of Stratum writes ({@link MIGRATIONS}' last version). */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Milliseconds a statement waits for another connection's lock before failing with `STORE_BUSY`; default 10000. */
  busyTimeoutMs?: number;
  /** Open read-only (no migration; fails if the file does not exist); default false. */
  readonly?: boolean;
  /** Migrations to apply (tests pass a prefix to build an old database); default {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
  /** Clock for `schema_version.applied_at`; default `() => new Date()`. */
  now?: () => Date;
  /**
   * `full` (default): every commit is fsynced before it returns (survives a power cut).
   * `normal`: the WAL is fsynced only at checkpoints (a committed transaction survives a killed
   * process but may be lost on power failure); several times faster on slow disks.
   */
  durability?: 'full' | 'normal';
}

/**
 * Opens (creating if needed, with its folder) a tracking database and brings its schema up to date.
 *
 * Pragmas: `journal_mode = WAL`, `synchronous = FULL`, `foreign_keys = ON`, `busy_timeout`.
 *
 * @param path - database file
 * @param options - busy timeout, read-only, migrations
 * @returns the open connection (close it with `db.close()`)
 * @throws StratumError `STORE_IO` when the file cannot be opened or is not a SQLite database;
 *   `STORE_SCHEMA` when it was written by a newer Stratum (schema version above {@link SCHEMA_VERSION});
 *   `STORE_BUSY` when another process holds the write lock longer than the busy timeout
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const timeout = options.busyTimeoutMs ?? 10_000;
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout, readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw storeError(error, path);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeout))}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    if (options.readonly) checkVersion(db, currentVersion(db), path);
    else migrate(db, options.migrations ?? MIGRATIONS, options.now ?? (() => new Date()), path);
    return db;
  } catch (error) {
    db.close();
    throw storeError(error, path);
  }
}

function currentVersion(db: Db): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function checkVersion(db: Db, version: number, path: string): void {
  if (version > SCHEMA_VERSION) {
    throw new StratumError('STORE_SCHEMA', `${path} has tracking schema version ${version}, newer than this Stratum knows (${SCHEMA_VERSION})`, {
      detail: { path, expected: SCHEMA_VERSION, actual: version },
      hint: 'Upgrade Stratum to open this workspace; this version will not modify it.',
    });
  }
}

/**
 * Applies the migrations newer than the database's version, in order, in one `BEGIN IMMEDIATE`
 * transaction (all or nothing; a second process opening the same file at the same time waits for
 * the lock, then finds nothing left to do). Records each in `schema_version`.
 *
 * @param db - open connection
 * @param migrations - ordered migrations (versions 1..n without gaps)
 * @param now - clock for `applied_at`
 * @param path - database path, for error messages
 * @returns the schema version after migrating
 * @throws StratumError `STORE_SCHEMA` when the database is newer than `migrations` or a migration fails (nothing is applied then)
 */
export function migrate(db: Db, migrations: readonly Migration[], now: () => Date = () => new Date(), path = db.name): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const apply = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const from = currentVersion(db);
    checkVersion(db, from, path);
    const insert = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations.slice(from)) {
      try {
        db.exec(m.sql);
      } catch (error) {
        throw new StratumError('STORE_SCHEMA', `${path}: migration to schema version ${m.version} (${m.description}) failed: ${(error as Error).message}`, {
          detail: { path, version: m.version },
          hint: 'The database was left at its previous version; report this with the file.',
          cause: error,
        });
      }
      insert.run(m.version, m.description, now().toISOString());
    }
    return Math.max(from, migrations.length);
  });
  return apply.immediate();
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws.
 *
 * @throws whatever `fn` throws; SQLite failures as StratumError `STORE_BUSY` / `STORE_IO`
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (error) {
    throw storeError(error, db.name);
  }
}

/** Runs `fn` in a read transaction (one consistent snapshot across its statements). */
export function readTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).deferred();
  } catch (error) {
    throw storeError(error, db.name);
  }
}

/** Maps a better-sqlite3 error to a StratumError; StratumErrors and bugs pass through. */
export function storeError(error: unknown, path: string): unknown {
  if (error instanceof StratumError || !(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StratumError('STORE_BUSY', `tracking store ${path} is locked by another process (${code})`, {
      detail: { path, sqlite: code },
      hint: 'Another notebook or command is writing; try again, or raise busyTimeoutMs.',
      cause: error,
    });
  }
  if (['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_PERM'].some((c) => code.startsWith(c))) {
    return new StratumError('STORE_IO', `cannot use tracking store ${path}: ${error.message} (${code})`, {
      detail: { path, sqlite: code },
      hint: code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB') ? 'The file is not a healthy SQLite database: restore it from a backup or move it aside.' : 'Check that the folder exists and is writable.',
      cause: error,
    });
  }
  return error;
}
