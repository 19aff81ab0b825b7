/**
 * A tracked hyperparameter search on penguins: the search, each trial and the refit are runs of
 * one experiment; the refit run can be registered as a model version by its id; a cancelled
 * search leaves its finished trials and marks the rest cancelled.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import type { TrainedModel } from '../ml/model.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { rankedTrials } from '../ml/search.ts';
import { searchRunSummary } from './search-runs.ts';
import { SEARCH_TEMPLATE_ID, searchAndTrack } from './search-tracking.ts';
import { openTrackingStore, type TrackingStore } from './store.ts';

// Palmer penguins (vega-datasets): 344 rows, 3 species.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const BASE = { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], seed: 3 };

let dir: string;
let store: TrackingStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-search-tracking-'));
  store = openTrackingStore({ workspace: dir });
});

afterAll(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('searchAndTrack', () => {
  it('records the search, every trial (with its CV metrics and fold scores) and the refit, which registers by run id', async () => {
    const result = await searchAndTrack(store, {
      templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { maxDepth: [2, 3], minSamples: [2, 10] }, strategy: 'grid', folds: 2,
    }, { notebook: { path: '/nb/penguins.stratum.json', cellId: 'c7' }, dataSource: 'penguins.json' });
    expect(result.experiment).toBe(`search-${result.searchId}`);
    const runs = store.runs.list({ experiment: result.experiment, order: 'oldest' });
    // The search run, 4 trials, the refit.
    expect(runs.map((r) => r.templateId)).toEqual([SEARCH_TEMPLATE_ID, ...Array(5).fill('tabular.decision-tree')]);
    expect(runs.every((r) => r.status === 'finished')).toBe(true);
    expect(runs.map((r) => r.id)).toEqual([result.searchRunId, ...result.trials.map((t) => t.runId), result.refitRunId]);

    const trial = store.runs.get(result.trials[0].runId as string);
    expect(trial.params).toEqual({ ...BASE, maxDepth: 2, minSamples: 2, searchId: result.searchId, trial: 1 });
    expect(trial).toMatchObject({ backend: 'js', seed: 3, notebook: { cellId: 'c7' }, data: { source: 'penguins.json', rowCount: 275 } });
    // The trial cross-validated the template's training split (344 rows, 20% held out, stratified: 275), not all the records.
    expect(result.rows).toEqual({ search: 275, heldOut: 69, missingTarget: 0 });
    expect(store.runs.get(result.searchRunId as string).data?.rowCount).toBe(344);
    expect(trial.evaluation?.accuracy).toBe(result.trials[0].mean);
    expect(trial.evaluation?.accuracyStd).toBe(result.trials[0].std);
    expect((trial.evaluation?.crossValidation as { foldScores: number[] }).foldScores).toEqual(result.trials[0].foldScores);
    expect(trial.metrics.filter((m) => m.name === 'fold.accuracy').map((m) => [m.epoch, m.value])).toEqual(result.trials[0].foldScores.map((s, i) => [i + 1, s]));

    const search = store.runs.get(result.searchRunId as string);
    expect(search.params).toMatchObject({ templateId: 'tabular.decision-tree', strategy: 'grid', folds: 2, metric: 'accuracy', space: { maxDepth: [2, 3], minSamples: [2, 10] } });
    expect(search.evaluation?.accuracy).toBe(result.best.mean);
    expect(search.evaluation?.search).toMatchObject({ trials: 4, failedTrials: 0, stopReason: 'exhausted', bestTrial: result.best.trial, bestRunId: result.best.runId, refitRunId: result.refitRunId });

    const refit = store.runs.get(result.refitRunId as string);
    expect(refit.params).toMatchObject({ ...BASE, ...result.best.params });
    const model = result.model as TrainedModel;
    expect(refit.evaluation?.accuracy).toBe((model.evaluation as { accuracy: number }).accuracy);
    expect(refit.evaluation?.sizes).toEqual({ train: result.rows.search, test: result.rows.heldOut });
    // One command from registration: `stratum models register penguins --run <refit run id>`.
    const version = store.models.registerVersion({ model: 'penguins', runId: result.refitRunId });
    expect(version).toMatchObject({ version: 1, runId: result.refitRunId });
  });

  it('keeps the warning of a grid cut short by the budget, and reads back as a summary with its trial table', async () => {
    const result = await searchAndTrack(store, { templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { maxDepth: [2, 3, 4], minSamples: [2, 10] }, strategy: 'grid', budget: { trials: 2 }, folds: 2 });
    const search = store.runs.get(result.searchRunId as string);
    expect(search.evaluation?.warnings).toEqual(["the grid has 6 combinations but the budget of 2 trials stopped it after 2, the first 2 in grid order (the last param varies fastest): maxDepth stayed 2; use strategy: 'random' to sample the whole space within the same budget, or shrink the grid"]);
    const summary = searchRunSummary(store.runs, search);
    expect(summary).toMatchObject({ searchId: result.searchId, templateId: 'tabular.decision-tree', strategy: 'grid', metric: 'accuracy', direction: 'maximize', folds: 2, searched: ['maxDepth', 'minSamples'], trials: 2, bestTrial: result.best.trial, bestParams: result.best.params, bestRunId: result.best.runId, refitRunId: result.refitRunId, warnings: search.evaluation?.warnings });
    expect(summary?.trialRuns.map((t) => [t.runId, t.trial, t.params, t.mean])).toEqual(rankedTrials(result).map((t) => [t.runId, t.index, t.params, t.mean]));
  });

  it('marks the trial in progress and the search cancelled when interrupted, keeping the finished trials', async () => {
    const controller = new AbortController();
    const error = await searchAndTrack(store, {
      templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { maxDepth: [2, 3, 4] }, strategy: 'grid', folds: 3, signal: controller.signal,
      onFold: ({ trial, fold }) => {
        if (trial === 2 && fold.fold === 1) controller.abort();
      },
    }, { experiment: 'cancelled-search' }).catch((e: unknown) => e);
    expect((error as StratumError).code).toBe('KERNEL_INTERRUPTED');
    const runs = store.runs.list({ experiment: 'cancelled-search', order: 'oldest' });
    expect(runs.map((r) => [r.templateId, r.status])).toEqual([[SEARCH_TEMPLATE_ID, 'cancelled'], ['tabular.decision-tree', 'finished'], ['tabular.decision-tree', 'cancelled']]);
    expect(runs[2].error?.code).toBe('KERNEL_INTERRUPTED');
  });

  it('with worker threads, creates the search run when the search starts and records each trial with its real start and end', async () => {
    const seen: Array<{ index: number; runs: Array<[string | null, string]> }> = [];
    const result = await searchAndTrack(store, {
      templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { maxDepth: [2, 3, 4] }, strategy: 'grid', folds: 2, workers: 2,
      onTrialStart: ({ index }) => seen.push({ index, runs: store.runs.list({ experiment: 'worker-search', order: 'oldest' }).map((r) => [r.templateId, r.status]) }),
    }, { experiment: 'worker-search' });
    // When trial 1 is reported the search run already exists, still running (and trial 1's run was just created).
    expect(seen[0]).toEqual({ index: 1, runs: [[SEARCH_TEMPLATE_ID, 'running'], ['tabular.decision-tree', 'running']] });
    const search = store.runs.get(result.searchRunId as string);
    const trials = result.trials.map((t) => store.runs.get(t.runId as string));
    expect(trials.map((r) => r.params.trial)).toEqual([1, 2, 3]);
    for (const [i, run] of trials.entries()) {
      const t = result.trials[i];
      expect(run.startedAt).toBe(new Date(t.startedAt as number).toISOString());
      expect(run.endedAt).toBe(new Date(t.endedAt as number).toISOString());
      expect(Date.parse(search.startedAt)).toBeLessThanOrEqual(Date.parse(run.startedAt));
    }
    // Trials 1 and 2 ran side by side: trial 2 started before trial 1 ended.
    expect(Date.parse(trials[1].startedAt)).toBeLessThanOrEqual(Date.parse(trials[0].endedAt as string));
  });

  it('records nothing for a search refused before its first trial', async () => {
    const before = store.runs.list({ limit: 1000 }).length;
    const error = await searchAndTrack(store, { templateId: 'tabular.decision-tree', records: penguins, baseParams: BASE, space: { depth: [2] }, strategy: 'grid' }).catch((e: unknown) => e);
    expect((error as StratumError).message).toBe('space.depth: depth is not a param of tabular.decision-tree');
    expect(store.runs.list({ limit: 1000 })).toHaveLength(before);
  });
});
