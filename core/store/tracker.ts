/**
 * Turns a `trainMlpClassifier` call into a recorded run: params (defaults applied), data
 * fingerprint, backend, seed, per-epoch metrics with step times, evaluation, timing, the trained
 * model as a `bundle` artifact (logged into the store folder, so any run can be registered), and failures (status `failed` with the error, or `cancelled` when the
 * kernel interrupted the cell).
 *
 * Two entry points: {@link trainAndTrack} for code that holds a store, and {@link trackedTrainer},
 * which the kernel binds as `stratum.trainMlpClassifier` when a store is open, so the code that
 * templates generate (`await stratum.trainMlpClassifier(records, params, hooks)`) records runs
 * without changing a character. The other templates' trainers (any `train*` of core/ml returning a
 * `TrainedModel`) are tracked the same way through {@link trainModelAndTrack} and
 * {@link trackedModelTrainer}.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStratumError } from '../errors.ts';
import type { TrainedModel } from '../ml/model.ts';
import { MLP_DEFAULTS, trainMlpClassifier, type MlpClassifierParams, type TrainingHooks } from '../ml/mlp.ts';
import type { EpochLog, FeatureRecord, TrainedClassifier } from '../ml/types.ts';
import { exportBundle, type ExportableModel } from '../serving/bundle.ts';
import { evaluationPlots } from '../ml/plots.ts';
import writeFileAtomic from 'write-file-atomic';
import { initBackend } from '../tf/backend.ts';
import { fingerprintRecords } from './fingerprint.ts';
import type { TrackingStore } from './store.ts';
import type { NotebookRef, RunDetail, RunId, RunStatus } from './types.ts';

/** Template id recorded for MLP classifier runs unless the caller names another. */
export const MLP_TEMPLATE_ID = 'tabular.mlp-classifier';

/** Where and how a tracked training call happens (all optional). */
export interface TrackContext {
  /** Experiment name; default `default`. */
  experiment?: string;
  /** Notebook path, cell id and revision hash of the calling cell. */
  notebook?: NotebookRef;
  /** Template id; default {@link MLP_TEMPLATE_ID}. */
  templateId?: string;
  /** Where the records came from (file path, variable name); default `records`. */
  dataSource?: string;
  /**
   * Log the trained model as the run's `bundle` artifact ({@link logRunBundle}: exported into
   * `<store folder>/artifacts/<run id>/bundle/`, so `stratum models register NAME --run ID` works);
   * default true. Ignored by {@link trainAndTrack} when `bundle` names a folder.
   */
  logBundle?: boolean;
  /**
   * Store the model's evaluation plots as the run's artifacts of kind `plot` ({@link logRunPlots}:
   * Plotly JSON files in `<store folder>/artifacts/<run id>/plots/`); default true.
   */
  logPlots?: boolean;
}

/** Options of {@link trainAndTrack}. */
export interface TrackOptions extends TrackContext {
  /** Progress hooks passed through to training (called after the epoch is recorded). */
  hooks?: TrainingHooks;
  /** Also export a bundle after training and record it as the run's `bundle` artifact. */
  bundle?: { dir: string; name: string; version?: string; overwrite?: boolean };
}

/** Result of {@link trainAndTrack}. */
export interface TrackedTraining {
  /** The finished run, with its metrics and artifacts. */
  run: RunDetail;
  /** The trained classifier (call `trained.model.dispose()` when done). */
  trained: TrainedClassifier;
}

/** The params as training will use them: {@link MLP_DEFAULTS} (and `categorical: []`) under the caller's values. */
export function mlpParamsWithDefaults(params: MlpClassifierParams): Record<string, unknown> {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  return JSON.parse(JSON.stringify({ ...MLP_DEFAULTS, categorical: [], ...p })) as Record<string, unknown>;
}

/**
 * Trains an MLP classifier (see `trainMlpClassifier`) and records it as a run of `store`.
 *
 * Recorded: params with defaults applied, data fingerprint ({@link fingerprintRecords}: source,
 * row count, SHA-256), backend, seed, start and end time; per epoch `loss`, `accuracy`, `valLoss`,
 * `valAccuracy` and the epoch's wall time (from the previous epoch's end, or from the start of
 * training for epoch 1, so epoch 1 includes preprocessing); at the end the evaluation
 * (`ClassificationReport` plus `sizes` and `timing`). The trained model is recorded as artifact
 * `bundle` before the run is finished: exported to `bundle.dir` when given (a failed export then
 * fails the run), else logged into the store folder by {@link logRunBundle} (unless `logBundle` is
 * false; a failed log only adds a warning).
 *
 * @returns the run and the trained classifier
 * @throws whatever training or export throws, after recording the run as `failed` (or `cancelled`
 *   for `KERNEL_INTERRUPTED`) with the error's code and message
 * @example
 * ```ts
 * const { run, trained } = await trainAndTrack(store, rows, { target: 'weather', features: ['wind'] }, { experiment: 'weather', dataSource: 'seattle-weather.csv' });
 * ```
 */
export async function trainAndTrack(store: TrackingStore, records: FeatureRecord[], params: MlpClassifierParams, options: TrackOptions = {}): Promise<TrackedTraining> {
  const { run, onEpoch } = startRun(store, records, mlpParamsWithDefaults(params), { ...options, templateId: options.templateId ?? MLP_TEMPLATE_ID, backend: (await initBackend()).name });
  let trained: TrainedClassifier | undefined;
  try {
    trained = await trainMlpClassifier(records, params, { ...options.hooks, onEpoch });
    let bundleWarning: string | undefined;
    if (options.bundle) {
      const { dir, name, version, overwrite } = options.bundle;
      await exportBundle(trained, { dir, name, runId: run.id, ...(version === undefined ? {} : { version }), ...(overwrite === undefined ? {} : { overwrite }) });
      store.runs.addArtifact(run.id, { name: 'bundle', kind: 'bundle', path: dir });
    } else if (options.logBundle !== false) {
      bundleWarning = await logRunBundle(store, run.id, trained, options.templateId ?? MLP_TEMPLATE_ID);
    }
    const plotsWarning = options.logPlots === false ? undefined : logRunPlots(store, run.id, trained);
    store.runs.finish(run.id, { evaluation: { ...trained.evaluation, sizes: trained.sizes, ...(trained.timing ? { timing: trained.timing } : {}), ...trainingExtras(trained, bundleWarning, plotsWarning) } });
    TRAINED_BY.set(trained, run.id);
    return { run: store.runs.get(run.id), trained };
  } catch (error) {
    trained?.model.dispose();
    recordFailure(store, run.id, error);
    throw error;
  }
}

/** Creates the run (params, data fingerprint, backend, seed) and an `onEpoch` that logs each epoch with its wall time, then calls the caller's hook. */
function startRun(store: TrackingStore, records: FeatureRecord[], params: Record<string, unknown>, options: TrackContext & { templateId: string; backend: string; hooks?: { onEpoch?: (log: EpochLog) => void } }): { run: { id: RunId }; onEpoch: (log: EpochLog) => void } {
  const run = store.runs.create({
    experiment: options.experiment,
    notebook: options.notebook,
    templateId: options.templateId,
    params,
    data: fingerprintRecords(Array.isArray(records) ? records : [], options.dataSource ?? 'records'),
    backend: options.backend,
    seed: typeof params.seed === 'number' ? params.seed : undefined,
  });
  let last = performance.now();
  const onEpoch = (log: EpochLog): void => {
    const t = performance.now();
    store.runs.logEpoch(run.id, { epoch: log.epoch, values: { loss: log.loss, accuracy: log.accuracy, valLoss: log.valLoss, valAccuracy: log.valAccuracy }, stepMs: t - last });
    last = performance.now();
    options.hooks?.onEpoch?.(log);
  };
  return { run, onEpoch };
}

/** Marks a still-running run `failed` (or `cancelled` for `KERNEL_INTERRUPTED`) with the error's code and message; never throws. */
export function recordFailure(store: TrackingStore, runId: RunId, error: unknown): void {
  const status: RunStatus = isStratumError(error, 'KERNEL_INTERRUPTED') ? 'cancelled' : 'failed';
  const code = isStratumError(error) ? error.code : error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  try {
    if (store.runs.get(runId).status === 'running') store.runs.finish(runId, { status, error: { code, message } });
  } catch {
    // The store itself failed (e.g. STORE_BUSY); the training error is the one to report.
  }
}

/**
 * A drop-in replacement for `trainMlpClassifier` that records every call in `store`. The kernel
 * binds it as `stratum.trainMlpClassifier` when the workspace has a store, passing a function
 * that describes the running cell; generated template code then records runs unchanged.
 *
 * @param store - open tracking store (owned by the caller)
 * @param context - called at each training call: the running cell's notebook, template, data source, experiment
 * @returns `(records, params, hooks?) => Promise<TrainedClassifier>`, same contract as `trainMlpClassifier`
 * @example
 * ```ts
 * stratum.trainMlpClassifier = trackedTrainer(store, () => ({ notebook: { path, cellId, revision } }));
 * ```
 */
export function trackedTrainer(store: TrackingStore, context: () => TrackContext = () => ({})): (records: FeatureRecord[], params: MlpClassifierParams, hooks?: TrainingHooks) => Promise<TrainedClassifier> {
  return async (records, params, hooks = {}) => (await trainAndTrack(store, records, params, { ...context(), hooks })).trained;
}

/** Guardrail warnings (plus those of a failed bundle or plot log) and the early-stopping report, when present, for a run's evaluation JSON. */
function trainingExtras(t: { warnings?: string[]; earlyStopping?: TrainedModel['earlyStopping'] }, ...extraWarnings: Array<string | undefined>): Record<string, unknown> {
  const warnings = [...(t.warnings ?? []), ...extraWarnings.filter((w): w is string => w !== undefined)];
  return { ...(warnings.length > 0 ? { warnings } : {}), ...(t.earlyStopping ? { earlyStopping: t.earlyStopping } : {}) };
}

/** What a run records as `evaluation.sizes`: how many training / validation / test items, and what an item is. */
export interface RunSizes {
  train: number;
  /** Validation items, when the trainer keeps a separate validation part (forecasting windows; the anomaly detector's validation rows, which it is evaluated on). */
  validation?: number;
  /** Test items; absent when the model has no test part (anomaly detection). */
  test?: number;
  /** What is counted; absent = `rows` (runs recorded before forecasting and anomaly runs said so). */
  unit?: 'rows' | 'windows';
}

/**
 * The sizes a run records, named and counted as the trainer used them: the supervised and
 * clustering templates' `{ train, test }` rows as they are; a forecaster's training, validation
 * and test **windows** (`unit: 'windows'`; the data's row count is the run's data fingerprint); an
 * anomaly detector's training and **validation** rows (it has no test part: its evaluation and
 * threshold use the validation rows).
 */
export function runSizes(trained: Pick<TrainedModel, 'task' | 'sizes' | 'evaluation'>): RunSizes {
  if (trained.task === 'forecasting') {
    const windows = (trained.evaluation as { split?: { windows?: { train: number; validation: number; test: number } } }).split?.windows;
    return { unit: 'windows', train: trained.sizes.train, ...(windows ? { validation: windows.validation } : {}), test: trained.sizes.test };
  }
  if (trained.task === 'anomaly') return { unit: 'rows', train: trained.sizes.train, validation: trained.sizes.test };
  return trained.sizes;
}

/** Which run trained a model object returned by the tracker (weak: the entry goes with the model). */
const TRAINED_BY = new WeakMap<object, RunId>();

/**
 * The id of the tracked run that trained `model`, when `model` is the very object a tracked
 * trainer returned ({@link trainAndTrack}, {@link trainModelAndTrack} and their wrappers); the
 * kernel uses it to link `stratum.exportBundle(model, ...)` to the run.
 *
 * @returns the run id, or `undefined` for a model trained without tracking (or anything else)
 */
export function trainedByRun(model: unknown): RunId | undefined {
  return typeof model === 'object' && model !== null ? TRAINED_BY.get(model) : undefined;
}

/** Folder of a run's logged model bundle: `<store folder>/artifacts/<run id>/bundle` (e.g. `.stratum/artifacts/3f9a0c21b7d4/bundle`). */
export function runBundleDir(store: TrackingStore, runId: string): string {
  return join(dirname(store.path), 'artifacts', runId, 'bundle');
}

/**
 * Logs a run's trained model as its `bundle` artifact, like MLflow's logged model: exports it with
 * `exportBundle` (name = the template id, manifest `runId` = the run) into {@link runBundleDir},
 * then records the folder as artifact `bundle` (kind `bundle`), which
 * `ModelRegistry.registerVersion({ runId })` uses. Costs one export: 20-140 ms for the Seattle
 * weather MLP (64, 64) on the 2-core machine here (idle to loaded; under 1 % of its training time),
 * mostly the fsyncs and the 56 timed predictions of the latency measurement (docs/tracking.md).
 *
 * Never throws: a model that cannot be exported (a task the bundle format does not know, a full
 * disk...) must not lose the run, so the reason is printed as a warning and returned for the
 * run's `warnings`, and a half-logged folder is removed.
 *
 * @param trained - the model the run trained (not consumed)
 * @param templateId - recorded as the bundle's name
 * @returns `undefined` when logged, else the warning text
 */
export async function logRunBundle(store: TrackingStore, runId: RunId, trained: ExportableModel, templateId: string): Promise<string | undefined> {
  const dir = runBundleDir(store, runId);
  try {
    await exportBundle(trained, { dir, name: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(templateId) ? templateId : 'model', runId, overwrite: true });
    store.runs.addArtifact(runId, { name: 'bundle', kind: 'bundle', path: dir, replace: true });
    return undefined;
  } catch (error) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // nothing more to clean up; the warning below says what happened
    }
    const warning = `the trained model was not logged as a bundle (register it from an exported folder instead): ${error instanceof Error ? error.message : String(error)}`;
    console.warn(`run ${runId}: ${warning}`);
    return warning;
  }
}

/** Progress hooks a {@link ModelTrainer} may accept (the TF.js ones report epochs; the others ignore hooks). */
export interface ModelTrainerHooks {
  onEpoch?: (log: EpochLog) => void;
  /** Aborted when the calling kernel cell is interrupted: the `ml-*` trainers then train in a worker thread that the abort terminates (core/ml/pool.ts). */
  signal?: AbortSignal;
}

/** Any template trainer of core/ml that returns a `TrainedModel`, e.g. `trainDecisionTree`, `trainLinearRegression`. */
export type ModelTrainer<P> = (records: FeatureRecord[], params: P, hooks?: ModelTrainerHooks) => Promise<TrainedModel>;

/** Options of {@link trainModelAndTrack}. */
export interface ModelTrackOptions extends TrackContext {
  /** Template id recorded with the run (required: there is no default for generic trainers). */
  templateId: string;
  /** Backend recorded with the run; default the initialized TF.js backend's name (pass `js` for the `ml-*` models). */
  backend?: string;
  /** Progress hooks passed through to training (called after the epoch is recorded). */
  hooks?: ModelTrainerHooks;
}

/** Result of {@link trainModelAndTrack}. */
export interface TrackedModelTraining {
  /** The finished run. */
  run: RunDetail;
  /** The trained model (call `trained.adapter.dispose()` when done). */
  trained: TrainedModel;
}

/**
 * Trains with any template trainer and records it as a run of `store`, like {@link trainAndTrack}:
 * params as passed by the caller (JSON copy; each trainer's defaults are listed in `trained.params`
 * and its template's schema), data fingerprint, backend, seed (`params.seed` when a number),
 * per-epoch `loss`/`accuracy`/`valLoss`/`valAccuracy` for trainers that report epochs, the trained
 * model as artifact `bundle` ({@link logRunBundle}, unless `logBundle` is false; a model that
 * cannot be exported only adds a warning), and at the end the evaluation (the task's
 * `ModelEvaluation` plus `sizes` ({@link runSizes}: windows for forecasters, validation rows for
 * anomaly detectors), `timing`, guardrail `warnings` and `earlyStopping` when present).
 *
 * @param train - the trainer, e.g. `trainDecisionTree`
 * @returns the run and the trained model
 * @throws whatever training throws, after recording the run as `failed` (or `cancelled` for
 *   `KERNEL_INTERRUPTED`) with the error's code and message
 * @example
 * ```ts
 * const { run } = await trainModelAndTrack(store, rows, { target: 'Species', features: ['Beak Length (mm)'] }, trainDecisionTree, { templateId: 'tabular.decision-tree', backend: 'js' });
 * ```
 */
export async function trainModelAndTrack<P>(store: TrackingStore, records: FeatureRecord[], params: P, train: ModelTrainer<P>, options: ModelTrackOptions): Promise<TrackedModelTraining> {
  const recorded = (typeof params === 'object' && params !== null ? JSON.parse(JSON.stringify(params)) : {}) as Record<string, unknown>;
  const { run, onEpoch } = startRun(store, records, recorded, { ...options, backend: options.backend ?? (await initBackend()).name });
  try {
    const trained = await train(records, params, { ...options.hooks, onEpoch });
    const bundleWarning = options.logBundle === false ? undefined : await logRunBundle(store, run.id, trained, options.templateId);
    const plotsWarning = options.logPlots === false ? undefined : logRunPlots(store, run.id, trained);
    // The trainer's params have its defaults applied (`TrainedModel.params`): record those, as the MLP's run does.
    store.runs.finish(run.id, { params: trained.params, evaluation: { ...trained.evaluation, sizes: runSizes(trained), ...(trained.timing ? { timing: trained.timing } : {}), ...trainingExtras(trained, bundleWarning, plotsWarning) } });
    TRAINED_BY.set(trained, run.id);
    return { run: store.runs.get(run.id), trained };
  } catch (error) {
    recordFailure(store, run.id, error);
    throw error;
  }
}

/**
 * Wraps any template trainer so every call is recorded in `store` (see {@link trainModelAndTrack}):
 * the kernel binds `stratum.trainDecisionTree = trackedModelTrainer(store, trainDecisionTree, ...)`
 * and so on, so generated template code records runs unchanged.
 *
 * @param store - open tracking store (owned by the caller)
 * @param train - the trainer to wrap
 * @param context - called at each training call: template id, notebook, data source, experiment, backend
 * @returns a function with the same contract as `train`
 */
export function trackedModelTrainer<P>(store: TrackingStore, train: ModelTrainer<P>, context: () => Omit<ModelTrackOptions, 'hooks'>): ModelTrainer<P> {
  return async (records, params, hooks = {}) => (await trainModelAndTrack(store, records, params, train, { ...context(), hooks })).trained;
}

/** Folder of a run's stored evaluation plots: `<store folder>/artifacts/<run id>/plots`. */
export function runPlotsDir(store: TrackingStore, runId: string): string {
  return join(dirname(store.path), 'artifacts', runId, 'plots');
}

/**
 * Stores a run's evaluation plots (core/ml/plots.ts `evaluationPlots`: confusion matrix, ROC, PR,
 * residuals, predicted vs actual, learning curves, permutation importance — whichever apply) as
 * Plotly JSON files `<kind>.plotly.json` in {@link runPlotsDir}, each recorded as artifact
 * `plot:<kind>` of kind `plot`. Each file is written atomically (temp file + rename). Costs mostly
 * the permutation importance: `features x 5` predictions of at most 1000 held-out rows.
 *
 * Never throws: a plot that cannot be drawn must not lose the run, so the reason is printed as a
 * warning and returned for the run's `warnings`.
 *
 * @param trained - the model the run trained (not consumed)
 * @returns `undefined` when stored (or when no plot applies, e.g. clustering), else the warning text
 */
export function logRunPlots(store: TrackingStore, runId: RunId, trained: TrainedModel | TrainedClassifier): string | undefined {
  try {
    const plots = evaluationPlots(trained);
    if (plots.length === 0) return undefined;
    const dir = runPlotsDir(store, runId);
    mkdirSync(dir, { recursive: true });
    for (const { kind, figure } of plots) {
      const path = join(dir, `${kind}.plotly.json`);
      writeFileAtomic.sync(path, `${JSON.stringify(figure)}\n`, { encoding: 'utf8', fsync: true });
      store.runs.addArtifact(runId, { name: `plot:${kind}`, kind: 'plot', path, replace: true });
    }
    return undefined;
  } catch (error) {
    const warning = `the evaluation plots were not stored: ${error instanceof Error ? error.message : String(error)}`;
    console.warn(`run ${runId}: ${warning}`);
    return warning;
  }
}
