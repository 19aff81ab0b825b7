/**
 * Integration test of the prediction service: trains a small MLP on the Palmer penguins data
 * (vega-datasets, read from disk; `Island` is categorical, which lets us send an unseen
 * category), exports and loads a bundle, serves it on 127.0.0.1 with a free port and talks to it
 * with Node's global `fetch`.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vegaDataset } from '../datasets/vega.ts';
import { predictRecords, trainMlpClassifier } from '../ml/mlp.ts';
import type { FeatureRecord, Prediction, TrainedClassifier } from '../ml/types.ts';
import { exportBundle, loadBundle, type LoadedBundle } from './bundle.ts';
import { SERVICE_LIMITS } from './openapi.ts';
import { serveBundle, startService, type ErrorBody, type RunningService } from './server.ts';

const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

let dir: string;
let trained: TrainedClassifier;
let bundle: LoadedBundle;
let service: RunningService;
let records: FeatureRecord[];
const internalErrors: unknown[] = [];

beforeAll(async () => {
  const all = JSON.parse(await readFile(vegaDataset('penguins.json'), 'utf8')) as FeatureRecord[];
  // Complete rows only, so every one is a valid request (the service rejects null).
  records = all.filter((r) => FEATURES.every((f) => r[f] !== null && r[f] !== undefined));
  trained = await trainMlpClassifier(all, { target: 'Species', features: FEATURES, hiddenLayers: [8], epochs: 3, batchSize: 32, seed: 1 });
  dir = join(await mkdtemp(join(tmpdir(), 'stratum-serve-')), 'penguins');
  await exportBundle(trained, { dir, name: 'penguins', version: '0.1.0' });
  bundle = await loadBundle(dir);
  service = await startService(bundle, { port: 0, onInternalError: (error) => internalErrors.push(error) });
});

afterAll(async () => {
  await service?.close();
  bundle?.dispose();
  trained?.model.dispose();
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
});

async function post(body: string, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${service.url}/predict`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function expectSamePrediction(actual: Prediction, expected: Prediction | undefined): void {
  expect(actual.label).toBe(expected?.label);
  expect(Object.keys(actual.probabilities)).toEqual(trained.labels);
  for (const label of trained.labels) {
    expect(Math.abs((actual.probabilities[label] ?? Number.NaN) - (expected?.probabilities[label] ?? Number.NaN))).toBeLessThanOrEqual(1e-6);
  }
}

const without = (record: FeatureRecord, field: string): FeatureRecord => Object.fromEntries(Object.entries(record).filter(([k]) => k !== field));

describe('prediction service', () => {
  it('serves /health, /metadata and /openapi.json', async () => {
    const health = (await (await fetch(`${service.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', name: 'penguins', version: '0.1.0' });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const metadata = (await (await fetch(`${service.url}/metadata`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ name: 'penguins', target: 'Species', features: FEATURES, labels: ['Adelie', 'Chinstrap', 'Gentoo'] });
    expect(metadata.files).toBeUndefined();
    expect(metadata.inputSchema).toEqual(bundle.inputSchema);
    const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as Record<string, unknown>;
    expect(openapi).toEqual(bundle.openapi);
    expect(openapi.openapi).toBe('3.1.0');
    const missing = await fetch(`${service.url}/nope`);
    expect(missing.status).toBe(404);
  });

  it('predicts one record and a batch exactly as predictRecords does in-process', async () => {
    const batch = records.filter((_, i) => i % 17 === 0); // 20 records across the three islands/species
    const expected = predictRecords(trained, batch);

    const one = await post(JSON.stringify(batch[0]));
    expect(one.status).toBe(200);
    expectSamePrediction(one.json as Prediction, expected[0]);

    const many = await post(JSON.stringify(batch));
    expect(many.status).toBe(200);
    const got = many.json as Prediction[];
    expect(got).toHaveLength(batch.length);
    got.forEach((p, i) => expectSamePrediction(p, expected[i]));

    // Extra fields (here the target itself) are ignored.
    const withTarget = await post(JSON.stringify({ ...batch[1], Species: 'whatever' }));
    expect(withTarget.status).toBe(200);
    expectSamePrediction(withTarget.json as Prediction, expected[1]);
  });

  describe('rejects bad input with a 400 naming the field, before touching tensors', () => {
    const cases: Array<{ name: string; body: () => string; contentType?: string; status: number; field?: string; message: RegExp }> = [
      { name: 'missing field', body: () => JSON.stringify(without(records[0] ?? {}, 'Body Mass (g)')), status: 400, field: 'Body Mass (g)', message: /^Body Mass \(g\) is required$/ },
      { name: 'missing field in a batch', body: () => JSON.stringify([records[0], records[1], records[2], without(records[3] ?? {}, 'Flipper Length (mm)')]), status: 400, field: 'records[3]["Flipper Length (mm)"]', message: /^records\[3\]\["Flipper Length \(mm\)"\] is required$/ },
      { name: 'wrong type', body: () => JSON.stringify({ ...records[0], 'Beak Length (mm)': '39.1' }), status: 400, field: 'Beak Length (mm)', message: /must be number \(got string "39\.1"\)/ },
      { name: 'wrong type in a batch', body: () => JSON.stringify([records[0], { ...records[1], Island: 3 }]), status: 400, field: 'records[1].Island', message: /^records\[1\]\.Island must be string \(got number 3\)/ },
      { name: 'non-finite number (1e400 parses to Infinity)', body: () => JSON.stringify({ ...records[0], 'Body Mass (g)': 0 }).replace('"Body Mass (g)":0', '"Body Mass (g)":1e400'), status: 400, field: 'Body Mass (g)', message: /must be a finite number \(got number Infinity\)/ },
      { name: 'finite but beyond float32 (1e300): no null answer', body: () => JSON.stringify({ ...records[0], 'Body Mass (g)': 1e300 }), status: 400, field: 'records[0]', message: /^records\[0\]: the model's output is NaN, not a finite number/ },
      { name: 'null', body: () => JSON.stringify({ ...records[0], 'Body Mass (g)': null }), status: 400, field: 'Body Mass (g)', message: /must be number \(got null\)/ },
      { name: 'unseen category', body: () => JSON.stringify({ ...records[0], Island: 'Atlantis' }), status: 400, field: 'Island', message: /Island must be one of "Biscoe", "Dream", "Torgersen" \(got string "Atlantis": a category not seen in training\)/ },
      { name: 'malformed JSON', body: () => '{"Island": "Biscoe",', status: 400, field: 'body', message: /request body is not valid JSON/ },
      { name: 'empty body', body: () => '', status: 400, field: 'body', message: /request body is empty/ },
      { name: 'empty array', body: () => '[]', status: 400, field: 'records', message: /records must not be empty/ },
      { name: 'non-object element', body: () => JSON.stringify([records[0], 42]), status: 400, field: 'records[1]', message: /^records\[1\] must be an object \(got number 42\)/ },
      { name: 'array element', body: () => JSON.stringify([[1, 2]]), status: 400, field: 'records[0]', message: /^records\[0\] must be an object \(got array\)/ },
      { name: 'scalar body', body: () => '"hello"', status: 400, field: 'body', message: /body must be one record/ },
      { name: 'null body', body: () => 'null', status: 400, field: 'body', message: /body must be one record.*got null/ },
      { name: 'wrong content type', body: () => JSON.stringify(records[0]), contentType: 'text/plain', status: 415, message: /Content-Type must be application\/json/ },
      { name: 'batch too large', body: () => JSON.stringify(new Array(SERVICE_LIMITS.maxBatch + 1).fill({})), status: 413, field: 'records', message: /at most 10000 per request/ },
      { name: 'body too large', body: () => `[${'1,'.repeat(SERVICE_LIMITS.bodyLimitBytes / 2)}1]`, status: 413, message: /larger than/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = tf.memory().numTensors;
        const { status, json } = await post(c.body(), c.contentType);
        expect(status).toBe(c.status);
        const body = json as ErrorBody;
        expect(body.error.code).toBe('REQUEST_INVALID');
        expect(body.error.message).toMatch(c.message);
        if (c.field !== undefined) expect(body.error.field).toBe(c.field);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('no body and no content type', async () => {
      const response = await fetch(`${service.url}/predict`, { method: 'POST' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error).toEqual({ code: 'REQUEST_INVALID', message: 'request body is empty: send one JSON record or an array of records', field: 'body' });
    });

    it('lists every problem of a batch, each with its record index', async () => {
      const { status, json } = await post(JSON.stringify([{ ...records[0], Island: null }, records[1], without({ ...records[2], 'Beak Depth (mm)': 'x' }, 'Island')]));
      expect(status).toBe(400);
      expect((json as ErrorBody).errors).toEqual([
        { field: 'records[0].Island', message: 'records[0].Island must be string (got null)', record: 0 },
        { field: 'records[2].Island', message: 'records[2].Island is required', record: 2 },
        { field: 'records[2]["Beak Depth (mm)"]', message: 'records[2]["Beak Depth (mm)"] must be number (got string "x")', record: 2 },
      ]);
    });

    afterAll(() => {
      // None of the bad inputs reached the 500 handler.
      expect(internalErrors).toEqual([]);
    });
  });

  it('keeps the tensor count flat across 50 requests', async () => {
    await post(JSON.stringify(records.slice(0, 5))); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i += 1) {
      const body = i % 5 === 4 ? JSON.stringify({ ...records[i], Island: 'Atlantis' }) : i % 2 === 0 ? JSON.stringify(records[i]) : JSON.stringify(records.slice(i, i + 10));
      const { status } = await post(body);
      expect(status).toBe(i % 5 === 4 ? 400 : 200);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(internalErrors).toEqual([]);
  });
});

describe('unexpected errors', () => {
  it('answers a bug with a 500 carrying an id that the log callback also receives, and keeps serving', async () => {
    const broken = await loadBundle(dir);
    const seen: Array<{ error: unknown; id: string }> = [];
    const running = await startService(broken, { onInternalError: (error, id) => seen.push({ error, id }) });
    broken.dispose(); // simulate a bug: the model's weights are gone
    const response = await fetch(`${running.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(records[0]) });
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('INTERNAL');
    expect(seen).toHaveLength(1);
    expect(body.error.id).toBe(seen[0]?.id);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    // The port is taken while it runs: a second service on it fails cleanly.
    await expect(startService(bundle, { port: running.port })).rejects.toThrow(/EADDRINUSE|address already in use/);
    await running.close();
  });
});

describe('serveBundle', () => {
  it('loads, serves, and on close frees the port and the model', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const served = await serveBundle(dir, { port: 0 });
    expect(served.url).toBe(`http://127.0.0.1:${served.port}`);
    expect(tf.memory().numTensors).toBeGreaterThan(tensorsBefore);
    const response = await fetch(`${served.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(records[0]) });
    expect(response.status).toBe(200);
    expectSamePrediction((await response.json()) as Prediction, predictRecords(trained, [records[0] ?? {}])[0]);
    await served.close();
    await served.close(); // safe twice
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // The port is free again: a plain TCP server can bind it.
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(served.port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    await expect(fetch(`${served.url}/health`)).rejects.toThrow();
  });
});
