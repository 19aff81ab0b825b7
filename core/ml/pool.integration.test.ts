/**
 * Training in worker threads (core/ml/pool.ts): folds, trials and `ml-*` trainings give the same
 * numbers in workers as in process (the expected values are the in-process run's, itself checked
 * against scikit-learn in cv.test.ts and classic tests), trials reach the tracking store in trial
 * order, an abort terminates the workers at once (the run is recorded `cancelled`), a crashed
 * worker is a `TRAINING_FAILED` naming the job, and no worker thread outlives a call.
 * Starts worker threads (each loads tsx and, for TF.js templates, TensorFlow.js).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection, thrown } from '../testing.ts';
import { openTrackingStore, type TrackingStore } from '../store/store.ts';
import { searchAndTrack } from '../store/search-tracking.ts';
import { trainModelAndTrack } from '../store/tracker.ts';
import { trainDecisionTree, trainRandomForest } from './classic.ts';
import { crossValidate, type FoldResult } from './cv.ts';
import { trainKMeans } from './kmeans.ts';
import { liveTrainWorkers, resolveWorkerCount, TRAIN_WORKERS_ENV, TrainPool, WORKER_MIN_CELLS } from './pool.ts';
import { hyperparameterSearch } from './search.ts';
import type { FeatureRecord } from './types.ts';

// Palmer penguins (vega-datasets): 344 rows, 3 species.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const BASE = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], seed: 3 };
/** A random forest that would train for minutes: 12 copies of penguins (12,384 cells: in a worker by default), 3,000 unpruned trees. */
const SLOW_FOREST = { ...BASE, nEstimators: 3000, maxDepth: 30, minSamples: 2, gainThreshold: 0, maxFeatures: 1 };
const bigPenguins = Array.from({ length: 12 }, () => penguins).flat();

/** Aborts `controller` once a worker thread is alive and has had a moment to start its job. */
async function abortOnceRunning(controller: AbortController): Promise<void> {
  while (liveTrainWorkers() === 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  controller.abort();
}

const withoutTimes = (folds: FoldResult[]) => folds.map(({ trainMs: _, ...f }) => f);

let dir: string;
let store: TrackingStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-pool-'));
  store = openTrackingStore({ workspace: dir });
});
afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // No test may leave a worker thread running.
  expect(liveTrainWorkers()).toBe(0);
});

describe('resolveWorkerCount', () => {
  it('takes the option, else STRATUM_TRAIN_WORKERS, else the cores from WORKER_MIN_CELLS cells; never more than the jobs', () => {
    const saved = process.env[TRAIN_WORKERS_ENV];
    try {
      delete process.env[TRAIN_WORKERS_ENV];
      expect(resolveWorkerCount({ jobs: 5, cells: WORKER_MIN_CELLS - 1 })).toBe(1);
      expect(resolveWorkerCount({ jobs: 5, cells: WORKER_MIN_CELLS })).toBe(Math.min(5, availableParallelism()));
      expect(resolveWorkerCount({ jobs: 1, cells: 1e9 })).toBe(1);
      expect(resolveWorkerCount({ workers: 3, jobs: 5, cells: 10 })).toBe(3);
      expect(resolveWorkerCount({ workers: 4, jobs: 2, cells: 10 })).toBe(2);
      process.env[TRAIN_WORKERS_ENV] = '3';
      expect(resolveWorkerCount({ jobs: 5, cells: 10 })).toBe(3);
      expect(resolveWorkerCount({ workers: 1, jobs: 5, cells: 1e9 })).toBe(1);
      process.env[TRAIN_WORKERS_ENV] = 'two';
      expect(thrown(() => resolveWorkerCount({ jobs: 5, cells: 10 })).message).toBe('STRATUM_TRAIN_WORKERS="two": expected an integer >= 1 (1 = train in process)');
      expect(thrown(() => resolveWorkerCount({ workers: 0, jobs: 5, cells: 10 })).detail.field).toBe('workers');
    } finally {
      if (saved === undefined) delete process.env[TRAIN_WORKERS_ENV];
      else process.env[TRAIN_WORKERS_ENV] = saved;
    }
  });
});

describe('cross-validation in workers', () => {
  it('gives the in-process folds exactly (decision tree, 5 stratified folds), reported in fold order', async () => {
    const options = { templateId: 'tabular.decision-tree', records: penguins, params: { ...BASE, maxDepth: 4 }, folds: 5, seed: 7 };
    const inProcess = await crossValidate({ ...options, workers: 1 });
    const order: number[] = [];
    const inWorkers = await crossValidate({ ...options, workers: 2, onFold: (f) => order.push(f.fold) });
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(withoutTimes(inWorkers.perFold)).toEqual(withoutTimes(inProcess.perFold));
    expect(inWorkers.metrics).toEqual(inProcess.metrics);
    expect([inWorkers.mean, inWorkers.std]).toEqual([inProcess.mean, inProcess.std]);
  });

  it('gives the in-process scores of a TF.js template within 1e-6, with its epochs reported per fold', async () => {
    const options = { templateId: 'tabular.logistic-regression', records: penguins, params: { ...BASE, epochs: 3, batchSize: 64 }, folds: 2, seed: 1 };
    const inProcess = await crossValidate({ ...options, workers: 1 });
    const epochs: string[] = [];
    const inWorkers = await crossValidate({ ...options, workers: 2, onEpoch: (log, fold) => epochs.push(`${fold}.${log.epoch}`) });
    expect(epochs.sort()).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
    for (const [name, summary] of Object.entries(inProcess.metrics)) {
      expect(inWorkers.metrics[name].mean).toBeCloseTo(summary.mean as number, 6);
      expect(inWorkers.metrics[name].std).toBeCloseTo(summary.std as number, 6);
    }
  });

  it('rethrows a fold\'s error as the trainer threw it in process', async () => {
    const options = { templateId: 'tabular.decision-tree', records: penguins, params: { ...BASE, maxDepth: 0 }, folds: 3 };
    const inProcess = await rejection(crossValidate({ ...options, workers: 1 }));
    const inWorkers = await rejection(crossValidate({ ...options, workers: 2 }));
    expect([inWorkers.code, inWorkers.message]).toEqual(['TEMPLATE_PARAMS', 'maxDepth: expected a positive integer, got 0']);
    expect([inWorkers.code, inWorkers.message, inWorkers.detail]).toEqual([inProcess.code, inProcess.message, inProcess.detail]);
  });

  it('stops at once when aborted: KERNEL_INTERRUPTED, every worker terminated', async () => {
    const controller = new AbortController();
    const folds: number[] = [];
    const cv = crossValidate({ templateId: 'tabular.random-forest', records: bigPenguins, params: SLOW_FOREST, folds: 3, workers: 2, signal: controller.signal, onFold: (f) => folds.push(f.fold) });
    await abortOnceRunning(controller);
    const error = await rejection(cv);
    expect(error.code).toBe('KERNEL_INTERRUPTED');
    expect(error.message).toMatch(/^cross-validation was cancelled \(fold [12] of 3 stopped\)$/);
    expect(folds).toEqual([]);
    expect(liveTrainWorkers()).toBe(0);
  });

  it('names the job and the cause when a worker crashes (out of memory)', async () => {
    const pool = new TrainPool({ size: 1, records: penguins, what: 'cross-validation', resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } });
    try {
      const error = await rejection(pool.run({ kind: 'fold', templateId: 'tabular.decision-tree', task: 'classification', params: { ...BASE, splitIndexes: { train: [0, 1, 2], test: [3] } }, epochs: false }, 'fold 2 of 5'));
      expect(error.code).toBe('TRAINING_FAILED');
      expect(error.message).toBe('fold 2 of 5: the training worker stopped: it ran out of memory');
      expect(error.detail).toMatchObject({ field: 'workers', job: 'fold 2 of 5' });
    } finally {
      await pool.dispose();
    }
  });
});

describe('search trials in workers', () => {
  it('gives the in-process trials and records the trial runs in trial order', async () => {
    const options = { templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { maxDepth: [1, 2, 3, 4, 6] }, strategy: 'grid' as const, folds: 3 };
    const inProcess = await hyperparameterSearch({ ...options, workers: 1, refit: false });
    const result = await searchAndTrack(store, { ...options, workers: 2 }, { experiment: 'pool-search' });
    expect(result.trials.map((t) => [t.index, t.params, t.mean, t.std, t.foldScores, t.metrics])).toEqual(inProcess.trials.map((t) => [t.index, t.params, t.mean, t.std, t.foldScores, t.metrics]));
    expect(result.best).toMatchObject(inProcess.best);
    const runs = store.runs.list({ experiment: 'pool-search', order: 'oldest' });
    const trialRuns = runs.filter((r) => r.id !== result.searchRunId && r.id !== result.refitRunId);
    expect(trialRuns.map((r) => store.runs.get(r.id).params.trial)).toEqual([1, 2, 3, 4, 5]);
    expect(trialRuns.map((r) => r.id)).toEqual(result.trials.map((t) => t.runId));
    expect(store.runs.get(trialRuns[2].id).metrics.filter((m) => m.name === 'fold.accuracy').map((m) => m.value)).toEqual(inProcess.trials[2].foldScores);
  });
});

describe('ml-* trainers in a worker', () => {
  it('return the in-process model: same evaluation, same model.json, same predictions', async () => {
    const signal = new AbortController().signal;
    const inProcess = await trainDecisionTree(penguins, { ...BASE, maxDepth: 4 });
    const inWorker = await trainDecisionTree(penguins, { ...BASE, maxDepth: 4 }, { signal, workers: 2 });
    expect(inWorker.evaluation).toEqual(inProcess.evaluation);
    expect(inWorker.params).toEqual(inProcess.params);
    expect(Buffer.from((await inWorker.adapter.save())['model.json'])).toEqual(Buffer.from((await inProcess.adapter.save())['model.json']));
    const x = new Float32Array(Array.from({ length: 3 * inProcess.adapter.inputWidth }, (_, i) => (i % 5) - 2));
    expect(inWorker.adapter.predict(x, 3)).toEqual(inProcess.adapter.predict(x, 3));

    const kmeansParams = { features: ['Beak Length (mm)', 'Flipper Length (mm)'], k: 3, elbowKs: [2, 3] };
    const clusters = await trainKMeans(penguins, kmeansParams);
    const clustersInWorker = await trainKMeans(penguins, kmeansParams, { signal, workers: 2 });
    expect(clustersInWorker.evaluation).toEqual(clusters.evaluation);
    expect(Buffer.from((await clustersInWorker.adapter.save())['model.json'])).toEqual(Buffer.from((await clusters.adapter.save())['model.json']));
  });

  it('an interrupt stops the training at once and the run is recorded cancelled', async () => {
    const controller = new AbortController();
    const training = trainModelAndTrack(store, bigPenguins, SLOW_FOREST, trainRandomForest, { templateId: 'tabular.random-forest', backend: 'js', experiment: 'pool-cancel', hooks: { signal: controller.signal } });
    await abortOnceRunning(controller);
    const error = await rejection(training);
    expect([error.code, error.message]).toEqual(['KERNEL_INTERRUPTED', 'training of tabular.random-forest was cancelled (tabular.random-forest stopped)']);
    const [run] = store.runs.list({ experiment: 'pool-cancel' });
    expect([run.status, store.runs.get(run.id).error?.code]).toEqual(['cancelled', 'KERNEL_INTERRUPTED']);
  });
});
