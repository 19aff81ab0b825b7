/**
 * Training throughput of the MLP template (`trainMlpClassifier`, the path a template cell runs) on
 * the benchmark data of `bench/mlp-data.ts`, in its own process so the backend can be forced
 * (STRATUM_TF_BACKEND). Usage: node --import tsx bench/train-worker.ts <data dir> <epochs> <batchSize> [<learningRate>]
 * (Adam learning rate, default 0.001).
 *
 * Prints one JSON line: { backend, trainRows, batchSize, epochs, samplesPerSecond (whole fit:
 * compile, every epoch and its held-out loss; data loading, preprocessing and backend start
 * excluded), steadySamplesPerSecond (epochs 2..n, epoch 1 includes kernel warm-up) and
 * steadySamplesPerCpuSecond (the same per CPU-second of this process: robust to other load), epochSeconds[],
 * testAccuracy, loss }.
 */
import { trainMlpClassifier } from '../core/ml/mlp.ts';
import { initBackend } from '../core/tf/backend.ts';
import type { FeatureRecord } from '../core/ml/types.ts';
import { readMlpBenchData } from './mlp-data.ts';

const [dirArg, epochsArg, batchArg, rateArg] = process.argv.slice(2);
if (!dirArg) throw new Error('usage: train-worker.ts <data dir> <epochs> <batchSize> [<learningRate>]');
const epochs = Number(epochsArg ?? 3);
const batchSize = Number(batchArg ?? 256);
const learningRate = Number(rateArg ?? 0.001);
const { meta, x, y } = readMlpBenchData(dirArg);
const features = Array.from({ length: meta.features }, (_, i) => `x${i}`);
const records: FeatureRecord[] = Array.from({ length: meta.rows }, (_, r) => {
  const record: FeatureRecord = { label: meta.labels[y[r]] };
  features.forEach((f, i) => (record[f] = x[r * meta.features + i]));
  return record;
});
const info = await initBackend();

const epochEnds: number[] = [];
const cpuEnds: number[] = [];
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const started = performance.now();
const trained = await trainMlpClassifier(records, {
  target: 'label',
  features,
  hiddenLayers: [64, 64],
  epochs,
  batchSize,
  learningRate,
  testFraction: meta.testFraction,
  seed: meta.seed,
}, {
  onEpoch: () => {
    epochEnds.push(performance.now());
    cpuEnds.push(cpuNow());
  },
});
if (trained.sizes.train !== meta.trainRows) throw new Error(`the template split ${trained.sizes.train} training rows, the data folder says ${meta.trainRows}`);
// Epoch 1's time also holds the preprocessing (it starts at `started`): only epochs 2..n are steady.
const epochSeconds = epochEnds.map((t, i) => (t - (i === 0 ? started : epochEnds[i - 1]!)) / 1000);
const steady = epochSeconds.length > 1 ? epochSeconds.slice(1) : epochSeconds;
const meanEpoch = steady.reduce((s, v) => s + v, 0) / steady.length;
const steadyCpu = cpuEnds.length > 1 ? (cpuEnds.at(-1)! - cpuEnds[0]!) / (cpuEnds.length - 1) : Number.NaN;
process.stdout.write(`${JSON.stringify({
  backend: trained.backend,
  features: info.features,
  trainRows: trained.sizes.train,
  batchSize,
  epochs: trained.history.length,
  samplesPerSecond: trained.timing?.samplesPerSecond,
  steadySamplesPerSecond: trained.sizes.train / meanEpoch,
  steadySamplesPerCpuSecond: trained.sizes.train / steadyCpu,
  epochSeconds,
  testAccuracy: trained.evaluation.accuracy,
  loss: trained.history.at(-1)?.loss,
})}\n`);
trained.model.dispose();
