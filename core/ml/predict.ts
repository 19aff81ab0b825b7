/**
 * Prediction for every task and model kind — the one function the notebook and the REST service
 * share — plus adapter loading by kind and a readable summary of a {@link TrainedModel}.
 */
import { StratumError } from '../errors.ts';
import { loadClassicAdapter } from './classic.ts';
import { loadKMeansAdapter } from './kmeans.ts';
import { anomalySummaryLines, anomalyThreshold, loadAnomalyAdapter } from './anomaly.ts';
import { forecastSummary, predictForecast, type ForecastPrediction } from './forecast.ts';
import { trainingNotes } from './guardrails.ts';
import type { ModelAdapter, ModelKind, ModelTask, SerializedModelFiles, TrainedModel } from './model.ts';
import { ML_MODEL_FILE } from './model.ts';
import { loadTfjsAdapter } from './neural.ts';
import { transformRecords, type TransformOptions } from './preprocess.ts';
import type { FeatureRecord, Prediction, PreprocessorState } from './types.ts';

/** A regression prediction: the value in target units. */
export interface RegressionPrediction {
  value: number;
}

/** A clustering prediction: the 0-based cluster id. */
export interface ClusterPrediction {
  cluster: number;
}

/** An anomaly prediction: the score (reconstruction error) and whether it is above the model's threshold. */
export interface AnomalyPrediction {
  score: number;
  anomaly: boolean;
}

/** What `POST /predict` returns per record, by task. */
export type TaskPrediction = Prediction | RegressionPrediction | ClusterPrediction | AnomalyPrediction | ForecastPrediction;

/** What {@link predictTabular} needs: a {@link TrainedModel} or a loaded bundle. */
export interface TabularPredictor {
  adapter: ModelAdapter;
  preprocessor: PreprocessorState;
  /** Class labels (classification). */
  labels: string[];
}

/**
 * Predicts records: validates and transforms them with the model's own preprocessing, runs the
 * adapter, and shapes the output by task — `{ label, probabilities }` (classification, the most
 * probable class, first on a tie), `{ value }` (regression), `{ cluster }` (clustering), `{ score, anomaly }` (anomaly: the reconstruction error and `score > adapter.threshold`).
 * Forecasting models take `{ history: number[] }` records and answer `{ forecast }` (the next
 * `horizon` values; core/ml/forecast.ts `predictForecast`, which ignores the preprocessing).
 *
 * @param model - adapter, preprocessing and labels
 * @param records - records to predict
 * @param options - `{ missing: 'error' }` for serving; default imputes
 * @returns one prediction per record, in order
 * @throws StratumError `REQUEST_INVALID` naming field and row for an invalid record;
 *   `BUNDLE_INVALID` when the adapter's input width disagrees with the preprocessing
 */
export function predictTabular(model: TabularPredictor, records: FeatureRecord[], options: TransformOptions = {}): TaskPrediction[] {
  const { adapter, preprocessor, labels } = model;
  // Forecasting reads `{ history: number[] }` records, not preprocessed features (core/ml/forecast.ts).
  if (adapter.task === 'forecasting') {
    const forecasts = predictForecast(adapter, records);
    forecasts.forEach((f, i) => {
      if ('forecast' in f) requireFinite(f.forecast, i);
    });
    return forecasts;
  }
  if (adapter.inputWidth !== preprocessor.outputWidth) {
    throw new StratumError('BUNDLE_INVALID', `model expects ${adapter.inputWidth} inputs but the preprocessing produces ${preprocessor.outputWidth}`, { detail: { expected: preprocessor.outputWidth, actual: adapter.inputWidth } });
  }
  if (records.length === 0) return [];
  const out = adapter.predict(transformRecords(preprocessor, records, options), records.length);
  const width = adapter.outputWidth;
  for (let i = 0; i < records.length; i++) requireFinite(out.subarray(i * width, (i + 1) * width), i);
  if (adapter.task === 'regression') return records.map((_, i) => ({ value: out[i] }));
  if (adapter.task === 'clustering') return records.map((_, i) => ({ cluster: out[i] }));
  if (adapter.task === 'anomaly') {
    const threshold = anomalyThreshold(adapter);
    return records.map((_, i) => ({ score: out[i], anomaly: out[i] > threshold }));
  }
  const k = labels.length;
  return records.map((_, i) => {
    const probabilities: Record<string, number> = {};
    let best = 0;
    for (let j = 0; j < k; j++) {
      probabilities[labels[j]] = out[i * k + j];
      if (out[i * k + j] > out[i * k + best]) best = j;
    }
    return { label: labels[best], probabilities };
  });
}

/**
 * Refuses a record whose model output is not finite, instead of answering `null` (JSON of NaN or
 * Infinity): the inputs are checked to be finite, but a value beyond float32's range (about
 * ±3.4e38, TF.js computes in float32) or far outside the training data can still overflow.
 *
 * @throws StratumError `REQUEST_INVALID` naming `records[row]`
 */
function requireFinite(values: ArrayLike<number>, row: number): void {
  for (let j = 0; j < values.length; j++) {
    if (!Number.isFinite(values[j])) {
      const field = `records[${row}]`;
      throw new StratumError('REQUEST_INVALID', `${field}: the model's output is ${values[j]}, not a finite number: an input value is beyond what the model computes with (float32, about ±3.4e38) or far outside the training data`, {
        detail: { field, row },
        hint: 'Check the record for extreme values (units, typos).',
      });
    }
  }
}

/**
 * Rebuilds a model adapter from the files of a bundle's `model/` folder.
 *
 * @param kind - the manifest's `modelKind`
 * @param task - the manifest's `task`
 * @param files - file name (relative to `model/`) -> bytes
 * @param source - folder, for error messages
 * @throws StratumError `BUNDLE_INVALID` when the files do not hold a model of that kind
 */
export async function loadAdapter(kind: ModelKind, task: ModelTask, files: SerializedModelFiles, source: string): Promise<ModelAdapter> {
  let adapter: ModelAdapter;
  if (kind === 'tfjs-layers' && task === 'anomaly') adapter = await loadAnomalyAdapter(files, source);
  else if (kind === 'tfjs-layers') adapter = await loadTfjsAdapter(files, task, source);
  else if (kind === 'ml-kmeans') adapter = loadKMeansAdapter(files[ML_MODEL_FILE], source);
  else if (kind === 'ml-cart' || kind === 'ml-random-forest' || kind === 'ml-naivebayes') adapter = loadClassicAdapter(files[ML_MODEL_FILE], kind, source);
  else throw new StratumError('BUNDLE_INVALID', `${source}: unknown model kind ${JSON.stringify(kind)}`, { detail: { path: source, field: 'modelKind' }, hint: 'Upgrade Stratum or re-export the bundle.' });
  if (adapter.task !== task) {
    adapter.dispose();
    throw new StratumError('BUNDLE_INVALID', `${source}: the model is a ${adapter.task} model but the manifest says ${task}`, { detail: { path: source, field: 'task' } });
  }
  return adapter;
}

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd()).join('\n');
}

/**
 * Renders a trained model as readable text: what was trained on what, and its evaluation —
 * classification: accuracy, balanced accuracy, macro/weighted F1, ROC AUC, log loss, the
 * majority-class baseline, per-class table and confusion matrix; regression: MAE, RMSE, R^2 next
 * to the mean predictor; clustering: inertia, silhouette, cluster sizes and the elbow table.
 * Undefined metrics print `n/a` with their reason.
 *
 * @param t - a trained model
 * @returns multi-line plain text
 */
export function modelSummary(t: TrainedModel): string {
  if (t.evaluation.task === 'forecasting') return forecastSummary(t);
  const e = t.evaluation;
  const lines: string[] = [];
  const what = t.task === 'clustering' || t.task === 'anomaly' ? `${t.features.length} features` : `${JSON.stringify(t.target)} from ${t.features.length} feature${t.features.length === 1 ? '' : 's'}`;
  lines.push(`${t.templateId} (${t.adapter.kind}): ${what} (${t.features.join(', ')})`);
  const time = t.timing ? `, fit ${(t.timing.trainMs / 1000).toFixed(2)} s` : '';
  lines.push(`backend ${t.backend}; train ${t.sizes.train} rows${t.task === 'clustering' ? '' : `, test ${t.sizes.test} rows`}${t.dropped?.missingTarget ? `, ${t.dropped.missingTarget} rows dropped (missing target)` : ''}${t.history.length ? `; ${t.history.length} epochs` : ''}${time}`);
  if (e.task === 'classification') {
    lines.push(`test accuracy ${fmt(e.accuracy)} (majority baseline ${e.baseline ? `${fmt(e.baseline.accuracy)}, always ${JSON.stringify(e.baseline.label)}` : 'n/a'}), balanced accuracy ${fmt(e.balancedAccuracy)}`);
    lines.push(`macro-F1 ${fmt(e.macroF1)}, weighted F1 ${fmt(e.weightedF1)}, ROC AUC (one-vs-rest, macro) ${fmt(e.rocAuc)}, log loss ${fmt(e.logLoss, 4)} (n = ${e.n})`, '');
    lines.push(table([['class', 'precision', 'recall', 'f1', 'support', 'roc auc'], ...e.perClass.map((c, i) => [c.label, fmt(c.precision), fmt(c.recall), fmt(c.f1), String(c.support), fmt(e.rocAucPerClass[i])])]));
    for (const c of e.perClass) if (c.undefinedReason) lines.push(`  ${c.label}: ${c.undefinedReason}`);
    lines.push('', 'confusion matrix (rows = true, columns = predicted):');
    lines.push(table([['', ...e.labels], ...e.confusionMatrix.map((row, i) => [e.labels[i], ...row.map(String)])]));
  } else if (e.task === 'regression') {
    lines.push(`test MAE ${fmt(e.mae)}, RMSE ${fmt(e.rmse)}, R^2 ${fmt(e.r2)} (n = ${e.n})`);
    if (e.baseline) lines.push(`mean-predictor baseline (${fmt(e.baseline.value)}): MAE ${fmt(e.baseline.mae)}, RMSE ${fmt(e.baseline.rmse)}, R^2 ${fmt(e.baseline.r2)}`);
  } else if (e.task === 'anomaly') {
    lines.push(...anomalySummaryLines(e));
  } else {
    lines.push(`k = ${e.k}: inertia ${fmt(e.inertia)}, silhouette ${fmt(e.silhouette)}, cluster sizes ${e.clusterSizes.join(', ')} (n = ${e.n})`);
    if (e.elbow.length) lines.push('', 'elbow:', table([['k', 'inertia', 'silhouette'], ...e.elbow.map((p) => [String(p.k), fmt(p.inertia), fmt(p.silhouette)])]));
  }
  for (const [metric, reason] of Object.entries(e.undefinedReasons)) lines.push(`  ${metric}: ${reason}`);
  lines.push(...trainingNotes(t));
  return lines.join('\n');
}
