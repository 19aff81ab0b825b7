import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { thrown } from '../testing.ts';
import { macroAveragePrecision, precisionRecallCurve, precisionRecallCurves, rocCurve, rocCurves, type PrecisionRecallCurve, type RocCurve } from './curves.ts';
import { averagePrecision, binaryRocAuc, evaluateClassification } from './evaluate.ts';

// Reference values: scikit-learn 1.2.1 (Debian bookworm python3-sklearn), computed once with
// /usr/bin/python3 and pasted here:
//
//   import numpy as np; from sklearn import metrics as M
//   y = [0,0,1,1,0,1,1,0,1,0]; s = [0.1,0.4,0.35,0.8,0.4,0.4,0.9,0.2,0.35,0.6]
//   M.roc_curve(y, s)                                  # drop_intermediate=True (default)
//   M.roc_curve(y, s, drop_intermediate=False)
//   M.precision_recall_curve(y, s); M.average_precision_score(y, s); M.roc_auc_score(y, s)
//   yl = ['a','b','c','a','b','c','a','a']; P = (the 8 x 3 matrix P below); labels = ['a','b','c']
//   for j, l in enumerate(labels):
//       yb = [1 if v == l else 0 for v in yl]
//       M.roc_curve(yb, P[:, j]); M.precision_recall_curve(yb, P[:, j]); M.average_precision_score(yb, P[:, j])
//   from sklearn.preprocessing import label_binarize
//   M.average_precision_score(label_binarize(yl, classes=labels), P, average='macro')   # 0.6601190476190476

const defined = <T extends { defined: boolean }>(c: T | { defined: false; reason: string }): T => {
  if (!c.defined) throw new Error(`expected a defined curve, got: ${(c as { reason: string }).reason}`);
  return c as T;
};

function trapezoid(x: number[], y: number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

describe('rocCurve / precisionRecallCurve: hand example (scikit-learn docs)', () => {
  // y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]. By hand, thresholds descending 0.8 (pos),
  // 0.4 (neg), 0.35 (pos), 0.1 (neg): TP = 1,1,2,2 and FP = 0,1,1,2 of P = N = 2.
  const y = [false, false, true, true];
  const s = [0.1, 0.4, 0.35, 0.8];

  it('ROC points, thresholds (max + 1 first) and AUC', () => {
    const roc = defined<RocCurve>(rocCurve(y, s, 'pos'));
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([1.8, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBe(0.75); // 3 of the 4 (pos, neg) pairs are ordered right
    expect(roc).toMatchObject({ label: 'pos', positives: 2, negatives: 2 });
  });

  it('PR points in decreasing recall, AP = 0.5 x 1 + 0.5 x 2/3', () => {
    const pr = defined<PrecisionRecallCurve>(precisionRecallCurve(y, s, 'pos'));
    // precision at thresholds 0.1, 0.35, 0.4, 0.8 = 2/4, 2/3, 1/2, 1/1, then the final 1
    expect(pr.precision).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(pr.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(pr.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
    expect(pr.averagePrecision).toBeCloseTo(0.5 + 0.5 * (2 / 3), 15);
    expect(pr.prevalence).toBe(0.5);
  });
});

describe('rocCurve / precisionRecallCurve: binary with ties (scikit-learn 1.2.1)', () => {
  const y = [0, 0, 1, 1, 0, 1, 1, 0, 1, 0].map((v) => v === 1);
  const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2, 0.35, 0.6];

  it('roc_curve with drop_intermediate=True', () => {
    const roc = defined<RocCurve>(rocCurve(y, s, '1'));
    expect(roc.fpr).toEqual([0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 1.0]);
    expect(roc.tpr).toEqual([0.0, 0.2, 0.4, 0.4, 0.6, 1.0, 1.0]);
    expect(roc.thresholds).toEqual([1.9, 0.9, 0.8, 0.6, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBeCloseTo(0.68, 15); // roc_auc_score
  });

  it('roc_curve with drop_intermediate=False keeps the collinear point at 0.2', () => {
    const roc = defined<RocCurve>(rocCurve(y, s, '1', { dropIntermediate: false }));
    expect(roc.fpr).toEqual([0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 0.8, 1.0]);
    expect(roc.tpr).toEqual([0.0, 0.2, 0.4, 0.4, 0.6, 1.0, 1.0, 1.0]);
    expect(roc.thresholds).toEqual([1.9, 0.9, 0.8, 0.6, 0.4, 0.35, 0.2, 0.1]);
  });

  it('precision_recall_curve and average_precision_score', () => {
    const pr = defined<PrecisionRecallCurve>(precisionRecallCurve(y, s, '1'));
    const expected = [0.5, 0.5555555555555556, 0.625, 0.5, 0.6666666666666666, 1.0, 1.0, 1.0];
    pr.precision.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 15));
    expect(pr.recall).toEqual([1.0, 1.0, 1.0, 0.6, 0.4, 0.4, 0.2, 0.0]);
    expect(pr.thresholds).toEqual([0.1, 0.2, 0.35, 0.4, 0.6, 0.8, 0.9]);
    expect(pr.averagePrecision).toBeCloseTo(0.75, 15);
  });
});

describe('one-vs-rest curves (scikit-learn 1.2.1, 3 classes)', () => {
  const labels = ['a', 'b', 'c'];
  const y = ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'a'];
  // prettier-ignore
  const P = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4, 0.5, 0.2, 0.3, 0.6, 0.1, 0.3, 0.2, 0.7, 0.1];
  const sk = {
    a: { fpr: [0.0, 0.0, 0.0, 0.25, 0.25, 0.5, 0.75, 1.0], tpr: [0.0, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0, 1.0], th: [1.7, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
      prec: [0.5, 0.5714285714285714, 0.6, 0.75, 0.6666666666666666, 1.0, 1.0, 1.0], rec: [1.0, 1.0, 0.75, 0.75, 0.5, 0.5, 0.25, 0.0], thr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], ap: 0.8303571428571428 },
    b: { fpr: [0.0, 0.16666666666666666, 0.16666666666666666, 0.3333333333333333, 0.5, 0.8333333333333334, 1.0], tpr: [0.0, 0.0, 0.5, 0.5, 1.0, 1.0, 1.0], th: [1.7, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1],
      prec: [0.25, 0.2857142857142857, 0.4, 0.3333333333333333, 0.5, 0.0, 1.0], rec: [1.0, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0], thr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.7], ap: 0.45 },
    c: { fpr: [0.0, 0.0, 0.16666666666666666, 0.5, 0.6666666666666666, 1.0], tpr: [0.0, 0.5, 0.5, 1.0, 1.0, 1.0], th: [1.6, 0.6, 0.4, 0.3, 0.2, 0.1],
      prec: [0.25, 0.3333333333333333, 0.4, 0.5, 1.0, 1.0], rec: [1.0, 1.0, 1.0, 0.5, 0.5, 0.0], thr: [0.1, 0.2, 0.3, 0.4, 0.6], ap: 0.7 },
  };
  const close = (actual: number[], expected: number[]): void => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
  };

  it('roc_curve per class, and AUCs equal to the evaluation\'s rocAucPerClass', () => {
    const curves = rocCurves(y, P, labels).map((c) => defined<RocCurve>(c));
    const evaluation = evaluateClassification(y, P, labels);
    curves.forEach((c, j) => {
      const ref = sk[labels[j] as 'a' | 'b' | 'c'];
      close(c.fpr, ref.fpr);
      close(c.tpr, ref.tpr);
      close(c.thresholds, ref.th);
      expect(c.auc).toBe(evaluation.rocAucPerClass[j]);
    });
  });

  it('precision_recall_curve and AP per class, macro AP', () => {
    const curves = precisionRecallCurves(y, P, labels).map((c) => defined<PrecisionRecallCurve>(c));
    curves.forEach((c, j) => {
      const ref = sk[labels[j] as 'a' | 'b' | 'c'];
      close(c.precision, ref.prec);
      close(c.recall, ref.rec);
      close(c.thresholds, ref.thr);
      expect(c.averagePrecision).toBeCloseTo(ref.ap, 14);
    });
    expect(curves.map((c) => c.prevalence)).toEqual([0.5, 0.25, 0.25]);
    expect(macroAveragePrecision(curves)).toBeCloseTo(0.6601190476190476, 14);
  });

  it('a class absent from the true labels has no curve, with the reason; the others are unchanged', () => {
    const labels4 = [...labels, 'd'];
    const P4 = Array.from({ length: y.length * 4 }, (_, t) => (t % 4 === 3 ? 0 : P[Math.floor(t / 4) * 3 + (t % 4)]));
    const roc = rocCurves(y, P4, labels4);
    expect(roc[3]).toMatchObject({ defined: false, label: 'd', positives: 0, negatives: 8 });
    expect(roc[3].defined ? '' : roc[3].reason).toMatch(/no sample of "d"/);
    expect(defined<RocCurve>(roc[0]).auc).toBe(defined<RocCurve>(rocCurves(y, P, labels)[0]).auc);
    const pr = precisionRecallCurves(y, P4, labels4);
    expect(pr[3]).toMatchObject({ defined: false, label: 'd' });
    expect(macroAveragePrecision(pr)).toBeCloseTo(0.6601190476190476, 14); // the absent class is left out, not counted as 0
    expect(macroAveragePrecision([pr[3]])).toBeNull();
  });
});

describe('edge cases', () => {
  it('ROC is undefined without negatives; PR is defined (precision 1 everywhere)', () => {
    const roc = rocCurve([true, true], [0.2, 0.9], 'x');
    expect(roc).toMatchObject({ defined: false, positives: 2, negatives: 0 });
    expect(roc.defined ? '' : roc.reason).toMatch(/false positive rate is 0\/0/);
    const pr = defined<PrecisionRecallCurve>(precisionRecallCurve([true, true], [0.2, 0.9], 'x'));
    expect(pr.precision).toEqual([1, 1, 1]);
    expect(pr.averagePrecision).toBe(1);
  });

  it('all scores tied: one threshold, the ROC is the diagonal, AP = prevalence', () => {
    const y = [true, false, false, true, false];
    const roc = defined<RocCurve>(rocCurve(y, [0.5, 0.5, 0.5, 0.5, 0.5], 'x'));
    expect(roc.fpr).toEqual([0, 1]);
    expect(roc.tpr).toEqual([0, 1]);
    expect(roc.auc).toBe(0.5);
    expect(defined<PrecisionRecallCurve>(precisionRecallCurve(y, [0.5, 0.5, 0.5, 0.5, 0.5], 'x')).averagePrecision).toBeCloseTo(0.4, 15);
  });

  it('rejects mismatched lengths, no sample and non-finite scores, naming the field', () => {
    expect(thrown(() => rocCurve([true], [0.1, 0.2], 'x')).detail.field).toBe('scores');
    expect(thrown(() => precisionRecallCurve([], [], 'x')).code).toBe('DATA_INVALID');
    expect(thrown(() => rocCurve([true, false], [0.1, Number.NaN], 'x')).detail.field).toBe('scores[1]');
    expect(thrown(() => rocCurves(['a'], [0.5], ['a', 'b'])).detail.field).toBe('probabilities');
  });

  it('the trapezoidal area under the points equals binaryRocAuc, and AP equals averagePrecision (random scores with ties)', () => {
    const rng = seedrandom('curves');
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rng() * 60);
      const y = Array.from({ length: n }, (_, i) => i === 0 || (i !== 1 && rng() < 0.4));
      const s = Array.from({ length: n }, () => Math.round(rng() * 10) / 10);
      const expected = binaryRocAuc(y, s).value as number;
      for (const dropIntermediate of [true, false]) {
        const roc = defined<RocCurve>(rocCurve(y, s, 'x', { dropIntermediate }));
        expect(trapezoid(roc.fpr, roc.tpr)).toBeCloseTo(expected, 12);
        expect(roc.auc).toBe(expected);
      }
      // The step integral of the PR curve agrees with evaluate.ts averagePrecision (the anomaly evaluation's AP).
      expect(defined<PrecisionRecallCurve>(precisionRecallCurve(y, s, 'x')).averagePrecision).toBeCloseTo(averagePrecision(y, s).value as number, 12);
    }
  });
});
