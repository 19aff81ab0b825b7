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
