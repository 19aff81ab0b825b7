/**
 * Test fixture shared by the checker and renderer tests: lays out a temporary tree with the
 * example descriptors and a real Seattle-weather bundle where they expect it:
 *
 * ```
 * <root>/descriptors/                 copies of examples/descriptors/*.yaml (baseDir of seattle-weather.yaml)
 * <root>/descriptors/invalid/         copies of examples/descriptors/invalid/*.yaml
 * <root>/seattle-weather/output/seattle-weather-bundle/   exported by training a tiny MLP for 2 epochs
 * ```
 * Not a test file itself; imported only by tests.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvTable, tableToRecords } from '../../../connectors/csv/csv.ts';
import { vegaDataset } from '../../datasets/vega.ts';
import { trainMlpClassifier } from '../../ml/mlp.ts';
import { exportBundle, type BundleManifest } from '../../serving/bundle.ts';

/** Folder of the example descriptors in the repository. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'descriptors');

/** Paths of a laid-out fixture tree. */
export interface DescriptorFixture {
  root: string;
  descriptors: string;
  invalid: string;
  bundle: string;
  manifest: BundleManifest;
}

/**
 * Trains a small MLP (8 hidden units, 2 epochs) on seattle-weather.csv, exports it, and copies the
 * example descriptors beside it. Takes a couple of seconds.
 */
export async function layOutFixture(): Promise<DescriptorFixture> {
  const root = await mkdtemp(join(tmpdir(), 'stratum-descriptor-'));
  const records = tableToRecords(await readCsvTable(vegaDataset('seattle-weather.csv')));
  const trained = await trainMlpClassifier(records, { target: 'weather', features: ['precipitation', 'temp_max', 'temp_min', 'wind'], hiddenLayers: [8], epochs: 2, seed: 1 });
  const bundle = join(root, 'seattle-weather', 'output', 'seattle-weather-bundle');
  let manifest: BundleManifest;
  try {
    manifest = await exportBundle(trained, { dir: bundle, name: 'seattle-weather' });
  } finally {
    trained.model.dispose();
  }
  const descriptors = join(root, 'descriptors');
  await cp(EXAMPLES_DIR, descriptors, { recursive: true });
  return { root, descriptors, invalid: join(descriptors, 'invalid'), bundle, manifest };
}
