/**
 * The workbench API's view of tracked hyperparameter searches (core/workspace/tracking.ts):
 * `runs.get` of a search run carries its best params, refit run and trial table; of a trial, the
 * search it belongs to; `models.register` of a search run registers the refit's model, and of a
 * trial says what to register instead (the message the Runs view shows).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../testing.ts';
import { openTrackingStore } from '../store/store.ts';
import { trackingApi, type TrackingApi } from './tracking.ts';

let root: string;
let api: TrackingApi;
const ids: Record<'search' | 'trial1' | 'trial2' | 'refit' | 'plain', string> = { search: '', trial1: '', trial2: '', refit: '', plain: '' };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'stratum-tracking-api-'));
  const store = openTrackingStore({ workspace: root });
  const searchId = 'feed00000001';
  const experiment = `search-${searchId}`;
  ids.search = store.runs.create({ experiment, templateId: 'search.hyperparameters', params: { searchId, templateId: 'tabular.decision-tree', strategy: 'random', space: { maxDepth: { min: 1, max: 8 } }, folds: 3, metric: 'rmse' } }).id;
  // rmse is minimized: trial 2 (1.5) ranks before trial 1 (2.5).
  [ids.trial1, ids.trial2] = [[5, 2.5], [3, 1.5]].map(([maxDepth, rmse], i) => {
    const t = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'mpg', maxDepth, searchId, trial: i + 1 } });
    store.runs.finish(t.id, { evaluation: { rmse, rmseStd: 0.1 } });
    return t.id;
  });
  ids.refit = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'mpg', maxDepth: 3 } }).id;
  const bundle = join(root, 'refit-bundle');
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'x.bin'), 'x');
  writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ format: 'stratum-bundle', files: { 'x.bin': { sha256: createHash('sha256').update('x').digest('hex'), bytes: 1 } } }));
  store.runs.addArtifact(ids.refit, { name: 'bundle', kind: 'bundle', path: bundle });
  store.runs.finish(ids.refit, { evaluation: { rmse: 1.4 } });
  store.runs.finish(ids.search, { evaluation: { rmse: 1.5, rmseStd: 0.1, search: { strategy: 'random', metric: 'rmse', direction: 'minimize', folds: 3, trials: 2, failedTrials: 0, stopReason: 'trials', stopDetail: 'the budget of 2 trials was reached', bestTrial: 2, bestParams: { maxDepth: 3 }, bestRunId: ids.trial2, refitRunId: ids.refit } } });
  ids.plain = store.runs.create({ templateId: 'tabular.decision-tree', params: { maxDepth: 2 } }).id;
  store.dispose();
  api = trackingApi(root);
});

afterAll(() => {
  api.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('runs.get of searches', () => {
  it('gives a search run its best params, refit run and trials, best first', async () => {
    const run = await api.handlers['runs.get']({ id: ids.search });
    expect(run.search).toEqual({
      searchId: 'feed00000001', templateId: 'tabular.decision-tree', strategy: 'random', metric: 'rmse', direction: 'minimize', folds: 3, searched: ['maxDepth'],
      trials: 2, failedTrials: 0, stopReason: 'trials', stopDetail: 'the budget of 2 trials was reached',
      bestTrial: 2, bestParams: { maxDepth: 3 }, bestMean: 1.5, bestStd: 0.1, bestRunId: ids.trial2, refitRunId: ids.refit, warnings: [],
      trialRuns: [
        { runId: ids.trial2, trial: 2, status: 'finished', params: { maxDepth: 3 }, mean: 1.5, std: 0.1, durationMs: expect.any(Number) as number },
        { runId: ids.trial1, trial: 1, status: 'finished', params: { maxDepth: 5 }, mean: 2.5, std: 0.1, durationMs: expect.any(Number) as number },
      ],
    });
    expect(run.trialOf).toBeUndefined();
  });

  it('says which search a trial belongs to; other runs have neither field', async () => {
    expect((await api.handlers['runs.get']({ id: ids.trial1 })).trialOf).toEqual({ trial: 1, searchRunId: ids.search, refitRunId: ids.refit });
    const plain = await api.handlers['runs.get']({ id: ids.plain });
    expect([plain.search, plain.trialOf]).toEqual([undefined, undefined]);
  });
});

describe('models.register of searches', () => {
  it('refuses a trial with the command that registers the refit, and registers a search run as its refit', async () => {
    const error = await rejection(api.handlers['models.register']({ runId: ids.trial1, name: 'mpg' }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(`trials are scored by cross-validation and keep no model; register the search's refit (the best trial's params trained on the full training data): stratum models register mpg --run ${ids.refit}`);
    const version = await api.handlers['models.register']({ runId: ids.search, name: 'mpg' });
    expect(version).toMatchObject({ model: 'mpg', version: 1, runId: ids.refit, bundlePath: '.stratum/models/mpg/v1' });
    expect((await api.handlers['runs.get']({ id: ids.refit })).versions).toEqual([{ model: 'mpg', version: 1, aliases: [] }]);    expect(version).not.toHaveProperty('warnings');
    // The same run again: a second version, with a warning that it holds the same model.
    const again = await api.handlers['models.register']({ runId: ids.refit, name: 'mpg' });
    expect(again).toMatchObject({ version: 2, manifestSha256: version.manifestSha256, warnings: ['v2 has the same model as v1 (same manifest checksum)'] });
  });
});
