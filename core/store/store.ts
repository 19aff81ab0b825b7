/**
 * The tracking store of a workspace: one SQLite file (default `<workspace>/.stratum/tracking.db`)
 * holding every training run and the model registry. Entry point: {@link openTrackingStore}.
 * Schema, concurrency model and how to inspect the file with the `sqlite3` CLI: docs/tracking.md.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { StratumError } from '../errors.ts';
import { openDatabase, SCHEMA_VERSION, type Db, type Migration } from './db.ts';
import { ModelRegistry } from './registry.ts';
import { RunStore } from './runs.ts';

/** Folder (inside a workspace) holding the tracking database and the registry's bundle copies. */
export const STORE_DIR = '.stratum';
/** File name of the tracking database inside {@link STORE_DIR}. */
export const STORE_FILE = 'tracking.db';

/** Options of {@link openTrackingStore}. */
export interface TrackingStoreOptions {
  /** Workspace folder; the database is `<workspace>/.stratum/tracking.db`. Default: the current directory. */
  workspace?: string;
  /** Explicit database file (overrides `workspace`); registered bundles go to `models/` beside it. */
  path?: string;
  /** Fail with `FILE_NOT_FOUND` instead of creating a missing database (the CLI's read commands); default false. */
  mustExist?: boolean;
  /** Milliseconds to wait for another writer's lock before `STORE_BUSY`; default 10000. */
  busyTimeoutMs?: number;
  /** Commit durability: `full` (default) fsyncs every commit; `normal` survives a killed process but not a power cut (see db.ts `OpenDatabaseOptions`). */
  durability?: 'full' | 'normal';
  /** Clock for every recorded time; default `() => new Date()` (tests inject a fixed clock). */
  now?: () => Date;
  /** Migrations to apply; tests only (to build an old-version database). */
  migrations?: readonly Migration[];
}

/**
 * An open tracking store: `runs` (the run tracker), `models` (the registry). Holds one SQLite
 * connection; call {@link TrackingStore.dispose} when done (safe to call twice).
 */
export interface TrackingStore {
  /** Absolute path of the database file. */
  readonly path: string;
  /** Schema version of the file (after migration). */
  readonly schemaVersion: number;
  readonly runs: RunStore;
  readonly models: ModelRegistry;
  /** The raw better-sqlite3 connection (for inspection and tests; do not write through it). */
  readonly db: Db;
  /** Closes the connection; later calls do nothing. */
  dispose(): void;
}

/** Path of the tracking database of `workspace`: `<workspace>/.stratum/tracking.db`. */
export function defaultStorePath(workspace: string): string {
  return join(resolve(workspace), STORE_DIR, STORE_FILE);
}

/**
 * Opens (creating and migrating if needed) the tracking store of a workspace.
 *
 * @example
 * ```ts
 * const store = openTrackingStore({ workspace: '.' });
 * try {
 *   console.log(store.runs.list({ limit: 10 }));
 * } finally {
 *   store.dispose();
 * }
 * ```
 * @throws StratumError `FILE_NOT_FOUND` (with `mustExist`); `STORE_IO`, `STORE_SCHEMA`, `STORE_BUSY` from opening the database
 */
export function openTrackingStore(options: TrackingStoreOptions = {}): TrackingStore {
  const path = options.path === undefined ? defaultStorePath(options.workspace ?? process.cwd()) : resolve(options.path);
  if (options.mustExist && !existsSync(path)) {
    throw new StratumError('FILE_NOT_FOUND', `no tracking store at ${path}`, { detail: { path }, hint: 'Train a model in this workspace first, or pass --workspace DIR.' });
  }
  const now = options.now ?? (() => new Date());
  const db = openDatabase(path, { busyTimeoutMs: options.busyTimeoutMs, now, durability: options.durability, ...(options.migrations ? { migrations: options.migrations } : {}) });
  const version = (db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v;
  const runs = new RunStore(db, now);
  const models = new ModelRegistry(db, dirname(path), now, runs);
  let open = true;
  return {
    path,
    schemaVersion: version ?? SCHEMA_VERSION,
    runs,
    models,
    db,
    dispose() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
