/**
 * k-means clustering (`ml-kmeans`, k-means++ initialization with a seed) behind
 * {@link ModelAdapter}, with the elbow table (inertia for each k) and the silhouette.
 *
 * `ml-kmeans` returns a result without its own serialization; the model's state is its result's
 * centroids (`{ centroids, iterations, converged }`), and prediction assigns each row to the
 * nearest centroid by squared euclidean distance, as `KMeansResult.nearest` does.
 */
import { kmeans } from 'ml-kmeans';
import { StratumError } from '../errors.ts';
import { inertia, silhouetteScore, type ClusteringEvaluation, type ElbowPoint } from './evaluate.ts';
import { checkTrainingData } from './guardrails.ts';
import { ML_MODEL_FILE, mlModelFiles, type MlModelFile, type ModelAdapter, type TrainedModel } from './model.ts';
import { trainModelInWorker, trainsInWorker, type WorkerTrainingHooks } from './pool.ts';
import { fitPreprocessor, transformRecords } from './preprocess.ts';
import { checkColumns, toRows, type TabularColumns } from './supervised.ts';
import type { FeatureRecord } from './types.ts';

/** Parameters of {@link trainKMeans}. */
export interface KMeansParams extends Omit<TabularColumns, 'target'> {
  /** Number of clusters; default 3. */
  k?: number;
  /** Values of k for the elbow table (each clustered and scored); default 2..8. Empty: no table. */
  elbowKs?: number[];
  /** Maximum Lloyd iterations; default 100. */
  maxIterations?: number;
  /** Seed of the k-means++ initialization; default 42. */
  seed?: number;
}

/** Defaults of {@link trainKMeans}. */
export const KMEANS_DEFAULTS = { k: 3, elbowKs: [2, 3, 4, 5, 6, 7, 8], maxIterations: 100, seed: 42 } as const;

/** State stored in `model/model.json` for `ml-kmeans`. */
interface KMeansState {
  centroids: number[][];
  iterations: number;
  converged: boolean;
}

function nearest(row: ArrayLike<number>, offset: number, width: number, centroids: number[][]): number {
  let best = 0;
  let bestD = Infinity;
  centroids.forEach((c, id) => {
    let d = 0;
    for (let j = 0; j < width; j++) d += (row[offset + j] - c[j]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = id;
    }
  });
  return best;
}

/** A clustering adapter over fixed centroids. */
function kmeansAdapter(state: KMeansState, inputWidth: number): ModelAdapter {
  const file: MlModelFile<KMeansState> = { format: 'stratum-ml-model', kind: 'ml-kmeans', task: 'clustering', inputWidth, outputWidth: 1, state };
  return {
    kind: 'ml-kmeans',
    task: 'clustering',
    inputWidth,
    outputWidth: 1,
    predict(x, rows) {
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) out[i] = nearest(x, i * inputWidth, inputWidth, state.centroids);
      return out;
    },
    save: async () => mlModelFiles(file),
    parameterCount: () => state.centroids.length * inputWidth,
    dispose() {},
  };
}

/**
 * Rebuilds a k-means adapter from its `model/model.json` bytes.
 *
 * @throws StratumError `BUNDLE_INVALID` when the file is not a Stratum ml-kmeans model
 */
export function loadKMeansAdapter(bytes: Uint8Array | undefined, source: string): ModelAdapter {
  let file: MlModelFile<KMeansState>;
  try {
    file = JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')) as MlModelFile<KMeansState>;
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${ML_MODEL_FILE} is not valid JSON: ${(error as Error).message}`, { detail: { path: source } });
  }
  const ok = file?.format === 'stratum-ml-model' && file.kind === 'ml-kmeans' && Array.isArray(file.state?.centroids) && file.state.centroids.every((c) => Array.isArray(c) && c.length === file.inputWidth && c.every(Number.isFinite));
  if (!ok) throw new StratumError('BUNDLE_INVALID', `${source}/${ML_MODEL_FILE} is not a Stratum ml-kmeans model`, { detail: { path: source }, hint: 'Re-export the bundle.' });
  return kmeansAdapter(file.state, file.inputWidth);
}

function bad(field: string, message: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field } });
}

/**
 * Clusters records with k-means on the preprocessed features (median-imputed, standardized,
 * one-hot), with k-means++ initialization seeded by `seed` (ml-kmeans). Also clusters every k of
 * `elbowKs` to fill the elbow table (inertia and silhouette per k). There is no held-out split:
 * the evaluation is on the clustered rows (`sizes.test` = 0).
 *
 * @param records - one object per row
 * @param params - features, k, elbow ks, seed
 * @param hooks - `signal` (and `workers`): cluster in a worker thread that aborting terminates at
 *   once (core/ml/pool.ts `trainsInWorker`: from `WORKER_MIN_CELLS` cells, or `workers` >= 2); the
 *   centroids come back in `model.json` and are rebuilt with {@link loadKMeansAdapter}
 * @returns a clustering {@link TrainedModel}; `evaluation` is a {@link ClusteringEvaluation}
 * @throws StratumError `TEMPLATE_PARAMS` for a bad parameter or column, `DATA_INVALID` when k
 *   exceeds the number of rows, `KERNEL_INTERRUPTED` when `hooks.signal` aborts a worker's clustering
 * @example
 * ```ts
 * const km = await trainKMeans(rows, { features: ['Beak Length (mm)', 'Flipper Length (mm)'], k: 3 });
 * ```
 */
export async function trainKMeans(records: FeatureRecord[], params: KMeansParams, hooks?: WorkerTrainingHooks): Promise<TrainedModel> {
  checkColumns(records, params, false);
  const k = params.k ?? KMEANS_DEFAULTS.k;
  const elbowKs = [...(params.elbowKs ?? KMEANS_DEFAULTS.elbowKs)];
  const maxIterations = params.maxIterations ?? KMEANS_DEFAULTS.maxIterations;
  const seed = params.seed ?? KMEANS_DEFAULTS.seed;
  if (!Number.isInteger(k) || k < 1) throw bad('k', `expected a positive integer, got ${JSON.stringify(k)}`);
  if (!elbowKs.every((v) => Number.isInteger(v) && v >= 1)) throw bad('elbowKs', `expected positive integers, got ${JSON.stringify(elbowKs)}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw bad('maxIterations', `expected a positive integer, got ${JSON.stringify(maxIterations)}`);
  if (!Number.isInteger(seed)) throw bad('seed', `expected an integer, got ${JSON.stringify(seed)}`);
  const n = records.length;
  const tooMany = [k, ...elbowKs].find((v) => v > n);
  if (tooMany !== undefined) throw new StratumError('DATA_INVALID', `k = ${tooMany} is larger than the number of rows (${n})`, { detail: { field: tooMany === k ? 'k' : 'elbowKs' } });
  if (hooks?.signal && trainsInWorker(hooks, n * params.features.length)) {
    return trainModelInWorker({
      templateId: 'tabular.kmeans', records, params: params as unknown as Record<string, unknown>, signal: hooks.signal,
      load: (files) => loadKMeansAdapter(files[ML_MODEL_FILE], 'tabular.kmeans'),
    });
  }
  const warnings = checkTrainingData(records, { features: params.features, task: 'clustering' });
  const preprocessor = fitPreprocessor(records, { features: params.features, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error' });
  const width = preprocessor.outputWidth;
  const x = transformRecords(preprocessor, records);
  const rows = toRows(x, n, width);
  const cluster = (kk: number): { state: KMeansState; ids: number[] } => {
    const result = kmeans(rows, kk, { initialization: 'kmeans++', seed, maxIterations });
    return { state: { centroids: result.centroids, iterations: result.iterations, converged: result.converged }, ids: result.clusters };
  };
  const started = performance.now();
  const main = cluster(k);
  const trainMs = performance.now() - started;
  const score = (ids: number[]) => silhouetteScore(x, width, ids);
  const mainSilhouette = score(main.ids);
  const elbow: ElbowPoint[] = [...new Set(elbowKs)].sort((a, b) => a - b).map((kk) => {
    const run = kk === k ? main : cluster(kk);
    return { k: kk, inertia: inertia(x, width, run.state.centroids), silhouette: kk === k ? mainSilhouette.value : score(run.ids).value };
  });
  const adapter = kmeansAdapter(main.state, width);
  const assigned = adapter.predict(x, n);
  const clusterSizes = new Array<number>(k).fill(0);
  for (const id of assigned) clusterSizes[id]++;
  const evaluation: ClusteringEvaluation = {
    task: 'clustering',
    n,
    k,
    inertia: inertia(x, width, main.state.centroids),
    silhouette: mainSilhouette.value,
    clusterSizes,
    elbow,
    undefinedReasons: mainSilhouette.reason ? { silhouette: mainSilhouette.reason } : {},
  };
  return {
    task: 'clustering',
    templateId: 'tabular.kmeans',
    target: '',
    features: [...params.features],
    labels: [],
    preprocessor,
    adapter,
    evaluation,
    history: [],
    backend: 'js',
    params: { ...params, k, elbowKs, maxIterations, seed, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error' },
    sizes: { train: n, test: 0 },
    timing: { trainMs },
    warnings,
  };
}
