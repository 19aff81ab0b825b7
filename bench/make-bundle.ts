/**
 * Trains a small Seattle-weather classifier and exports it as a bundle for the serving benchmark.
 * Usage: node --import tsx bench/make-bundle.ts <dir>   (prints the bundle dir)
 */
import { readCsvTable, tableToRecords } from '../connectors/csv/csv.ts';
import { vegaDataset } from '../core/datasets/vega.ts';
import { trainMlpClassifier } from '../core/ml/mlp.ts';
import { exportBundle } from '../core/serving/bundle.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: make-bundle.ts <dir>');
const records = tableToRecords(await readCsvTable(vegaDataset('seattle-weather.csv')));
const trained = await trainMlpClassifier(records, {
  target: 'weather',
  features: ['precipitation', 'temp_max', 'temp_min', 'wind'],
  hiddenLayers: [64, 64],
  epochs: 10,
  batchSize: 32,
  learningRate: 0.001,
  testFraction: 0.2,
  seed: 42,
});
await exportBundle(trained, { dir, name: 'seattle-weather', overwrite: true });
trained.model.dispose();
process.stdout.write(`${dir}\n`);
