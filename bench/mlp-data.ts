/**
 * The MLP training benchmark's data set, generated once and written to files that both the TF.js
 * worker (`bench/train-worker.ts`) and scikit-learn (`bench/sklearn_mlp.py`) read, so both train
 * on the very same rows. Cached by size and seed in the OS temp dir.
 *
 * Synthetic task: `features` standard-normal columns; 3 classes (A, B, C) from the sign pattern of
 * two fixed linear scores (`a > 0 ? (b > 0 ? A : B) : C`), so the best accuracy is 1.
 *
 * Files in the folder (little-endian, row-major):
 * - `x.f32`: float32, `rows * features` values (raw, not standardized: each side fits its own
 *   scaler on the training rows, as the template does).
 * - `y.u8`: class index per row (0 = A, 1 = B, 2 = C).
 * - `test.u8`: 1 for the rows the template holds out (`stratifiedSplit` with the given
 *   `testFraction` and `seed`, the split `trainMlpClassifier` makes), else 0.
 * - `meta.json`: `{ rows, features, labels, testFraction, seed, trainRows, testRows }`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { stratifiedSplit } from '../core/ml/split.ts';

/** Contents of `meta.json`. */
export interface MlpBenchMeta {
  rows: number;
  features: number;
  labels: string[];
  testFraction: number;
  seed: number;
  trainRows: number;
  testRows: number;
}

/** The data set in memory (see the module comment for the layout). */
export interface MlpBenchData {
  meta: MlpBenchMeta;
  x: Float32Array;
  y: Uint8Array;
  test: Uint8Array;
}

/** Options of {@link mlpBenchData}. */
export interface MlpBenchDataOptions {
  /** Rows (train + test). */
  rows: number;
  /** Feature columns; default 20. */
  features?: number;
  /** Held-out fraction of the template's split; default 0.2. */
  testFraction?: number;
  /** Seed of the template's split (its `seed` parameter); default 1. */
  seed?: number;
}

/**
 * Generates (once) and returns the folder of the data set.
 *
 * @returns absolute path of the folder holding `x.f32`, `y.u8`, `test.u8`, `meta.json`
 */
export function mlpBenchData(options: MlpBenchDataOptions): string {
  const { rows, features = 20, testFraction = 0.2, seed = 1 } = options;
  const dir = path.join(os.tmpdir(), `stratum-bench-mlp-${rows}x${features}-t${testFraction}-s${seed}`);
  if (existsSync(path.join(dir, 'meta.json'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true });
  const rng = seedrandom('stratum-train-bench');
  const gauss = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const labels = ['A', 'B', 'C'];
  const x = new Float32Array(rows * features);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < features; i++) {
      const v = gauss();
      x[r * features + i] = v;
      a += (i % 3 === 0 ? 1 : -0.5) * v;
      b += (i % 2 === 0 ? 0.7 : -0.3) * v;
    }
    y[r] = a > 0 ? (b > 0 ? 0 : 1) : 2;
  }
  const split = stratifiedSplit(Array.from(y, (k) => labels[k]), { testFraction, seed });
  const test = new Uint8Array(rows);
  for (const i of split.test) test[i] = 1;
  writeFileSync(path.join(tmp, 'x.f32'), new Uint8Array(x.buffer));
  writeFileSync(path.join(tmp, 'y.u8'), y);
  writeFileSync(path.join(tmp, 'test.u8'), test);
  const meta: MlpBenchMeta = { rows, features, labels, testFraction, seed, trainRows: split.train.length, testRows: split.test.length };
  writeFileSync(path.join(tmp, 'meta.json'), `${JSON.stringify(meta)}\n`);
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another process won the race: its folder is identical.
    if (!existsSync(path.join(dir, 'meta.json'))) throw error;
  }
  return dir;
}

/** Reads a folder written by {@link mlpBenchData}. */
export function readMlpBenchData(dir: string): MlpBenchData {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as MlpBenchMeta;
  const raw = readFileSync(path.join(dir, 'x.f32'));
  const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return { meta, x, y: new Uint8Array(readFileSync(path.join(dir, 'y.u8'))), test: new Uint8Array(readFileSync(path.join(dir, 'test.u8'))) };
}
