/**
 * Stratum's helpers in the kernel scope: `readCsv` as a global and the `stratum` namespace
 * (data sets, profiling and charts, training, export, serving). Imported by the kernel process at
 * startup; heavy modules (danfojs, Fastify) load on first use so a kernel starts fast.
 *
 * Template cells render to code that calls these names, so this module is the contract between
 * templates and the kernel: renaming a field here breaks saved notebooks.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { StratumError } from '../errors.ts';
import { registerScope, stratum, type ScopeContext } from '../kernel/scope.ts';
import { openTrackingStore, type TrackingStore } from '../store/store.ts';
import { MLP_TEMPLATE_ID, trackedModelTrainer, trackedTrainer, trainedByRun, type ModelTrainer, type ModelTrainerHooks } from '../store/tracker.ts';
import type { NotebookRef } from '../store/types.ts';
import { MIME_BUNDLE } from '../kernel/display.ts';
import { tableToRecords, type DataTable } from '../data/columns.ts';
import { toDataTable } from '../data/charts.ts';
import { bindExploration } from './exploration.ts';
import { bindSearch } from './search-scope.ts';
import { isTrainedModel } from '../ml/model.ts';
import { vegaDataset } from '../datasets/vega.ts';
import { predictRecords, trainingSummary, trainMlpClassifier, type MlpClassifierParams, type TrainingHooks } from '../ml/mlp.ts';
import { toRecords } from '../ml/records.ts';
import type { EpochLog, FeatureRecord, TrainedClassifier } from '../ml/types.ts';
import type { BundleManifest, ExportableModel, ExportBundleOptions } from '../serving/bundle.ts';
import type { TrainedModel } from '../ml/model.ts';
import { modelSummary, predictTabular } from '../ml/predict.ts';
import type { TransformOptions } from '../ml/preprocess.ts';
import type { DecisionTreeParams, NaiveBayesParams, RandomForestParams } from '../ml/classic.ts';
import type { KMeansParams } from '../ml/kmeans.ts';
import { anomalyPlot, type AutoencoderParams } from '../ml/anomaly.ts';
import { forecastPlot, type LstmForecastParams } from '../ml/forecast.ts';
import type { LinearRegressionParams, LogisticRegressionParams, MlpRegressorParams } from '../ml/neural.ts';
import { PLOTLY_MIME, rowsToTable } from '../kernel/display.ts';
import { TABLE_MIME } from '../data/table.ts';
import type { PlotlyFigure } from '../data/profile.ts';
import { permutationImportance, type AnyTrainedModel, type PermutationImportanceOptions, type PermutationImportanceResult } from '../ml/importance.ts';
import { evaluationPlots, modelPlot, type EvaluationPlotOptions, type PlotKind } from '../ml/plots.ts';
import { keepUntilSettled } from './pending-work.ts';

/** Anything the profiling and chart helpers accept: a Danfo DataFrame, a DataTable or row records. */
type TabularInput = unknown;

function isDataTable(x: unknown): x is DataTable {
  return typeof x === 'object' && x !== null && Array.isArray((x as DataTable).columns) && typeof (x as DataTable).rowCount === 'number';
}

/** Makes a Plotly figure show as a chart through `display(fig)` or as a cell's value (`plot(fig)` works too; the symbol is not serialized). */
function asFigureOutput(figure: PlotlyFigure): PlotlyFigure {
  const text = `Plotly figure: ${String((figure.layout?.title as { text?: unknown } | undefined)?.text ?? `${figure.data.length} traces`)}`;
  Object.defineProperty(figure, MIME_BUNDLE, { value: () => ({ [PLOTLY_MIME]: figure, 'text/plain': text }), enumerable: false });
  return figure;
}

/** Gives a permutation-importance result a table display (feature, mean, std; most important first). */
function asImportanceOutput(result: PermutationImportanceResult): PermutationImportanceResult {
  const rows = [...result.features].sort((a, b) => b.mean - a.mean).map((f) => ({ feature: f.feature, mean: f.mean, std: f.std }));
  const text = [`Permutation importance: held-out ${result.scoring} ${result.baseline.toFixed(4)}, ${result.nRepeats} shuffles of ${result.rows} rows`, ...rows.map((r) => `  ${r.feature}: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`)].join('\n');
  Object.defineProperty(result, MIME_BUNDLE, { value: () => ({ [TABLE_MIME]: rowsToTable(rows), 'text/plain': text }), enumerable: false });
  return result;
}

/** Gives a trained model a one-line display instead of a JSON dump of its weights' owner (symbols are not serialized). */
function withShortDisplay(model: TrainedClassifier): TrainedClassifier {
  const text = `TrainedClassifier: ${JSON.stringify(model.target)} from ${model.features.length} features, ${model.labels.length} classes, test accuracy ${model.evaluation.accuracy.toFixed(3)}, macro-F1 ${model.evaluation.macroF1.toFixed(3)} (${model.backend})`;
  Object.defineProperty(model, MIME_BUNDLE, { value: () => ({ 'text/plain': text }), enumerable: false });
  return model;
}

/** Gives a template's trained model a one-line display (its task's headline metrics). */
function withModelDisplay(model: TrainedModel): TrainedModel {
  const e = model.evaluation;
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
  const headline = e.task === 'classification' ? `test accuracy ${f(e.accuracy)}, macro-F1 ${f(e.macroF1)}` : e.task === 'regression' ? `test R^2 ${f(e.r2)}, RMSE ${f(e.rmse)}` : e.task === 'forecasting' ? `${e.horizon} steps ahead from ${e.lookback} values, test MAE ${f(e.mae)} vs naive last value ${f(e.baselineMae)} (ratio ${f(e.maeRatio)})` : e.task === 'anomaly' ? `threshold ${e.threshold.toPrecision(4)}, ${e.flagged} of ${e.n} validation rows flagged${e.rocAuc === undefined ? '' : `, ROC AUC ${f(e.rocAuc)}`}` : `k ${e.k}, silhouette ${f(e.silhouette)}`;
  const text = `TrainedModel ${model.templateId} (${model.adapter.kind}): ${model.task === 'clustering' || model.task === 'anomaly' ? '' : `${JSON.stringify(model.target)} from `}${model.features.length} features, ${headline}`;
  Object.defineProperty(model, MIME_BUNDLE, { value: () => ({ 'text/plain': text }), enumerable: false });
  return model;
}

/** Prints one line per epoch (`epoch 5/60  loss 0.912  acc 0.702  val_loss ...`), for templates' `onEpoch`. */
function progress(log: EpochLog, total?: number): void {
  const epoch = total ? `${String(log.epoch).padStart(String(total).length)}/${total}` : String(log.epoch).padStart(3);
  const parts = [`epoch ${epoch}`, `loss ${log.loss.toFixed(4)}`, ...(Number.isFinite(log.accuracy) ? [`acc ${log.accuracy.toFixed(3)}`] : [])];
  if (log.valLoss !== undefined) parts.push(`val_loss ${log.valLoss.toFixed(4)}`);
  if (log.valAccuracy !== undefined) parts.push(`val_acc ${log.valAccuracy.toFixed(3)}`);
  console.log(parts.join('  '));
}

Object.assign(stratum, {
  /** Absolute path of a `vega-datasets` file, e.g. `stratum.vegaDataset('seattle-weather.csv')`. */
  vegaDataset,
  /** Reads a CSV file into a DataTable (columnar, with per-column kinds and coercions). */
  readCsvTable: async (path: string, options?: object) => (await import('../../connectors/csv/csv.ts')).readCsvTable(path, options),
  /** Converts a DataFrame/DataTable/records to a DataTable. */
  toDataTable,
  /** Row records (`{column: value}`) of a DataFrame, DataTable or records array, for training. */
  toRecords: (x: TabularInput): FeatureRecord[] => (isDataTable(x) ? tableToRecords(x) : toRecords(x)),
  // `profile`, `histogram`, the other charts and `load`/`preview`/`testConnection` are bound per kernel by bindExploration (core/runtime/exploration.ts).
  /** Predicts records with a trained model (the same function the REST service uses). */
  predictRecords: (model: TrainedClassifier, records: FeatureRecord[]) => predictRecords(model, records),
  /** Readable summary of a trained classifier: backend, sizes, metrics, confusion matrix. */
  trainingSummary,
  /** Per-epoch progress printer for `onEpoch`. */
  progress,
  /** Exports a trained model as a bundle folder (relative paths resolve against the notebook's folder). */
  exportBundle: async (model: ExportableModel, options: ExportBundleOptions) => (await import('../serving/bundle.ts')).exportBundle(model, options),
  // The `train*` functions are bound per kernel by bindTraining (below), which records their runs.
  /** Readable summary of any template's trained model (metrics, baseline, confusion matrix / elbow table). */
  modelSummary,
  /** Predicts records with any template's trained model: `{label, probabilities}`, `{value}`, `{cluster}` or `{score, anomaly}` per record. */
  predict: (model: TrainedModel, records: FeatureRecord[], options?: TransformOptions) => predictTabular(model, records, options),
  /** Plotly histogram of an anomaly model's validation scores with its threshold line (`plot(stratum.anomalyPlot(model))`). */
  anomalyPlot,
  /** Plotly figure of a forecaster's test period: actual vs 1- and horizon-step forecasts and the naive last value (`plot(stratum.forecastPlot(model))`). */
  forecastPlot: (model: TrainedModel): PlotlyFigure => asFigureOutput(forecastPlot(model)),
  /** Loads a bundle and serves it over HTTP; returns `{ url, port, close() }`. */
  serveBundle: async (dir: string, options?: { port?: number; host?: string }) => (await import('../serving/server.ts')).serveBundle(dir, options ?? {}),
  /**
   * One evaluation plot of a trained model as a Plotly figure: `confusion-matrix`, `roc-curve`,
   * `pr-curve`, `residuals`, `predicted-vs-actual`, `learning-curves`, `permutation-importance`
   * (core/ml/plots.ts `modelPlot`), e.g. `stratum.plot(model, 'roc-curve')`.
   */
  plot: (model: AnyTrainedModel, kind: PlotKind, options?: EvaluationPlotOptions): PlotlyFigure => asFigureOutput(modelPlot(model, kind, options)),
  /** Every evaluation plot that applies to the model's task, as figures: `display(...stratum.evaluationPlots(model))`. */
  evaluationPlots: (model: AnyTrainedModel, options?: EvaluationPlotOptions): PlotlyFigure[] => evaluationPlots(model, options).map((p) => asFigureOutput(p.figure)),
  /** Permutation importance of each feature on the model's held-out rows (core/ml/importance.ts), shown as a table. */
  permutationImportance: (model: AnyTrainedModel, options?: PermutationImportanceOptions): PermutationImportanceResult => asImportanceOutput(permutationImportance(model, options)),
});

/**
 * Binds the `stratum.train*` functions to the run tracker: every training run (the MLP
 * classifier's and every other template's) is recorded in the workspace's SQLite store
 * (`<workspace>/.stratum/tracking.db`, the workspace being `STRATUM_WORKSPACE` when the workbench
 * sets it, else the notebook's folder) with the template id, the notebook path, cell id and
 * revision, unless `STRATUM_TRACKING=off`. If the store cannot be opened (read-only folder...),
 * training still runs and a warning says why it was not recorded.
 *
 * Also binds `stratum.exportBundle` so that exporting a model a tracked run trained records the
 * run id in the bundle's manifest (`runId`) and the folder as the run's artifact `export:<dir>`.
 */
function bindTraining(ctx: ScopeContext): void {
  let store: TrackingStore | undefined;
  let storeError: string | undefined;
  const tracking = process.env.STRATUM_TRACKING !== 'off';
  const openStore = (): TrackingStore | undefined => {
    if (tracking && !store && !storeError) {
      try {
        store = openTrackingStore({ workspace: process.env.STRATUM_WORKSPACE ?? ctx.notebookDir });
        process.once('exit', () => store?.dispose());
      } catch (error) {
        storeError = (error as Error).message;
        console.warn(`run tracking is off for this kernel: ${storeError}`);
      }
    }
    return store;
  };
  const notebookRef = (): NotebookRef => {
    const cellId = ctx.cellId();
    const revision = process.env.STRATUM_NOTEBOOK_REVISION;
    return { path: process.env.STRATUM_NOTEBOOK_PATH ?? ctx.notebookDir, ...(cellId ? { cellId } : {}), ...(revision ? { revision } : {}) };
  };
  /**
   * The caller's hooks plus a stop at the end of the next epoch once the calling cell is
   * interrupted (the cell itself is abandoned at once; without this its training would go on in
   * the background and later assign the model). The run is then recorded as `cancelled`.
   */
  const stopOnInterrupt = <H extends { onEpoch?: (log: EpochLog) => void; signal?: AbortSignal }>(hooks: H | undefined): H | undefined => {
    const signal = ctx.signal?.();
    if (!signal) return hooks;
    const onEpoch = (log: EpochLog): void => {
      if (signal.aborted) throw new StratumError('KERNEL_INTERRUPTED', `training was interrupted (stopped after epoch ${log.epoch})`, { detail: { epoch: log.epoch } });
      hooks?.onEpoch?.(log);
    };
    // The signal too: the ml-* trainers then run in a worker thread that the interrupt terminates at once (core/ml/pool.ts).
    return { ...hooks, onEpoch, signal } as H;
  };
  const train = async (records: FeatureRecord[], params: MlpClassifierParams, userHooks?: TrainingHooks): Promise<TrainedClassifier> => {
    const hooks = stopOnInterrupt(userHooks);
    const open = openStore();
    if (!open) return withShortDisplay(await trainMlpClassifier(records, params, hooks));
    const notebook = notebookRef();
    const trainer = trackedTrainer(open, () => ({ notebook, templateId: MLP_TEMPLATE_ID }));
    return withShortDisplay(await keepUntilSettled(trainer(records, params, hooks)));
  };
  /** Trains the MLP classifier (template `tabular.mlp-classifier`), records the run, and displays a one-line summary. */
  stratum.trainMlpClassifier = train;

  /** A template trainer, loaded on first use, that records its runs and displays a one-line summary. */
  const tracked = <P>(templateId: string, backend: 'tfjs' | 'js', load: () => Promise<ModelTrainer<P>>) => async (records: FeatureRecord[], params: P, userHooks?: ModelTrainerHooks): Promise<TrainedModel> => {
    const hooks = stopOnInterrupt(userHooks);
    const trainFn = await load();
    const open = openStore();
    if (!open) return withModelDisplay(await trainFn(records, params, hooks));
    const notebook = notebookRef();
    const trainer = trackedModelTrainer(open, trainFn, () => ({ templateId, notebook, ...(backend === 'js' ? { backend: 'js' } : {}) }));
    return withModelDisplay(await keepUntilSettled(trainer(records, params, hooks)));
  };
  /** Exports a bundle; a model from a tracked run is linked to it both ways (manifest `runId`, run artifact `export:<dir>`). */
  stratum.exportBundle = async (model: ExportableModel, options: ExportBundleOptions): Promise<BundleManifest> => {
    const runId = options.runId ?? trainedByRun(model);
    const manifest = await (await import('../serving/bundle.ts')).exportBundle(model, { ...options, ...(runId ? { runId } : {}) });
    if (runId && store) {
      const dir = resolve(ctx.notebookDir, options.dir);
      const shown = relative(ctx.notebookDir, dir).split(sep).join('/');
      try {
        store.runs.addArtifact(runId, { name: `export:${shown.startsWith('..') || isAbsolute(shown) ? dir : shown}`.slice(0, 200), kind: 'bundle', path: dir, replace: true });
      } catch (error) {
        console.warn(`bundle exported, but not recorded as an artifact of run ${runId}: ${(error as Error).message}`);
      }
    }
    return manifest;
  };

  const neural = async () => import('../ml/neural.ts');
  const classic = async () => import('../ml/classic.ts');
  Object.assign(stratum, {
    /** Template `tabular.logistic-regression`: softmax regression (TF.js). */
    trainLogisticRegression: tracked<LogisticRegressionParams>('tabular.logistic-regression', 'tfjs', async () => (await neural()).trainLogisticRegression),
    /** Template `tabular.linear-regression`: linear regression (TF.js, MSE). */
    trainLinearRegression: tracked<LinearRegressionParams>('tabular.linear-regression', 'tfjs', async () => (await neural()).trainLinearRegression),
    /** Template `tabular.mlp-regressor`: MLP regressor (TF.js). */
    trainMlpRegressor: tracked<MlpRegressorParams>('tabular.mlp-regressor', 'tfjs', async () => (await neural()).trainMlpRegressor),
    /** Template `tabular.naive-bayes`: Gaussian naive Bayes (ml-naivebayes). */
    trainNaiveBayes: tracked<NaiveBayesParams>('tabular.naive-bayes', 'js', async () => (await classic()).trainNaiveBayes),
    /** Template `tabular.decision-tree`: CART decision tree (ml-cart). */
    trainDecisionTree: tracked<DecisionTreeParams>('tabular.decision-tree', 'js', async () => (await classic()).trainDecisionTree),
    /** Template `tabular.random-forest`: random forest (ml-random-forest). */
    trainRandomForest: tracked<RandomForestParams>('tabular.random-forest', 'js', async () => (await classic()).trainRandomForest),
    /** Template `tabular.kmeans`: k-means with elbow table and silhouette (ml-kmeans). */
    trainKMeans: tracked<KMeansParams>('tabular.kmeans', 'js', async () => (await import('../ml/kmeans.ts')).trainKMeans),
    /** Template `timeseries.lstm-forecast`: windowed LSTM forecaster beside the naive last-value forecast (TF.js). */
    trainLstmForecaster: tracked<LstmForecastParams>('timeseries.lstm-forecast', 'tfjs', async () => (await import('../ml/forecast.ts')).trainLstmForecaster),
    /** Template `tabular.autoencoder-anomaly`: autoencoder anomaly detector, threshold from the validation scores (TF.js). */
    trainAutoencoder: tracked<AutoencoderParams>('tabular.autoencoder-anomaly', 'tfjs', async () => (await import('../ml/anomaly.ts')).trainAutoencoder),
  });
  // stratum.crossValidate, stratum.search (tracked like the trainers), stratum.searchTable, stratum.searchPlot (search-scope.ts).
  bindSearch(stratum, { openStore, notebookRef, modelDisplay: (m) => (isTrainedModel(m) ? withModelDisplay(m) : withShortDisplay(m)) });
}

registerScope('stratum', (ctx) => {
  bindTraining(ctx);
  bindExploration(stratum, ctx);
  return stratum;
});

registerScope('readCsv', () => async (path: string, options?: object) => (await import('../../connectors/csv/csv.ts')).readCsv(path, options));
