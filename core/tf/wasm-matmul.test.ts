import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { installWasmTransposedMatMul, rerouteTransposedMatMul } from './wasm-matmul.ts';

let onWasm = false;
beforeAll(async () => {
  onWasm = (await initBackend()).name === 'wasm';
  if (!onWasm) console.warn(`wasm-matmul.test.ts: skipped, the backend is ${tf.getBackend()} (the wrapper is for wasm only)`);
});

/** Row-major values of a `rows x cols` matrix, uniform in [-1, 1), seeded. */
function values(rows: number, cols: number, seed: string): number[] {
  const rng = seedrandom(seed);
  return Array.from({ length: rows * cols }, () => 2 * rng() - 1);
}

/** `op(A) · op(B)` in float64, where op transposes when asked; A is `ar x ac`, B is `br x bc` (row-major). */
function reference(a: number[], ar: number, ac: number, b: number[], br: number, bc: number, ta: boolean, tb: boolean): number[] {
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const at = (i: number, p: number) => (ta ? a[p * ac + i] : a[i * ac + p]) as number;
  const bt = (p: number, j: number) => (tb ? b[j * bc + p] : b[p * bc + j]) as number;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(i, p) * bt(p, j);
      out.push(s);
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  // float32 sums of <= 70 products of numbers in [-1, 1]: errors ~1e-6.
  expect(worst).toBeLessThan(1e-4);
}

describe('installWasmTransposedMatMul', () => {
  it('is installed by initBackend on wasm, once', () => {
    if (!onWasm) return;
    expect(installWasmTransposedMatMul()).toEqual([]);
  });

  it('computes every transpose combination of 2-D products as the float64 reference, leaking no backend data', () => {
    if (!onWasm) return;
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    // A is 70 x 33, B is chosen so that op(A) · op(B) is defined.
    const cases: Array<[boolean, boolean, number, number]> = [
      [false, false, 33, 17],
      [true, false, 70, 17],
      [false, true, 17, 33],
      [true, true, 17, 70],
    ];
    for (const [ta, tb, br, bc] of cases) {
      const a = values(70, 33, `a${ta}${tb}`);
      const b = values(br, bc, `b${ta}${tb}`);
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [70, 33]), tf.tensor2d(b, [br, bc]), ta, tb).dataSync());
      expectClose(got, reference(a, 70, 33, b, br, bc, ta, tb));
    }
    expect(backend.numDataIds()).toBe(before);
  });

  it('handles rank-3 products with one matrix, leaves batched ones to the original kernel, and fuses bias + relu', () => {
    if (!onWasm) return;
    const a = values(5, 8, 'a3');
    const b = values(6, 8, 'b3');
    const single = tf.tidy(() => tf.matMul(tf.tensor3d(a, [1, 5, 8]), tf.tensor3d(b, [1, 6, 8]), false, true).dataSync());
    expectClose(single, reference(a, 5, 8, b, 6, 8, false, true));
    // Two matrices per operand: each product is checked against its own reference.
    const a2 = [...a, ...values(5, 8, 'a3b')];
    const b2 = [...b, ...values(6, 8, 'b3b')];
    const batched = tf.tidy(() => tf.matMul(tf.tensor3d(a2, [2, 5, 8]), tf.tensor3d(b2, [2, 6, 8]), false, true).dataSync());
    expectClose(Array.from(batched).slice(0, 30), reference(a2.slice(0, 40), 5, 8, b2.slice(0, 48), 6, 8, false, true));
    expectClose(Array.from(batched).slice(30), reference(a2.slice(40), 5, 8, b2.slice(48), 6, 8, false, true));
    // Fused: relu(Aᵀ · B + bias).
    const bias = values(1, 6, 'bias');
    const at = values(8, 5, 'at');
    const bb = values(8, 6, 'bb');
    const fused = tf.tidy(() => tf.fused.matMul({ a: tf.tensor2d(at, [8, 5]), b: tf.tensor2d(bb, [8, 6]), transposeA: true, bias: tf.tensor1d(bias), activation: 'relu' }).dataSync());
    const expected = reference(at, 8, 5, bb, 8, 6, true, false).map((v, i) => Math.max(0, v + (bias[i % 6] as number)));
    expectClose(fused, expected);
  });

  it('gives the gradients of a dense layer that the chain rule gives', () => {
    if (!onWasm) return;
    // loss = sum(x · W); dloss/dW = xᵀ · 1 (column sums of x, the same for each output column).
    const x = values(9, 4, 'x');
    const grad = tf.tidy(() => {
      const xs = tf.tensor2d(x, [9, 4]);
      return tf.grad((w: tf.Tensor) => tf.sum(tf.matMul(xs, w)))(tf.zeros([4, 3])).dataSync();
    });
    const colSums = [0, 1, 2, 3].map((j) => x.filter((_, i) => i % 4 === j).reduce((s, v) => s + v, 0));
    expectClose(grad, colSums.flatMap((s) => [s, s, s]));
  });

  it('can be switched off and on at run time, with the same products either way', () => {
    if (!onWasm) return;
    const a = values(40, 12, 'off-a');
    const b = values(40, 7, 'off-b');
    const product = () => tf.tidy(() => tf.matMul(tf.tensor2d(a, [40, 12]), tf.tensor2d(b, [40, 7]), true, false).dataSync());
    const expected = reference(a, 40, 12, b, 40, 7, true, false);
    try {
      rerouteTransposedMatMul(false);
      expectClose(product(), expected);
    } finally {
      rerouteTransposedMatMul(true);
    }
    expectClose(product(), expected);
  });
});
