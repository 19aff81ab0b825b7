import { describe, expect, it } from 'vitest';
import { classificationReport } from './metrics.ts';

describe('classificationReport', () => {
  it('matches a hand-computed confusion matrix and scores', () => {
    const yTrue = ['a', 'a', 'a', 'b', 'b', 'c'];
    const yPred = ['a', 'a', 'b', 'b', 'c', 'c'];
    const r = classificationReport(yTrue, yPred);
    // Rows = true, columns = predicted, labels sorted [a, b, c]:
    //        a  b  c
    //   a    2  1  0
    //   b    0  1  1
    //   c    0  0  1
    expect(r.labels).toEqual(['a', 'b', 'c']);
    expect(r.confusionMatrix).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    // a: TP 2, FP 0, FN 1 -> P = 1, R = 2/3, F1 = 2*2/(4+0+1) = 0.8
    // b: TP 1, FP 1, FN 1 -> P = 1/2, R = 1/2, F1 = 2/(2+1+1) = 0.5
    // c: TP 1, FP 1, FN 0 -> P = 1/2, R = 1, F1 = 2/(2+1+0) = 2/3
    // accuracy = 4/6; macro-F1 = (0.8 + 0.5 + 2/3) / 3 = 59/90.
    // scikit-learn gives the same: precision_recall_fscore_support(yTrue, yPred) ->
    // P [1, .5, .5], R [.667, .5, 1], F [.8, .5, .667], support [3, 2, 1]; f1_score(average="macro") = 0.6556.
    const expected = [
      { label: 'a', precision: 1, recall: 2 / 3, f1: 0.8, support: 3 },
      { label: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { label: 'c', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 },
    ];
    r.perClass.forEach((c, i) => {
      expect(c.label).toBe(expected[i].label);
      expect(c.precision).toBeCloseTo(expected[i].precision, 12);
      expect(c.recall).toBeCloseTo(expected[i].recall, 12);
      expect(c.f1).toBeCloseTo(expected[i].f1, 12);
      expect(c.support).toBe(expected[i].support);
      expect(c.undefinedReason).toBeUndefined();
    });
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.macroF1).toBeCloseTo(59 / 90, 12);
    expect(r.n).toBe(6);
  });

  it('reports precision of a never-predicted class as null, with F1 = 0 (as scikit-learn)', () => {
    // b is never predicted: TP 0, FP 0 -> precision 0/0 (scikit-learn warns and uses 0);
    // recall 0/1 = 0; F1 = 0/(0+0+1) = 0. a: TP 2, FP 1, FN 0 -> P 2/3, R 1, F1 4/5.
    const r = classificationReport(['a', 'a', 'b'], ['a', 'a', 'a']);
    const b = r.perClass[1];
    expect(b).toEqual({ label: 'b', precision: null, recall: 0, f1: 0, support: 1, undefinedReason: 'class never predicted (precision is 0/0)' });
    expect(r.macroF1).toBeCloseTo((0.8 + 0) / 2, 12); // scikit-learn: 0.4 as well
  });

  it('reports recall of a class absent from yTrue as null', () => {
    // b predicted once, never true: TP 0, FP 1, FN 0 -> P 0, R 0/0, F1 0/(0+1+0) = 0.
    const r = classificationReport(['a', 'a'], ['a', 'b']);
    expect(r.perClass[1]).toEqual({ label: 'b', precision: 0, recall: null, f1: 0, support: 0, undefinedReason: 'class absent from the true labels (recall is 0/0)' });
  });

  it('leaves a requested label seen nowhere out of macro-F1 (scikit-learn would count it as 0)', () => {
    const r = classificationReport(['a', 'a', 'b'], ['a', 'a', 'a'], ['a', 'b', 'c']);
    expect(r.perClass[2]).toMatchObject({ label: 'c', precision: null, recall: null, f1: null, support: 0 });
    expect(r.perClass[2].undefinedReason).toContain('F1 is 0/0');
    expect(r.confusionMatrix).toEqual([[2, 0, 0], [1, 0, 0], [0, 0, 0]]);
    // Defined F1s: a 0.8, b 0 -> 0.4. scikit-learn f1_score(..., labels=[a, b, c], average="macro") = 0.2667.
    expect(r.macroF1).toBeCloseTo(0.4, 12);
  });

  it('counts a prediction outside the requested labels as a miss of the true class', () => {
    // labels=[a] only: the sample a->z is out of the reported matrix but still a false negative of a
    // (scikit-learn recall_score(["a","a"], ["a","z"], labels=["a"], average=None) = [0.5]).
    const r = classificationReport(['a', 'a'], ['a', 'z'], ['a']);
    expect(r.confusionMatrix).toEqual([[1]]);
    expect(r.perClass[0]).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(r.accuracy).toBe(0.5);
  });

  it('rejects mismatched lengths and empty input', () => {
    expect(() => classificationReport(['a'], [])).toThrow(/yTrue has 1 labels but yPred has 0/);
    expect(() => classificationReport([], [])).toThrow(/zero samples/);
  });
});
