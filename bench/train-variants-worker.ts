/**
 * Candidates for closing the MLP training gap, measured side by side in one process (one backend):
 * each variant keeps its own (64,64) network and Adam state, and the variants take turns, one epoch
 * each per round, so a change of machine load hits them all alike. Round 1 is warm-up (not counted).
 *
 * Usage: node --import tsx bench/train-variants-worker.ts <data dir> <rounds> <batchSize> <variant,...>
 * A variant is one of the loops below, optionally suffixed `+tfjs-matmul` (wasm: transposed matrix
 * products on the package's own kernel instead of XNNPACK, see core/tf/wasm-matmul.ts), so
 * before and after take turns in the same process.
 * Environment: STRATUM_TF_BACKEND (cpu|wasm), STRATUM_BENCH_WASM_THREADS (n > 1: the threaded wasm
 * build through bench/wasm-threads.ts).
 * Prints one JSON line: { backend, threads, batchSize, trainRows, variants: { name: { samplesPerSecond
 * (wall clock), samplesPerCpuSecond (this process's user + system CPU time, all its threads: far
 * less sensitive to other processes' load than the wall clock), both medians over the counted
 * rounds, epochSeconds[], cpuSeconds[], loss, valLoss } } }.
 *
 * Variants (all train on the template's training rows, standardized, with the template's seeded
 * per-epoch shuffle, and compute the held-out loss once per epoch unless named `-noval`):
 * - `fit`: the loop of core/ml/fit.ts before this benchmark: the epoch's rows gathered in JS,
 *   uploaded as one tensor, `model.fit` for one epoch with `validationData`.
 * - `fit-noval`: the same without the held-out loss.
 * - `fit-gather`: the training rows uploaded once; each epoch `tf.gather`s them in shuffled order.
 * - `loop`: core/ml/fit.ts now (`fitSeededReport`, one epoch per call): `optimizer.minimize` per
 *   batch, each batch a tensor made from the epoch-ordered JS array, loss and accuracy summed on the
 *   backend and read once per epoch.
 * - `loop-sync`: a prototype of that loop reading the loss and accuracy (`dataSync`) after every batch.
 * - `loop-gather`: a prototype of that loop where the epoch is one tensor gathered on the backend
 *   and each batch is a `slice` of it.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { buildDenseNetwork, fitSeededReport, gatherRows } from '../core/ml/fit.ts';
import { shuffledIndexes } from '../core/ml/split.ts';
import { initBackend } from '../core/tf/backend.ts';
import { rerouteTransposedMatMul } from '../core/tf/wasm-matmul.ts';
import { readMlpBenchData } from './mlp-data.ts';
import { enableWasmThreads } from './wasm-threads.ts';

const LOOPS = ['fit', 'fit-noval', 'fit-gather', 'loop', 'loop-sync', 'loop-gather'] as const;
type Loop = (typeof LOOPS)[number];
/** A loop, optionally suffixed `+tfjs-matmul`: transposed products on the package's own wasm kernel. */
type Variant = string;
const loopOf = (v: Variant) => v.replace(/\+tfjs-matmul$/, '') as Loop;

const [dirArg, roundsArg, batchArg, variantsArg] = process.argv.slice(2);
if (!dirArg) throw new Error('usage: train-variants-worker.ts <data dir> <rounds> <batchSize> <variant,...>');
const rounds = Number(roundsArg ?? 4);
const batchSize = Number(batchArg ?? 256);
const variants: Variant[] = (variantsArg ?? LOOPS.join(',')).split(',');
for (const v of variants) if (!LOOPS.includes(loopOf(v))) throw new Error(`unknown variant ${v}; known: ${LOOPS.join(', ')}, each optionally with +tfjs-matmul`);

const threads = Number(process.env.STRATUM_BENCH_WASM_THREADS ?? 0);
if (threads > 1) enableWasmThreads(threads);
const info = await initBackend();

// The template's data path, by hand: its split (marked in the data), z-scores from the training rows.
const { meta, x, y, test } = readMlpBenchData(dirArg);
const width = meta.features;
const k = meta.labels.length;
const trainRows: number[] = [];
const testRows: number[] = [];
for (let r = 0; r < meta.rows; r++) (test[r] ? testRows : trainRows).push(r);
const xTrain = gatherRows(x, width, trainRows);
const xTest = gatherRows(x, width, testRows);
for (let j = 0; j < width; j++) {
  let sum = 0;
  for (let i = 0; i < trainRows.length; i++) sum += xTrain[i * width + j]!;
  const mean = sum / trainRows.length;
  let ss = 0;
  for (let i = 0; i < trainRows.length; i++) ss += (xTrain[i * width + j]! - mean) ** 2;
  const std = Math.sqrt(ss / trainRows.length) || 1;
  for (let i = 0; i < trainRows.length; i++) xTrain[i * width + j] = (xTrain[i * width + j]! - mean) / std;
  for (let i = 0; i < testRows.length; i++) xTest[i * width + j] = (xTest[i * width + j]! - mean) / std;
}
const oneHot = (rows: number[]) => {
  const out = new Float32Array(rows.length * k);
  rows.forEach((r, i) => (out[i * k + y[r]!] = 1));
  return out;
};
const train = { x: xTrain, y: oneHot(trainRows), rows: trainRows.length };
const held = { x: xTest, y: oneHot(testRows), rows: testRows.length };

interface Runner {
  epoch(): Promise<{ loss: number; valLoss?: number }>;
  dispose(): void;
}

function historyNumber(h: tf.History, key: string): number | undefined {
  const v = h.history[key]?.[0];
  return v === undefined ? undefined : typeof v === 'number' ? v : v.dataSync()[0];
}

function fitRunner(variant: 'fit' | 'fit-noval' | 'fit-gather'): Runner {
  const model = buildDenseNetwork(width, k, 'softmax', { hiddenLayers: [64, 64], seed: 1 });
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rng = seedrandom('stratum-shuffle:1');
  const xv = tf.tensor2d(held.x, [held.rows, width]);
  const yv = tf.tensor2d(held.y, [held.rows, k]);
  const xAll = variant === 'fit-gather' ? tf.tensor2d(train.x, [train.rows, width]) : undefined;
  const yAll = variant === 'fit-gather' ? tf.tensor2d(train.y, [train.rows, k]) : undefined;
  return {
    async epoch() {
      const order = shuffledIndexes(train.rows, rng);
      let xs: tf.Tensor;
      let ys: tf.Tensor;
      if (xAll && yAll) {
        const idx = tf.tensor1d(order, 'int32');
        xs = tf.gather(xAll, idx);
        ys = tf.gather(yAll, idx);
        idx.dispose();
      } else {
        xs = tf.tensor2d(gatherRows(train.x, width, order), [train.rows, width]);
        ys = tf.tensor2d(gatherRows(train.y, k, order), [train.rows, k]);
      }
      const h = await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0, ...(variant === 'fit-noval' ? {} : { validationData: [xv, yv] }) });
      tf.dispose([xs, ys]);
      return { loss: historyNumber(h, 'loss') ?? Number.NaN, valLoss: historyNumber(h, 'val_loss') };
    },
    dispose() {
      tf.dispose([xv, yv, ...(xAll ? [xAll] : []), ...(yAll ? [yAll] : [])]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** `loop`: core/ml/fit.ts itself, one epoch per call (each call starts a new Adam state: same work). */
function fitSeededRunner(): Runner {
  const model = buildDenseNetwork(width, k, 'softmax', { hiddenLayers: [64, 64], seed: 1 });
  return {
    async epoch() {
      const { history } = await fitSeededReport(model, train, held, k, { epochs: 1, batchSize, learningRate: 0.001, seed: 1, loss: 'categoricalCrossentropy' });
      return { loss: history[0]?.loss ?? Number.NaN, valLoss: history[0]?.valLoss };
    },
    dispose() {
      model.dispose();
    },
  };
}

/** Prototypes of the custom loop with another batch pipeline or per-batch reads. */
function loopRunner(variant: 'loop-sync' | 'loop-gather'): Runner {
  const model = buildDenseNetwork(width, k, 'softmax', { hiddenLayers: [64, 64], seed: 1 });
  const optimizer = tf.train.adam(0.001);
  const rng = seedrandom('stratum-shuffle:1');
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const xv = tf.tensor2d(held.x, [held.rows, width]);
  const yv = tf.tensor2d(held.y, [held.rows, k]);
  const xAll = variant === 'loop-gather' ? tf.tensor2d(train.x, [train.rows, width]) : undefined;
  const yAll = variant === 'loop-gather' ? tf.tensor2d(train.y, [train.rows, k]) : undefined;
  const n = train.rows;
  return {
    async epoch() {
      const order = shuffledIndexes(n, rng);
      let xa: Float32Array | undefined;
      let ya: Float32Array | undefined;
      let xe: tf.Tensor2D | undefined;
      let ye: tf.Tensor2D | undefined;
      if (xAll && yAll) {
        const idx = tf.tensor1d(order, 'int32');
        xe = tf.gather(xAll, idx) as tf.Tensor2D;
        ye = tf.gather(yAll, idx) as tf.Tensor2D;
        idx.dispose();
      } else {
        xa = gatherRows(train.x, width, order);
        ya = gatherRows(train.y, k, order);
      }
      let lossSum: tf.Tensor = tf.scalar(0);
      let accSum: tf.Tensor = tf.scalar(0);
      let lossJs = 0;
      let accJs = 0;
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        tf.tidy(() => {
          const xb = xe ? xe.slice([s, 0], [e - s, width]) : tf.tensor2d(xa!.subarray(s * width, e * width), [e - s, width]);
          const yb = ye ? ye.slice([s, 0], [e - s, k]) : tf.tensor2d(ya!.subarray(s * k, e * k), [e - s, k]);
          let acc: tf.Tensor | undefined;
          const cost = optimizer.minimize(() => {
            const out = model.apply(xb, { training: true }) as tf.Tensor;
            acc = tf.keep(tf.mean(tf.metrics.categoricalAccuracy(yb, out)));
            return tf.mean(tf.metrics.categoricalCrossentropy(yb, out)) as tf.Scalar;
          }, true, vars) as tf.Scalar;
          if (variant === 'loop-sync') {
            lossJs += cost.dataSync()[0]! * (e - s);
            accJs += acc!.dataSync()[0]! * (e - s);
          } else {
            const l = tf.add(lossSum, tf.mul(cost, e - s));
            const a = tf.add(accSum, tf.mul(acc!, e - s));
            lossSum.dispose();
            accSum.dispose();
            lossSum = tf.keep(l);
            accSum = tf.keep(a);
          }
          acc!.dispose();
        });
      }
      const loss = variant === 'loop-sync' ? lossJs / n : lossSum.dataSync()[0]! / n;
      void accJs;
      accSum.dataSync();
      tf.dispose([lossSum, accSum, ...(xe ? [xe] : []), ...(ye ? [ye] : [])]);
      const valLoss = tf.tidy(() => tf.mean(tf.metrics.categoricalCrossentropy(yv, model.predict(xv, { batchSize: 1024 }) as tf.Tensor)).dataSync()[0]);
      return { loss, valLoss };
    },
    dispose() {
      tf.dispose([xv, yv, ...(xAll ? [xAll] : []), ...(yAll ? [yAll] : [])]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

const runners = new Map<Variant, Runner>(variants.map((v) => {
  const loop = loopOf(v);
  return [v, loop.startsWith('fit') ? fitRunner(loop as 'fit') : loop === 'loop' ? fitSeededRunner() : loopRunner(loop as 'loop-sync')];
}));
const seconds = new Map<Variant, number[]>(variants.map((v) => [v, []]));
const cpuSeconds = new Map<Variant, number[]>(variants.map((v) => [v, []]));
const last = new Map<Variant, { loss: number; valLoss?: number }>();
for (let round = 1; round <= rounds; round++) {
  for (const v of variants) {
    rerouteTransposedMatMul(!v.endsWith('+tfjs-matmul'));
    const started = performance.now();
    const cpu = process.cpuUsage();
    last.set(v, await runners.get(v)!.epoch());
    const used = process.cpuUsage(cpu);
    if (round > 1) {
      seconds.get(v)!.push((performance.now() - started) / 1000);
      cpuSeconds.get(v)!.push((used.user + used.system) / 1e6);
    }
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const out: Record<string, unknown> = {};
for (const v of variants) {
  const s = seconds.get(v)!;
  const c = cpuSeconds.get(v)!;
  out[v] = { samplesPerSecond: s.length ? train.rows / median(s) : Number.NaN, samplesPerCpuSecond: c.length ? train.rows / median(c) : Number.NaN, epochSeconds: s, cpuSeconds: c, ...last.get(v) };
  runners.get(v)!.dispose();
}
process.stdout.write(`${JSON.stringify({ backend: info.name, threads: threads > 1 ? threads : 1, batchSize, trainRows: train.rows, tensors: tf.memory().numTensors, variants: out })}\n`);
// The threaded build's worker threads would keep the process alive.
if (threads > 1) process.exit(0);
