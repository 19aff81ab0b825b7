/**
 * Evaluation plots of a trained model as Plotly figures (plain JSON, MIME
 * `application/vnd.plotly.v1+json`; the kernel's `plot(figure)` and the workbench render them):
 * confusion matrix, ROC and precision-recall curves (classification), residuals vs predicted and
 * predicted vs actual (regression), the test period (forecasting), the validation score histogram
 * (anomaly), learning curves (models with a per-epoch history) and permutation importance (both
 * supervised tasks).
 *
 * Two layers: figure builders on plain data ({@link confusionMatrixFigure}, {@link rocFigure}, ...),
 * and {@link modelPlot} / {@link evaluationPlots}, which take a trained model (a template's
 * `TrainedModel` or the MLP's `TrainedClassifier`) and know which plots apply to it and why not.
 *
 * Colors are consistent across figures: class i of a model is `PALETTE[i % 10]` in the ROC and PR
 * figures; training is `PALETTE[0]` and validation `PALETTE[1]` in the learning curves; reference
 * lines (chance, y = x, zero residual) are dashed grey.
 */
import type { PlotlyFigure } from '../data/profile.ts';
import { StratumError } from '../errors.ts';
import { precisionRecallCurves, rocCurves, type PrecisionRecallCurve, type RocCurve, type UndefinedCurve } from './curves.ts';
import type { EarlyStoppingReport } from './fit.ts';
import { heldOutOutputs, permutationImportance, type AnyTrainedModel, type PermutationImportanceOptions, type PermutationImportanceResult } from './importance.ts';
import type { EpochLog } from './types.ts';
import { anomalyPlot } from './anomaly.ts';
import { forecastPlot } from './forecast.ts';
import type { TrainedModel } from './model.ts';

/**
 * The plots Stratum draws for a model, by name: `forecast` is a forecaster's test period
 * (core/ml/forecast.ts `forecastPlot`), `anomaly-scores` an anomaly detector's validation score
 * histogram with its threshold (core/ml/anomaly.ts `anomalyPlot`).
 */
export type PlotKind = 'confusion-matrix' | 'roc-curve' | 'pr-curve' | 'residuals' | 'predicted-vs-actual' | 'forecast' | 'anomaly-scores' | 'learning-curves' | 'permutation-importance';

/** Every {@link PlotKind}, in the order {@link evaluationPlots} draws them. */
export const PLOT_KINDS: readonly PlotKind[] = ['confusion-matrix', 'roc-curve', 'pr-curve', 'residuals', 'predicted-vs-actual', 'forecast', 'anomaly-scores', 'learning-curves', 'permutation-importance'];

/**
 * Plotly's default qualitative colors (D3 category10), used for classes and for training vs
 * validation, so a class has the same color in every figure.
 */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/** Color of reference lines (chance, y = x, zero residual). */
const REFERENCE = '#7f7f7f';

const title = (text: string): Record<string, unknown> => ({ text });
const axis = (text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ title: { text }, ...extra });
const fmt = (x: number, digits = 3): string => x.toFixed(digits);

/** Inputs of {@link confusionMatrixFigure}. */
export interface ConfusionMatrixInput {
  /** Class labels, in matrix order. */
  labels: string[];
  /** `matrix[i][j]` = samples of true class i predicted as j (scikit-learn `confusion_matrix`). */
  matrix: number[][];
  /** Color and print each row as fractions of its true class (scikit-learn `normalize="true"`); default false (counts). */
  normalize?: boolean;
}

/**
 * A confusion-matrix heatmap: true label down (first class at the top), predicted label across,
 * each cell annotated with its count (and, normalized, its fraction of the true class). A class
 * with no true sample has an empty normalized row, annotated `n/a` (0/0).
 *
 * @throws StratumError `DATA_INVALID` when the matrix is not labels.length square
 */
export function confusionMatrixFigure(input: ConfusionMatrixInput): PlotlyFigure {
  const { labels, matrix } = input;
  const k = labels.length;
  if (matrix.length !== k || matrix.some((row) => row.length !== k)) {
    throw new StratumError('DATA_INVALID', `confusion matrix must be ${k} x ${k} (one row and column per label)`, { detail: { field: 'matrix' } });
  }
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const normalize = input.normalize ?? false;
  const z = matrix.map((row, i) => row.map((count) => (normalize ? (rowTotals[i] > 0 ? count / rowTotals[i] : null) : count)));
  const max = Math.max(0, ...z.flat().map((v) => v ?? 0));
  const annotations = matrix.flatMap((row, i) => row.map((count, j) => {
    const value = z[i][j];
    const text = normalize ? (value === null ? 'n/a' : `${fmt(value, 2)}<br>(${count})`) : String(count);
    return { x: labels[j], y: labels[i], text, showarrow: false, font: { color: value !== null && max > 0 && value > max / 2 ? 'white' : 'black' } };
  }));
  const n = rowTotals.reduce((a, b) => a + b, 0);
  return {
    data: [{
      type: 'heatmap',
      x: labels,
      y: labels,
      z,
      // Plotly's Blues runs dark to light; reversed, more samples = darker (as scikit-learn's display).
      colorscale: 'Blues',
      reversescale: true,
      zmin: 0,
      ...(normalize ? { zmax: 1 } : {}),
      colorbar: { title: { text: normalize ? 'fraction of true class' : 'count' } },
      hovertemplate: `true %{y}<br>predicted %{x}<br>${normalize ? 'fraction %{z:.3f}' : 'count %{z}'}<extra></extra>`,
    }],
    layout: {
      title: title(`Confusion matrix${normalize ? ' (normalized by true class)' : ''}, held-out n = ${n}`),
      xaxis: axis('Predicted label', { type: 'category', side: 'bottom' }),
      yaxis: axis('True label', { type: 'category', autorange: 'reversed', automargin: true }),
      annotations,
    },
  };
}

/** Layout note listing the classes that have no curve, with the reason. */
function undefinedNote(curves: ReadonlyArray<{ defined: boolean }>): Record<string, unknown>[] {
  const missing = curves.filter((c): c is UndefinedCurve => !c.defined);
  if (missing.length === 0) return [];
  return [{
    text: missing.map((c) => `No curve for ${c.label}: ${c.reason}`).join('<br>'),
    xref: 'paper', yref: 'paper', x: 0, y: 1.02, xanchor: 'left', yanchor: 'bottom', showarrow: false, align: 'left', font: { size: 11, color: REFERENCE },
  }];
}

/** Options of {@link rocFigure} and {@link precisionRecallFigure}. */
export interface CurveFigureOptions {
  /** Color index of each curve (e.g. the class's index among the model's labels); default its position. */
  colorIndexes?: number[];
  /** Words after the figure's title, e.g. `positive class "yes"` or `one-vs-rest`. */
  subtitle?: string;
}

/**
 * ROC curves: one line per defined curve with its AUC in the legend, and the chance diagonal.
 * Classes without a curve (e.g. absent from the held-out labels) are listed under the plot with the reason.
 */
export function rocFigure(curves: ReadonlyArray<RocCurve | UndefinedCurve>, options: CurveFigureOptions = {}): PlotlyFigure {
  const lines = curves.flatMap((c, i) => (c.defined ? [{
    type: 'scatter', mode: 'lines', name: `${c.label} (AUC ${fmt(c.auc)})`, x: c.fpr, y: c.tpr,
    line: { color: PALETTE[(options.colorIndexes?.[i] ?? i) % PALETTE.length], width: 2 },
    customdata: c.thresholds, hovertemplate: `${c.label}<br>FPR %{x:.3f}, TPR %{y:.3f}<br>threshold %{customdata:.3f}<extra></extra>`,
  }] : []));
  return {
    data: [...lines, { type: 'scatter', mode: 'lines', name: 'chance (AUC 0.5)', x: [0, 1], y: [0, 1], line: { color: REFERENCE, dash: 'dash', width: 1 }, hoverinfo: 'skip' }],
    layout: {
      title: title(`ROC curve${lines.length > 1 ? 's' : ''}${options.subtitle ? ` (${options.subtitle})` : ''}, held-out data`),
      xaxis: axis('False positive rate', { range: [0, 1], constrain: 'domain' }),
      yaxis: axis('True positive rate (recall)', { range: [0, 1.02], scaleanchor: 'x', scaleratio: 1, constrain: 'domain' }),
      legend: { x: 1, xanchor: 'right', y: 0, yanchor: 'bottom' },
      annotations: undefinedNote(curves),
    },
  };
}

/**
 * Precision-recall curves: one step line per defined curve (scikit-learn's `drawstyle="steps-post"`)
 * with its average precision in the legend, and a dashed line at the class's prevalence (the
 * precision of a random classifier) in the same color.
 */
export function precisionRecallFigure(curves: ReadonlyArray<PrecisionRecallCurve | UndefinedCurve>, options: CurveFigureOptions = {}): PlotlyFigure {
  const data = curves.flatMap((c, i) => {
    if (!c.defined) return [];
    const color = PALETTE[(options.colorIndexes?.[i] ?? i) % PALETTE.length];
    return [
      {
        type: 'scatter', mode: 'lines', name: `${c.label} (AP ${fmt(c.averagePrecision)})`, x: c.recall, y: c.precision, line: { color, width: 2, shape: 'hv' }, legendgroup: c.label,
        hovertemplate: `${c.label}<br>recall %{x:.3f}, precision %{y:.3f}<extra></extra>`,
      },
      {
        type: 'scatter', mode: 'lines', name: `${c.label} chance (prevalence ${fmt(c.prevalence)})`, x: [0, 1], y: [c.prevalence, c.prevalence], line: { color, dash: 'dash', width: 1 }, legendgroup: c.label,
        showlegend: curves.length === 1 || curves.filter((x) => x.defined).length === 1, hovertemplate: `${c.label}: chance precision ${fmt(c.prevalence)}<extra></extra>`,
      },
    ];
  });
  const count = curves.filter((c) => c.defined).length;
  return {
    data,
    layout: {
      title: title(`Precision-recall curve${count > 1 ? 's' : ''}${options.subtitle ? ` (${options.subtitle})` : ''}, held-out data`),
      xaxis: axis('Recall', { range: [0, 1] }),
      yaxis: axis('Precision', { range: [0, 1.02] }),
      legend: { orientation: 'h', x: 0, y: -0.2 },
      annotations: [...undefinedNote(curves), ...(count > 1 ? [{ text: 'dashed: chance level (class prevalence)', xref: 'paper', yref: 'paper', x: 1, y: 1.02, xanchor: 'right', yanchor: 'bottom', showarrow: false, font: { size: 11, color: REFERENCE } }] : [])],
    },
  };
}

/** Inputs of the regression figures. */
export interface RegressionPlotInput {
  /** True target values of the held-out rows. */
  actual: number[];
  /** Predicted values, same order. */
  predicted: number[];
  /** Target name, for the axis titles; default `target`. */
  target?: string;
}

function checkRegressionInput(input: RegressionPlotInput): void {
  if (input.actual.length !== input.predicted.length) {
    throw new StratumError('DATA_INVALID', `actual has ${input.actual.length} values but predicted has ${input.predicted.length}`, { detail: { field: 'predicted' } });
  }
}

/**
 * Residuals (actual - predicted, target units) against the predicted value, with the zero line:
 * a good fit scatters evenly around it; a funnel or curve shows what the model misses.
 *
 * @throws StratumError `DATA_INVALID` when the lengths differ
 */
export function residualsFigure(input: RegressionPlotInput): PlotlyFigure {
  checkRegressionInput(input);
  const target = input.target ?? 'target';
  const residuals = input.actual.map((y, i) => y - input.predicted[i]);
  const lo = Math.min(...input.predicted);
  const hi = Math.max(...input.predicted);
  return {
    data: [
      { type: 'scatter', mode: 'markers', name: 'held-out rows', x: input.predicted, y: residuals, marker: { color: PALETTE[0], size: 6, opacity: 0.7 }, hovertemplate: 'predicted %{x:.4g}<br>residual %{y:.4g}<extra></extra>' },
      { type: 'scatter', mode: 'lines', name: 'zero residual', x: [lo, hi], y: [0, 0], line: { color: REFERENCE, dash: 'dash', width: 1 }, hoverinfo: 'skip' },
    ],
    layout: {
      title: title(`Residuals vs predicted ${target}, held-out n = ${residuals.length}`),
      xaxis: axis(`Predicted ${target}`),
      yaxis: axis('Residual (actual - predicted)', { zeroline: false }),
      showlegend: false,
    },
  };
}

/**
 * Predicted against actual values with the y = x line (a perfect model puts every point on it);
 * both axes share one range so the diagonal is at 45 degrees.
 *
 * @throws StratumError `DATA_INVALID` when the lengths differ
 */
export function predictedVsActualFigure(input: RegressionPlotInput): PlotlyFigure {
  checkRegressionInput(input);
  const target = input.target ?? 'target';
  const all = [...input.actual, ...input.predicted];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.03 || 1;
  const range = [lo - pad, hi + pad];
  return {
    data: [
      { type: 'scatter', mode: 'markers', name: 'held-out rows', x: input.actual, y: input.predicted, marker: { color: PALETTE[0], size: 6, opacity: 0.7 }, hovertemplate: 'actual %{x:.4g}<br>predicted %{y:.4g}<extra></extra>' },
      { type: 'scatter', mode: 'lines', name: 'y = x (perfect prediction)', x: range, y: range, line: { color: REFERENCE, dash: 'dash', width: 1 }, hoverinfo: 'skip' },
    ],
    layout: {
      title: title(`Predicted vs actual ${target}, held-out n = ${input.actual.length}`),
      xaxis: axis(`Actual ${target}`, { range, constrain: 'domain', zeroline: false }),
      yaxis: axis(`Predicted ${target}`, { range, scaleanchor: 'x', scaleratio: 1, constrain: 'domain', zeroline: false }),
      legend: { orientation: 'h', x: 0, y: -0.2 },
    },
  };
}

/** Options of {@link learningCurvesFigure}. */
export interface LearningCurvesOptions {
  /** Name of the loss for the axis title, e.g. `cross-entropy`; default `loss`. */
  lossName?: string;
  /** Marks the best epoch (early stopping). */
  earlyStopping?: EarlyStoppingReport;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/**
 * Learning curves from a model's per-epoch history: training vs validation (held-out) loss, and
 * beside it training vs validation accuracy when the history has accuracies (classification).
 * With early stopping, a dotted vertical line marks the best epoch (whose weights were kept).
 *
 * @throws StratumError `DATA_INVALID` for an empty history
 */
export function learningCurvesFigure(history: readonly EpochLog[], options: LearningCurvesOptions = {}): PlotlyFigure {
  if (history.length === 0) throw new StratumError('DATA_INVALID', 'learning curves need a per-epoch history; this one is empty', { detail: { field: 'history' } });
  const epochs = history.map((h) => h.epoch);
  const series = (pick: (h: EpochLog) => number | undefined): Array<number | null> => history.map((h) => (finite(pick(h)) ? (pick(h) as number) : null));
  const has = (pick: (h: EpochLog) => number | undefined): boolean => history.some((h) => finite(pick(h)));
  const withAccuracy = has((h) => h.accuracy) || has((h) => h.valAccuracy);
  const y2 = withAccuracy ? { xaxis: 'x2', yaxis: 'y2' } : {};
  const trace = (name: string, y: Array<number | null>, color: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'scatter', mode: 'lines', name, x: epochs, y, line: { color, width: 2 }, ...more });
  const data = [
    trace('training loss', series((h) => h.loss), PALETTE[0], { legendgroup: 'train' }),
    ...(has((h) => h.valLoss) ? [trace('validation loss', series((h) => h.valLoss), PALETTE[1], { legendgroup: 'validation' })] : []),
    ...(has((h) => h.accuracy) ? [trace('training accuracy', series((h) => h.accuracy), PALETTE[0], { legendgroup: 'train', line: { color: PALETTE[0], width: 2, dash: 'dot' }, ...y2 })] : []),
    ...(has((h) => h.valAccuracy) ? [trace('validation accuracy', series((h) => h.valAccuracy), PALETTE[1], { legendgroup: 'validation', line: { color: PALETTE[1], width: 2, dash: 'dot' }, ...y2 })] : []),
  ];
  const best = options.earlyStopping;
  const shapes = best ? [{ type: 'line', xref: 'x', yref: 'paper', x0: best.bestEpoch, x1: best.bestEpoch, y0: 0, y1: 1, line: { color: REFERENCE, dash: 'dot', width: 1 } }] : [];
  const annotations = best ? [{ xref: 'x', yref: 'paper', x: best.bestEpoch, y: 1, yanchor: 'bottom', xanchor: 'right', text: `best epoch ${best.bestEpoch}${best.restoredBest ? ' (weights kept)' : ''} `, showarrow: false, font: { size: 11, color: REFERENCE } }] : [];
  const lossAxis = `Loss${options.lossName ? ` (${options.lossName})` : ''}`;
  return {
    data,
    layout: {
      title: title(`Learning curves, ${history.length} epoch${history.length === 1 ? '' : 's'}`),
      ...(withAccuracy
        ? {
            xaxis: axis('Epoch', { domain: [0, 0.45] }),
            yaxis: axis(lossAxis),
            xaxis2: axis('Epoch', { domain: [0.55, 1], anchor: 'y2' }),
            yaxis2: axis('Accuracy', { anchor: 'x2', range: [0, 1.02] }),
          }
        : { xaxis: axis('Epoch'), yaxis: axis(lossAxis) }),
      shapes,
      annotations,
      legend: { orientation: 'h', x: 0, y: -0.2 },
    },
  };
}

const SCORING_NAMES: Record<PermutationImportanceResult['scoring'], string> = { accuracy: 'accuracy', balancedAccuracy: 'balanced accuracy', r2: 'R^2', negMeanAbsoluteError: 'negative MAE' };

/**
 * Permutation importance as horizontal bars (most important at the top) with the standard
 * deviation over the repeats as error bars.
 */
export function permutationImportanceFigure(result: PermutationImportanceResult): PlotlyFigure {
  const sorted = [...result.features].sort((a, b) => a.mean - b.mean);
  const score = SCORING_NAMES[result.scoring];
  return {
    data: [{
      type: 'bar',
      orientation: 'h',
      name: 'mean decrease',
      y: sorted.map((f) => f.feature),
      x: sorted.map((f) => f.mean),
      error_x: { type: 'data', array: sorted.map((f) => f.std), visible: true, color: '#444' },
      marker: { color: PALETTE[0] },
      hovertemplate: `%{y}: %{x:.4f} ± %{error_x.array:.4f}<extra></extra>`,
    }],
    layout: {
      title: title(`Permutation importance (held-out ${score} ${fmt(result.baseline)}, ${result.nRepeats} shuffles of ${result.rows} rows)`),
      xaxis: axis(`Decrease in ${score} when the feature is shuffled`, { zeroline: true }),
      yaxis: axis('Feature', { type: 'category', automargin: true }),
      showlegend: false,
      height: Math.max(320, 120 + 28 * sorted.length),
    },
  };
}

/** Options of {@link modelPlot} and {@link evaluationPlots}. */
export interface EvaluationPlotOptions {
  /** Confusion matrix normalized by true class; default false (counts). */
  normalize?: boolean;
  /** Binary classification: the class whose ROC/PR curve is drawn; default the second label (as the evaluation's ROC AUC). */
  positiveLabel?: string;
  /** Options of the permutation importance; {@link evaluationPlots} defaults `maxSamples` to 1000. */
  importance?: PermutationImportanceOptions;
}

/** A plot of a model with its kind (the artifact name of tracked runs). */
export interface EvaluationPlot {
  kind: PlotKind;
  figure: PlotlyFigure;
}

/**
 * Why a plot does not apply to a model, or `undefined` when it does.
 *
 * @param model - a trained model (`TrainedModel` or the MLP's `TrainedClassifier`)
 */
export function plotUnavailableReason(model: AnyTrainedModel, kind: PlotKind): string | undefined {
  if (!PLOT_KINDS.includes(kind)) return `unknown plot ${JSON.stringify(kind)}; known: ${PLOT_KINDS.join(', ')}`;
  const task = model.task;
  const classification = ['confusion-matrix', 'roc-curve', 'pr-curve'];
  const regression = ['residuals', 'predicted-vs-actual'];
  if (classification.includes(kind) && task !== 'classification') return `${kind} applies to classification models; this is a ${task} model`;
  if (regression.includes(kind) && task !== 'regression') return `${kind} applies to regression models; this is a ${task} model`;
  if (kind === 'forecast' && task !== 'forecasting') return `forecast applies to forecasting models; this is a ${task} model`;
  if (kind === 'anomaly-scores' && task !== 'anomaly') return `anomaly-scores applies to anomaly models; this is a ${task} model`;
  if (kind === 'learning-curves' && model.history.length === 0) return 'learning curves need a per-epoch history; this model trained in one step (no epochs)';
  if (kind === 'permutation-importance' && task !== 'classification' && task !== 'regression') return `permutation importance applies to classification and regression models; this is a ${task} model`;
  if ((kind === 'roc-curve' || kind === 'pr-curve' || kind === 'permutation-importance') && !model.heldOut?.records.length) {
    return `${kind} needs the model's held-out rows, which this model does not keep (retrain it with this version of Stratum)`;
  }
  return undefined;
}

/** The plots that apply to a model, in {@link PLOT_KINDS} order. */
export function applicablePlots(model: AnyTrainedModel): PlotKind[] {
  return PLOT_KINDS.filter((kind) => plotUnavailableReason(model, kind) === undefined);
}

function classCurves(model: AnyTrainedModel, options: EvaluationPlotOptions): { yTrue: string[]; probabilities: Float64Array; labels: string[]; shown: number[]; subtitle: string } {
  const { yTrue, output, labels } = heldOutOutputs(model);
  if (labels.length === 2) {
    const positive = options.positiveLabel ?? labels[1];
    const index = labels.indexOf(positive);
    if (index < 0) throw new StratumError('USAGE', `positiveLabel: ${JSON.stringify(positive)} is not a class of this model (${labels.map((l) => JSON.stringify(l)).join(', ')})`, { detail: { field: 'positiveLabel' } });
    return { yTrue: yTrue as string[], probabilities: output, labels, shown: [index], subtitle: `positive class ${JSON.stringify(positive)}` };
  }
  return { yTrue: yTrue as string[], probabilities: output, labels, shown: labels.map((_, i) => i), subtitle: 'one-vs-rest' };
}

function regressionInput(model: AnyTrainedModel): RegressionPlotInput {
  const e = model.evaluation as { task?: string; predicted?: number[]; residuals?: number[] };
  if (e.task !== 'regression' || !e.predicted || !e.residuals) throw new StratumError('DATA_INVALID', 'this model has no regression evaluation to plot', { detail: { field: 'model.evaluation' } });
  const predicted = e.predicted;
  const residuals = e.residuals;
  const actual = model.heldOut ? (model.heldOut.y as number[]) : predicted.map((p, i) => p + residuals[i]);
  return { actual, predicted, target: model.target };
}

/**
 * One evaluation plot of a trained model, on its held-out rows.
 *
 * @param model - a trained model (`TrainedModel` or the MLP's `TrainedClassifier`)
 * @param kind - which plot ({@link PLOT_KINDS})
 * @param options - normalization, binary positive class, importance options
 * @returns the Plotly figure
 * @throws StratumError `USAGE` when the plot does not apply to the model (the message says why,
 *   e.g. a ROC curve of a regression model) or for a bad option; `DATA_INVALID` when the held-out
 *   data cannot be scored
 * @example
 * ```ts
 * plot(modelPlot(model, 'roc-curve'));
 * ```
 */
export function modelPlot(model: AnyTrainedModel, kind: PlotKind, options: EvaluationPlotOptions = {}): PlotlyFigure {
  const reason = plotUnavailableReason(model, kind);
  if (reason !== undefined) throw new StratumError('USAGE', `cannot draw ${kind}: ${reason}`, { detail: { field: 'kind', kind, available: applicablePlots(model) }, hint: `Plots for this model: ${applicablePlots(model).join(', ') || 'none'}.` });
  switch (kind) {
    case 'confusion-matrix': {
      const e = model.evaluation as { labels: string[]; confusionMatrix: number[][] };
      return confusionMatrixFigure({ labels: e.labels, matrix: e.confusionMatrix, normalize: options.normalize ?? false });
    }
    case 'roc-curve': {
      const c = classCurves(model, options);
      const curves = rocCurves(c.yTrue, c.probabilities, c.labels);
      return rocFigure(c.shown.map((i) => curves[i]), { colorIndexes: c.shown, subtitle: c.subtitle });
    }
    case 'pr-curve': {
      const c = classCurves(model, options);
      const curves = precisionRecallCurves(c.yTrue, c.probabilities, c.labels);
      return precisionRecallFigure(c.shown.map((i) => curves[i]), { colorIndexes: c.shown, subtitle: c.subtitle });
    }
    case 'residuals':
      return residualsFigure(regressionInput(model));
    case 'predicted-vs-actual':
      return predictedVsActualFigure(regressionInput(model));
    case 'forecast':
      return forecastPlot(model as TrainedModel);
    case 'anomaly-scores':
      return anomalyPlot(model as TrainedModel);
    case 'learning-curves': {
      const lossName = model.task === 'classification' ? 'cross-entropy' : model.task === 'regression' ? 'MSE on the standardized target' : undefined;
      return learningCurvesFigure(model.history, { ...(lossName ? { lossName } : {}), ...(model.earlyStopping ? { earlyStopping: model.earlyStopping } : {}) });
    }
    case 'permutation-importance':
      return permutationImportanceFigure(permutationImportance(model, options.importance));
  }
}

/**
 * Every evaluation plot that applies to the model, in {@link PLOT_KINDS} order: classification —
 * confusion matrix, ROC, PR; regression — residuals, predicted vs actual; forecasting — the test
 * period; anomaly — the validation score histogram; then learning curves
 * (models with epochs) and permutation importance (5 shuffles of at most 1000 held-out rows by
 * default: about `features x 5` predictions of those rows). Clustering models get none of these.
 *
 * @param model - a trained model
 * @param options - see {@link EvaluationPlotOptions}
 * @returns the plots with their kinds
 * @throws StratumError as {@link modelPlot}
 */
export function evaluationPlots(model: AnyTrainedModel, options: EvaluationPlotOptions = {}): EvaluationPlot[] {
  const importance = { maxSamples: 1000, ...options.importance };
  return applicablePlots(model).map((kind) => ({ kind, figure: modelPlot(model, kind, { ...options, importance }) }));
}
