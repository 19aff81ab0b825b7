import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from './db.ts';
import { canonicalJson, fingerprintRecords, hashPath } from './fingerprint.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { thrown } from '../testing.ts';

let dir: string;
let store: TrackingStore;
const T0 = Date.parse('2026-01-02T03:04:05.000Z');
let tick = 0;
// A clock that advances exactly 1 s per reading, so every recorded time is known in advance.
const clock = (): Date => new Date(T0 + 1000 * tick++);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-store-'));
  store = openTrackingStore({ workspace: dir, now: clock });
  tick = 0; // opening read the clock for schema_version.applied_at
});

afterEach(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening a store', () => {
  it('creates <workspace>/.stratum/tracking.db in WAL mode with foreign keys and a busy timeout', () => {
    expect(store.path).toBe(join(dir, '.stratum', 'tracking.db'));
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(10000);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    store.dispose();
    store.dispose(); // safe twice
  });

  it('refuses a missing store when mustExist is set', () => {
    const error = thrown(() => openTrackingStore({ workspace: join(dir, 'elsewhere'), mustExist: true }));
    expect(error.code).toBe('FILE_NOT_FOUND');
  });

  it('reports a file that is not a database as STORE_IO', () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'this is not sqlite, just text long enough to fill a header.............................................');
    expect(thrown(() => openTrackingStore({ path: bad })).code).toBe('STORE_IO');
  });
});

describe('schema migration', () => {
  it('migrates a version-1 database (runs only) to the current version, keeping its runs', () => {
    const path = join(dir, 'old.db');
    const v1 = openTrackingStore({ path, migrations: MIGRATIONS.slice(0, 1), now: clock });
    expect(v1.schemaVersion).toBe(1);
    const run = v1.runs.create({ experiment: 'old', params: { epochs: 3 } });
    v1.runs.finish(run.id, { evaluation: { accuracy: 0.5 } });
    expect(v1.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'models'").get()).toEqual({ n: 0 });
    v1.dispose();

    const current = openTrackingStore({ path, now: clock });
    try {
      expect(current.schemaVersion).toBe(2);
      expect(current.db.prepare('SELECT version, description FROM schema_version ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, description: m.description })));
      expect(current.runs.get(run.id).evaluation).toEqual({ accuracy: 0.5 });
      expect(current.models.listModels()).toEqual([]);
      expect(current.db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      // Re-running the migrations is a no-op.
      expect(migrate(current.db, MIGRATIONS)).toBe(2);
      expect(current.db.prepare('SELECT count(*) AS n FROM schema_version').get()).toEqual({ n: 2 });
    } finally {
      current.dispose();
    }
  });

  it('rolls back a failing migration entirely', () => {
    const path = join(dir, 'broken.db');
    const broken = [...MIGRATIONS, { version: 3, description: 'broken', sql: 'CREATE TABLE ok_table (x); CREATE TABLE runs (x);' }];
    const error = thrown(() => openTrackingStore({ path, migrations: broken }));
    expect(error.code).toBe('STORE_SCHEMA');
    expect(error.message).toMatch(/migration to schema version 3 \(broken\) failed: table runs already exists/);
    // All pending migrations ran in one transaction: nothing was applied.
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('runs', 'ok_table', 'schema_version')").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer Stratum', () => {
    const path = join(dir, 'new.db');
    const db = new Database(path);
    db.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL); INSERT INTO schema_version VALUES (99, 'future', 'x')");
    db.close();
    const error = thrown(() => openTrackingStore({ path }));
    expect(error.code).toBe('STORE_SCHEMA');
    expect(error.message).toContain('schema version 99, newer than this Stratum knows (2)');
  });
});

describe('runs', () => {
  it('round-trips a run: params, fingerprint, notebook, epochs, evaluation, times', () => {
    const data = fingerprintRecords([{ a: 1, b: null }, { b: 'x', a: 2 }], 'inline.json');
    const run = store.runs.create({
      experiment: 'weather',
      notebook: { path: '/nb/weather.stratum.json', cellId: 'c3', revision: 'abc123' },
      templateId: 'tabular.mlp-classifier',
      params: { epochs: 2, hiddenLayers: [8] },
      data,
      backend: 'cpu',
      seed: 42,
    }); // clock reading 0 -> started 03:04:05
    expect(run.status).toBe('running');
    expect(run.startedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(run.durationMs).toBeNull();
    store.runs.logEpoch(run.id, { epoch: 1, values: { loss: 0.9, accuracy: 0.5, valLoss: undefined }, stepMs: 120 });
    store.runs.logEpoch(run.id, { epoch: 2, values: { loss: 0.4, accuracy: Number.NaN }, stepMs: 80 });
    const done = store.runs.finish(run.id, { evaluation: { accuracy: 0.75, macroF1: 0.7, labels: ['a', 'b'] } }); // clock reading 3 -> 03:04:08
    expect(done.endedAt).toBe('2026-01-02T03:04:08.000Z');
    expect(done.durationMs).toBe(3000);

    const got = store.runs.get(run.id);
    expect(got).toMatchObject({
      id: run.id,
      experiment: 'weather',
      status: 'finished',
      notebook: { path: '/nb/weather.stratum.json', cellId: 'c3', revision: 'abc123' },
      templateId: 'tabular.mlp-classifier',
      params: { epochs: 2, hiddenLayers: [8] },
      // sha256 of '{"a":1,"b":null}\n{"a":2,"b":"x"}\n' (sha256sum), keys sorted
      data: { source: 'inline.json', rowCount: 2, sha256: 'd937164ce65c03017e922e04b43779150f1f5e3cc4fc61ddf7f89a9d819d1193' },
      backend: 'cpu',
      seed: 42,
      evaluation: { accuracy: 0.75, macroF1: 0.7, labels: ['a', 'b'] },
      error: null,
    });
    // Ordered by name then epoch; NaN stored as null; undefined skipped.
    expect(got.metrics).toEqual([
      { epoch: 1, name: 'accuracy', value: 0.5, stepMs: 120 },
      { epoch: 2, name: 'accuracy', value: null, stepMs: 80 },
      { epoch: 1, name: 'loss', value: 0.9, stepMs: 120 },
      { epoch: 2, name: 'loss', value: 0.4, stepMs: 80 },
    ]);
    expect(store.db.prepare('SELECT name, value_json FROM run_params WHERE run_id = ? ORDER BY name').all(run.id)).toEqual([
      { name: 'epochs', value_json: '2' },
      { name: 'hiddenLayers', value_json: '[8]' },
    ]);
  });

  it('records failures and refuses to touch an ended run', () => {
    const run = store.runs.create({ params: {} });
    const failed = store.runs.finish(run.id, { status: 'failed', error: { code: 'TRAINING_FAILED', message: 'loss became NaN' } });
    expect(failed).toMatchObject({ experiment: 'default', status: 'failed', error: { code: 'TRAINING_FAILED', message: 'loss became NaN' } });
    const again = thrown(() => store.runs.finish(run.id));
    expect(again.code).toBe('RUN_STATE');
    expect(again.message).toBe(`cannot finish run ${run.id}: it is failed`);
    expect(thrown(() => store.runs.logEpoch(run.id, { epoch: 3, values: { loss: 1 } })).code).toBe('RUN_STATE');
  });

  it('names unknown run ids', () => {
    const error = thrown(() => store.runs.get('0123456789ab'));
    expect(error.code).toBe('RUN_UNKNOWN');
    expect(error.message).toBe('unknown run "0123456789ab"');
    expect(thrown(() => store.runs.get("x'; DROP TABLE runs; --")).code).toBe('RUN_UNKNOWN');
    expect(thrown(() => store.runs.logEpoch('0123456789ab', { epoch: 1, values: {} })).code).toBe('RUN_UNKNOWN');
  });

  it('lists with filters, newest first, and resolves id prefixes', () => {
    const a = store.runs.create({ experiment: 'e1', templateId: 't1', params: { n: 1 } });
    const b = store.runs.create({ experiment: 'e2', templateId: 't1', params: { n: 2 } });
    const c = store.runs.create({ experiment: 'e1', templateId: 't2', params: { n: 3 } });
    store.runs.finish(b.id);
    expect(store.runs.list().map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(store.runs.list({ order: 'oldest', limit: 2 }).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(store.runs.list({ experiment: 'e1' }).map((r) => r.id)).toEqual([c.id, a.id]);
    expect(store.runs.list({ templateId: 't1', status: 'running' }).map((r) => r.id)).toEqual([a.id]);
    expect(store.runs.resolveId(b.id.slice(0, 6))).toBe(b.id);
    expect(thrown(() => store.runs.resolveId('zz')).code).toBe('RUN_UNKNOWN');
    // A prefix too short to look up says so (not "unknown run").
    const short = thrown(() => store.runs.resolveId('cd8'));
    expect(short.code).toBe('RUN_UNKNOWN');
    expect(short.message).toBe('run id prefix "cd8" is too short: give at least 4 characters of the id');
    expect(thrown(() => store.runs.resolveId('run-1')).message).toBe('unknown run "run-1": run ids are 12 hexadecimal characters (0-9, a-f); give the id or a prefix of at least 4 of them');
    // Filter by top-level param values (as stored JSON): numbers and strings.
    expect(store.runs.list({ params: { n: 2 } }).map((r) => r.id)).toEqual([b.id]);
    expect(store.runs.list({ params: { n: 2 }, experiment: 'e1' })).toEqual([]);
    expect(store.runs.list({ params: { n: '2' } })).toEqual([]);
  });

  it('compares runs: params diff, metric table, curves', () => {
    const a = store.runs.create({ params: { epochs: 2, lr: 0.01, layers: [8] } });
    const b = store.runs.create({ params: { epochs: 2, lr: 0.1, layers: [8], extra: true } });
    store.runs.logEpoch(a.id, { epoch: 1, values: { loss: 0.9 } });
    store.runs.logEpoch(a.id, { epoch: 2, values: { loss: 0.5 } });
    store.runs.logEpoch(b.id, { epoch: 1, values: { loss: 0.7 } });
    store.runs.finish(a.id, { evaluation: { accuracy: 0.8, macroF1: 0.6, labels: ['x'] } });
    store.runs.finish(b.id, { evaluation: { accuracy: 0.9 } });
    const cmp = store.runs.compare([a.id, b.id]);
    expect(cmp.paramsDiff).toEqual([
      { name: 'extra', values: [undefined, true] },
      { name: 'lr', values: [0.01, 0.1] },
    ]);
    expect(cmp.paramsSame).toEqual({ epochs: 2, layers: [8] });
    expect(cmp.metrics).toEqual([
      { name: 'accuracy', values: [0.8, 0.9] },
      { name: 'last.loss', values: [0.5, 0.7] },
      { name: 'macroF1', values: [0.6, null] },
    ]);
    expect(cmp.curves.loss).toEqual({ [a.id]: [{ epoch: 1, value: 0.9 }, { epoch: 2, value: 0.5 }], [b.id]: [{ epoch: 1, value: 0.7 }] });
    expect(thrown(() => store.runs.compare([a.id])).code).toBe('USAGE');
  });

  it('records artifacts with checksum and size', () => {
    const run = store.runs.create({ params: {} });
    const file = join(dir, 'plot.json');
    writeFileSync(file, 'abc');
    const art = store.runs.addArtifact(run.id, { name: 'confusion', kind: 'plot', path: file });
    // sha256("abc"), FIPS 180-2 test vector
    expect(art).toMatchObject({ name: 'confusion', kind: 'plot', path: file, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', bytes: 3 });
    expect(store.runs.get(run.id).artifacts).toEqual([art]);
    expect(thrown(() => store.runs.addArtifact(run.id, { name: 'confusion', kind: 'plot', path: file })).code).toBe('USAGE');
    expect(thrown(() => store.runs.addArtifact(run.id, { name: 'missing', kind: 'plot', path: join(dir, 'nope') })).code).toBe('FILE_NOT_FOUND');
  });
});

describe('fingerprints', () => {
  it('hashes records canonically: key order ignored, missing values equal, infinities distinct', () => {
    // sha256 of the empty string (FIPS 180-2)
    expect(fingerprintRecords([], 'x')).toEqual({ source: 'x', rowCount: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
    expect(fingerprintRecords([{ b: 'x', a: 2 }], 's').sha256).toBe(fingerprintRecords([{ a: 2, b: 'x' }], 's').sha256);
    expect(canonicalJson({ a: Number.NaN, b: undefined, c: null })).toBe('{"a":null,"b":null,"c":null}');
    // sha256 of '{"$num":"Infinity"}\n' (sha256sum)
    expect(fingerprintRecords([Number.POSITIVE_INFINITY], 's').sha256).toBe('ab384700e2c1d4374c8eb3705b9fefda01647ca0ac37701d14d56b23a41e0ec5');
    expect(canonicalJson([new Date(T0), 10n, true])).toBe('["2026-01-02T03:04:05.000Z",{"$bigint":"10"},true]');
  });

  it('hashes a folder by its sorted file list', () => {
    const folder = join(dir, 'art');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'sub', 'b.txt'), 'abc');
    writeFileSync(join(folder, 'a.txt'), '');
    // sha256 of "a.txt\0e3b0...b855\nsub/b.txt\0ba78...15ad\n" (python3 hashlib)
    expect(hashPath(folder)).toEqual({ sha256: '106c4916406efb3a80334cab5ad5308c2f73909aebf335bfb9c22326aefab68a', bytes: 3 });
  });
});
