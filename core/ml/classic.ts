/**
 * Classifiers from the `ml-*` family behind {@link ModelAdapter}: a CART decision tree
 * (`ml-cart`), a random forest (`ml-random-forest`) and Gaussian naive Bayes (`ml-naivebayes`).
 * Each is trained with its library, serialized with the library's `toJSON()` and restored with
 * its `load()`; Stratum adds class probabilities where the library only gives a label:
 * - tree: the class distribution of the leaf a row falls into (scikit-learn `predict_proba` of
 *   `DecisionTreeClassifier`);
 * - forest: the fraction of trees voting for each class (hard voting; scikit-learn averages the
 *   trees' leaf distributions instead);
 * - naive Bayes: the posterior computed in log space with log-sum-exp from the library's fitted
 *   means, variances and priors (the library's own `predict` exponentiates log-likelihoods and
 *   underflows), with scikit-learn's `var_smoothing` (1e-9 x the largest feature variance added to
 *   every variance, so a feature constant within a class does not divide by zero). The library
 *   estimates variances with the sample (n - 1) formula where scikit-learn uses n.
 */
import { createRequire } from 'node:module';
import { StratumError } from '../errors.ts';
import { evaluateClassification } from './evaluate.ts';
import { checkTrainingData } from './guardrails.ts';
import { ML_MODEL_FILE, mlModelFiles, type MlModelFile, type ModelAdapter, type ModelKind, type TrainedModel } from './model.ts';
import { trainModelInWorker, trainsInWorker, type WorkerTrainingHooks } from './pool.ts';
import { prepareSupervised, toRows, type TabularColumns } from './supervised.ts';
import type { FeatureRecord } from './types.ts';

const require = createRequire(import.meta.url);

/** The part of ml-matrix's `Matrix` used here. */
interface MatrixLike {
  rows: number;
  columns: number;
  getRow(i: number): number[];
  get(i: number, j: number): number;
}
interface TreeNodeLike {
  classify(row: number[]): MatrixLike;
}
interface CartClassifier {
  root: TreeNodeLike;
  train(x: number[][], y: number[]): void;
  toJSON(): unknown;
}
interface CartModule {
  DecisionTreeClassifier: { new (options: Record<string, unknown>): CartClassifier; load(model: unknown): CartClassifier };
}
interface ForestClassifier {
  nEstimators: number;
  train(x: number[][], y: number[]): void;
  predictionValues(x: number[][]): MatrixLike;
  toJSON(): unknown;
}
interface ForestModule {
  RandomForestClassifier: { new (options: Record<string, unknown>): ForestClassifier; load(model: unknown): ForestClassifier };
}
/** JSON state of ml-naivebayes' GaussianNB: per class means and `[logPrior, [1/(sqrt(2pi) sd), -2 sd^2] per feature]`. */
interface GaussianNbJson {
  modelName: 'NaiveBayes';
  means: number[][];
  calculateProbabilities: Array<[number, ...Array<[number | null, number]>]>;
}
interface NaiveBayesModule {
  GaussianNB: { new (): { train(x: number[][], y: number[]): void; toJSON(): GaussianNbJson }; load(model: GaussianNbJson): unknown };
}

const cart = (): CartModule => require('ml-cart') as CartModule;
const forest = (): ForestModule => require('ml-random-forest') as ForestModule;
const naiveBayes = (): NaiveBayesModule => require('ml-naivebayes') as NaiveBayesModule;

/** Split parameters shared by the classic classifiers. */
export interface ClassicParams extends TabularColumns {
  target: string;
  /** Fraction of each class held out for evaluation, in (0, 1); default 0.2. */
  testFraction?: number;
  /** Seed of the split (and of the forest's sampling); default 42. */
  seed?: number;
}

/** Parameters of {@link trainDecisionTree} (ml-cart options). */
export interface DecisionTreeParams extends ClassicParams {
  /** Maximum depth of the tree; default 8. */
  maxDepth?: number;
  /** Minimum samples to split a node (ml-cart `minNumSamples`); default 3. */
  minSamples?: number;
  /** Minimum Gini gain to split (ml-cart `gainThreshold`); default 0.01. */
  gainThreshold?: number;
}

/** Parameters of {@link trainRandomForest}. */
export interface RandomForestParams extends DecisionTreeParams {
  /** Number of trees; default 50. */
  nEstimators?: number;
  /** Fraction of the features each tree sees, in (0, 1]; default 0.5. */
  maxFeatures?: number;
}

/** Parameters of {@link trainNaiveBayes}. */
export interface NaiveBayesParams extends ClassicParams {
  /** Portion of the largest feature variance added to every variance (scikit-learn `var_smoothing`); default 1e-9. */
  varSmoothing?: number;
}

/** Defaults of the classic classifiers. */
export const CLASSIC_DEFAULTS = { testFraction: 0.2, seed: 42, maxDepth: 8, minSamples: 3, gainThreshold: 0.01, nEstimators: 50, maxFeatures: 0.5, varSmoothing: 1e-9 } as const;

function bad(field: string, message: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field } });
}

function checkSplit(p: ClassicParams): { testFraction: number; seed: number } {
  const testFraction = p.testFraction ?? CLASSIC_DEFAULTS.testFraction;
  const seed = p.seed ?? CLASSIC_DEFAULTS.seed;
  if (!(testFraction > 0 && testFraction < 1)) throw bad('testFraction', `expected a number in (0, 1), got ${JSON.stringify(testFraction)}`);
  if (!Number.isInteger(seed)) throw bad('seed', `expected an integer, got ${JSON.stringify(seed)}`);
  return { testFraction, seed };
}

function positiveInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw bad(field, `expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function countNumbers(value: unknown): number {
  if (typeof value === 'number') return 1;
  if (Array.isArray(value)) return value.reduce((s: number, v) => s + countNumbers(v), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((s: number, v) => s + countNumbers(v), 0);
  return 0;
}

/** Builds an adapter around a per-row probability function. */
function mlAdapter(kind: Exclude<ModelKind, 'tfjs-layers'>, inputWidth: number, outputWidth: number, state: unknown, rowProbabilities: (row: number[], out: Float64Array, offset: number) => void): ModelAdapter {
  const file: MlModelFile = { format: 'stratum-ml-model', kind, task: 'classification', inputWidth, outputWidth, state };
  return {
    kind,
    task: 'classification',
    inputWidth,
    outputWidth,
    predict(x, rows) {
      const out = new Float64Array(rows * outputWidth);
      for (let i = 0; i < rows; i++) rowProbabilities(Array.from(x.subarray(i * inputWidth, (i + 1) * inputWidth)), out, i * outputWidth);
      return out;
    },
    save: async () => mlModelFiles(file),
    parameterCount: () => countNumbers(state),
    dispose() {},
  };
}

function treeAdapter(json: unknown, inputWidth: number, k: number): ModelAdapter {
  const tree = cart().DecisionTreeClassifier.load(json);
  return mlAdapter('ml-cart', inputWidth, k, json, (row, out, offset) => {
    const dist = tree.root.classify(row).getRow(0);
    for (let c = 0; c < dist.length && c < k; c++) out[offset + c] = dist[c];
  });
}

function forestAdapter(json: unknown, inputWidth: number, k: number): ModelAdapter {
  const rf = forest().RandomForestClassifier.load(json);
  return mlAdapter('ml-random-forest', inputWidth, k, json, (row, out, offset) => {
    const votes = rf.predictionValues([row]);
    for (let t = 0; t < votes.columns; t++) out[offset + votes.get(0, t)] += 1 / votes.columns;
  });
}

/** Stored state of the naive Bayes adapter: the library's JSON plus the smoothing epsilon. */
interface NaiveBayesState {
  gaussianNB: GaussianNbJson;
  /** Added to every variance: `varSmoothing * max feature variance` of the training matrix. */
  epsilon: number;
}

function naiveBayesAdapter(state: NaiveBayesState, inputWidth: number, k: number): ModelAdapter {
  naiveBayes().GaussianNB.load(state.gaussianNB); // validates the library's format
  const { means, calculateProbabilities } = state.gaussianNB;
  const logPrior = calculateProbabilities.map((c) => c[0]);
  // Variance from the stored -2 sd^2 (finite even where sd = 0), plus smoothing; NaN (a one-row class) counts as 0.
  const variances = calculateProbabilities.map((c) => c.slice(1).map((pair) => {
    const v = -(pair as [number | null, number])[1] / 2;
    return (Number.isFinite(v) ? v : 0) + state.epsilon;
  }));
  return mlAdapter('ml-naivebayes', inputWidth, k, state, (row, out, offset) => {
    const joint = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = logPrior[c];
      for (let j = 0; j < inputWidth; j++) {
        const v = variances[c][j];
        s -= 0.5 * Math.log(2 * Math.PI * v) + (row[j] - means[c][j]) ** 2 / (2 * v);
      }
      joint[c] = s;
    }
    const max = Math.max(...joint);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(joint[c] - max);
    for (let c = 0; c < k; c++) out[offset + c] = Math.exp(joint[c] - max) / sum;
  });
}

/**
 * Rebuilds an `ml-*` classifier adapter from its `model/model.json` bytes.
 *
 * @throws StratumError `BUNDLE_INVALID` when the file is not a Stratum ml-model of that kind
 */
export function loadClassicAdapter(bytes: Uint8Array | undefined, kind: ModelKind, source: string): ModelAdapter {
  let file: MlModelFile;
  try {
    file = JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')) as MlModelFile;
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${ML_MODEL_FILE} is not valid JSON: ${(error as Error).message}`, { detail: { path: source } });
  }
  if (file?.format !== 'stratum-ml-model' || file.kind !== kind || !Number.isInteger(file.inputWidth) || !Number.isInteger(file.outputWidth)) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${ML_MODEL_FILE} is not a Stratum ${kind} model`, { detail: { path: source }, hint: 'Re-export the bundle.' });
  }
  try {
    if (kind === 'ml-cart') return treeAdapter(file.state, file.inputWidth, file.outputWidth);
    if (kind === 'ml-random-forest') return forestAdapter(file.state, file.inputWidth, file.outputWidth);
    if (kind === 'ml-naivebayes') return naiveBayesAdapter(file.state as NaiveBayesState, file.inputWidth, file.outputWidth);
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${ML_MODEL_FILE}: ${kind} could not load the model: ${(error as Error).message}`, { detail: { path: source }, cause: error });
  }
  throw new StratumError('BUNDLE_INVALID', `${source}: ${kind} is not a classic classifier kind`, { detail: { path: source } });
}

async function trainClassic(records: FeatureRecord[], params: ClassicParams, templateId: string, resolved: Record<string, unknown>, fit: (x: number[][], y: number[], width: number, k: number) => ModelAdapter): Promise<TrainedModel> {
  const split = checkSplit(params);
  const data = prepareSupervised(records, params, split, 'classification');
  const warnings = checkTrainingData(records, { target: params.target, features: params.features, task: 'classification', testRows: data.test.rows });
  const width = data.preprocessor.outputWidth;
  const index = new Map(data.labels.map((l, i) => [l, i]));
  const started = performance.now();
  const adapter = fit(toRows(data.train.x, data.train.rows, width), (data.train.y as string[]).map((l) => index.get(l) as number), width, data.labels.length);
  const trainMs = performance.now() - started;
  const evaluation = evaluateClassification(data.test.y as string[], adapter.predict(data.test.x, data.test.rows), data.labels, data.train.y as string[]);
  return {
    task: 'classification',
    templateId,
    target: params.target,
    features: [...params.features],
    labels: data.labels,
    preprocessor: data.preprocessor,
    adapter,
    evaluation,
    history: [],
    backend: 'js',
    params: { ...params, ...split, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error', ...resolved },
    sizes: { train: data.train.rows, test: data.test.rows },
    dropped: { missingTarget: data.missingTarget },
    timing: { trainMs },
    warnings,
    heldOut: { records: data.test.records, y: data.test.y },
  };
}

/**
 * Trains in a worker thread when `hooks` ask for it (core/ml/pool.ts `trainsInWorker`: an abort
 * signal, and data of at least `WORKER_MIN_CELLS` cells or `workers` >= 2), so that aborting
 * stops the synchronous `ml-*` training at once; the model comes back as its `model.json` and is
 * rebuilt with {@link loadClassicAdapter}. Undefined: train in process.
 */
function inWorker(templateId: string, records: FeatureRecord[], params: ClassicParams, hooks: WorkerTrainingHooks | undefined): Promise<TrainedModel> | undefined {
  const cells = records.length * (Array.isArray(params.features) ? params.features.length : 1);
  if (!hooks?.signal || !trainsInWorker(hooks, cells)) return undefined;
  return trainModelInWorker({
    templateId, records, params: params as unknown as Record<string, unknown>, signal: hooks.signal,
    load: (files, kind) => loadClassicAdapter(files[ML_MODEL_FILE], kind, templateId),
  });
}

function treeOptions(p: DecisionTreeParams): { maxDepth: number; minNumSamples: number; gainThreshold: number } {
  const gainThreshold = p.gainThreshold ?? CLASSIC_DEFAULTS.gainThreshold;
  if (!(gainThreshold >= 0 && Number.isFinite(gainThreshold))) throw bad('gainThreshold', `expected a number >= 0, got ${JSON.stringify(gainThreshold)}`);
  return { maxDepth: positiveInt('maxDepth', p.maxDepth ?? CLASSIC_DEFAULTS.maxDepth), minNumSamples: positiveInt('minSamples', p.minSamples ?? CLASSIC_DEFAULTS.minSamples), gainThreshold };
}

/**
 * Trains a CART decision tree (ml-cart, Gini gain, splits at the mean of adjacent values) and
 * evaluates it on the stratified held-out split.
 *
 * @param hooks - `signal` (and `workers`): train in a worker thread that aborting terminates (see core/ml/pool.ts)
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID`; `KERNEL_INTERRUPTED` when `hooks.signal` aborts a training in a worker
 * @example
 * ```ts
 * const tree = await trainDecisionTree(rows, { target: 'Species', features: ['Beak Length (mm)', 'Island'], maxDepth: 4 });
 * ```
 */
export async function trainDecisionTree(records: FeatureRecord[], params: DecisionTreeParams, hooks?: WorkerTrainingHooks): Promise<TrainedModel> {
  const options = treeOptions(params);
  const worker = inWorker('tabular.decision-tree', records, params, hooks);
  if (worker) return worker;
  return trainClassic(records, params, 'tabular.decision-tree', { maxDepth: options.maxDepth, minSamples: options.minNumSamples, gainThreshold: options.gainThreshold }, (x, y, width, k) => {
    const tree = new (cart().DecisionTreeClassifier)({ gainFunction: 'gini', splitFunction: 'mean', ...options });
    tree.train(x, y);
    return treeAdapter(JSON.parse(JSON.stringify(tree.toJSON())), width, k);
  });
}

/**
 * Trains a random forest (ml-random-forest: bootstrap samples of the rows, a seeded random
 * subset of `maxFeatures` of the columns per tree, CART trees) and evaluates it on the
 * stratified held-out split. Probabilities are the trees' vote shares.
 *
 * @param hooks - `signal` (and `workers`): train in a worker thread that aborting terminates (see core/ml/pool.ts)
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID`; `KERNEL_INTERRUPTED` when `hooks.signal` aborts a training in a worker
 */
export async function trainRandomForest(records: FeatureRecord[], params: RandomForestParams, hooks?: WorkerTrainingHooks): Promise<TrainedModel> {
  const options = treeOptions(params);
  const nEstimators = positiveInt('nEstimators', params.nEstimators ?? CLASSIC_DEFAULTS.nEstimators);
  const maxFeatures = params.maxFeatures ?? CLASSIC_DEFAULTS.maxFeatures;
  if (!(maxFeatures > 0 && maxFeatures <= 1)) throw bad('maxFeatures', `expected a fraction in (0, 1], got ${JSON.stringify(maxFeatures)}`);
  const worker = inWorker('tabular.random-forest', records, params, hooks);
  if (worker) return worker;
  const seed = params.seed ?? CLASSIC_DEFAULTS.seed;
  return trainClassic(records, params, 'tabular.random-forest', { maxDepth: options.maxDepth, minSamples: options.minNumSamples, gainThreshold: options.gainThreshold, nEstimators, maxFeatures }, (x, y, width, k) => {
    // ml-random-forest reads a maxFeatures of exactly 1 as "one feature": pass the count instead.
    const rf = new (forest().RandomForestClassifier)({
      nEstimators,
      maxFeatures: maxFeatures === 1 ? width : Math.max(1, Math.round(maxFeatures * width)),
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      seed: seed | 0,
      treeOptions: options,
    });
    rf.train(x, y);
    return forestAdapter(JSON.parse(JSON.stringify(rf.toJSON())), width, k);
  });
}

/**
 * Trains Gaussian naive Bayes (ml-naivebayes `GaussianNB`) and evaluates it on the stratified
 * held-out split; probabilities as described in the module doc.
 *
 * @param hooks - `signal` (and `workers`): train in a worker thread that aborting terminates (see core/ml/pool.ts)
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID`; `KERNEL_INTERRUPTED` when `hooks.signal` aborts a training in a worker
 */
export async function trainNaiveBayes(records: FeatureRecord[], params: NaiveBayesParams, hooks?: WorkerTrainingHooks): Promise<TrainedModel> {
  const varSmoothing = params.varSmoothing ?? CLASSIC_DEFAULTS.varSmoothing;
  if (!(varSmoothing >= 0 && Number.isFinite(varSmoothing))) throw bad('varSmoothing', `expected a number >= 0, got ${JSON.stringify(varSmoothing)}`);
  const worker = inWorker('tabular.naive-bayes', records, params, hooks);
  if (worker) return worker;
  return trainClassic(records, params, 'tabular.naive-bayes', { varSmoothing }, (x, y, width, k) => {
    const nb = new (naiveBayes().GaussianNB)();
    nb.train(x, y);
    // scikit-learn: epsilon = var_smoothing * max over features of the (population) variance of X.
    let maxVar = 0;
    for (let j = 0; j < width; j++) {
      const mean = x.reduce((s, r) => s + r[j], 0) / x.length;
      maxVar = Math.max(maxVar, x.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / x.length);
    }
    const state: NaiveBayesState = { gaussianNB: JSON.parse(JSON.stringify(nb.toJSON())) as GaussianNbJson, epsilon: varSmoothing * maxVar };
    if (state.gaussianNB.means.length !== k) throw new StratumError('DATA_INVALID', `naive Bayes saw ${state.gaussianNB.means.length} classes in the training rows, expected ${k}`, { detail: { field: 'target' } });
    return naiveBayesAdapter(state, width, k);
  });
}
