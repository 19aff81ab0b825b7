/**
 * Paths to the public data sets shipped by the `vega-datasets` npm package, read from disk.
 * (The package's own loader fetches from a CDN, which fails offline.)
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StratumError } from '../errors.ts';

let dataDir: string | undefined;

/** Absolute path of `node_modules/vega-datasets/data`. */
export function vegaDataDir(): string {
  if (!dataDir) {
    const require = createRequire(import.meta.url);
    // The package exports only its build entry; the data folder sits beside `build/`.
    const entry = require.resolve('vega-datasets');
    dataDir = path.join(path.dirname(entry), '..', 'data');
  }
  return dataDir;
}

/**
 * Absolute path of one vega-datasets file, e.g. `vegaDataset('seattle-weather.csv')`.
 *
 * @param name - file name inside the package's `data/` folder
 * @throws StratumError `FILE_NOT_FOUND` listing a few available names when the file does not exist
 */
export function vegaDataset(name: string): string {
  const dir = vegaDataDir();
  const file = path.join(dir, name);
  if (path.dirname(file) !== dir || !existsSync(file)) {
    const known = readdirSync(dir).filter((f) => /\.(csv|tsv|json)$/.test(f));
    throw new StratumError('FILE_NOT_FOUND', `vega-datasets has no data set named "${name}"`, {
      detail: { field: 'name', path: file },
      hint: `Use one of: ${known.slice(0, 12).join(', ')}, ... (${known.length} files in ${dir}).`,
    });
  }
  return file;
}
