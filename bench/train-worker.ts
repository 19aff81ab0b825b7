/**
 * Training throughput of the MLP template on synthetic data, in its own process so the backend can
 * be forced (STRATUM_TF_BACKEND). Usage: node --import tsx bench/train-worker.ts <rows> <epochs> <batchSize>
 * Prints one JSON line: { backend, rows, features, batchSize, samplesPerSecond, epochSeconds[] }.
 * Synthetic task: 20 standard-normal features, 3 classes from the sign pattern of two linear scores.
 */
import seedrandom from 'seedrandom';
import { trainMlpClassifier } from '../core/ml/mlp.ts';

const [rowsArg, epochsArg, batchArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 100_000);
const epochs = Number(epochsArg ?? 3);
const batchSize = Number(batchArg ?? 256);
const nFeatures = 20;
const rng = seedrandom('stratum-train-bench');
const gauss = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
const features = Array.from({ length: nFeatures }, (_, i) => `x${i}`);
const records = Array.from({ length: rows }, () => {
  const r: Record<string, number | string> = {};
  let a = 0;
  let b = 0;
  features.forEach((f, i) => {
    const v = gauss();
    r[f] = v;
    a += (i % 3 === 0 ? 1 : -0.5) * v;
    b += (i % 2 === 0 ? 0.7 : -0.3) * v;
  });
  r.label = a > 0 ? (b > 0 ? 'A' : 'B') : 'C';
  return r;
});

const epochEnds: number[] = [];
const started = performance.now();
const trained = await trainMlpClassifier(records, {
  target: 'label',
  features,
  hiddenLayers: [64, 64],
  epochs,
  batchSize,
  learningRate: 0.001,
  testFraction: 0.2,
  seed: 1,
}, { onEpoch: () => epochEnds.push(performance.now()) });
const totalSeconds = (performance.now() - started) / 1000;
// Throughput from epochs 2..n (epoch 1 includes kernel warm-up), on the training split only.
const epochSeconds = epochEnds.map((t, i) => (t - (i === 0 ? started : epochEnds[i - 1]!)) / 1000);
const steady = epochSeconds.length > 1 ? epochSeconds.slice(1) : epochSeconds;
const meanEpoch = steady.reduce((s, x) => s + x, 0) / steady.length;
process.stdout.write(`${JSON.stringify({
  backend: trained.backend,
  rows,
  trainRows: trained.sizes.train,
  features: nFeatures,
  batchSize,
  samplesPerSecond: trained.sizes.train / meanEpoch,
  epochSeconds,
  totalSeconds,
  testAccuracy: trained.evaluation.accuracy,
})}\n`);
trained.model.dispose();
