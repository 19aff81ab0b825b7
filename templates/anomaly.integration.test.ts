/**
 * The anomaly template end to end, the way a user runs it: the code `tabular.autoencoder-anomaly`
 * renders runs in a real kernel process (core/kernel) on vega-datasets `cars.json`, which records
 * a tracked run in the notebook folder's SQLite store; the model is exported as a bundle from the
 * notebook, and the bundle is served by `serveBundle` (what `stratum serve` runs) and asked over
 * HTTP. Starts a kernel process and an HTTP server, hence `.integration.`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type ExecuteResult } from '../core/kernel/kernel.ts';
import { serveBundle } from '../core/serving/server.ts';
import { openTrackingStore } from '../core/store/store.ts';
import { renderTemplateCode } from './index.ts';

const FEATURES = ['Miles_per_Gallon', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
// The first car of cars.json, and the same car with its weight x5 (a gross entry error).
const NORMAL = { Miles_per_Gallon: 18, Displacement: 307, Horsepower: 130, Weight_in_lbs: 3504, Acceleration: 12 };
const BROKEN = { ...NORMAL, Weight_in_lbs: 3504 * 5 };

let dir: string;
let kernel: Kernel;
let cell = 0;

async function run(source: string): Promise<ExecuteResult> {
  const result = await kernel.execute({ id: `c${++cell}`, source, language: 'typescript' });
  const error = result.outputs.find((o) => o.type === 'error');
  if (error) throw new Error(`cell failed: ${JSON.stringify(error)}`);
  return result;
}

function resultText(r: ExecuteResult): string {
  const out = r.outputs.find((o) => o.type === 'result');
  return out?.type === 'result' ? String(out.data['text/plain']) : '';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-anomaly-e2e-'));
  kernel = await Kernel.start({ cwd: dir, env: { STRATUM_NOTEBOOK_PATH: join(dir, 'cars.stratum.json'), STRATUM_TRACKING: 'on' } });
});

afterAll(async () => {
  await kernel?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tabular.autoencoder-anomaly: template -> kernel -> tracked run -> bundle -> serve', () => {
  it('trains from the generated code, records the run, exports, and serves {score, anomaly}', async () => {
    await run("const cars = JSON.parse(require('node:fs').readFileSync(stratum.vegaDataset('cars.json'), 'utf8'));");
    const code = renderTemplateCode('tabular.autoencoder-anomaly', { data: 'cars', features: FEATURES, epochs: 30, batchSize: 64, learningRate: 0.02, earlyStoppingPatience: 10, resultName: 'detector' });
    const trained = await run(code);
    const summary = trained.outputs.find((o) => o.type === 'display' && typeof o.data['text/plain'] === 'string' && String(o.data['text/plain']).includes('threshold'));
    expect(summary, JSON.stringify(trained.outputs.map((o) => o.type))).toBeDefined();
    const plot = trained.outputs.find((o) => o.type === 'display' && 'application/vnd.plotly.v1+json' in o.data);
    expect(plot).toBeDefined();
    expect(resultText(trained)).toMatch(/^TrainedModel tabular\.autoencoder-anomaly \(tfjs-layers\): 5 features, threshold [0-9.e-]+, \d+ of 81 validation rows flagged$/);

    const exported = await run("const manifest = await stratum.exportBundle(detector, { dir: 'bundle', name: 'cars-anomaly' });\nJSON.stringify({ threshold: manifest.threshold, task: manifest.task })");
    const manifest = JSON.parse(resultText(exported)) as { threshold: number; task: string };
    expect(manifest.task).toBe('anomaly');
    const inKernel = JSON.parse(resultText(await run(`JSON.stringify(stratum.predict(detector, ${JSON.stringify([NORMAL, BROKEN])}))`))) as Array<{ score: number; anomaly: boolean }>;

    // The tracked run, read from the notebook folder's store.
    const store = openTrackingStore({ workspace: dir });
    try {
      const runs = store.runs.list({ templateId: 'tabular.autoencoder-anomaly' });
      expect(runs).toHaveLength(1);
      const detail = store.runs.get(runs[0].id);
      expect(detail).toMatchObject({ status: 'finished', notebook: { path: join(dir, 'cars.stratum.json') }, data: { rowCount: 406 } });
      expect(detail.params).toMatchObject({ features: FEATURES, thresholdQuantile: 0.99, bottleneck: 2 });
      expect(detail.evaluation).toMatchObject({ task: 'anomaly', threshold: manifest.threshold, thresholdQuantile: 0.99, n: 81 });
      expect(detail.metrics.filter((m) => m.name === 'valLoss').length).toBeGreaterThan(5);
      // The detector is evaluated on its validation rows (it has no test part): the run says so, and stores the score histogram.
      expect(detail.evaluation?.sizes).toEqual({ unit: 'rows', train: expect.any(Number) as number, validation: 81 });
      expect(detail.artifacts.map((a) => a.name)).toEqual(expect.arrayContaining(['bundle', 'plot:anomaly-scores', 'plot:learning-curves']));
    } finally {
      store.dispose();
    }

    // The bundle, served.
    const service = await serveBundle(join(dir, 'bundle'), { port: 0 });
    try {
      const post = (body: unknown): Promise<Response> => fetch(`${service.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const response = await post([NORMAL, BROKEN]);
      expect(response.status).toBe(200);
      const answers = (await response.json()) as Array<{ score: number; anomaly: boolean }>;
      expect(answers.map((a) => Object.keys(a).sort())).toEqual([['anomaly', 'score'], ['anomaly', 'score']]);
      answers.forEach((a, i) => {
        expect(Math.abs(a.score - inKernel[i].score)).toBeLessThanOrEqual(1e-6);
        expect(a.anomaly).toBe(a.score > manifest.threshold);
      });
      // A car weighing 5 x its real weight is far outside the training data; the real car is not flagged.
      expect(answers[1]).toMatchObject({ anomaly: true });
      expect(answers[0]).toMatchObject({ anomaly: false });
      const metadata = (await (await fetch(`${service.url}/metadata`)).json()) as { threshold: number; task: string; metrics: Record<string, unknown> };
      expect(metadata).toMatchObject({ task: 'anomaly', threshold: manifest.threshold, metrics: { threshold: manifest.threshold, thresholdQuantile: 0.99 } });
      const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as { info: Record<string, unknown>; components: { schemas: { Prediction: { required: string[]; properties: { anomaly: { description: string } } } } } };
      expect(openapi.components.schemas.Prediction.required).toEqual(['score', 'anomaly']);
      expect(openapi.components.schemas.Prediction.properties.anomaly.description).toBe(`True when score > threshold (${manifest.threshold})`);
      expect(openapi.info['x-anomaly-threshold']).toBe(manifest.threshold);
      const bad = await post({ ...NORMAL, Horsepower: 'fast' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('Horsepower');
    } finally {
      await service.close();
    }
  });
});
