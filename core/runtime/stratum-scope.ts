/**
 * Stratum's helpers in the kernel scope: `readCsv` as a global and the `stratum` namespace
 * (data sets, profiling and charts, training, export, serving). Imported by the kernel process at
 * startup; heavy modules (danfojs, Fastify) load on first use so a kernel starts fast.
 *
 * Template cells render to code that calls these names, so this module is the contract between
 * templates and the kernel: renaming a field here breaks saved notebooks.
 */
import { registerScope, stratum, type ScopeContext } from '../kernel/scope.ts';
import { openTrackingStore, type TrackingStore } from '../store/store.ts';
import { MLP_TEMPLATE_ID, trackedModelTrainer, trackedTrainer, type ModelTrainer, type ModelTrainerHooks } from '../store/tracker.ts';
import type { NotebookRef } from '../store/types.ts';
import { MIME_BUNDLE } from '../kernel/display.ts';
import { recordsToColumns, tableFromValueColumns, tableToRecords, type DataTable } from '../data/columns.ts';
import { histogramFigure, profileTable, profileToTableData } from '../data/profile.ts';
import { TABLE_MIME } from '../data/table.ts';
import { vegaDataset } from '../datasets/vega.ts';
import { predictRecords, trainingSummary, trainMlpClassifier, type MlpClassifierParams, type TrainingHooks } from '../ml/mlp.ts';
import { toRecords } from '../ml/records.ts';
import type { EpochLog, FeatureRecord, TrainedClassifier } from '../ml/types.ts';
import type { ExportableModel, ExportBundleOptions } from '../serving/bundle.ts';
import type { TrainedModel } from '../ml/model.ts';
import { modelSummary, predictTabular } from '../ml/predict.ts';
import type { TransformOptions } from '../ml/preprocess.ts';
import type { DecisionTreeParams, NaiveBayesParams, RandomForestParams } from '../ml/classic.ts';
import type { KMeansParams } from '../ml/kmeans.ts';
import type { LinearRegressionParams, LogisticRegressionParams, MlpRegressorParams } from '../ml/neural.ts';

/** Anything the profiling and chart helpers accept: a Danfo DataFrame, a DataTable or row records. */
type TabularInput = unknown;

function isDataTable(x: unknown): x is DataTable {
  return typeof x === 'object' && x !== null && Array.isArray((x as DataTable).columns) && typeof (x as DataTable).rowCount === 'number';
}

function isDataFrameLike(x: unknown): x is { columns: string[]; column(name: string): { values: unknown[] } } {
  return typeof x === 'object' && x !== null && Array.isArray((x as { columns?: unknown }).columns) && typeof (x as { column?: unknown }).column === 'function';
}

/**
 * Converts a Danfo DataFrame, a DataTable or an array of records to a DataTable (column types
 * re-inferred from the values for DataFrames and records).
 *
 * @throws TypeError for anything else
 */
function toDataTable(x: TabularInput): DataTable {
  if (isDataTable(x)) return x;
  if (isDataFrameLike(x)) return tableFromValueColumns(x.columns.map((name) => ({ name, values: x.column(name).values })));
  if (Array.isArray(x)) return tableFromValueColumns(recordsToColumns(x as Array<Record<string, unknown>>));
  throw new TypeError('expected a Danfo DataFrame, a DataTable or an array of records');
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
  const headline = e.task === 'classification' ? `test accuracy ${f(e.accuracy)}, macro-F1 ${f(e.macroF1)}` : e.task === 'regression' ? `test R^2 ${f(e.r2)}, RMSE ${f(e.rmse)}` : `k ${e.k}, silhouette ${f(e.silhouette)}`;
  const text = `TrainedModel ${model.templateId} (${model.adapter.kind}): ${model.task === 'clustering' ? '' : `${JSON.stringify(model.target)} from `}${model.features.length} features, ${headline}`;
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
  /** A pandas-describe-like profile table of every column (display it). */
  profile: (x: TabularInput) => {
    const data = profileToTableData(profileTable(toDataTable(x)));
    return { [MIME_BUNDLE]: () => ({ [TABLE_MIME]: data, 'text/plain': `Profile of ${data.totalRows} columns` }) };
  },
  /** Plotly figure of one column: a histogram (numeric) or a bar chart of the top values (text). */
  histogram: (x: TabularInput, column: string) => histogramFigure(toDataTable(x), column),
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
  /** Predicts records with any template's trained model: `{label, probabilities}`, `{value}` or `{cluster}` per record. */
  predict: (model: TrainedModel, records: FeatureRecord[], options?: TransformOptions) => predictTabular(model, records, options),
  /** Loads a bundle and serves it over HTTP; returns `{ url, port, close() }`. */
  serveBundle: async (dir: string, options?: { port?: number; host?: string }) => (await import('../serving/server.ts')).serveBundle(dir, options ?? {}),
});

/**
 * Binds the `stratum.train*` functions to the run tracker: every training run (the MLP
 * classifier's and every other template's) is recorded in the workspace's SQLite store
 * (`<notebook folder>/.stratum/tracking.db`) with the template id, the notebook path, cell id and
 * revision, unless `STRATUM_TRACKING=off`. If the store cannot be opened (read-only folder...),
 * training still runs and a warning says why it was not recorded.
 */
function bindTraining(ctx: ScopeContext): void {
  let store: TrackingStore | undefined;
  let storeError: string | undefined;
  const tracking = process.env.STRATUM_TRACKING !== 'off';
  const openStore = (): TrackingStore | undefined => {
    if (tracking && !store && !storeError) {
      try {
        store = openTrackingStore({ workspace: ctx.notebookDir });
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
  const train = async (records: FeatureRecord[], params: MlpClassifierParams, hooks?: TrainingHooks): Promise<TrainedClassifier> => {
    const open = openStore();
    if (!open) return withShortDisplay(await trainMlpClassifier(records, params, hooks));
    const notebook = notebookRef();
    const trainer = trackedTrainer(open, () => ({ notebook, templateId: MLP_TEMPLATE_ID }));
    return withShortDisplay(await trainer(records, params, hooks));
  };
  /** Trains the MLP classifier (template `tabular.mlp-classifier`), records the run, and displays a one-line summary. */
  stratum.trainMlpClassifier = train;

  /** A template trainer, loaded on first use, that records its runs and displays a one-line summary. */
  const tracked = <P>(templateId: string, backend: 'tfjs' | 'js', load: () => Promise<ModelTrainer<P>>) => async (records: FeatureRecord[], params: P, hooks?: ModelTrainerHooks): Promise<TrainedModel> => {
    const trainFn = await load();
    const open = openStore();
    if (!open) return withModelDisplay(await trainFn(records, params, hooks));
    const notebook = notebookRef();
    const trainer = trackedModelTrainer(open, trainFn, () => ({ templateId, notebook, ...(backend === 'js' ? { backend: 'js' } : {}) }));
    return withModelDisplay(await trainer(records, params, hooks));
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
  });
}

registerScope('stratum', (ctx) => {
  bindTraining(ctx);
  return stratum;
});

registerScope('readCsv', () => async (path: string, options?: object) => (await import('../../connectors/csv/csv.ts')).readCsv(path, options));
