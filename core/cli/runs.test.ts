import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import { openTrackingStore } from '../store/store.ts';
import type { RunId } from '../store/types.ts';
import { formatDuration, formatMetrics, registerRunsCommands } from './runs.ts';

let dir: string;
let ids: RunId[];

async function cli(...args: string[]): Promise<string> {
  let out = '';
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
  const program = new Command('stratum').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerRunsCommands(program, io);
  await program.parseAsync(['node', 'stratum', ...args]);
  // Run ids are random: name them by creation order, keeping their width (12).
  return ids.reduce((text, id, i) => text.replaceAll(id, `${`<run${i + 1}`.padEnd(11, '.')}>`), out);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-cli-runs-'));
  let t = Date.parse('2026-03-01T10:00:00.000Z');
  const store = openTrackingStore({ workspace: dir, now: () => new Date(t) });
  const a = store.runs.create({ experiment: 'weather', templateId: 'tabular.mlp-classifier', params: { epochs: 2, learningRate: 0.01 }, seed: 1, backend: 'cpu', data: { source: 'seattle-weather.csv', rowCount: 1461, sha256: 'ab'.repeat(32) } });
  t += 500;
  store.runs.logEpoch(a.id, { epoch: 1, values: { loss: 0.9 }, stepMs: 250 });
  store.runs.logEpoch(a.id, { epoch: 2, values: { loss: 0.5 }, stepMs: 250 });
  t += 12_300;
  store.runs.finish(a.id, { evaluation: { accuracy: 0.8125, macroF1: 0.75, n: 292, sizes: { train: 1168, test: 292 }, warnings: ['feature "x" is constant'] } });
  t = Date.parse('2026-03-01T09:00:00.000Z');
  // A regression run: no accuracy per epoch (logged as NaN), an MSE loss in the thousands.
  const c = store.runs.create({ experiment: 'cars', templateId: 'tabular.linear-regression', params: { epochs: 2 }, data: { source: 'cars.json', rowCount: 406, sha256: 'cd'.repeat(32) } });
  store.runs.logEpoch(c.id, { epoch: 1, values: { loss: 1500.25, accuracy: Number.NaN }, stepMs: 100 });
  store.runs.logEpoch(c.id, { epoch: 2, values: { loss: 60.5, accuracy: Number.NaN }, stepMs: 100 });
  t += 609;
  store.runs.finish(c.id, { evaluation: { n: 80, mae: 3.1895, rmse: 4.25, r2: 0.6788 } });
  t = Date.parse('2026-03-01T11:00:00.000Z');
  const b = store.runs.create({ experiment: 'weather', templateId: 'tabular.mlp-classifier', params: { epochs: 2, learningRate: 0.1 } });
  t += 125_000;
  store.runs.finish(b.id, { status: 'failed', error: { code: 'TRAINING_FAILED', message: 'loss became NaN' } });
  ids = [a.id, b.id, c.id];
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'x.bin'), 'x');
  writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ format: 'stratum-bundle', files: { 'x.bin': { sha256: createHash('sha256').update('x').digest('hex'), bytes: 1 } } }));
  store.runs.addArtifact(a.id, { name: 'bundle', kind: 'bundle', path: bundle });
  store.models.registerVersion({ model: 'weather', runId: a.id, aliases: ['champion'] });
  store.models.registerVersion({ model: 'weather', bundlePath: bundle });
  store.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stratum runs', () => {
  it('lists runs newest first with data rows, the headline metrics any run has, and duration', async () => {
    expect(await cli('runs', '--workspace', dir)).toBe([
      'id            started (UTC)        experiment  template                   status    rows  accuracy  macroF1     r2   rmse  duration',
      '<run2......>  2026-03-01 11:00:00  weather     tabular.mlp-classifier     failed       -         -        -      -      -     2m05s',
      '<run1......>  2026-03-01 10:00:00  weather     tabular.mlp-classifier     finished  1461     0.813    0.750      -      -     12.8s',
      '<run3......>  2026-03-01 09:00:00  cars        tabular.linear-regression  finished   406         -        -  0.679  4.250     609ms',
      '',
    ].join('\n'));
    expect(await cli('runs', '--workspace', dir, '--experiment', 'weather')).toMatch(/^id +started \(UTC\) +experiment +template +status +rows +accuracy +macroF1 +duration\n/);
    expect(await cli('runs', '--workspace', dir, '--status', 'finished', '--limit', '1')).toContain('\n<run1......>  2026-03-01 10:00:00');
    expect(await cli('runs', '--workspace', dir, '--experiment', 'other')).toBe('no runs\n');
  });

  it('shows one run by id prefix', async () => {
    const text = await cli('runs', 'show', ids[0].slice(0, 5), '--workspace', dir);
    expect(text).toContain('run <run1......>  finished  experiment weather\n');
    expect(text).toContain('started 2026-03-01 10:00:00 UTC, ended 2026-03-01 10:00:12 UTC, duration 12.8s\n');
    expect(text).toContain('  learningRate = 0.01\n');
    expect(text).toContain(['epoch    loss   step', '    1  0.9000  250ms', '    2  0.5000  250ms'].join('\n'));
    expect(text).toContain('  bundle (bundle, ');
    expect(text).toContain(['evaluation:', '  accuracy = 0.8125', '  macroF1 = 0.7500', '  n = 292', '  sizes = 1168 train, 292 test rows', '', 'warnings:', '  feature "x" is constant', ''].join('\n'));
  });

  it('shows a regression run without the accuracy column it never had, losses in the thousands with 1 decimal', async () => {
    const text = await cli('runs', 'show', ids[2], '--workspace', dir);
    expect(text).toContain(['evaluation:', '  n = 80', '  mae = 3.1895', '  rmse = 4.2500', '  r2 = 0.6788', ''].join('\n'));
    expect(text).toContain(['metrics per epoch:', 'epoch    loss   step', '    1  1500.3  100ms', '    2    60.5  100ms'].join('\n'));
  });

  it('compares two runs', async () => {
    const text = await cli('runs', '--workspace', dir, 'compare', ids[0], ids[1]);
    expect(text).toBe([
      'params that differ:',
      '              <run1......>  <run2......>',
      'learningRate          0.01           0.1',
      '',
      'metrics:',
      '           <run1......>  <run2......>',
      'accuracy         0.8125             -',
      'last.loss        0.5000             -',
      'macroF1          0.7500             -',
      'n                   292             -',
      'duration          12.8s         2m05s',
      '',
    ].join('\n'));
  });

  it('fails with a StratumError for an unknown run', async () => {
    await expect(cli('runs', 'show', 'ffffffffffff', '--workspace', dir)).rejects.toThrow(StratumError);
    await expect(cli('runs', '--workspace', join(dir, 'nope'))).rejects.toThrow(/no tracking store at/);
  });
});

describe('stratum models', () => {
  it('lists models, versions and aliases, and moves an alias', async () => {
    const list = await cli('models', '--workspace', dir);
    expect(list).toMatch(/^weather {2}\(champion -> v1\)\n/);
    expect(list).toContain([
      '  version  created (UTC)        run           aliases   manifest sha256',
      '  v1       2026-03-01 11:02:05  <run1......>  champion  ',
    ].join('\n'));
    expect(list).toContain('\n  v2       2026-03-01 11:02:05  -             -         ');
    expect(await cli('models', 'alias', 'weather', 'champion', '2', '--workspace', dir)).toBe('weather: champion -> v2 (was v1)\n');
    expect(await cli('models', 'alias', 'weather', 'challenger', 'champion', '--workspace', dir)).toBe('weather: challenger -> v2 (new)\n');
    expect(await cli('models', '--workspace', dir)).toMatch(/^weather {2}\(challenger -> v2, champion -> v2\)\n/);
    await expect(cli('models', 'alias', 'weather', 'champion', '7', '--workspace', dir)).rejects.toThrow('model "weather" has no version 7 (versions: 1, 2)');
  });

  it('exports a version', async () => {
    const out = join(dir, 'exported');
    expect(await cli('models', 'export', 'weather', 'v1', out, '--workspace', dir)).toMatch(/^exported weather v1 to .*exported \(manifest sha256 [0-9a-f]{64}\)\n$/);
  });
});

describe('formatMetrics', () => {
  it('prints counts as integers, scores with 4 decimals, large values with 1, extremes in exponent notation', () => {
    expect(formatMetrics([292, 24, null])).toEqual(['292', '24', '-']);
    expect(formatMetrics([1, 0.83904, 0.00001234, 0, Number.NaN])).toEqual(['1.0000', '0.8390', '1.234e-5', '0.0000', '-']);
    expect(formatMetrics([123456.789, 2.5])).toEqual(['123456.8', '2.5']);
    expect(formatMetrics([2.5e7, 0.5])).toEqual(['2.500e+7', '0.5']);
    expect(formatMetrics([])).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('formats ms, seconds and minutes', () => {
    expect([formatDuration(null), formatDuration(850), formatDuration(12_345), formatDuration(125_000)]).toEqual(['-', '850ms', '12.3s', '2m05s']);
  });
});

describe('search runs', () => {
  let sdir: string;
  let names: Record<string, string>;
  /** Runs the CLI on the search workspace, naming its runs <search>, <trial1>, <trial2>, <trial3>, <refit>. */
  async function scli(...args: string[]): Promise<string> {
    let out = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
    const program = new Command('stratum').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    registerRunsCommands(program, io);
    await program.parseAsync(['node', 'stratum', ...args, '--workspace', sdir]);
    return Object.entries(names).reduce((text, [id, name]) => text.replaceAll(id, name), out);
  }

  beforeAll(() => {
    sdir = mkdtempSync(join(tmpdir(), 'stratum-cli-search-'));
    let t = Date.parse('2026-03-02T10:00:00.000Z');
    const store = openTrackingStore({ workspace: sdir, now: () => new Date(t) });
    const searchId = '5e4c00000001';
    const experiment = `search-${searchId}`;
    const search = store.runs.create({ experiment, templateId: 'search.hyperparameters', params: { searchId, templateId: 'tabular.decision-tree', strategy: 'grid', space: { maxDepth: [2, 3, 4], criterion: ['gini'] }, folds: 3, metric: 'accuracy' } });
    // Trial 2 is the best (0.95), trial 3 failed.
    const trials = [[2, 0.9, 0.02], [3, 0.95, 0.01], [4, null, null]].map(([depth, mean, std], i) => {
      const r = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'Species', criterion: 'gini', maxDepth: depth, searchId, trial: i + 1 } });
      // Fold scores, logged by searchAndTrack as steps 1..3.
      if (mean !== null) for (const fold of [1, 2, 3]) store.runs.logEpoch(r.id, { epoch: fold, values: { 'fold.accuracy': mean + (fold - 2) / 100 }, stepMs: 500 });
      t += 1500;
      store.runs.finish(r.id, mean === null ? { status: 'failed', error: { code: 'TRAINING_FAILED', message: 'no' } } : { evaluation: { accuracy: mean, accuracyStd: std } });
      return r.id;
    });
    const refit = store.runs.create({ experiment, templateId: 'tabular.decision-tree', params: { target: 'Species', criterion: 'gini', maxDepth: 3 } });
    const bundle = join(sdir, 'refit-bundle');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'x.bin'), 'x');
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ format: 'stratum-bundle', files: { 'x.bin': { sha256: createHash('sha256').update('x').digest('hex'), bytes: 1 } } }));
    store.runs.addArtifact(refit.id, { name: 'bundle', kind: 'bundle', path: bundle });
    store.runs.finish(refit.id, { evaluation: { accuracy: 0.96, sizes: { train: 275, test: 69 } } });
    store.runs.finish(search.id, {
      evaluation: {
        accuracy: 0.95, accuracyStd: 0.01,
        search: { strategy: 'grid', metric: 'accuracy', direction: 'maximize', folds: 3, trials: 3, failedTrials: 1, stopReason: 'trials', stopDetail: 'the budget of 3 trials was reached', bestTrial: 2, bestParams: { criterion: 'gini', maxDepth: 3 }, bestRunId: trials[1], refitRunId: refit.id },
        warnings: ['the grid has 3 combinations but ...'],
      },
    });
    names = { [search.id]: '<search....>', [trials[0]]: '<trial1....>', [trials[1]]: '<trial2....>', [trials[2]]: '<trial3....>', [refit.id]: '<refit.....>' };
    // A forecasting run: sizes in windows; an anomaly run: training and validation rows.
    const f = store.runs.create({ experiment: 'co2', templateId: 'timeseries.lstm-forecast', params: {} });
    store.runs.finish(f.id, { evaluation: { mae: 1.06, skill: 0.63, sizes: { unit: 'windows', train: 514, validation: 49, test: 138 } } });
    const a = store.runs.create({ experiment: 'cars', templateId: 'tabular.autoencoder-anomaly', params: {} });
    store.runs.finish(a.id, { evaluation: { threshold: 0.5, f1: 0.8, rocAuc: 0.95, flaggedShare: 0.0123, sizes: { unit: 'rows', train: 300, validation: 81 } } });
    names[f.id] = '<forecast..>';
    names[a.id] = '<anomaly...>';
    store.dispose();
  });

  afterAll(() => rmSync(sdir, { recursive: true, force: true }));

  const id = (name: string): string => Object.entries(names).find(([, n]) => n === name)?.[0] as string;

  it('shows a search run\'s best params, refit run with the register command, and its trials best first', async () => {
    const text = await scli('runs', 'show', id('<search....>'));
    expect(text).toContain([
      'search:',
      '  grid search of tabular.decision-tree, accuracy (higher is better), 3-fold cross-validation per trial',
      '  trials 3 (1 failed); stopped: the budget of 3 trials was reached',
      '  best: trial 2, accuracy 0.9500 ± 0.0100 with criterion="gini", maxDepth=3 (run <trial2....>)',
      '  refit of the best params: run <refit.....>; register it: stratum models register NAME --run <refit.....>',
      '',
      'trials (best first):',
      'rank  trial  criterion  maxDepth  accuracy     std  status    duration  run',
      '   1      2  "gini"            3    0.9500  0.0100  finished      1.5s  <trial2....>',
      '   2      1  "gini"            2    0.9000  0.0200  finished      1.5s  <trial1....>',
      '   -      3  "gini"            4         -       -  failed        1.5s  <trial3....>',
    ].join('\n'));
    expect(text).toContain('\nwarnings:\n  the grid has 3 combinations but ...\n');
  });

  it('labels a trial\'s per-fold scores by fold, not epoch', async () => {
    const text = await scli('runs', 'show', id('<trial1....>'));
    expect(text).toContain('\nmetrics per fold:\nfold  fold.accuracy   step\n   1         0.8900  500ms\n');
    expect(text).not.toContain('epoch');
  });

  it('says which search a trial belongs to, and names sizes by their unit', async () => {
    expect(await scli('runs', 'show', id('<trial1....>'))).toContain('\ntrial 1 of search run <search....>: scored by cross-validation, keeps no model; the search\'s model is refit run <refit.....>\n');
    expect(await scli('runs', 'show', id('<forecast..>'))).toContain('\n  sizes = 514 train, 49 validation, 138 test windows\n');
    expect(await scli('runs', 'show', id('<anomaly...>'))).toContain('\n  sizes = 300 train, 81 validation rows\n');
  });

  it('lists forecasting runs with MAE and skill, anomaly runs with F1 and ROC AUC', async () => {
    expect(await scli('runs', '--experiment', 'co2')).toMatch(/^id +started \(UTC\) +experiment +template +status +rows +mae +skill +duration\n<forecast\.\.> .* 1\.060 +0\.630 +/);
    expect(await scli('runs', '--experiment', 'cars')).toMatch(/^id +started \(UTC\) +experiment +template +status +rows +f1 +rocAuc +flaggedShare +duration\n<anomaly\.\.\.> .* 0\.800 +0\.950 +0\.012 +/);
  });

  it('says a run id prefix needs 4 characters', async () => {
    await expect(scli('runs', 'show', 'cd8')).rejects.toThrow('run id prefix "cd8" is too short: give at least 4 characters of the id');
  });

  it('registers a search run as its refit run\'s model, and refuses a trial with the refit\'s command', async () => {
    await expect(scli('models', 'register', 'penguins', '--run', id('<trial2....>').slice(0, 6))).rejects.toThrow(
      `run <trial2....> is trial 2 of hyperparameter search <search....>: trials are scored by cross-validation and keep no model; register the search's refit (the best trial's params trained on the full training data): stratum models register penguins --run <refit.....>`.replace(/<[a-z0-9.]+>/g, (n) => id(n)),
    );
    expect(await scli('models', 'register', 'penguins', '--run', id('<search....>'))).toMatch(/^registered penguins v1 from run <refit\.+> \(the refit of search run <search\.+>\) at .*v1\n$/);
    await expect(scli('models', 'register', 'penguins')).rejects.toThrow('nothing to register: give a bundle folder (--bundle DIR) or a run whose model was logged (--run ID)');
    // Registered again: a second version, and a note that it is the same model.
    expect(await scli('models', 'register', 'penguins', '--run', id('<refit.....>'))).toMatch(/^registered penguins v2 from run <refit\.+> at .*v2\nnote: v2 has the same model as v1 \(same manifest checksum\)\n$/);
  });
});
