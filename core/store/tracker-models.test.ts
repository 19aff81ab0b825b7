/**
 * Run tracking for the templates other than the MLP classifier: the generated code of
 * `tabular.decision-tree`, run against a `stratum` whose trainer is wrapped by
 * `trackedModelTrainer` (as the kernel binds it), records a finished run with its metrics.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTemplateCode } from '../../templates/index.ts';
import { trainDecisionTree } from '../ml/classic.ts';
import type { TrainedModel } from '../ml/model.ts';
import { modelSummary } from '../ml/predict.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { trackedModelTrainer, trainModelAndTrack } from './tracker.ts';

// Palmer penguins (vega-datasets): 344 rows, some with missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const PARAMS = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], maxDepth: 4, seed: 3 };

let dir: string;
let store: TrackingStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-tracker-models-'));
  store = openTrackingStore({ workspace: dir });
});

afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('trackedModelTrainer', () => {
  it('records a decision-tree run on penguins, with its template id, params and metrics, from the unchanged generated code', async () => {
    const code = renderTemplateCode('tabular.decision-tree', { data: 'penguins', ...PARAMS, resultName: 'tree', showPlots: false });
    const stratum = {
      trainDecisionTree: trackedModelTrainer(store, trainDecisionTree, () => ({ templateId: 'tabular.decision-tree', backend: 'js', experiment: 'trees', notebook: { path: '/nb/p.stratum.json', cellId: 'cell-3' }, dataSource: 'penguins' })),
      toRecords: (x: FeatureRecord[]) => x,
      modelSummary,
    };
    const shown: unknown[] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
    const cell = new AsyncFunction('stratum', 'display', 'penguins', `${code.trimEnd().split('\n').slice(0, -1).join('\n')}\nreturn tree;`);
    const trained = (await cell(stratum, (x: unknown) => shown.push(x), penguins)) as TrainedModel;
    try {
      const runs = store.runs.list({ experiment: 'trees' });
      expect(runs).toHaveLength(1);
      const run = store.runs.get(runs[0].id);
      expect(run).toMatchObject({ status: 'finished', templateId: 'tabular.decision-tree', backend: 'js', seed: 3, notebook: { cellId: 'cell-3' }, data: { source: 'penguins', rowCount: 344 } });
      expect(run.params).toMatchObject({ target: 'Species', maxDepth: 4 });
      if (trained.evaluation.task !== 'classification') throw new Error('expected a classification evaluation');
      expect(run.evaluation?.accuracy).toBe(trained.evaluation.accuracy);
      expect(run.evaluation?.balancedAccuracy).toBe(trained.evaluation.balancedAccuracy);
      expect(run.evaluation?.macroF1).toBe(trained.evaluation.macroF1);
      expect(run.evaluation?.sizes).toEqual(trained.sizes);
      // A depth-4 tree on these features separates the three species well (majority baseline ~0.44).
      expect(trained.evaluation.accuracy).toBeGreaterThan(0.85);
      expect(shown).toHaveLength(1);
    } finally {
      trained.adapter.dispose();
    }
  });

  it('records a failed run with the error code and rethrows it', async () => {
    await expect(trainModelAndTrack(store, penguins, { ...PARAMS, target: 'Island', features: ['Island2'] }, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js', experiment: 'broken' })).rejects.toMatchObject({ code: 'TEMPLATE_PARAMS' });
    const [run] = store.runs.list({ experiment: 'broken' });
    expect(run).toMatchObject({ status: 'failed', templateId: 'tabular.decision-tree', error: { code: 'TEMPLATE_PARAMS' } });
  });
});
