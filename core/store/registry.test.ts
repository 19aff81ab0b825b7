import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintRecords } from './fingerprint.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { thrown } from '../testing.ts';

let dir: string;
let store: TrackingStore;

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A minimal bundle folder: two files and a manifest listing their checksums (what verifyBundleFolder checks). */
function fakeBundle(name: string, weights: string): string {
  const bundle = join(dir, name);
  mkdirSync(join(bundle, 'model'), { recursive: true });
  writeFileSync(join(bundle, 'model', 'weights.bin'), weights);
  writeFileSync(join(bundle, 'preprocessor.json'), '{}');
  const files = {
    'model/weights.bin': { sha256: sha(weights), bytes: Buffer.byteLength(weights) },
    'preprocessor.json': { sha256: sha('{}'), bytes: 2 },
  };
  writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ format: 'stratum-bundle', formatVersion: 1, name, files }));
  return bundle;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-registry-'));
  store = openTrackingStore({ workspace: dir });
});

afterEach(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('model versions', () => {
  it('numbers versions per model and keeps a verified copy of each bundle', () => {
    const b1 = fakeBundle('b1', 'w1');
    const v1 = store.models.registerVersion({ model: 'weather', bundlePath: b1, description: 'first' });
    const v2 = store.models.registerVersion({ model: 'weather', bundlePath: fakeBundle('b2', 'w2') });
    const other = store.models.registerVersion({ model: 'penguins', bundlePath: fakeBundle('b3', 'w3') });
    expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
    expect(v1).toMatchObject({ model: 'weather', runId: null, description: 'first', aliases: [], bundlePath: join(dir, '.stratum', 'models', 'weather', 'v1') });
    expect(v1.manifestSha256).toBe(sha(readFileSync(join(b1, 'manifest.json'), 'utf8')));
    // The registry's copy survives the user deleting the exported folder.
    rmSync(b1, { recursive: true });
    expect(readFileSync(join(v1.bundlePath, 'model', 'weights.bin'), 'utf8')).toBe('w1');
    expect(store.models.listModels().map((m) => [m.name, m.versions.map((v) => v.version)])).toEqual([['penguins', [1]], ['weather', [1, 2]]]);
    expect(readdirSync(join(dir, '.stratum', 'models', 'weather')).sort()).toEqual(['v1', 'v2']);
  });

  it('refuses a tampered bundle and leaves nothing behind', () => {
    const bundle = fakeBundle('bad', 'w');
    appendFileSync(join(bundle, 'preprocessor.json'), ' ');
    const error = thrown(() => store.models.registerVersion({ model: 'weather', bundlePath: bundle }));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toMatch(/^bundle file preprocessor\.json does not match its checksum/);
    expect(existsSync(join(dir, '.stratum', 'models', 'weather'))).toBe(false);
    expect(thrown(() => store.models.getModel('weather')).code).toBe('MODEL_UNKNOWN');
    // A folder that is not a bundle is named as the user gave it (not the registry's temporary copy).
    const empty = join(dir, 'not-a-bundle');
    mkdirSync(empty);
    const missing = thrown(() => store.models.registerVersion({ model: 'weather', bundlePath: empty }));
    expect(missing.message).toBe(`no bundle at ${empty}: manifest.json not found`);
    expect(existsSync(join(dir, '.stratum', 'models', 'weather'))).toBe(false);
  });

  it('registers the bundle artifact of a run and traces lineage to notebook revision and data', () => {
    const data = fingerprintRecords([{ x: 1 }], 'data.csv');
    const run = store.runs.create({ experiment: 'e', notebook: { path: '/nb.stratum.json', cellId: 'c1', revision: 'rev-9' }, templateId: 'tabular.mlp-classifier', params: { epochs: 1 }, data, backend: 'cpu', seed: 7 });
    store.runs.addArtifact(run.id, { name: 'bundle', kind: 'bundle', path: fakeBundle('run-bundle', 'rw') });
    store.runs.finish(run.id, { evaluation: { accuracy: 1 } });
    const v = store.models.registerVersion({ model: 'weather', runId: run.id, aliases: ['challenger'] });
    expect(v).toMatchObject({ version: 1, runId: run.id, aliases: ['challenger'] });
    const lineage = store.models.lineage('weather', 'challenger');
    expect(lineage.version.version).toBe(1);
    expect(lineage.run).toMatchObject({ id: run.id, templateId: 'tabular.mlp-classifier', params: { epochs: 1 }, seed: 7, backend: 'cpu', evaluation: { accuracy: 1 } });
    expect(lineage.notebook).toEqual({ path: '/nb.stratum.json', cellId: 'c1', revision: 'rev-9' });
    expect(lineage.data).toEqual(data);
    const noBundle = store.runs.create({ params: {} });
    const error = thrown(() => store.models.registerVersion({ model: 'weather', runId: noBundle.id }));
    expect(error.message).toBe(`run ${noBundle.id} logged no model (it has no bundle artifact): it is running`);
    expect(error.hint).toBe(`Pass a bundle folder the notebook exported: stratum models register weather --run ${noBundle.id} --bundle DIR.`);
  });

  it('says a failed run has no model (with its error), not to pass --bundle DIR', () => {
    const run = store.runs.create({ experiment: 'e', templateId: 'tabular.mlp-classifier', params: {} });
    store.runs.finish(run.id, { status: 'failed', error: { code: 'TRAINING_FAILED', message: 'the loss became NaN at epoch 3' } });
    const error = thrown(() => store.models.registerVersion({ model: 'weather', runId: run.id }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(`run ${run.id} failed (TRAINING_FAILED: the loss became NaN at epoch 3): a failed run has no model to register`);
    expect(error.hint).not.toContain('--bundle');
    expect(store.models.listModels()).toEqual([]);
  });

  it('registers the same run twice, saying the second version holds the same model (same checksum)', () => {
    const run = store.runs.create({ experiment: 'e', params: {} });
    store.runs.addArtifact(run.id, { name: 'bundle', kind: 'bundle', path: fakeBundle('run-bundle', 'rw') });
    store.runs.finish(run.id);
    const v1 = store.models.registerVersion({ model: 'weather', runId: run.id });
    expect([v1.sameChecksumAs, v1.warnings]).toEqual([[], []]);
    const v2 = store.models.registerVersion({ model: 'weather', runId: run.id });
    expect(v2.version).toBe(2);
    expect(v2.manifestSha256).toBe(v1.manifestSha256);
    expect(v2.sameChecksumAs).toEqual([1]);
    expect(v2.warnings).toEqual(['v2 has the same model as v1 (same manifest checksum)']);
    // Another model is a different bundle: no warning.
    expect(store.models.registerVersion({ model: 'weather', bundlePath: fakeBundle('other', 'w2') }).warnings).toEqual([]);
  });

  it('asks for --bundle DIR or --run ID in user words when given neither', () => {
    const error = thrown(() => store.models.registerVersion({ model: 'weather' }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('nothing to register: give a bundle folder (--bundle DIR) or a run whose model was logged (--run ID)');
    expect(error.message).not.toMatch(/bundlePath|runId|registerVersion/);
  });
});

describe('search runs and trials', () => {
  /** A tracked search as search-tracking.ts records it: the search run, 2 trials, and (optionally) the refit with its logged model. */
  function recordSearch(options: { refit: boolean; status?: 'finished' | 'cancelled' }): { search: string; trials: string[]; refit?: string; searchId: string } {
    const searchId = 'a1b2c3d4e5f6';
    const experiment = `search-${searchId}`;
    const search = store.runs.create({ experiment, templateId: 'search.hyperparameters', params: { searchId, templateId: 'tabular.decision-tree', strategy: 'grid', space: { maxDepth: [2, 3] }, folds: 2, metric: 'accuracy' } });
    const trials = [1, 2].map((trial) => {
      const t = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'Species', maxDepth: trial + 1, searchId, trial } });
      store.runs.finish(t.id, { evaluation: { accuracy: 0.8 + trial / 100, accuracyStd: 0.01 } });
      return t.id;
    });
    let refit: string | undefined;
    if (options.refit) {
      refit = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'Species', maxDepth: 3 } }).id;
      store.runs.addArtifact(refit, { name: 'bundle', kind: 'bundle', path: fakeBundle('refit-bundle', 'refit') });
      store.runs.finish(refit, { evaluation: { accuracy: 0.83 } });
    }
    store.runs.finish(search.id, options.status === 'cancelled'
      ? { status: 'cancelled', error: { code: 'KERNEL_INTERRUPTED', message: 'cancelled' } }
      : { evaluation: { accuracy: 0.82, search: { strategy: 'grid', metric: 'accuracy', trials: 2, bestTrial: 2, bestParams: { maxDepth: 3 }, bestRunId: trials[1], ...(refit ? { refitRunId: refit } : {}) } } });
    return { search: search.id, trials, searchId, ...(refit ? { refit } : {}) };
  }

  it('registers the refit run\'s model for a search run, recording the refit run as the version\'s run', () => {
    const { search, refit } = recordSearch({ refit: true });
    const v = store.models.registerVersion({ model: 'penguins', runId: search });
    expect(v).toMatchObject({ version: 1, runId: refit });
    expect(readFileSync(join(v.bundlePath, 'model', 'weights.bin'), 'utf8')).toBe('refit');
  });

  it('refuses a trial with the command that registers the search\'s refit, and a search without a refit with why', () => {
    const { search, trials, refit } = recordSearch({ refit: true });
    const trial = thrown(() => store.models.registerVersion({ model: 'penguins', runId: trials[0] }));
    expect(trial.code).toBe('USAGE');
    expect(trial.message).toBe(
      `run ${trials[0]} is trial 1 of hyperparameter search ${search}: trials are scored by cross-validation and keep no model; register the search's refit (the best trial's params trained on the full training data): stratum models register penguins --run ${refit}; or, to keep this trial's params, train tabular.decision-tree with them and register that run`,
    );
    expect(trial.detail).toMatchObject({ searchRunId: search, refitRunId: refit, trial: 1 });
    expect(existsSync(join(dir, '.stratum', 'models', 'penguins'))).toBe(false);
  });

  it('says a cancelled search has no refit to register', () => {
    const { search, trials } = recordSearch({ refit: false, status: 'cancelled' });
    expect(thrown(() => store.models.registerVersion({ model: 'penguins', runId: search })).message).toBe(`run ${search} is a hyperparameter search, which keeps no model itself, and it has no refit run to register: it was cancelled before the refit`);
    expect(thrown(() => store.models.registerVersion({ model: 'penguins', runId: trials[1] })).message).toBe(
      `run ${trials[1]} is trial 2 of hyperparameter search ${search}: trials are scored by cross-validation and keep no model; the search has no refit run, so to keep this trial's params, train tabular.decision-tree with them and register that run`,
    );
  });
});

describe('aliases', () => {
  beforeEach(() => {
    store.models.registerVersion({ model: 'a', bundlePath: fakeBundle('a1', '1') });
    store.models.registerVersion({ model: 'a', bundlePath: fakeBundle('a2', '2') });
    store.models.registerVersion({ model: 'b', bundlePath: fakeBundle('b1', '3') });
  });

  it('moves atomically: one version at a time, seen whole by a concurrent reader', () => {
    const count = (): unknown => store.db.prepare("SELECT count(*) AS n FROM model_aliases a JOIN models m ON m.id = a.model_id WHERE m.name = 'a' AND a.alias = 'champion'").get();
    expect(store.models.setAlias('a', 'champion', 1).aliases).toEqual(['champion']);
    expect(count()).toEqual({ n: 1 });

    // A second connection holding a read snapshot keeps seeing v1 while the alias moves, then sees v2: never both, never none.
    const reader = new Database(store.path, { readonly: true });
    const champion = reader.prepare("SELECT v.version FROM model_aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id WHERE m.name = 'a' AND a.alias = 'champion'");
    reader.exec('BEGIN');
    expect(champion.all()).toEqual([{ version: 1 }]);
    const moved = store.models.setAlias('a', 'champion', 'v2');
    expect(champion.all()).toEqual([{ version: 1 }]);
    reader.exec('COMMIT');
    expect(champion.all()).toEqual([{ version: 2 }]);
    reader.close();

    expect(moved).toMatchObject({ version: 2, aliases: ['champion'] });
    expect(count()).toEqual({ n: 1 });
    expect(store.models.getVersion('a', 1).aliases).toEqual([]);
    expect(store.models.getModel('a').aliases).toEqual({ champion: 2 });
    expect(store.models.aliasHistory('a', 'champion').map((e) => [e.from, e.to])).toEqual([[null, 1], [1, 2]]);
    store.models.setAlias('a', 'champion', 2); // no-op, not recorded
    store.models.deleteAlias('a', 'champion');
    expect(store.models.aliasHistory('a').map((e) => [e.alias, e.from, e.to])).toEqual([['champion', null, 1], ['champion', 1, 2], ['champion', 2, null]]);
  });

  it('rolls back an alias move together with a failed registration', () => {
    store.models.setAlias('a', 'champion', 1);
    const error = thrown(() => store.models.registerVersion({ model: 'a', bundlePath: fakeBundle('a3', '4'), runId: '0123456789ab', aliases: ['champion'] }));
    expect(error.code).toBe('RUN_UNKNOWN');
    expect(store.models.getModel('a').aliases).toEqual({ champion: 1 });
    expect(store.models.getModel('a').versions.map((v) => v.version)).toEqual([1, 2]);
    expect(existsSync(join(dir, '.stratum', 'models', 'a', 'v3'))).toBe(false);
  });

  it('cannot point an alias at a version of another model', () => {
    const error = thrown(() => store.models.setAlias('b', 'champion', 2));
    expect(error.code).toBe('MODEL_VERSION_UNKNOWN');
    expect(error.message).toBe('model "b" has no version 2 (versions: 1)');
    // Even raw SQL cannot: the composite foreign key (model_id, version_id) refuses it.
    store.models.setAlias('b', 'champion', 1);
    const aV2 = (store.db.prepare("SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'a' AND v.version = 2").get() as { id: number }).id;
    expect(() => store.db.prepare("UPDATE model_aliases SET version_id = ? WHERE alias = 'champion'").run(aV2)).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('names unknown models, versions and aliases', () => {
    store.models.setAlias('a', 'champion', 1);
    const alias = thrown(() => store.models.getVersion('a', 'staging'));
    expect(alias.code).toBe('ALIAS_UNKNOWN');
    expect(alias.message).toBe('model "a" has no alias "staging" (aliases: champion)');
    expect(thrown(() => store.models.getVersion('nope', 1)).code).toBe('MODEL_UNKNOWN');
    expect(thrown(() => store.models.getVersion('a', 9)).message).toBe('model "a" has no version 9 (versions: 1, 2)');
    expect(thrown(() => store.models.setAlias('a', 'Bad Alias', 1)).code).toBe('USAGE');
    // `v1` would read as version 1 wherever it is used, so it is refused as an alias name ("v1x" is fine).
    expect(thrown(() => store.models.setAlias('a', 'v1', 2)).message).toBe('alias: "v1" is not a valid alias: it reads as version 1');
    expect(store.models.setAlias('a', 'v1x', 2).aliases).toEqual(['v1x']);
    expect(thrown(() => store.models.deleteAlias('a', 'staging')).code).toBe('ALIAS_UNKNOWN');
    expect(thrown(() => store.models.createModel('a')).code).toBe('MODEL_EXISTS');
  });
});

describe('exportVersion', () => {
  it('copies and verifies the stored bundle; refuses a tampered copy or an existing folder', () => {
    store.models.registerVersion({ model: 'a', bundlePath: fakeBundle('a1', 'one'), aliases: ['champion'] });
    const out = join(dir, 'out', 'champion');
    const exported = store.models.exportVersion('a', 'champion', out);
    expect(exported).toMatchObject({ dir: out, model: 'a', version: 1, manifestSha256: store.models.getVersion('a', 1).manifestSha256 });
    expect(readFileSync(join(out, 'model', 'weights.bin'), 'utf8')).toBe('one');
    expect(thrown(() => store.models.exportVersion('a', 1, out)).code).toBe('USAGE');
    expect(store.models.exportVersion('a', 1, out, { overwrite: true }).dir).toBe(out);
    expect(readdirSync(join(dir, 'out'))).toEqual(['champion']); // no temp folder left

    writeFileSync(join(store.models.getVersion('a', 1).bundlePath, 'model', 'weights.bin'), 'evil');
    const error = thrown(() => store.models.exportVersion('a', 1, join(dir, 'out2')));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });
});
