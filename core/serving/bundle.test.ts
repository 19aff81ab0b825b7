import * as tf from '@tensorflow/tfjs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStratumError } from '../errors.ts';
import { predictRecords } from '../ml/mlp.ts';
import type { PreprocessorState, TrainedClassifier } from '../ml/types.ts';
import { initBackend } from '../tf/backend.ts';
import { BUNDLE_FILES, exportBundle, loadBundle } from './bundle.ts';

let root: string;
const owned: tf.LayersModel[] = [];

beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), 'stratum-bundle-'));
});
afterAll(async () => {
  for (const m of owned) m.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Hand-written pipeline: 2 numeric features + 1 categorical with 2 categories = 4 columns. */
const PREPROCESSOR: PreprocessorState = {
  version: 1,
  steps: [
    { kind: 'numeric', name: 'temp', median: 10, mean: 11, std: 4 },
    { kind: 'numeric', name: 'wind', median: 3, mean: 3.5, std: 1.5 },
    { kind: 'categorical', name: 'island', mostFrequent: 'Biscoe', categories: ['Biscoe', 'Dream'], unseen: 'error' },
  ],
  outputWidth: 4,
};

/** Dense(4 -> 3, softmax): 4*3 + 3 = 15 float32 weights = 60 bytes. */
function handBuiltClassifier(preprocessor: PreprocessorState = PREPROCESSOR): TrainedClassifier {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: 'ones' }));
  owned.push(model);
  return {
    task: 'classification',
    target: 'kind',
    features: ['temp', 'wind', 'island'],
    labels: ['a', 'b', 'c'],
    preprocessor,
    model,
    evaluation: { accuracy: 0.5, macroF1: 0.4, perClass: [], labels: ['a', 'b', 'c'], confusionMatrix: [], n: 10 },
    history: [],
    backend: 'wasm',
    params: { epochs: 1 },
    sizes: { train: 40, test: 10 },
  };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('exportBundle', () => {
  it('writes every file with matching checksums, a valid input schema and an OpenAPI 3.1 document; loads back to identical predictions', async () => {
    const trained = handBuiltClassifier();
    const dir = join(root, 'ok', 'bundle');
    const manifest = await exportBundle(trained, { dir, name: 'demo', version: '2.1.0' });

    // Only the bundle remains in the parent folder: the temp folder was renamed away.
    expect(await readdir(join(root, 'ok'))).toEqual(['bundle']);
    const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
    expect(onDisk).toEqual(manifest);
    expect(Object.keys(manifest.files).sort()).toEqual([BUNDLE_FILES.inputSchema, BUNDLE_FILES.modelJson, BUNDLE_FILES.weights, BUNDLE_FILES.openapi, BUNDLE_FILES.preprocessor].sort());
    for (const [name, entry] of Object.entries(manifest.files)) {
      const bytes = await readFile(join(dir, name));
      expect({ name, sha256: sha256(bytes), bytes: bytes.byteLength }).toEqual({ name, ...entry });
    }
    expect(manifest).toMatchObject({ format: 'stratum-bundle', formatVersion: 1, name: 'demo', version: '2.1.0', task: 'classification', target: 'kind', labels: ['a', 'b', 'c'], backend: 'wasm', sizes: { train: 40, test: 10 } });
    expect(manifest.metrics).toEqual({ accuracy: 0.5, macroF1: 0.4, n: 10 });
    expect(Number.isNaN(Date.parse(manifest.created))).toBe(false);
    // 15 float32 weights (see handBuiltClassifier) * 4 bytes.
    expect(manifest.measured.modelWeightBytes).toBe(60);
    expect(manifest.files[BUNDLE_FILES.weights]?.bytes).toBe(60);
    expect(manifest.model).toEqual({ inputWidth: 4, outputWidth: 3, parameters: 15 });
    expect(manifest.measured.predictLatencyP50Ms).toBeGreaterThan(0);
    expect(manifest.example).toEqual({ temp: 10, wind: 3, island: 'Biscoe' });

    const schema = JSON.parse(await readFile(join(dir, BUNDLE_FILES.inputSchema), 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['temp', 'wind', 'island']);
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ temp: 1, wind: 2, island: 'Dream' })).toBe(true);
    expect(validate({ temp: null, wind: 2, island: 'Dream' })).toBe(false);
    expect(validate({ temp: 1, wind: 2, island: 'Mars' })).toBe(false);
    expect(validate({ temp: 1, island: 'Dream' })).toBe(false);

    const openapi = JSON.parse(await readFile(join(dir, BUNDLE_FILES.openapi), 'utf8')) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths).sort()).toEqual(['/health', '/metadata', '/openapi.json', '/predict']);
    expect(openapi.components.schemas.InputRecord).toMatchObject({ required: ['temp', 'wind', 'island'] });

    const loaded = await loadBundle(dir);
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.labels).toEqual(['a', 'b', 'c']);
    expect(loaded.preprocessor).toEqual(PREPROCESSOR);
    const records = [{ temp: 10, wind: 3, island: 'Biscoe' }, { temp: -5, wind: 12, island: 'Dream' }, { temp: 30.5, wind: 0, island: 'Biscoe' }];
    const before = predictRecords(trained, records);
    const after = predictRecords(loaded, records);
    expect(after.map((p) => p.label)).toEqual(before.map((p) => p.label));
    after.forEach((p, i) => {
      for (const label of loaded.labels) expect(Math.abs((p.probabilities[label] ?? Number.NaN) - (before[i]?.probabilities[label] ?? Number.NaN))).toBeLessThanOrEqual(1e-6);
    });
    loaded.dispose();
    loaded.dispose(); // safe twice
  });

  it('refuses to overwrite an existing bundle unless asked, and never replaces a folder that is not a bundle', async () => {
    const dir = join(root, 'twice');
    const first = await exportBundle(handBuiltClassifier(), { dir, name: 'demo' });
    const again = await exportBundle(handBuiltClassifier(), { dir, name: 'demo' }).catch((e: unknown) => e);
    expect(isStratumError(again, 'USAGE')).toBe(true);
    expect((again as Error).message).toContain('already exists');
    const second = await exportBundle(handBuiltClassifier(), { dir, name: 'demo', version: '2', overwrite: true });
    expect(second.version).toBe('2');
    expect(first.version).toBe('1.0.0');
    const reloaded = await loadBundle(dir);
    expect(reloaded.manifest.version).toBe('2');
    reloaded.dispose();
    expect(await readdir(root)).not.toContainEqual(expect.stringContaining('.tmp-'));

    const notABundle = join(root, 'precious');
    await mkdir(notABundle);
    await writeFile(join(notABundle, 'notes.txt'), 'keep me');
    const refused = await exportBundle(handBuiltClassifier(), { dir: notABundle, name: 'demo', overwrite: true }).catch((e: unknown) => e);
    expect(isStratumError(refused, 'USAGE')).toBe(true);
    expect(await readFile(join(notABundle, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('leaves nothing behind when export fails late (model and preprocessor disagree), and keeps an existing bundle intact', async () => {
    const parent = join(root, 'fail');
    await mkdir(parent);
    // Preprocessor claims 5 columns, the model takes 4: prediction on the example record fails after the files were written.
    const broken = handBuiltClassifier({ ...PREPROCESSOR, steps: [...PREPROCESSOR.steps, { kind: 'numeric', name: 'extra', median: 0, mean: 0, std: 1 }], outputWidth: 5 });
    const error = await exportBundle(broken, { dir: join(parent, 'bundle'), name: 'demo' }).catch((e: unknown) => e);
    expect(isStratumError(error, 'BUNDLE_INVALID')).toBe(true);
    expect(await readdir(parent)).toEqual([]);

    const good = join(parent, 'good');
    const kept = await exportBundle(handBuiltClassifier(), { dir: good, name: 'demo' });
    await expect(exportBundle(broken, { dir: good, name: 'demo', overwrite: true })).rejects.toThrow(/example record/);
    expect(await readdir(parent)).toEqual(['good']);
    const reloaded = await loadBundle(good);
    expect(reloaded.manifest.created).toBe(kept.created);
    reloaded.dispose();
  });

  it('rejects an invalid name', async () => {
    const error = await exportBundle(handBuiltClassifier(), { dir: join(root, 'n'), name: '../evil' }).catch((e: unknown) => e);
    expect(isStratumError(error, 'USAGE')).toBe(true);
  });
});

describe('loadBundle', () => {
  it('rejects a tampered weights.bin with BUNDLE_INVALID naming the file and what to do', async () => {
    const dir = join(root, 'tampered');
    await exportBundle(handBuiltClassifier(), { dir, name: 'demo' });
    const path = join(dir, 'model', 'weights.bin');
    const bytes = await readFile(path);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff; // same size, different content
    await writeFile(path, bytes);
    const error = await loadBundle(dir).catch((e: unknown) => e);
    expect(isStratumError(error, 'BUNDLE_INVALID')).toBe(true);
    expect((error as Error).message).toContain('model/weights.bin');
    expect((error as Error).message).toContain('checksum');
    expect((error as { hint?: string }).hint).toMatch(/re-export/);
  });

  it('rejects a missing file and a missing manifest', async () => {
    const dir = join(root, 'incomplete');
    await exportBundle(handBuiltClassifier(), { dir, name: 'demo' });
    await rm(join(dir, 'preprocessor.json'));
    const error = await loadBundle(dir).catch((e: unknown) => e);
    expect(isStratumError(error, 'BUNDLE_INVALID')).toBe(true);
    expect((error as Error).message).toContain('preprocessor.json');
    expect(isStratumError(await loadBundle(join(root, 'nothing-here')).catch((e: unknown) => e), 'FILE_NOT_FOUND')).toBe(true);
  });
});
