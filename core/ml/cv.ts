/**
 * k-fold cross-validation of the tabular templates: seeded fold assignment (plain and stratified,
 * following scikit-learn's `KFold(shuffle=True)` and `StratifiedKFold(shuffle=True)`) and
 * {@link crossValidate}, which trains a template's trainer once per fold on the other folds and
 * scores it on the held-out fold.
 *
 * No leakage: each fold goes through the trainer's own pipeline with an explicit split
 * (`params.splitIndexes`, see core/ml/supervised.ts `explicitSplit`), so the preprocessing
 * (imputation medians, scaling, one-hot categories) is fitted on that fold's training rows only.
 *
 * Differences from scikit-learn, by design: the shuffles use `seedrandom` (NumPy's generator is
 * not reproducible from JavaScript), so the same seed gives other rows than `random_state` does;
 * the number of rows of each class in each fold is the same as scikit-learn's (same allocation
 * algorithm, classes ordered by first appearance as there). There is no unshuffled mode. Rows whose
 * target is missing are left out before the folds are drawn (scikit-learn would fail on them).
 *
 * Trainers are loaded on first use (dynamic import), so importing this module does not load
 * TensorFlow.js.
 */
import seedrandom from 'seedrandom';
import { mean as ssMean, standardDeviation } from 'simple-statistics';
import { StratumError } from '../errors.ts';
import type { ClassificationEvaluation, RegressionEvaluation } from './evaluate.ts';
import { isTrainedModel, type TrainedModel } from './model.ts';
import { resolveWorkerCount, TrainPool, type WorkerTrainingHooks } from './pool.ts';
import { shuffledIndexes, type SplitIndexes } from './split.ts';
import { checkColumns, type TabularColumns } from './supervised.ts';
import type { EpochLog, FeatureRecord, TrainedClassifier } from './types.ts';

/** A supervised task cross-validation supports. */
export type SupervisedTask = 'classification' | 'regression';

/** What a tabular trainer returns: a template's `TrainedModel` or the MLP classifier's `TrainedClassifier`. */
export type TabularTrainedModel = TrainedModel | TrainedClassifier;

/**
 * A trainer of core/ml as cross-validation calls it: `(records, params, hooks?) => model`, e.g.
 * `trainDecisionTree` or `trainMlpClassifier`. It must honour `params.splitIndexes`
 * (core/ml/supervised.ts) and evaluate on the held-out side.
 */
export type TabularTrainer = (records: FeatureRecord[], params: Record<string, unknown>, hooks?: WorkerTrainingHooks) => Promise<TabularTrainedModel>;

/** How a template id maps to its trainer. */
export interface TemplateTrainer {
  /** Task of the template. */
  task: SupervisedTask;
  /** `tfjs` (TF.js models, report epochs) or `js` (the `ml-*` libraries). */
  backend: 'tfjs' | 'js';
  /** Loads the trainer (dynamic import: TF.js loads only when needed). */
  load(): Promise<TabularTrainer>;
}

const neural = async () => import('./neural.ts');
const classic = async () => import('./classic.ts');

/** The supervised tabular templates cross-validation and search can train, by template id (k-means is not supervised). */
export const TEMPLATE_TRAINERS: Readonly<Record<string, TemplateTrainer>> = {
  'tabular.mlp-classifier': { task: 'classification', backend: 'tfjs', load: async () => (await import('./mlp.ts')).trainMlpClassifier as unknown as TabularTrainer },
  'tabular.logistic-regression': { task: 'classification', backend: 'tfjs', load: async () => (await neural()).trainLogisticRegression as unknown as TabularTrainer },
  'tabular.naive-bayes': { task: 'classification', backend: 'js', load: async () => (await classic()).trainNaiveBayes as unknown as TabularTrainer },
  'tabular.decision-tree': { task: 'classification', backend: 'js', load: async () => (await classic()).trainDecisionTree as unknown as TabularTrainer },
  'tabular.random-forest': { task: 'classification', backend: 'js', load: async () => (await classic()).trainRandomForest as unknown as TabularTrainer },
  'tabular.linear-regression': { task: 'regression', backend: 'tfjs', load: async () => (await neural()).trainLinearRegression as unknown as TabularTrainer },
  'tabular.mlp-regressor': { task: 'regression', backend: 'tfjs', load: async () => (await neural()).trainMlpRegressor as unknown as TabularTrainer },
};

/**
 * The trainer entry of a supervised tabular template.
 *
 * @throws StratumError `TEMPLATE_UNKNOWN` listing the templates that can be cross-validated
 */
export function templateTrainer(templateId: string): TemplateTrainer {
  const entry = Object.hasOwn(TEMPLATE_TRAINERS, templateId) ? TEMPLATE_TRAINERS[templateId] : undefined;
  if (!entry) {
    const known = Object.keys(TEMPLATE_TRAINERS);
    throw new StratumError('TEMPLATE_UNKNOWN', `template ${JSON.stringify(templateId)} cannot be cross-validated; supervised tabular templates: ${known.join(', ')}`, { detail: { field: 'templateId', known } });
  }
  return entry;
}

/** A metric cross-validation can score a fold with. */
export type CvMetric = 'accuracy' | 'balancedAccuracy' | 'macroF1' | 'weightedF1' | 'rocAuc' | 'logLoss' | 'mae' | 'rmse' | 'r2';

/** Which way a score is better. */
export type Direction = 'maximize' | 'minimize';

/** A metric's task, direction and the scikit-learn `scoring` name it corresponds to. */
export interface MetricInfo {
  task: SupervisedTask;
  direction: Direction;
  /** scikit-learn scoring string (https://scikit-learn.org/1.2/modules/model_evaluation.html#scoring-parameter); `neg_*` scorers negate the value, Stratum does not. */
  sklearn: string;
}

/** Every {@link CvMetric}: the metrics of core/ml/evaluate.ts a fold is scored with. */
export const CV_METRICS: Readonly<Record<CvMetric, MetricInfo>> = {
  accuracy: { task: 'classification', direction: 'maximize', sklearn: 'accuracy' },
  balancedAccuracy: { task: 'classification', direction: 'maximize', sklearn: 'balanced_accuracy' },
  macroF1: { task: 'classification', direction: 'maximize', sklearn: 'f1_macro' },
  weightedF1: { task: 'classification', direction: 'maximize', sklearn: 'f1_weighted' },
  rocAuc: { task: 'classification', direction: 'maximize', sklearn: 'roc_auc_ovr' },
  logLoss: { task: 'classification', direction: 'minimize', sklearn: 'neg_log_loss' },
  mae: { task: 'regression', direction: 'minimize', sklearn: 'neg_mean_absolute_error' },
  rmse: { task: 'regression', direction: 'minimize', sklearn: 'neg_root_mean_squared_error' },
  r2: { task: 'regression', direction: 'maximize', sklearn: 'r2' },
};

/** Default metric per task: what scikit-learn's estimators' `score` method reports (accuracy, R^2). */
export const DEFAULT_METRIC: Readonly<Record<SupervisedTask, CvMetric>> = { classification: 'accuracy', regression: 'r2' };

/** Number of folds when none is given: scikit-learn's default `cv=5` (since 0.22). */
export const DEFAULT_FOLDS = 5;

/**
 * Checks a metric name against a task.
 *
 * @param metric - metric name (undefined = the task's {@link DEFAULT_METRIC})
 * @throws StratumError `TEMPLATE_PARAMS` (field `metric`) for an unknown metric or one of another task, listing the task's metrics
 */
export function resolveMetric(metric: unknown, task: SupervisedTask): CvMetric {
  if (metric === undefined) return DEFAULT_METRIC[task];
  const names = (Object.keys(CV_METRICS) as CvMetric[]).filter((m) => CV_METRICS[m].task === task);
  if (typeof metric !== 'string' || !Object.hasOwn(CV_METRICS, metric) || CV_METRICS[metric as CvMetric].task !== task) {
    throw new StratumError('TEMPLATE_PARAMS', `metric: ${JSON.stringify(metric)} is not a ${task} metric; use one of ${names.join(', ')}`, { detail: { field: 'metric' } });
  }
  return metric as CvMetric;
}

/** Options of {@link kFold} and {@link stratifiedKFold}. */
export interface FoldOptions {
  /** Number of folds, an integer >= 2 (and <= the number of rows). */
  folds: number;
  /** Seed of the shuffle: same seed, same folds. */
  seed: number;
}

function foldParamError(field: string, message: string, hint?: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field }, hint });
}

function checkFoldOptions(n: number, options: FoldOptions): void {
  const { folds, seed } = options;
  if (!Number.isInteger(folds) || folds < 2) throw foldParamError('folds', `expected an integer >= 2, got ${JSON.stringify(folds)}`);
  if (!Number.isInteger(seed)) throw foldParamError('seed', `expected an integer, got ${JSON.stringify(seed)}`);
  if (folds > n) throw foldParamError('folds', `cannot make ${folds} folds from ${n} rows`, 'Use fewer folds (at most the number of rows with a target).');
}

const ascending = (a: number, b: number): number => a - b;

/** Folds from a per-row test-fold number: fold i tests the rows numbered i and trains on the others (both ascending). */
function foldsFromAssignment(testFold: Int32Array, folds: number): SplitIndexes[] {
  const out: SplitIndexes[] = Array.from({ length: folds }, () => ({ train: [], test: [] }));
  testFold.forEach((f, row) => {
    for (let i = 0; i < folds; i++) (i === f ? out[i].test : out[i].train).push(row);
  });
  for (const fold of out) {
    fold.train.sort(ascending);
    fold.test.sort(ascending);
  }
  return out;
}

/**
 * Seeded k-fold split of `n` rows, as scikit-learn `KFold(n_splits=folds, shuffle=True)`: the row
 * order is shuffled (Fisher-Yates, `seedrandom`), then cut into `folds` consecutive test folds,
 * the first `n % folds` of them one row larger (`n // folds + 1` rows, the rest `n // folds`).
 *
 * @param n - number of rows
 * @returns one split per fold: `test` = that fold's rows, `train` = every other row (both ascending);
 *   every row is in exactly one test fold
 * @throws StratumError `TEMPLATE_PARAMS` when `folds` is not an integer in [2, n] or the seed is not an integer
 * @example
 * ```ts
 * kFold(10, { folds: 3, seed: 42 }).map((f) => f.test.length); // [4, 3, 3]
 * ```
 */
export function kFold(n: number, options: FoldOptions): SplitIndexes[] {
  checkFoldOptions(n, options);
  const order = shuffledIndexes(n, seedrandom(`stratum-kfold:${options.seed}`));
  const testFold = new Int32Array(n);
  let start = 0;
  for (let i = 0; i < options.folds; i++) {
    const size = Math.floor(n / options.folds) + (i < n % options.folds ? 1 : 0);
    for (let j = start; j < start + size; j++) testFold[order[j]] = i;
    start += size;
  }
  return foldsFromAssignment(testFold, options.folds);
}

/** Result of {@link stratifiedKFold}. */
export interface StratifiedFolds {
  /** One split per fold (see {@link kFold}). */
  folds: SplitIndexes[];
  /** Classes with fewer rows than folds (some folds test none of them), as scikit-learn warns. */
  warnings: string[];
}

/**
 * Seeded stratified k-fold split, scikit-learn's `StratifiedKFold(n_splits=folds, shuffle=True)`
 * algorithm (sklearn/model_selection/_split.py, 1.2): classes are numbered by first appearance;
 * the rows sorted by class are dealt round-robin to the folds (`y_order[i::folds]`), which fixes
 * how many rows of each class each fold tests (so fold sizes differ by at most one); then within
 * each class the fold numbers are shuffled (`seedrandom`) over that class's rows.
 *
 * @param labels - class label of each row
 * @returns the folds and warnings
 * @throws StratumError `TEMPLATE_PARAMS` for bad options, or (as scikit-learn) when every class has fewer rows than `folds`
 * @example
 * ```ts
 * // 10 'a', 6 'b', 3 'c' in 3 folds: 'a' 4/3/3, 'b' 2/2/2, 'c' 1/1/1 rows per fold
 * stratifiedKFold(labels, { folds: 3, seed: 0 });
 * ```
 */
export function stratifiedKFold(labels: readonly string[], options: FoldOptions): StratifiedFolds {
  checkFoldOptions(labels.length, options);
  const { folds } = options;
  const classIndex = new Map<string, number>();
  const encoded = labels.map((label) => {
    let c = classIndex.get(label);
    if (c === undefined) classIndex.set(label, (c = classIndex.size));
    return c;
  });
  const classes = [...classIndex.keys()];
  const counts = classes.map(() => 0);
  for (const c of encoded) counts[c]++;
  if (counts.every((count) => count < folds)) {
    throw foldParamError('folds', `${folds} folds is more than the rows of every class (largest class: ${Math.max(...counts)} rows)`, 'Use fewer folds.');
  }
  const warnings = classes.filter((_, c) => counts[c] < folds).map((label) => `class ${JSON.stringify(label)} has ${counts[classIndex.get(label) as number]} rows, fewer than the ${folds} folds: some folds test none of it`);
  // allocation[i][c]: rows of class c tested by fold i (y_order = encoded labels sorted, dealt round-robin).
  const allocation = Array.from({ length: folds }, () => new Array<number>(classes.length).fill(0));
  let position = 0;
  counts.forEach((count, c) => {
    for (let k = 0; k < count; k++, position++) allocation[position % folds][c]++;
  });
  const rng = seedrandom(`stratum-stratified-kfold:${options.seed}`);
  const testFold = new Int32Array(labels.length);
  classes.forEach((_, c) => {
    const foldsForClass: number[] = [];
    for (let i = 0; i < folds; i++) for (let k = 0; k < allocation[i][c]; k++) foldsForClass.push(i);
    const order = shuffledIndexes(foldsForClass.length, rng);
    let k = 0;
    encoded.forEach((e, row) => {
      if (e === c) testFold[row] = foldsForClass[order[k++]];
    });
  });
  return { folds: foldsFromAssignment(testFold, folds), warnings };
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  /** Template to cross-validate, e.g. `tabular.decision-tree` (gives the trainer and the task). */
  templateId?: string;
  /** Trainer to call instead of the template's (required without `templateId`). */
  train?: TabularTrainer;
  /** Task; required with `train` alone, else the template's. */
  task?: SupervisedTask;
  /** The data, one object per row (rows whose target is missing are left out). */
  records: FeatureRecord[];
  /** The trainer's params: `target`, `features` and any model param (`testFraction` is unused: the folds are the split). */
  params: Record<string, unknown>;
  /** Number of folds, >= 2; default {@link DEFAULT_FOLDS}. */
  folds?: number;
  /** Seed of the fold assignment; default `params.seed`, else 42. */
  seed?: number;
  /** Metric each fold is scored with; default {@link DEFAULT_METRIC} of the task. */
  metric?: CvMetric;
  /** Stratify the folds by class (classification only); default true for classification, as scikit-learn's `cross_val_score` does for classifiers. */
  stratify?: boolean;
  /**
   * Aborting it stops the cross-validation with `KERNEL_INTERRUPTED`: in process, checked before
   * each fold and after each epoch (TF.js); with workers, the workers are terminated at once.
   */
  signal?: AbortSignal;
  /**
   * Worker threads training the folds side by side (core/ml/pool.ts): an integer >= 1, 1 = in
   * process. Default `STRATUM_TRAIN_WORKERS`, else the cores (at most the folds) once the data has
   * `WORKER_MIN_CELLS` cells, else 1. Templates only: a custom `train` always runs in process.
   * Each fold gets the same rows, params and seed either way, so the scores are the same.
   */
  workers?: number;
  /** Called after each fold, in fold order. */
  onFold?: (fold: FoldResult) => void;
  /** Called after each epoch of a TF.js trainer, with the 1-based fold number. */
  onEpoch?: (log: EpochLog, fold: number) => void;
}

/** A metric value that may be undefined on a fold (e.g. ROC AUC with one class in the held-out rows). */
export type FoldMetrics = Record<string, number | null>;

/** Score of one fold. */
export interface FoldResult {
  /** 1-based fold number. */
  fold: number;
  /** Rows trained on and rows scored. */
  trainRows: number;
  testRows: number;
  /** The chosen metric on the held-out fold; null when undefined there (see `undefinedReason`). */
  score: number | null;
  /** Why `score` is null. */
  undefinedReason?: string;
  /** Every metric of the task on the held-out fold. */
  metrics: FoldMetrics;
  /** Wall-clock training time of the fold, ms. */
  trainMs: number;
}

/** Mean and standard deviation of a metric over the folds. */
export interface MetricSummary {
  /** Mean over the folds; null when the metric is undefined on some fold. */
  mean: number | null;
  /** Population standard deviation (ddof = 0, as NumPy's `std()` of `cross_val_score` results); null with the mean. */
  std: number | null;
}

/** Result of {@link crossValidate}. */
export interface CrossValidationResult {
  /** Template cross-validated (absent for a custom trainer). */
  templateId?: string;
  task: SupervisedTask;
  /** Metric of `scores`, `mean`, `std`. */
  metric: CvMetric;
  direction: Direction;
  /** Number of folds. */
  folds: number;
  /** Seed of the fold assignment. */
  seed: number;
  /** Whether the folds were stratified by class. */
  stratified: boolean;
  /** Rows with a target (split into the folds) and rows left out for a missing target. */
  rows: number;
  missingTarget: number;
  /** One entry per fold, in fold order. */
  perFold: FoldResult[];
  /** The metric on each fold (same order). */
  scores: Array<number | null>;
  /** Mean of `scores`; null when a fold's score is undefined (see `undefinedReason`). */
  mean: number | null;
  /** Population standard deviation of `scores` (ddof = 0, like `cross_val_score(...).std()`). */
  std: number | null;
  undefinedReason?: string;
  /** Mean and std of every metric of the task. */
  metrics: Record<string, MetricSummary>;
  /** Fold-assignment and training warnings (deduplicated). */
  warnings: string[];
  /** Wall-clock time of the whole cross-validation, ms. */
  durationMs: number;
}

/**
 * Lets the event loop run (signal handlers, I/O) before the next fold: the `ml-*` trainers never
 * yield, so without this a kernel interrupt (SIGINT) could not be handled until a whole search ended.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** The `KERNEL_INTERRUPTED` error of a cancelled cross-validation or search. */
export function cancelledError(what: string): StratumError {
  return new StratumError('KERNEL_INTERRUPTED', `${what} was cancelled`, { detail: { field: 'signal' } });
}

/** What one fold's training gives: every metric of the task on the held-out rows, why some are undefined, the trainer's warnings and its time. */
export interface FoldOutcome {
  values: FoldMetrics;
  reasons: Record<string, string>;
  warnings: string[];
  /** Wall-clock training time, ms. */
  trainMs: number;
}

/**
 * Trains one fold and scores it: `train(records, params)` with `params.splitIndexes` set, the
 * task's metrics from the model's held-out evaluation, then the model is disposed. The one fold
 * step of {@link crossValidate}, in process or in a training worker (core/ml/train-worker.ts).
 *
 * @param params - the trainer's params, including this fold's `splitIndexes` (row numbers of `records`)
 * @throws whatever the trainer throws
 */
export async function trainFold(train: TabularTrainer, task: SupervisedTask, records: FeatureRecord[], params: Record<string, unknown> & { splitIndexes: SplitIndexes }, onEpoch?: (log: EpochLog) => void): Promise<FoldOutcome> {
  const t0 = performance.now();
  const trained = await train(records, params, onEpoch ? { onEpoch } : {});
  const trainMs = performance.now() - t0;
  try {
    const scored = await foldMetrics(trained, task, params.splitIndexes.test.map((row) => records[row]), params.target as string);
    return { ...scored, warnings: [...(trained.warnings ?? [])], trainMs };
  } finally {
    disposeModel(trained);
  }
}

/** The task metrics of a fold model, from its held-out evaluation (computed for the MLP classifier, whose evaluation is the older report). */
async function foldMetrics(trained: TabularTrainedModel, task: SupervisedTask, testRecords: FeatureRecord[], target: string): Promise<{ values: FoldMetrics; reasons: Record<string, string> }> {
  const names = (Object.keys(CV_METRICS) as CvMetric[]).filter((m) => CV_METRICS[m].task === task);
  let evaluation: ClassificationEvaluation | RegressionEvaluation;
  if (isTrainedModel(trained)) {
    if (trained.evaluation.task !== task) throw new StratumError('TRAINING_FAILED', `the trainer returned a ${trained.evaluation.task} model, expected ${task}`, { detail: { field: 'train' } });
    evaluation = trained.evaluation as ClassificationEvaluation | RegressionEvaluation;
  } else {
    const [{ predictRecords }, { evaluateClassification }] = await Promise.all([import('./mlp.ts'), import('./evaluate.ts')]);
    const labels = trained.labels;
    const predictions = predictRecords(trained, testRecords, { unseen: 'ignore' });
    const probabilities = new Float64Array(predictions.length * labels.length);
    predictions.forEach((p, i) => labels.forEach((l, j) => (probabilities[i * labels.length + j] = p.probabilities[l] ?? 0)));
    evaluation = evaluateClassification(testRecords.map((r) => String(r[target])), probabilities, labels);
  }
  const source = evaluation as unknown as Record<string, unknown>;
  const values: FoldMetrics = {};
  for (const name of names) values[name] = typeof source[name] === 'number' ? (source[name] as number) : null;
  return { values, reasons: evaluation.undefinedReasons };
}

function disposeModel(trained: TabularTrainedModel): void {
  if (isTrainedModel(trained)) trained.adapter.dispose();
  else trained.model.dispose();
}

/**
 * Mean and population standard deviation (simple-statistics `mean`, `standardDeviation`), or
 * nulls when a value is null.
 */
export function summarize(values: ReadonlyArray<number | null>): MetricSummary {
  if (values.length === 0 || values.some((v) => v === null)) return { mean: null, std: null };
  const xs = values as number[];
  return { mean: ssMean(xs), std: standardDeviation(xs) };
}

/**
 * k-fold cross-validation of a tabular template: for each fold, trains on the other folds and
 * scores the trained model on the fold (scikit-learn `cross_validate` / `cross_val_score`).
 *
 * Rows whose target is missing are dropped first; the folds are {@link stratifiedKFold} for
 * classification (unless `stratify: false`) and {@link kFold} for regression, over the remaining
 * rows, seeded by `seed`. Each fold calls the trainer with `params.splitIndexes` = that fold's
 * split, so preprocessing is fitted on the fold's training rows only and the fold's model is
 * evaluated on its held-out rows by the trainer's own evaluation (`core/ml/evaluate.ts`). TF.js
 * trainers also use the held-out fold as their per-epoch validation data, so with early stopping
 * on, the held-out fold picks the stopping epoch and its score is optimistic. Each fold's model is
 * disposed before the next fold (no tensor outlives the call). With `workers` >= 2 the folds train
 * side by side in worker threads (core/ml/pool.ts), with the same scores.
 *
 * @returns per-fold scores (every metric of the task, and the chosen one), their mean and population std
 * @throws StratumError `TEMPLATE_UNKNOWN` (a template that cannot be cross-validated),
 *   `TEMPLATE_PARAMS` (bad folds, seed, metric, columns), `KERNEL_INTERRUPTED` (cancelled through
 *   `signal`), and whatever the trainer throws for a fold (`DATA_INVALID`, `TRAINING_FAILED`...);
 *   `TRAINING_FAILED` naming the fold when its worker crashes (out of memory)
 * @example
 * ```ts
 * const cv = await crossValidate({ templateId: 'tabular.decision-tree', records: penguins, params: { target: 'Species', features: ['Beak Length (mm)'], maxDepth: 4 }, folds: 5 });
 * console.log(cv.mean, cv.std); // accuracy over 5 stratified folds
 * ```
 */
export async function crossValidate(options: CrossValidateOptions): Promise<CrossValidationResult> {
  const started = performance.now();
  const entry = options.templateId === undefined ? undefined : templateTrainer(options.templateId);
  const task = options.task ?? entry?.task;
  if (task !== 'classification' && task !== 'regression') {
    throw foldParamError('task', `expected "classification" or "regression", got ${JSON.stringify(task)}`, 'Pass templateId, or task with a custom train function.');
  }
  if (entry && options.task !== undefined && options.task !== entry.task) throw foldParamError('task', `template ${options.templateId} is a ${entry.task} template, not ${options.task}`);
  if (!entry && typeof options.train !== 'function') throw foldParamError('train', 'expected a trainer function or a templateId');
  const { records, params } = options;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw foldParamError('params', 'expected an object of trainer params (target, features, ...)');
  checkColumns(records, params as unknown as TabularColumns, true);
  if (params.splitIndexes !== undefined) throw foldParamError('params.splitIndexes', 'cross-validation makes the splits itself; remove splitIndexes');
  const target = params.target as string;
  const metric = resolveMetric(options.metric, task);
  const folds = options.folds ?? DEFAULT_FOLDS;
  const seed = options.seed ?? (typeof params.seed === 'number' ? params.seed : 42);
  const stratified = task === 'classification' && options.stratify !== false;

  const keptRows: number[] = [];
  records.forEach((record, row) => {
    if (!isMissing(record[target])) keptRows.push(row);
  });
  const warnings = new Set<string>();
  let splits: SplitIndexes[];
  if (stratified) {
    const assigned = stratifiedKFold(keptRows.map((row) => String(records[row][target])), { folds, seed });
    assigned.warnings.forEach((w) => warnings.add(w));
    splits = assigned.folds;
  } else {
    splits = kFold(keptRows.length, { folds, seed });
  }

  const foldSplits = splits.map((split) => ({ train: split.train.map((k) => keptRows[k]), test: split.test.map((k) => keptRows[k]) }));
  const features = Array.isArray(params.features) ? params.features.length : 1;
  const workers = entry && !options.train ? resolveWorkerCount({ ...(options.workers === undefined ? {} : { workers: options.workers }), jobs: folds, cells: keptRows.length * features }) : 1;
  const perFold: FoldResult[] = [];
  const all: Array<Record<string, number | null>> = [];
  const record = (i: number, outcome: FoldOutcome): void => {
    for (const w of outcome.warnings) warnings.add(w);
    const score = outcome.values[metric] ?? null;
    const result: FoldResult = {
      fold: i + 1,
      trainRows: foldSplits[i].train.length,
      testRows: foldSplits[i].test.length,
      score,
      ...(score === null ? { undefinedReason: outcome.reasons[metric] ?? `${metric} is not defined on this fold` } : {}),
      metrics: outcome.values,
      trainMs: outcome.trainMs,
    };
    perFold.push(result);
    all.push(outcome.values);
    options.onFold?.(result);
  };
  if (workers > 1) {
    if (options.signal?.aborted) throw cancelledError(`cross-validation (before fold 1 of ${folds})`);
    const pool = new TrainPool({ size: workers, records, what: 'cross-validation', ...(options.signal ? { signal: options.signal } : {}) });
    try {
      const outcomes = foldSplits.map((splitIndexes, i) => pool.run({ kind: 'fold', templateId: options.templateId as string, task, params: { ...params, splitIndexes }, epochs: options.onEpoch !== undefined }, `fold ${i + 1} of ${folds}`, (event) => {
        if (event.type === 'epoch') options.onEpoch?.(event.log, i + 1);
      }));
      // Fail fast on the first failed fold, but report the folds in order.
      const firstFailure = new Promise<never>((_, reject) => outcomes.forEach((p) => p.catch(reject)));
      firstFailure.catch(() => undefined);
      for (let i = 0; i < outcomes.length; i++) record(i, await Promise.race([outcomes[i], firstFailure]));
    } finally {
      await pool.dispose();
    }
  } else {
    const train = options.train ?? (await (entry as TemplateTrainer).load());
    for (let i = 0; i < foldSplits.length; i++) {
      const foldNo = i + 1;
      await yieldToEventLoop();
      if (options.signal?.aborted) throw cancelledError(`cross-validation (before fold ${foldNo} of ${folds})`);
      const onEpoch = (log: EpochLog): void => {
        options.onEpoch?.(log, foldNo);
        if (options.signal?.aborted) throw cancelledError(`cross-validation (fold ${foldNo} of ${folds}, epoch ${log.epoch})`);
      };
      record(i, await trainFold(train, task, records, { ...params, splitIndexes: foldSplits[i] }, onEpoch));
    }
  }
  const scores = perFold.map((f) => f.score);
  const { mean, std } = summarize(scores);
  const metrics: Record<string, MetricSummary> = {};
  for (const name of Object.keys(all[0] ?? {})) metrics[name] = summarize(all.map((m) => m[name] ?? null));
  const firstUndefined = perFold.find((f) => f.score === null);
  return {
    ...(options.templateId === undefined ? {} : { templateId: options.templateId }),
    task,
    metric,
    direction: CV_METRICS[metric].direction,
    folds,
    seed,
    stratified,
    rows: keptRows.length,
    missingTarget: records.length - keptRows.length,
    perFold,
    scores,
    mean,
    std,
    ...(firstUndefined ? { undefinedReason: `fold ${firstUndefined.fold}: ${firstUndefined.undefinedReason ?? 'undefined'}` } : {}),
    metrics,
    warnings: [...warnings],
    durationMs: performance.now() - started,
  };
}

function fmt(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

/**
 * A readable text block of a cross-validation: what was run, mean ± std of the metric, and one
 * line per fold (rows, score, time).
 */
export function crossValidationSummary(cv: CrossValidationResult): string {
  const lines = [
    `${cv.folds}-fold ${cv.stratified ? 'stratified ' : ''}cross-validation${cv.templateId ? ` of ${cv.templateId}` : ''} on ${cv.rows} rows (seed ${cv.seed}${cv.missingTarget ? `; ${cv.missingTarget} rows without a target left out` : ''})`,
    `${cv.metric}: ${fmt(cv.mean)} ± ${fmt(cv.std)} (mean ± population std over the folds; ${cv.direction === 'maximize' ? 'higher' : 'lower'} is better)`,
    ...(cv.undefinedReason ? [`  ${cv.metric} undefined: ${cv.undefinedReason}`] : []),
    '',
  ];
  const rows = [['fold', 'train', 'test', cv.metric, 'time'], ...cv.perFold.map((f) => [String(f.fold), String(f.trainRows), String(f.testRows), fmt(f.score), `${(f.trainMs / 1000).toFixed(2)} s`])];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  lines.push(...rows.map((r) => r.map((c, j) => c.padStart(widths[j])).join('  ')));
  for (const w of cv.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
