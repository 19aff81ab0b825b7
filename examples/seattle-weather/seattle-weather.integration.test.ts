/**
 * The built-in example, run headless exactly as `npm run example` runs it (a kernel process, the
 * template cell rendered to code, a real bundle on disk and a real HTTP service on loopback).
 * Reference accuracies on the same 4 features (scikit-learn, 5-fold CV; issue #2):
 * majority class 0.439, logistic regression 0.775, MLP(64,64) 0.835. We require >= 0.75.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNotebook } from '../../core/runner/run-notebook.ts';
import { openTrackingStore } from '../../core/store/store.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Seattle weather example notebook', () => {
  it('loads, profiles, trains to >= 0.75 test accuracy, exports a bundle and predicts over HTTP', async () => {
    const notebook = path.join(dir, 'seattle-weather.stratum.json');
    copyFileSync(path.join(here, 'seattle-weather.stratum.json'), notebook);
    const out = path.join(dir, 'executed.stratum.json');
    const result = await runNotebook({ path: notebook, out });
    expect(result.failed).toBeUndefined();
    expect(result.status).toBe('ok');

    const manifest = JSON.parse(readFileSync(path.join(dir, 'output/seattle-weather-bundle/manifest.json'), 'utf8')) as {
      metrics: { accuracy: number };
      labels: string[];
      runId?: string;
    };
    expect(manifest.metrics.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(manifest.labels).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);

    // The notebook's export names the tracked run that trained the model, and that run lists it
    // beside the bundle it logged itself (so `stratum models register NAME --run ID` works).
    const store = openTrackingStore({ workspace: dir, mustExist: true });
    try {
      const runs = store.runs.list({ templateId: 'tabular.mlp-classifier' });
      expect(runs.map((r) => r.status)).toEqual(['finished']);
      expect(manifest.runId).toBe(runs[0]?.id);
      const bundles = store.runs.get(runs[0]?.id ?? '').artifacts.filter((a) => a.kind === 'bundle');
      expect(bundles.map((a) => [a.name, a.path])).toEqual([
        ['bundle', path.join(dir, '.stratum', 'artifacts', runs[0]?.id ?? '', 'bundle')],
        ['export:output/seattle-weather-bundle', path.join(dir, 'output/seattle-weather-bundle')],
      ]);
    } finally {
      store.dispose();
    }

    // The executed notebook holds every cell's outputs; the last cell printed HTTP 200 and displayed a prediction.
    const executed = JSON.parse(readFileSync(out, 'utf8')) as { cells: Array<{ id: string; outputs: Array<{ type: string; text?: string; data?: Record<string, unknown> }> }> };
    const serve = executed.cells.find((c) => c.id === 'serve001');
    const stdout = serve?.outputs.filter((o) => o.type === 'stream').map((o) => o.text).join('') ?? '';
    expect(stdout).toMatch(/-> HTTP 200/);
    const shown = serve?.outputs.find((o) => o.type === 'display')?.data?.['application/json'] as { label: string; probabilities: Record<string, number> } | undefined;
    expect(manifest.labels).toContain(shown?.label);
    const total = Object.values(shown?.probabilities ?? {}).reduce((s, p) => s + p, 0);
    expect(total).toBeCloseTo(1, 5);
    const load = executed.cells.find((c) => c.id === 'load0001');
    expect(load?.outputs.some((o) => o.type === 'display' && o.data?.['application/vnd.stratum.table+json'])).toBe(true);
  });
});
