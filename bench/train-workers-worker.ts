/**
 * One measurement of training in worker threads (bench/train-bench.ts, section `train-workers`):
 * a k-fold cross-validation (`cv`) or a grid search (`search`) of the MLP classifier template on
 * the bench data, with W workers (1 = in process). Prints one JSON line: wall seconds, CPU seconds
 * of the whole process (every thread), the mean score and the fold or trial scores.
 *
 * Usage: train-workers-worker.ts <data dir> <cv|search> <workers> <epochs> <folds>
 */
import { crossValidate } from '../core/ml/cv.ts';
import { hyperparameterSearch } from '../core/ml/search.ts';
import type { FeatureRecord } from '../core/ml/types.ts';
import { readMlpBenchData } from './mlp-data.ts';

const [dir, mode, workersArg, epochsArg, foldsArg] = process.argv.slice(2);
if (!dir || (mode !== 'cv' && mode !== 'search')) throw new Error('usage: train-workers-worker.ts <data dir> <cv|search> <workers> <epochs> <folds>');
const workers = Number(workersArg ?? 1);
const epochs = Number(epochsArg ?? 5);
const folds = Number(foldsArg ?? 5);
const { meta, x, y } = readMlpBenchData(dir);
const features = Array.from({ length: meta.features }, (_, i) => `x${i}`);
const records: FeatureRecord[] = Array.from({ length: meta.rows }, (_, r) => {
  const record: FeatureRecord = { label: meta.labels[y[r]] };
  features.forEach((f, i) => (record[f] = x[r * meta.features + i]));
  return record;
});
const base = { target: 'label', features, hiddenLayers: [64, 64], epochs, batchSize: 256, learningRate: 0.001, seed: meta.seed };
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const cpu0 = cpu();
const t0 = performance.now();
let mean: number | null;
let scores: Array<number | null>;
if (mode === 'cv') {
  const cv = await crossValidate({ templateId: 'tabular.mlp-classifier', records, params: base, folds, seed: 1, workers });
  mean = cv.mean;
  scores = cv.scores;
} else {
  const { hiddenLayers: _h, learningRate: _l, ...rest } = base;
  const search = await hyperparameterSearch({ templateId: 'tabular.mlp-classifier', records, baseParams: rest, space: { hiddenLayers: [[32], [64], [64, 64]], learningRate: [0.001, 0.003] }, strategy: 'grid', folds, seed: 1, workers, refit: false });
  mean = search.best.mean;
  scores = search.trials.map((t) => t.mean);
}
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu() - cpu0, mean, scores })}\n`);
