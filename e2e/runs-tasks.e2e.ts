// The Runs view with forecasting, anomaly-detection and search runs: task-aware metric columns
// (sortable), the comparison's headline rows, a long param that wraps instead of overlapping the
// evaluation, and the file tree's folders (fold, unfold, empty). The runs are written straight into
// the workspace's tracking store (core/store, the same SQLite file the kernels write): no training,
// so the test takes seconds. Their evaluations have the shape and numbers of real runs of the
// timeseries.lstm-forecast (co2-concentration.csv), tabular.autoencoder-anomaly (cars.json) and
// search.hyperparameters (penguins.json) templates, copied from `runs.list` of a workspace that ran them.
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openTrackingStore } from '../core/store/store.ts';
import { openWorkbench, screenshot } from './helpers.ts';

function workspace(): string {
  const dir = process.env.STRATUM_E2E_WORKSPACE;
  if (!dir) throw new Error('STRATUM_E2E_WORKSPACE is not set: run through playwright.config.ts (global setup)');
  return dir;
}

const FORECAST = { task: 'forecasting', n: 144, lookback: 12, horizon: 6, perStep: [], undefinedReasons: {} };

/** Writes the runs; returns their ids. */
function seedRuns(ws: string): { good: string; worse: string; anomaly: string; search: string } {
  const store = openTrackingStore({ workspace: ws });
  try {
    const notebook = { path: path.join(ws, 'e2e-tasks', 'co2.stratum.json'), cellId: 'cell0001' };
    const data = { source: 'co2-concentration.csv', rowCount: 741, sha256: 'f52448f0706587b1c0b6a7e0d1f2e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0' };
    const finished = (templateId: string, params: Record<string, unknown>, evaluation: Record<string, unknown>): string => {
      const run = store.runs.create({ templateId, notebook, data, params, backend: 'wasm', seed: 42 });
      store.runs.finish(run.id, { evaluation });
      return run.id;
    };
    const lstm = { target: 'CO2', time: 'Date', lookback: 12, horizon: 6, epochs: 4, missing: 'interpolate', seed: 42 };
    const good = finished('timeseries.lstm-forecast', { ...lstm, units: 8 }, { ...FORECAST, mae: 1.9068, rmse: 2.3167, mape: 0.0048, baselineMae: 2.9956, maeRatio: 0.6365, skill: 0.3635 });
    const worse = finished('timeseries.lstm-forecast', { ...lstm, units: 16 }, { ...FORECAST, mae: 2.5, rmse: 3.1, mape: 0.0061, baselineMae: 2.9956, maeRatio: 0.8346, skill: 0.1654 });
    const anomaly = finished('tabular.autoencoder-anomaly', { features: ['Miles_per_Gallon', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'], label: 'broken', epochs: 5 }, {
      task: 'anomaly', n: 81, threshold: 0.8297, thresholdQuantile: 0.99, thresholdRows: 81, flagged: 1, flaggedShare: 0.0123, meanScore: 0.1275,
      labelled: 81, anomalies: 2, precision: 0, recall: 0, f1: 0, rocAuc: 0.3544, averagePrecision: 0.0282, excludedFromTraining: 0, undefinedReasons: {},
    });
    const search = finished('search.hyperparameters', {
      searchId: '754ede25b27f', templateId: 'tabular.decision-tree', strategy: 'grid',
      space: { maxDepth: Array.from({ length: 29 }, (_, i) => i + 2), minSamples: [1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 50], gainThreshold: [0.1, 0.05, 0.01, 0.005, 0.001, 0.0005, 0.0001] },
      budget: {}, folds: 3, metric: 'accuracy',
      baseParams: { target: 'Species', features: ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'], testFraction: 0.2, seed: 42, unseen: 'error' },
    }, {
      accuracy: 0.9673, accuracyStd: 0.0002,
      search: { strategy: 'grid', metric: 'accuracy', direction: 'maximize', folds: 3, trials: 2233, failedTrials: 0, stopReason: 'exhausted', stopDetail: 'the grid was exhausted (2233 combinations)', bestTrial: 7, bestParams: { maxDepth: 4, minSamples: 2, gainThreshold: 0.01 } },
    });
    return { good, worse, anomaly, search };
  } finally {
    store.dispose();
  }
}

test('forecast, anomaly and search runs: task-aware columns, comparison, long params, folders', async ({ page }) => {
  const ws = workspace();
  mkdirSync(path.join(ws, 'e2e-tasks', 'empty'), { recursive: true });
  writeFileSync(path.join(ws, 'e2e-tasks', 'series.csv'), 't,y\n1,2\n2,3\n');
  const ids = seedRuns(ws);
  await openWorkbench(page);

  // The file tree: a folder with files shows ▾ and folds to ▸; an empty folder has no marker.
  const folder = page.locator('[data-testid="file-directory"][data-path="e2e-tasks"]');
  const toggle = folder.getByRole('button', { name: /e2e-tasks/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(toggle).toContainText('▾');
  await expect(folder).toContainText('series.csv');
  const empty = page.locator('[data-testid="file-directory"][data-path="e2e-tasks/empty"]');
  await expect(empty).toContainText('empty');
  await expect(empty).not.toContainText(/[▸▾]/);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toContainText('▸');
  await expect(folder).not.toContainText('series.csv');
  await toggle.click();
  await expect(folder).toContainText('series.csv');

  await page.getByRole('tab', { name: 'Runs' }).click();
  const view = page.getByTestId('runs-view');
  await view.getByLabel('filter by notebook').selectOption('e2e-tasks/co2.stratum.json');
  const rows = view.getByTestId('run-row');
  await expect(rows).toHaveCount(4);
  const head = view.getByTestId('runs-table').locator('thead');
  // All four: the tasks share the columns (classification for the search, forecasting, anomaly).
  await expect(head).toContainText('accuracy');
  await expect(head).toContainText('mae');
  await expect(head).toContainText('f1');

  // Forecasting only: its headline metrics, no classification column; sort by MAE both ways.
  await view.getByLabel('filter by task').selectOption('forecasting');
  await expect(rows).toHaveCount(2);
  await expect(head.locator('th')).toContainText(['Run', 'Template', 'Status', 'Started', 'Duration', 'Rows', 'mae', 'rmse', 'mape', 'skill', 'maeRatio']);
  await expect(head).not.toContainText('accuracy');
  await expect(view.locator(`[data-run-id="${ids.good}"] td.num`)).toContainText(['741', '1.9068', '2.3167', '0.0048', '0.3635', '0.6365']);
  await head.getByRole('button', { name: 'mae', exact: true }).click();
  await expect(rows.first()).toHaveAttribute('data-run-id', ids.worse);
  await head.getByRole('button', { name: /^mae ▼$/ }).click();
  await expect(rows.first()).toHaveAttribute('data-run-id', ids.good);
  await screenshot(page, 'runs-tasks-01-forecasting');

  // Compared: the forecasting metrics come first, the lower MAE and the higher skill are marked best.
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await view.getByRole('button', { name: 'Compare 2' }).click();
  const compare = view.getByTestId('compare-view');
  const metricRows = compare.getByTestId('metric-row');
  await expect(metricRows.first()).toContainText('mae');
  await expect(metricRows.nth(3)).toContainText('skill');
  await expect(metricRows.first().locator('td.best')).toHaveText('1.9068');
  await expect(metricRows.nth(3).locator('td.best')).toHaveText('0.3635');
  await expect(compare.getByTestId('param-diff')).toContainText('units');

  // Anomaly detection only: F1, precision, recall, ROC AUC, threshold; a score of 0 prints as one.
  await view.getByLabel('filter by task').selectOption('anomaly');
  await expect(rows).toHaveCount(1);
  await expect(head.locator('th')).toContainText(['Run', 'Template', 'Status', 'Started', 'Duration', 'Rows', 'f1', 'precision', 'recall', 'rocAuc', 'threshold']);
  await expect(rows.first().locator('td.num')).toContainText(['741', '0.0000', '0.0000', '0.0000', '0.3544', '0.8297']);

  // The search run: its long `space` and `baseParams` are cut to 3 lines beside the evaluation, in full on hover and on click.
  await view.getByLabel('filter by task').selectOption('classification');
  await rows.first().click();
  const detail = view.getByTestId('run-detail');
  await expect(detail.getByTestId('run-search')).toContainText('grid search, 2233 trials, 3-fold CV, accuracy (higher is better)');
  const space = detail.getByTestId('run-params').locator('tr', { hasText: 'space' }).locator('td > div');
  await expect(space).toHaveClass(/clamped/);
  await expect(space).toHaveAttribute('title', /"gainThreshold": \[\n\s+0\.1,/);
  const params = await detail.getByTestId('run-params').boundingBox();
  const evaluation = await detail.getByTestId('run-evaluation').boundingBox();
  expect(params && evaluation && params.x + params.width <= evaluation.x).toBe(true);
  // Clamped: part of the text is hidden (scrollHeight beyond the box); a click shows it all.
  const [clampedHeight, fullHeight] = await space.evaluate((el) => [el.clientHeight, el.scrollHeight]);
  expect(fullHeight).toBeGreaterThan(clampedHeight);
  await space.click();
  await expect(space).not.toHaveClass(/clamped/);
  expect(await space.evaluate((el) => el.clientHeight)).toBeGreaterThan(clampedHeight);
  await detail.scrollIntoViewIfNeeded();
  await screenshot(page, 'runs-tasks-02-search');
});
