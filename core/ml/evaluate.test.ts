import { describe, expect, it } from 'vitest';
import { averagePrecision, binaryRocAuc, evaluateClassification, evaluateRegression, inertia, logLoss, silhouetteScore } from './evaluate.ts';
import { thrown } from '../testing.ts';

// Reference values: scikit-learn 1.2.1 (Debian bookworm python3-sklearn), computed once with
// /usr/bin/python3 and pasted here (the script is reproduced in docs/models.md, "Metric references").

const LABELS = ['a', 'b', 'c'];
const Y = ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'a'];
// prettier-ignore
const P = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4, 0.5, 0.2, 0.3, 0.6, 0.1, 0.3, 0.2, 0.7, 0.1];

describe('evaluateClassification (scikit-learn 1.2.1 references)', () => {
  const e = evaluateClassification(Y, P, LABELS, ['a', 'a', 'b']);

  it('argmax predictions (first class on a tie), accuracy, confusion matrix', () => {
    // predictions a b c a c a a b (row 4 ties a/b at 0.4 -> a, as numpy argmax)
    expect(e.accuracy).toBe(0.625); // accuracy_score
    expect(e.confusionMatrix).toEqual([[3, 1, 0], [0, 1, 1], [1, 0, 1]]); // confusion_matrix
  });

  it('per-class P/R/F1, macro and weighted F1, balanced accuracy', () => {
    // precision_recall_fscore_support: P = R = F1 = [0.75, 0.5, 0.5], support [4, 2, 2]
    expect(e.perClass.map((c) => c.precision)).toEqual([0.75, 0.5, 0.5]);
    expect(e.perClass.map((c) => c.recall)).toEqual([0.75, 0.5, 0.5]);
    expect(e.perClass.map((c) => c.support)).toEqual([4, 2, 2]);
    expect(e.macroF1).toBeCloseTo(0.5833333333333334, 12); // f1_score(average="macro")
    expect(e.weightedF1).toBeCloseTo(0.625, 12); // f1_score(average="weighted")
    expect(e.balancedAccuracy).toBeCloseTo(0.5833333333333334, 12); // balanced_accuracy_score
  });

  it('ROC AUC one-vs-rest macro and per class, log loss', () => {
    expect(e.rocAuc).toBeCloseTo(0.7743055555555557, 12); // roc_auc_score(multi_class="ovr", average="macro")
    expect(e.rocAucPerClass[0]).toBeCloseTo(0.78125, 12);
    expect(e.rocAucPerClass[1]).toBeCloseTo(0.7083333333333334, 12);
    expect(e.rocAucPerClass[2]).toBeCloseTo(0.8333333333333333, 12);
    expect(e.logLoss).toBeCloseTo(0.8756434531238484, 12); // log_loss(labels=...)
    expect(e.undefinedReasons).toEqual({});
  });

  it('majority baseline uses the training labels', () => {
    expect(e.baseline).toEqual({ strategy: 'most_frequent', label: 'a', accuracy: 0.5 });
  });

  it('reports ROC AUC as undefined with a reason when one class is present', () => {
    const one = evaluateClassification(['a', 'a'], [0.9, 0.1, 0.4, 0.6], ['a', 'b']);
    expect(one.rocAuc).toBeNull();
    expect(one.undefinedReasons.rocAuc).toMatch(/only one class present/);
    expect(one.logLoss).not.toBeNull();
    // Multiclass with an absent class: averaged over the defined ones, the others named.
    const absent = evaluateClassification(['a', 'b', 'a', 'b'], [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.3, 0.6, 0.1], ['a', 'b', 'c']);
    expect(absent.rocAucPerClass[2]).toBeNull();
    expect(absent.rocAuc).toBe(1); // both defined classes separate perfectly (hand computation)
    expect(absent.undefinedReasons.rocAucExcluded).toContain('"c"');
  });
});

describe('binary metrics', () => {
  it('ROC AUC matches scikit-learn, including tied scores', () => {
    expect(binaryRocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]).value).toBe(0.75); // roc_auc_score docs example
    const y = [0, 0, 1, 1, 0, 1, 1, 0].map((v) => v === 1);
    expect(binaryRocAuc(y, [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]).value).toBeCloseTo(0.8125, 12); // roc_auc_score
  });

  it('log loss matches scikit-learn for two columns', () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2];
    const probs = s.flatMap((p) => [1 - p, p]);
    const y = [0, 0, 1, 1, 0, 1, 1, 0].map(String);
    expect(logLoss(y, probs, ['0', '1'])).toBeCloseTo(0.45559652973111076, 12); // log_loss
  });
});

describe('evaluateRegression (scikit-learn 1.2.1 references)', () => {
  it('matches the r2_score documentation example', () => {
    expect(evaluateRegression([3, -0.5, 2, 7], [2.5, 0, 2, 8]).r2).toBeCloseTo(0.9486081370449679, 12);
  });

  it('MAE, RMSE, R^2, residuals and the mean baseline', () => {
    const e = evaluateRegression([3, -0.5, 2, 7, 4.2], [2.5, 0, 2.1, 7.8, 3], 3);
    expect(e.mae).toBeCloseTo(0.62, 12); // mean_absolute_error
    expect(e.rmse).toBeCloseTo(0.7197221686178633, 12); // sqrt(mean_squared_error)
    expect(e.r2).toBeCloseTo(0.9153373430962344, 12); // r2_score
    expect(e.residuals.map((r) => Number(r.toFixed(10)))).toEqual([0.5, -0.5, -0.1, -0.8, 1.2]);
    // Mean predictor 3 (hand): |0|+3.5+1+4+1.2 = 9.7 / 5
    expect(e.baseline?.mae).toBeCloseTo(1.94, 12);
  });

  it('R^2 of a constant target is undefined with a reason (scikit-learn returns 0.0 by convention)', () => {
    const e = evaluateRegression([2, 2, 2], [2, 2, 3]);
    expect(e.r2).toBeNull();
    expect(e.undefinedReasons.r2).toMatch(/constant/);
    expect(Number.isNaN(e.mae)).toBe(false);
  });

  it('rejects a non-finite prediction naming it', () => {
    expect(() => evaluateRegression([1, 2], [1, Number.NaN])).toThrow(/yPred\[1\]/);
  });
});

describe('clustering metrics (scikit-learn 1.2.1 references)', () => {
  const X = [0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 6, 5, 9, 0, 9, 1];
  it('silhouette_score', () => {
    expect(silhouetteScore(X, 2, [0, 0, 0, 1, 1, 1, 2, 2]).value).toBeCloseTo(0.8276825032365227, 12);
    expect(silhouetteScore(X, 2, [0, 0, 1, 1, 1, 1, 2, 0]).value).toBeCloseTo(0.05371047724211931, 12);
    expect(silhouetteScore(X, 2, [0, 0, 0, 1, 1, 1, 1, 2]).value).toBeCloseTo(0.3939347255411699, 12); // a singleton scores 0
  });

  it('silhouette with one cluster is undefined with a reason', () => {
    const s = silhouetteScore(X, 2, [0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.value).toBeNull();
    expect(s.reason).toMatch(/between 2 and n - 1/);
  });

  it('inertia equals KMeans.inertia_ for its centroids', () => {
    // KMeans(n_clusters=3, random_state=0) on X: inertia_ 3.166666666666667
    expect(inertia(X, 2, [[16 / 3, 16 / 3], [1 / 3, 1 / 3], [9, 0.5]])).toBeCloseTo(3.166666666666667, 12);
  });
});

describe('averagePrecision', () => {
  it('matches scikit-learn 1.2.1 average_precision_score, ties included', () => {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333333333333333 (the scikit-learn docs example)
    expect(averagePrecision([false, false, true, true], [0.1, 0.4, 0.35, 0.8]).value).toBeCloseTo(0.8333333333333333, 12);
    // y = [1,0,1,1,0,0,0,1,0,0,1,0], s = [0.9,0.8,0.8,0.7,0.5,0.5,0.5,0.4,0.3,0.2,0.2,0.1] (ties at 0.8, 0.5, 0.2):
    // average_precision_score = 0.6742424242424243 (roc_auc_score = 0.6857142857142857)
    const y = [1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0].map((v) => v === 1);
    const s = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1];
    expect(averagePrecision(y, s).value).toBeCloseTo(0.6742424242424243, 12);
    expect(binaryRocAuc(y, s).value).toBeCloseTo(0.6857142857142857, 12);
    // All positive: precision is 1 at every threshold (scikit-learn: 1.0).
    expect(averagePrecision([true, true, true], [0.1, 0.2, 0.3]).value).toBe(1);
  });

  it('is undefined with a reason when no sample is positive (scikit-learn warns and returns 0)', () => {
    expect(averagePrecision([false, false], [0.1, 0.2])).toEqual({ value: null, reason: 'no positive sample in the true labels: recall, hence average precision, is not defined' });
    expect(thrown(() => averagePrecision([true], [Number.NaN])).message).toBe('scores[0] is not a finite number');
  });
});
