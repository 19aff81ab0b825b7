import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStratumError } from '../errors.ts';
import { initBackend } from '../tf/backend.ts';
import { MODEL_JSON_FILE, WEIGHTS_FILE, loadModel, saveModel } from './model-io.ts';

let dir: string;

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), 'stratum-model-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 3 inputs -> Dense(4, relu) -> Dense(2, softmax): 3*4+4 + 4*2+2 = 26 float32 weights = 104 bytes. */
function tinyModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'ones' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('saveModel / loadModel', () => {
  it('round-trips a model: identical predictions, weights.bin holds exactly the weights', async () => {
    const model = tinyModel();
    const target = join(dir, 'm1');
    const info = await saveModel(model, target);
    // 26 float32 weights (see tinyModel) * 4 bytes.
    expect(info.weightBytes).toBe(104);
    expect((await stat(join(target, WEIGHTS_FILE))).size).toBe(104);
    const json = JSON.parse(await readFile(join(target, MODEL_JSON_FILE), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual([WEIGHTS_FILE]);
    expect(json.weightsManifest[0]?.weights.map((w) => w.shape)).toEqual([[3, 4], [4], [4, 2], [2]]);

    const loaded = await loadModel(target);
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[0, 0, 0], [1, -2, 3.5], [-10, 0.25, 7], [100, 100, -100]]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Number.NaN);
    expect(diff).toBeLessThanOrEqual(1e-6);
    // Rows of a softmax sum to 1: a sanity check that predictions are real numbers, not NaN.
    expect(Array.from(tf.tidy(() => tf.sum(b, 1).dataSync())).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
    tf.dispose([x, a, b]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    loaded.dispose();
  });

  it('rejects a truncated weights.bin with BUNDLE_INVALID naming the file', async () => {
    const model = tinyModel();
    const target = join(dir, 'm2');
    await saveModel(model, target);
    model.dispose();
    await truncate(join(target, WEIGHTS_FILE), 100);
    const error = await loadModel(target).catch((e: unknown) => e);
    expect(isStratumError(error, 'BUNDLE_INVALID')).toBe(true);
    expect((error as Error).message).toContain(WEIGHTS_FILE);
    expect((error as Error).message).toContain('100 bytes');
  });

  it('reports a missing folder as FILE_NOT_FOUND', async () => {
    const error = await loadModel(join(dir, 'nope')).catch((e: unknown) => e);
    expect(isStratumError(error, 'FILE_NOT_FOUND')).toBe(true);
  });
});
