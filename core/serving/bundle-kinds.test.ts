/**
 * Bundles of every model kind: the manifest records `task` and `modelKind`; a bundle written
 * before `modelKind` existed still loads as a TF.js classifier; an `ml-*` bundle refuses the
 * TF.js-only `model` accessor, and a tampered or unknown kind is rejected naming the problem.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStratumError } from '../errors.ts';
import { trainDecisionTree } from '../ml/classic.ts';
import { trainKMeans } from '../ml/kmeans.ts';
import { predictRecords } from '../ml/mlp.ts';
import { predictTabular } from '../ml/predict.ts';
import type { FeatureRecord, TrainedClassifier } from '../ml/types.ts';
import { initBackend } from '../tf/backend.ts';
import { exportBundle, loadBundle, type BundleManifest } from './bundle.ts';

let root: string;
beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), 'stratum-bundle-kinds-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** 60 rows, two separable classes by x (hand-made). */
const ROWS: FeatureRecord[] = Array.from({ length: 60 }, (_, i) => ({ x: i % 2 === 0 ? i / 10 : 10 + i / 10, z: (i * 7) % 5, y: i % 2 === 0 ? 'low' : 'high' }));

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('bundles of ml-* models', () => {
  it('records task and modelKind, writes no weights.bin, and refuses the TF.js-only accessor', async () => {
    const tree = await trainDecisionTree(ROWS, { target: 'y', features: ['x', 'z'], seed: 1 });
    expect(tree.evaluation).toMatchObject({ task: 'classification', accuracy: 1 });
    const dir = join(root, 'tree');
    const manifest = await exportBundle(tree, { dir, name: 'tree' });
    expect(manifest).toMatchObject({ task: 'classification', modelKind: 'ml-cart', templateId: 'tabular.decision-tree', labels: ['high', 'low'], model: { inputWidth: 2, outputWidth: 2 } });
    expect(Object.keys(manifest.files)).not.toContain('model/weights.bin');
    expect(manifest.metrics.accuracy).toBe(1);
    const loaded = await loadBundle(dir);
    try {
      expect(predictTabular(loaded, ROWS.slice(0, 4))).toEqual(predictTabular(tree, ROWS.slice(0, 4)));
      const error = (() => {
        try {
          return loaded.model;
        } catch (e) {
          return e;
        }
      })();
      expect(isStratumError(error, 'BUNDLE_INVALID')).toBe(true);
    } finally {
      loaded.dispose();
      loaded.dispose(); // safe twice
    }
  });

  it('rejects a model file edited to another kind, and an unknown modelKind', async () => {
    const km = await trainKMeans(ROWS, { features: ['x', 'z'], k: 2, elbowKs: [] });
    expect(km.evaluation).toMatchObject({ task: 'clustering', k: 2, elbow: [] });
    const dir = join(root, 'km');
    await exportBundle(km, { dir, name: 'km' });
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as BundleManifest;
    await writeFile(manifestPath, JSON.stringify({ ...manifest, modelKind: 'ml-cart' }));
    const wrongKind = await thrownBy(loadBundle(dir));
    expect(isStratumError(wrongKind, 'BUNDLE_INVALID')).toBe(true);
    expect((wrongKind as Error).message).toMatch(/not a Stratum ml-cart model/);
    await writeFile(manifestPath, JSON.stringify({ ...manifest, modelKind: 'sklearn-pickle' }));
    const unknown = await thrownBy(loadBundle(dir));
    expect((unknown as Error).message).toMatch(/unknown modelKind "sklearn-pickle"/);
  });
});

describe('bundles written before modelKind existed', () => {
  it('load as TF.js classifiers (bundle.model and predictRecords keep working)', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [2], units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
    const trained: TrainedClassifier = {
      task: 'classification',
      target: 'y',
      features: ['x', 'z'],
      labels: ['high', 'low'],
      preprocessor: { version: 1, steps: [{ kind: 'numeric', name: 'x', median: 3, mean: 5, std: 4 }, { kind: 'numeric', name: 'z', median: 2, mean: 2, std: 1.4 }], outputWidth: 2 },
      model,
      evaluation: { accuracy: 0.5, macroF1: 0.5, perClass: [], labels: ['high', 'low'], confusionMatrix: [], n: 4 },
      history: [],
      backend: 'wasm',
      params: {},
      sizes: { train: 10, test: 4 },
    };
    const dir = join(root, 'old');
    const manifest = await exportBundle(trained, { dir, name: 'old' });
    expect(manifest.modelKind).toBe('tfjs-layers');
    // Rewrite the manifest as the first bundle format had it: no modelKind, no templateId.
    const { modelKind: _kind, templateId: _template, ...old } = manifest;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(old));
    const loaded = await loadBundle(dir);
    try {
      expect(loaded.modelKind).toBe('tfjs-layers');
      expect(loaded.task).toBe('classification');
      const before = predictRecords(trained, ROWS.slice(0, 3));
      expect(predictRecords(loaded, ROWS.slice(0, 3))).toEqual(before);
      expect(predictTabular(loaded, ROWS.slice(0, 3))).toEqual(before);
    } finally {
      loaded.dispose();
      model.dispose();
    }
  });
});
