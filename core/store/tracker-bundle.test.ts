/**
 * Every tracked run logs its trained model as a `bundle` artifact in the store folder (like
 * MLflow's logged model), so any run can be registered without naming a bundle folder; a model
 * that cannot be logged leaves a warning on a finished run instead of losing it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainDecisionTree } from '../ml/classic.ts';
import { predictTabular } from '../ml/predict.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { loadBundle } from '../serving/bundle.ts';
import { initBackend } from '../tf/backend.ts';
import { thrown } from '../testing.ts';
import { hashPath } from './fingerprint.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { runBundleDir, trainAndTrack, trainedByRun, trainModelAndTrack } from './tracker.ts';

// Palmer penguins (vega-datasets): 344 rows, some with missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const TREE = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], maxDepth: 3, seed: 3 };

let dir: string;
let store: TrackingStore;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'stratum-tracker-bundle-'));
  store = openTrackingStore({ workspace: dir });
});

afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('logged model bundles', () => {
  it('logs a template model as artifact "bundle" with the run id in its manifest; registering by run alone serves the same predictions', async () => {
    const { run, trained } = await trainModelAndTrack(store, penguins, TREE, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', experiment: 'logged' });
    try {
      const folder = runBundleDir(store, run.id);
      expect(folder).toBe(join(dir, '.stratum', 'artifacts', run.id, 'bundle'));
      expect(run.status).toBe('finished');
      // (Plots are artifacts too, of kind `plot`.)
      expect(run.artifacts.filter((a) => a.kind === 'bundle')).toEqual([expect.objectContaining({ name: 'bundle', kind: 'bundle', path: folder, ...hashPath(folder) })]);
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { runId: string; name: string; templateId: string };
      expect(manifest).toMatchObject({ runId: run.id, name: 'tabular.decision-tree', templateId: 'tabular.decision-tree' });
      expect(trainedByRun(trained)).toBe(run.id);
      expect(JSON.stringify(run.evaluation?.warnings ?? [])).not.toContain('not logged as a bundle');

      const version = store.models.registerVersion({ model: 'penguins-tree', runId: run.id, aliases: ['champion'] });
      expect(version).toMatchObject({ version: 1, runId: run.id, aliases: ['champion'] });
      const loaded = await loadBundle(version.bundlePath);
      try {
        const sample = penguins.filter((r) => r['Beak Length (mm)'] !== null && r['Flipper Length (mm)'] !== null).slice(0, 30);
        expect(predictTabular(loaded, sample)).toEqual(predictTabular(trained, sample));
      } finally {
        loaded.dispose();
      }
    } finally {
      trained.adapter.dispose();
    }
  });

  it('logs the MLP classifier too, unless logBundle is false', async () => {
    const params = { target: 'Species', features: ['Island', 'Beak Length (mm)'], hiddenLayers: [4], epochs: 2, seed: 1 };
    const logged = await trainAndTrack(store, penguins, params, { experiment: 'mlp' });
    const unlogged = await trainAndTrack(store, penguins, params, { experiment: 'mlp', logBundle: false });
    try {
      expect(logged.run.artifacts.filter((a) => a.kind === 'bundle').map((a) => [a.name, a.path])).toEqual([['bundle', runBundleDir(store, logged.run.id)]]);
      expect(JSON.parse(readFileSync(join(runBundleDir(store, logged.run.id), 'manifest.json'), 'utf8')).runId).toBe(logged.run.id);
      expect(unlogged.run.artifacts.filter((a) => a.kind === 'bundle')).toEqual([]);
      expect(existsSync(runBundleDir(store, unlogged.run.id))).toBe(false);
      expect(trainedByRun(unlogged.trained)).toBe(unlogged.run.id);
      expect(trainedByRun({})).toBeUndefined();
    } finally {
      logged.trained.model.dispose();
      unlogged.trained.model.dispose();
    }
  });

  it('keeps the run, finished with a warning, when the bundle cannot be written', async () => {
    const other = mkdtempSync(join(tmpdir(), 'stratum-tracker-bundle-fail-'));
    const broken = openTrackingStore({ workspace: other });
    try {
      // A file where the artifacts folder should be: every export into it fails (ENOTDIR), as on a full or read-only disk.
      writeFileSync(join(dirname(broken.path), 'artifacts'), 'not a folder');
      const { run, trained } = await trainModelAndTrack(broken, penguins, TREE, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js' });
      trained.adapter.dispose();
      expect(run.status).toBe('finished');
      expect(run.artifacts.filter((a) => a.kind === 'bundle')).toEqual([]);
      expect(run.evaluation?.accuracy).toBe(trained.evaluation.task === 'classification' ? trained.evaluation.accuracy : Number.NaN);
      const warnings = (run.evaluation?.warnings ?? []) as string[];
      expect(warnings.filter((w) => w.includes('not logged as a bundle'))).toEqual([expect.stringMatching(/^the trained model was not logged as a bundle \(register it from an exported folder instead\): .*ENOTDIR/)]);
      const error = thrown(() => broken.models.registerVersion({ model: 'm', runId: run.id }));
      expect(error.code).toBe('USAGE');
      expect(error.hint).toMatch(/^Its model was not logged as a bundle/);
    } finally {
      broken.dispose();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
