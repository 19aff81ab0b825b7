import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import { predictRecords, trainingSummary } from '../ml/mlp.ts';
import { toRecords } from '../ml/records.ts';
import type { FeatureRecord, TrainedClassifier } from '../ml/types.ts';
import { loadBundle } from '../serving/bundle.ts';
import { initBackend } from '../tf/backend.ts';
import { renderTemplateCode } from '../../templates/index.ts';
import { fingerprintRecords, hashPath } from './fingerprint.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';
import { MLP_TEMPLATE_ID, trackedTrainer, trainAndTrack } from './tracker.ts';

// Palmer penguins (vega-datasets): 344 rows, some with missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const PARAMS = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], hiddenLayers: [8], epochs: 3, seed: 3 };

let dir: string;
let store: TrackingStore;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'stratum-tracker-'));
  store = openTrackingStore({ workspace: dir });
});

afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('trainAndTrack', () => {
  it('records params, fingerprint, epochs, evaluation and the bundle; the registered version serves the same predictions', async () => {
    const bundleDir = join(dir, 'bundles', 'penguins');
    const epochsSeen: number[] = [];
    const { run, trained } = await trainAndTrack(store, penguins, PARAMS, {
      experiment: 'penguins',
      dataSource: 'penguins.json',
      notebook: { path: '/nb/p.stratum.json', cellId: 'train', revision: 'r1' },
      hooks: { onEpoch: (log) => epochsSeen.push(log.epoch) },
      bundle: { dir: bundleDir, name: 'penguins' },
    });
    try {
      expect(epochsSeen).toEqual([1, 2, 3]);
      expect(run).toMatchObject({
        experiment: 'penguins',
        status: 'finished',
        templateId: MLP_TEMPLATE_ID,
        backend: trained.backend,
        seed: 3,
        data: fingerprintRecords(penguins, 'penguins.json'),
        notebook: { path: '/nb/p.stratum.json', cellId: 'train', revision: 'r1' },
        error: null,
      });
      expect(run.data?.rowCount).toBe(344);
      // Defaults recorded too (MLP_DEFAULTS), so runs compare on what training really used.
      expect(run.params).toEqual({ ...PARAMS, batchSize: 32, learningRate: 0.001, testFraction: 0.2, unseen: 'error', categorical: [] });
      expect(run.evaluation).toMatchObject({ accuracy: trained.evaluation.accuracy, macroF1: trained.evaluation.macroF1, n: trained.evaluation.n, sizes: trained.sizes });
      // 3 epochs x (loss, accuracy, valLoss, valAccuracy), equal to the training history.
      expect(run.metrics).toHaveLength(12);
      for (const h of trained.history) {
        expect(run.metrics.find((m) => m.name === 'loss' && m.epoch === h.epoch)?.value).toBe(h.loss);
        expect(run.metrics.find((m) => m.name === 'valAccuracy' && m.epoch === h.epoch)?.value).toBe(h.valAccuracy);
      }
      expect(run.metrics.every((m) => m.stepMs !== null && m.stepMs > 0)).toBe(true);
      expect(run.artifacts.filter((a) => a.kind !== 'plot')).toEqual([expect.objectContaining({ name: 'bundle', kind: 'bundle', path: bundleDir, ...hashPath(bundleDir) })]);

      const version = store.models.registerVersion({ model: 'penguins', runId: run.id, aliases: ['champion'] });
      const exported = store.models.exportVersion('penguins', 'champion', join(dir, 'served'));
      const loaded = await loadBundle(exported.dir);
      try {
        expect(store.models.lineage('penguins', 'champion').run?.id).toBe(run.id);
        expect(version.version).toBe(1);
        const sample = penguins.filter((r) => r['Beak Length (mm)'] !== null).slice(0, 20);
        const before = predictRecords(trained, sample);
        const after = predictRecords(loaded, sample);
        after.forEach((p, i) => {
          expect(p.label).toBe(before[i].label);
          for (const label of trained.labels) expect(Math.abs(p.probabilities[label] - before[i].probabilities[label])).toBeLessThan(1e-6);
        });
      } finally {
        loaded.dispose();
      }
    } finally {
      trained.model.dispose();
    }
  });

  it('records a failed run with the error and rethrows it', async () => {
    let error: unknown;
    try {
      await trainAndTrack(store, penguins, { ...PARAMS, features: ['Wingspan'] }, { experiment: 'failures' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StratumError);
    const [run] = store.runs.list({ experiment: 'failures' });
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'TEMPLATE_PARAMS', message: (error as StratumError).message });
    expect(run.endedAt).not.toBeNull();
  });

  it('disposes the model and records the failure when the bundle export fails after training', async () => {
    const before = tf.memory().numTensors;
    await expect(trainAndTrack(store, penguins, PARAMS, { experiment: 'export-failure', bundle: { dir: join(dir, 'never'), name: 'not a valid name' } })).rejects.toThrow(/bundle name "not a valid name" is invalid/);
    expect(tf.memory().numTensors).toBe(before);
    const [run] = store.runs.list({ experiment: 'export-failure' });
    expect(run).toMatchObject({ status: 'failed', error: { code: 'USAGE' } });
    expect(store.runs.get(run.id).metrics).toHaveLength(12); // the epochs were recorded before the failure
  });
});

describe('template code with a tracked trainer (how the kernel binds it)', () => {
  it('records a run from the unchanged generated code of tabular.mlp-classifier', async () => {
    const code = renderTemplateCode('tabular.mlp-classifier', { data: 'penguins', ...PARAMS, resultName: 'clf', showPlots: false });
    const stratum = {
      trainMlpClassifier: trackedTrainer(store, () => ({ experiment: 'notebook', notebook: { path: '/nb/p.stratum.json', cellId: 'cell-7', revision: 'r2' }, dataSource: 'penguins' })),
      toRecords,
      trainingSummary,
      progress: (): void => undefined,
    };
    const shown: unknown[] = [];
    // The kernel evaluates cells as async code with the scope as globals; this is the same code in a function.
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
    const cell = new AsyncFunction('stratum', 'display', 'penguins', `${code.trimEnd().split('\n').slice(0, -1).join('\n')}\nreturn clf;`);
    const trained = (await cell(stratum, (x: unknown) => shown.push(x), penguins)) as TrainedClassifier;
    try {
      const [run] = store.runs.list({ experiment: 'notebook' });
      expect(run).toMatchObject({ status: 'finished', templateId: 'tabular.mlp-classifier', notebook: { cellId: 'cell-7', revision: 'r2' }, data: { source: 'penguins', rowCount: 344 } });
      expect(run.evaluation?.accuracy).toBe(trained.evaluation.accuracy);
      expect(shown).toHaveLength(1);
    } finally {
      trained.model.dispose();
    }
  });
});
