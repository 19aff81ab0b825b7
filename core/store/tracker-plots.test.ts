/**
 * What a tracked run stores besides metrics: its evaluation plots as `plot` artifacts (Plotly JSON
 * files under `.stratum/artifacts/<run>/plots/`), and its params with the trainer's defaults applied.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainDecisionTree } from '../ml/classic.ts';
import { trainKMeans } from '../ml/kmeans.ts';
import { evaluationPlots } from '../ml/plots.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { initBackend } from '../tf/backend.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { runPlotsDir, trainAndTrack, trainModelAndTrack } from './tracker.ts';

// Palmer penguins (vega-datasets): 344 rows, some with missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const COLUMNS = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'] };

let dir: string;
let store: TrackingStore;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'stratum-tracker-plots-'));
  store = openTrackingStore({ workspace: dir });
});

afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('tracked runs store their evaluation plots', () => {
  it('decision tree: one plot artifact per applicable plot, files equal to evaluationPlots(model), checksummed', async () => {
    const { run, trained } = await trainModelAndTrack(store, penguins, { ...COLUMNS, maxDepth: 3 }, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', experiment: 'plots', logBundle: false });
    const plots = run.artifacts.filter((a) => a.kind === 'plot');
    expect(plots.map((a) => a.name)).toEqual(['plot:confusion-matrix', 'plot:roc-curve', 'plot:pr-curve', 'plot:permutation-importance']);
    const expected = evaluationPlots(trained);
    for (const [i, artifact] of plots.entries()) {
      expect(artifact.path).toBe(join(runPlotsDir(store, run.id), `${expected[i].kind}.plotly.json`));
      expect(artifact.path.startsWith(join(dir, '.stratum', 'artifacts', run.id))).toBe(true);
      expect(JSON.parse(readFileSync(artifact.path, 'utf8'))).toEqual(expected[i].figure);
      expect(artifact.sha256).toBe(sha256(artifact.path));
    }
    expect(run.evaluation?.warnings).toBeUndefined();
  });

  it('MLP classifier (trainAndTrack): also the learning curves', async () => {
    const { run, trained } = await trainAndTrack(store, penguins, { ...COLUMNS, hiddenLayers: [8], epochs: 2, seed: 3 }, { experiment: 'plots', logBundle: false });
    try {
      expect(run.artifacts.filter((a) => a.kind === 'plot').map((a) => a.name)).toEqual(['plot:confusion-matrix', 'plot:roc-curve', 'plot:pr-curve', 'plot:learning-curves', 'plot:permutation-importance']);
      const curves = JSON.parse(readFileSync(join(runPlotsDir(store, run.id), 'learning-curves.plotly.json'), 'utf8')) as { data: Array<{ y: number[] }> };
      expect(curves.data[0].y).toEqual(trained.history.map((h) => h.loss));
    } finally {
      trained.model.dispose();
    }
  });

  it('logPlots: false stores none; a clustering run has none to store and no warning', async () => {
    const off = await trainModelAndTrack(store, penguins, { ...COLUMNS, maxDepth: 2 }, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', logBundle: false, logPlots: false });
    expect(off.run.artifacts).toEqual([]);
    expect(existsSync(runPlotsDir(store, off.run.id))).toBe(false);
    const km = await trainModelAndTrack(store, penguins, { features: ['Beak Length (mm)', 'Flipper Length (mm)'], k: 3, elbowKs: [] }, trainKMeans, { templateId: 'tabular.kmeans', backend: 'js', logBundle: false });
    expect(km.run.artifacts).toEqual([]);
    expect(km.run.evaluation?.warnings).toBeUndefined();
  });

  it('a plot that cannot be drawn does not lose the run: it finishes with a warning saying why', async () => {
    const broken = async (records: FeatureRecord[], params: typeof COLUMNS) => {
      const model = await trainDecisionTree(records, params);
      return { ...model, heldOut: { records: model.heldOut?.records ?? [], y: [1, 2] } };
    };
    const { run } = await trainModelAndTrack(store, penguins, COLUMNS, broken, { templateId: 'tabular.decision-tree', backend: 'js', logBundle: false });
    expect(run.status).toBe('finished');
    expect(run.evaluation?.warnings).toEqual([expect.stringMatching(/^the evaluation plots were not stored: /)]);
  });
});

describe('tracked runs record params with the trainer\'s defaults applied', () => {
  it('decision tree called with columns only: the run has every default, the seed column and run_params too', async () => {
    const { run, trained } = await trainModelAndTrack(store, penguins, COLUMNS, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', experiment: 'defaults', logBundle: false, logPlots: false });
    // CLASSIC_DEFAULTS (core/ml/classic.ts) and the shared column defaults.
    const expected = { ...COLUMNS, categorical: [], unseen: 'error', testFraction: 0.2, seed: 42, maxDepth: 8, minSamples: 3, gainThreshold: 0.01 };
    expect(run.params).toEqual(expected);
    expect(run.params).toEqual(JSON.parse(JSON.stringify(trained.params)));
    expect(run.seed).toBe(42);
    const rows = store.db.prepare('SELECT name, value_json FROM run_params WHERE run_id = ? ORDER BY name').all(run.id) as Array<{ name: string; value_json: string }>;
    expect(Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value_json) as unknown]))).toEqual(expected);
  });

  it('a failed run keeps the params as passed (training never resolved them)', async () => {
    await expect(trainModelAndTrack(store, penguins, { ...COLUMNS, features: ['nope'] }, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', experiment: 'defaults-failed' })).rejects.toMatchObject({ code: 'TEMPLATE_PARAMS' });
    const [run] = store.runs.list({ experiment: 'defaults-failed' });
    expect(run.params).toEqual({ ...COLUMNS, features: ['nope'] });
    expect(run.seed).toBeNull();
  });
});
