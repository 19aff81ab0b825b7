import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlotlyFigure } from '../data/profile.ts';
import { initBackend } from '../tf/backend.ts';
import { thrown } from '../testing.ts';
import { trainDecisionTree } from './classic.ts';
import { precisionRecallCurve, rocCurve } from './curves.ts';
import type { PermutationImportanceResult } from './importance.ts';
import { trainKMeans } from './kmeans.ts';
import { trainMlpClassifier } from './mlp.ts';
import { trainLinearRegression } from './neural.ts';
import {
  applicablePlots, confusionMatrixFigure, evaluationPlots, learningCurvesFigure, modelPlot, PALETTE, permutationImportanceFigure, precisionRecallFigure,
  predictedVsActualFigure, residualsFigure, rocFigure,
} from './plots.ts';
import type { EpochLog, FeatureRecord } from './types.ts';

type Trace = Record<string, unknown> & { x?: unknown[]; y?: unknown[]; name?: string; type?: string };
const traces = (f: PlotlyFigure): Trace[] => f.data as Trace[];
const layout = (f: PlotlyFigure): Record<string, { title?: { text?: string } } & Record<string, unknown>> => f.layout as Record<string, { title?: { text?: string } } & Record<string, unknown>>;
const titleOf = (f: PlotlyFigure): string => String((f.layout?.title as { text: string }).text);
/** A figure must survive JSON unchanged (no NaN, undefined or functions), as stored artifacts and outputs are JSON. */
const jsonSafe = (f: PlotlyFigure): void => expect(JSON.parse(JSON.stringify(f))).toEqual(f);

beforeAll(async () => {
  await initBackend();
});

describe('confusionMatrixFigure', () => {
  const labels = ['a', 'b', 'c'];
  const matrix = [[3, 1, 0], [0, 1, 1], [1, 0, 1]];

  it('counts: one heatmap, predicted across and true down (first class on top), every cell annotated', () => {
    const f = confusionMatrixFigure({ labels, matrix });
    jsonSafe(f);
    expect(traces(f)).toHaveLength(1);
    expect(traces(f)[0]).toMatchObject({ type: 'heatmap', x: labels, y: labels, z: matrix, colorscale: 'Blues' });
    expect(layout(f).xaxis.title?.text).toBe('Predicted label');
    expect(layout(f).yaxis).toMatchObject({ title: { text: 'True label' }, autorange: 'reversed', type: 'category' });
    expect(titleOf(f)).toBe('Confusion matrix, held-out n = 8');
    const notes = layout(f).annotations as unknown as Array<{ x: string; y: string; text: string }>;
    expect(notes).toHaveLength(9);
    expect(notes.find((a) => a.y === 'a' && a.x === 'b')?.text).toBe('1'); // true a predicted b
    expect(notes.find((a) => a.y === 'c' && a.x === 'a')?.text).toBe('1');
    expect(notes.find((a) => a.y === 'a' && a.x === 'a')?.text).toBe('3');
  });

  it('normalized by true class: rows are fractions (3/4 = 0.75), a class without true samples is n/a', () => {
    const f = confusionMatrixFigure({ labels: [...labels, 'd'], matrix: [[3, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]], normalize: true });
    jsonSafe(f);
    const z = traces(f)[0].z as Array<Array<number | null>>;
    expect(z[0]).toEqual([0.75, 0.25, 0, 0]);
    expect(z[1]).toEqual([0, 0.5, 0.5, 0]);
    expect(z[3]).toEqual([null, null, null, null]);
    expect(traces(f)[0]).toMatchObject({ zmin: 0, zmax: 1 });
    const notes = layout(f).annotations as unknown as Array<{ x: string; y: string; text: string }>;
    expect(notes.find((a) => a.y === 'a' && a.x === 'a')?.text).toBe('0.75<br>(3)');
    expect(notes.find((a) => a.y === 'd' && a.x === 'd')?.text).toBe('n/a');
    expect(titleOf(f)).toMatch(/normalized by true class/);
  });

  it('rejects a matrix that does not match the labels', () => {
    expect(thrown(() => confusionMatrixFigure({ labels, matrix: [[1, 2], [3, 4]] })).detail.field).toBe('matrix');
  });
});

describe('rocFigure / precisionRecallFigure (scikit-learn docs example: AUC 0.75, AP 0.8333)', () => {
  const y = [false, false, true, true];
  const s = [0.1, 0.4, 0.35, 0.8];

  it('ROC: the curve with its AUC in the legend, the chance diagonal, axis titles, a note for a class without a curve', () => {
    const f = rocFigure([rocCurve(y, s, 'yes'), rocCurve([false, false, false, false], s, 'never')], { subtitle: 'one-vs-rest' });
    jsonSafe(f);
    const [curve, chance] = traces(f);
    expect(traces(f)).toHaveLength(2);
    expect(curve).toMatchObject({ type: 'scatter', mode: 'lines', name: 'yes (AUC 0.750)', x: [0, 0, 0.5, 0.5, 1], y: [0, 0.5, 0.5, 1, 1], line: { color: PALETTE[0] } });
    expect(chance).toMatchObject({ name: 'chance (AUC 0.5)', x: [0, 1], y: [0, 1], line: { dash: 'dash' } });
    expect(layout(f).xaxis.title?.text).toBe('False positive rate');
    expect(layout(f).yaxis.title?.text).toBe('True positive rate (recall)');
    expect(titleOf(f)).toBe('ROC curve (one-vs-rest), held-out data');
    const notes = layout(f).annotations as unknown as Array<{ text: string }>;
    expect(notes[0].text).toMatch(/No curve for never: no sample of "never"/);
  });

  it('PR: a step line with AP in the legend and the prevalence baseline in the same color', () => {
    const f = precisionRecallFigure([precisionRecallCurve(y, s, 'yes')], { colorIndexes: [2] });
    jsonSafe(f);
    const [curve, baseline] = traces(f);
    expect(curve).toMatchObject({ name: 'yes (AP 0.833)', x: [1, 1, 0.5, 0.5, 0], y: [0.5, 2 / 3, 0.5, 1, 1], line: { shape: 'hv', color: PALETTE[2] } });
    expect(baseline).toMatchObject({ name: 'yes chance (prevalence 0.500)', x: [0, 1], y: [0.5, 0.5], line: { dash: 'dash', color: PALETTE[2] } });
    expect(layout(f).xaxis.title?.text).toBe('Recall');
    expect(layout(f).yaxis.title?.text).toBe('Precision');
  });
});

describe('regression figures', () => {
  const input = { actual: [3, -0.5, 2, 7], predicted: [2.5, 0, 2, 8], target: 'mpg' };

  it('residuals = actual - predicted against predicted, with the zero line', () => {
    const f = residualsFigure(input);
    jsonSafe(f);
    expect(traces(f)[0]).toMatchObject({ type: 'scatter', mode: 'markers', x: [2.5, 0, 2, 8], y: [0.5, -0.5, 0, -1] });
    expect(traces(f)[1]).toMatchObject({ x: [0, 8], y: [0, 0], line: { dash: 'dash' } });
    expect(layout(f).xaxis.title?.text).toBe('Predicted mpg');
    expect(layout(f).yaxis.title?.text).toBe('Residual (actual - predicted)');
    expect(titleOf(f)).toBe('Residuals vs predicted mpg, held-out n = 4');
  });

  it('predicted vs actual with the y = x line over one shared range', () => {
    const f = predictedVsActualFigure(input);
    jsonSafe(f);
    expect(traces(f)[0]).toMatchObject({ x: [3, -0.5, 2, 7], y: [2.5, 0, 2, 8] });
    // range: min -0.5, max 8, padded by 3 % of 8.5 = 0.255
    const line = traces(f)[1];
    expect(line.x).toEqual(line.y);
    expect((line.x as number[])[0]).toBeCloseTo(-0.755, 12);
    expect((line.x as number[])[1]).toBeCloseTo(8.255, 12);
    expect(layout(f).xaxis).toMatchObject({ title: { text: 'Actual mpg' }, range: line.x });
    expect(layout(f).yaxis).toMatchObject({ title: { text: 'Predicted mpg' }, range: line.x, scaleanchor: 'x' });
    expect(thrown(() => residualsFigure({ actual: [1], predicted: [1, 2] })).detail.field).toBe('predicted');
  });
});

describe('learningCurvesFigure', () => {
  const classification: EpochLog[] = [
    { epoch: 1, loss: 1.0, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.4 },
    { epoch: 2, loss: 0.8, accuracy: 0.6, valLoss: 0.9, valAccuracy: 0.55 },
    { epoch: 3, loss: 0.7, accuracy: 0.7, valLoss: Number.NaN, valAccuracy: 0.6 },
  ];

  it('classification: loss and accuracy side by side, training vs validation, NaN as a gap, best epoch marked', () => {
    const f = learningCurvesFigure(classification, { lossName: 'cross-entropy', earlyStopping: { bestEpoch: 2, bestValLoss: 0.9, restoredBest: true, patience: 1, minDelta: 0 } });
    jsonSafe(f);
    expect(traces(f).map((t) => t.name)).toEqual(['training loss', 'validation loss', 'training accuracy', 'validation accuracy']);
    expect(traces(f)[0]).toMatchObject({ x: [1, 2, 3], y: [1.0, 0.8, 0.7], line: { color: PALETTE[0] } });
    expect(traces(f)[1]).toMatchObject({ y: [1.1, 0.9, null], line: { color: PALETTE[1] } });
    expect(traces(f)[3]).toMatchObject({ y: [0.4, 0.55, 0.6], xaxis: 'x2', yaxis: 'y2' });
    expect(layout(f).yaxis.title?.text).toBe('Loss (cross-entropy)');
    expect(layout(f).yaxis2.title?.text).toBe('Accuracy');
    expect(layout(f).xaxis.title?.text).toBe('Epoch');
    expect(layout(f).shapes).toEqual([expect.objectContaining({ x0: 2, x1: 2 })]);
    expect(titleOf(f)).toBe('Learning curves, 3 epochs');
  });

  it('regression (accuracy NaN): the loss panel only; an empty history is refused', () => {
    const f = learningCurvesFigure(classification.map((h) => ({ ...h, accuracy: Number.NaN, valAccuracy: undefined })));
    jsonSafe(f);
    expect(traces(f).map((t) => t.name)).toEqual(['training loss', 'validation loss']);
    expect(layout(f).xaxis2).toBeUndefined();
    expect(thrown(() => learningCurvesFigure([])).detail.field).toBe('history');
  });
});

describe('permutationImportanceFigure', () => {
  it('horizontal bars sorted so the most important feature is on top, std as error bars', () => {
    const result: PermutationImportanceResult = {
      scoring: 'accuracy', baseline: 0.9, rows: 50, nRepeats: 5, seed: 1,
      features: [{ feature: 'a', mean: 0.2, std: 0.01, importances: [] }, { feature: 'b', mean: 0.01, std: 0.02, importances: [] }, { feature: 'c', mean: 0.3, std: 0.05, importances: [] }],
    };
    const f = permutationImportanceFigure(result);
    jsonSafe(f);
    expect(traces(f)[0]).toMatchObject({ type: 'bar', orientation: 'h', y: ['b', 'a', 'c'], x: [0.01, 0.2, 0.3], error_x: { type: 'data', array: [0.02, 0.01, 0.05], visible: true } });
    expect(layout(f).xaxis.title?.text).toBe('Decrease in accuracy when the feature is shuffled');
    expect(titleOf(f)).toBe('Permutation importance (held-out accuracy 0.900, 5 shuffles of 50 rows)');
  });
});

// Palmer penguins (vega-datasets): 344 rows with missing values; cars: 406 rows.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const cars = JSON.parse(readFileSync('node_modules/vega-datasets/data/cars.json', 'utf8')) as FeatureRecord[];
const FEATURES = ['Beak Length (mm)', 'Flipper Length (mm)', 'Island'];

describe('modelPlot / evaluationPlots on trained models', () => {
  it('multiclass decision tree: confusion matrix = its evaluation, one ROC/PR curve per class with the evaluation\'s AUCs, importance', async () => {
    const tree = await trainDecisionTree(penguins, { target: 'Species', features: FEATURES, maxDepth: 3, seed: 2 });
    const e = tree.evaluation;
    if (e.task !== 'classification') throw new Error('expected classification');
    expect(applicablePlots(tree)).toEqual(['confusion-matrix', 'roc-curve', 'pr-curve', 'permutation-importance']);
    expect(() => modelPlot(tree, 'forecast')).toThrow('cannot draw forecast: forecast applies to forecasting models; this is a classification model');
    expect(() => modelPlot(tree, 'anomaly-scores')).toThrow('cannot draw anomaly-scores: anomaly-scores applies to anomaly models; this is a classification model');
    const plots = evaluationPlots(tree, { importance: { nRepeats: 2 } });
    expect(plots.map((p) => p.kind)).toEqual(applicablePlots(tree));
    plots.forEach((p) => jsonSafe(p.figure));
    expect(traces(plots[0].figure)[0].z).toEqual(e.confusionMatrix);
    const roc = traces(plots[1].figure);
    expect(roc.map((t) => t.name)).toEqual([...e.labels.map((l, i) => `${l} (AUC ${(e.rocAucPerClass[i] as number).toFixed(3)})`), 'chance (AUC 0.5)']);
    expect(roc.slice(0, 3).map((t) => (t.line as { color: string }).color)).toEqual(PALETTE.slice(0, 3));
    expect(traces(plots[2].figure).filter((t) => String(t.name).includes('(AP '))).toHaveLength(3);
    expect(traces(plots[3].figure)[0].y).toHaveLength(3);
    expect(thrown(() => modelPlot(tree, 'residuals')).message).toMatch(/residuals applies to regression models; this is a classification model/);
    expect(thrown(() => modelPlot(tree, 'learning-curves')).message).toMatch(/no epochs/);
    expect(thrown(() => modelPlot(tree, 'bogus' as 'roc-curve')).message).toMatch(/unknown plot "bogus"/);
  });

  it('binary classifier: one ROC curve for the second label with the evaluation\'s ROC AUC; positiveLabel picks the other', async () => {
    const two = penguins.filter((p) => p.Species !== 'Chinstrap');
    const tree = await trainDecisionTree(two, { target: 'Species', features: ['Flipper Length (mm)'], maxDepth: 2, seed: 2 });
    const e = tree.evaluation;
    if (e.task !== 'classification' || e.rocAuc === null) throw new Error('expected a defined ROC AUC');
    const roc = modelPlot(tree, 'roc-curve');
    expect(traces(roc).map((t) => t.name)).toEqual([`Gentoo (AUC ${e.rocAuc.toFixed(3)})`, 'chance (AUC 0.5)']);
    expect(titleOf(roc)).toBe('ROC curve (positive class "Gentoo"), held-out data');
    expect((traces(roc)[0].line as { color: string }).color).toBe(PALETTE[1]);
    expect(traces(modelPlot(tree, 'pr-curve', { positiveLabel: 'Adelie' }))[0].name).toMatch(/^Adelie \(AP /);
    expect(thrown(() => modelPlot(tree, 'roc-curve', { positiveLabel: 'Chinstrap' })).detail.field).toBe('positiveLabel');
  });

  it('MLP classifier (TrainedClassifier): also learning curves from its history', async () => {
    const mlp = await trainMlpClassifier(penguins, { target: 'Species', features: FEATURES, hiddenLayers: [8], epochs: 3, learningRate: 0.01, seed: 2 });
    try {
      const plots = evaluationPlots(mlp, { importance: { nRepeats: 1 } });
      expect(plots.map((p) => p.kind)).toEqual(['confusion-matrix', 'roc-curve', 'pr-curve', 'learning-curves', 'permutation-importance']);
      const curves = plots[3].figure;
      expect(traces(curves)[0].y).toEqual(mlp.history.map((h) => h.loss));
      expect(layout(curves).yaxis.title?.text).toBe('Loss (cross-entropy)');
      plots.forEach((p) => jsonSafe(p.figure));
    } finally {
      mlp.model.dispose();
    }
  });

  it('linear regression on cars: residuals and predicted-vs-actual from the held-out rows, learning curves, importance by R^2', async () => {
    const lr = await trainLinearRegression(cars, { target: 'Miles_per_Gallon', features: ['Horsepower', 'Weight_in_lbs', 'Origin'], epochs: 5, seed: 1 });
    try {
      const e = lr.evaluation;
      if (e.task !== 'regression') throw new Error('expected regression');
      expect(applicablePlots(lr)).toEqual(['residuals', 'predicted-vs-actual', 'learning-curves', 'permutation-importance']);
      const residuals = modelPlot(lr, 'residuals');
      expect(traces(residuals)[0].x).toEqual(e.predicted);
      expect(traces(residuals)[0].y).toEqual(e.residuals);
      expect(layout(residuals).xaxis.title?.text).toBe('Predicted Miles_per_Gallon');
      expect(traces(modelPlot(lr, 'predicted-vs-actual'))[0].x).toEqual(lr.heldOut?.y);
      const curves = modelPlot(lr, 'learning-curves');
      expect(traces(curves).map((t) => t.name)).toEqual(['training loss', 'validation loss']);
      expect(titleOf(modelPlot(lr, 'permutation-importance', { importance: { nRepeats: 2 } }))).toMatch(/held-out R\^2 /);
    } finally {
      lr.adapter.dispose();
    }
  });

  it('k-means: no evaluation plot applies, and asking for one says why', async () => {
    const km = await trainKMeans(penguins, { features: ['Beak Length (mm)', 'Flipper Length (mm)'], k: 3, elbowKs: [] });
    expect(applicablePlots(km)).toEqual([]);
    expect(evaluationPlots(km)).toEqual([]);
    const e = thrown(() => modelPlot(km, 'confusion-matrix'));
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe('cannot draw confusion-matrix: confusion-matrix applies to classification models; this is a clustering model');
  });
});
