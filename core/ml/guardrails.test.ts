import { describe, expect, it } from 'vitest';
import { checkTrainingData, trainingNotes } from './guardrails.ts';
import { trainDecisionTree } from './classic.ts';
import { modelSummary } from './predict.ts';
import type { FeatureRecord } from './types.ts';

/** 40 rows: x cycles 0..9, class a/b alternating (so x does not determine the class one-to-one). */
const rows: FeatureRecord[] = Array.from({ length: 40 }, (_, i) => ({ x: i % 10, y: i % 2 === 0 ? 'a' : 'b', z: 7, code: i % 2 === 0 ? 1 : 2, copy: i % 2 === 0 ? 'a' : 'b', v: i * 1.5, w: i * 1.5 }));

describe('checkTrainingData', () => {
  it('accepts clean data with no warnings', () => {
    expect(checkTrainingData(rows, { target: 'y', features: ['x'], task: 'classification', testRows: 10 })).toEqual([]);
  });

  it('refuses a classification target with one class', () => {
    const one = rows.map((r) => ({ ...r, y: 'a' }));
    expect(() => checkTrainingData(one, { target: 'y', features: ['x'], task: 'classification' })).toThrow(expect.objectContaining({ code: 'DATA_INVALID', message: expect.stringContaining('has 1 class ("a")') }));
  });

  it('warns about a constant feature, naming it', () => {
    expect(checkTrainingData(rows, { target: 'y', features: ['x', 'z'], task: 'classification' })).toEqual(['feature "z" is constant (always 7): it carries no information']);
  });

  it('refuses a feature identical to the target, or a one-to-one relabeling of it, as target leakage naming the feature', () => {
    expect(() => checkTrainingData(rows, { target: 'y', features: ['x', 'copy'], task: 'classification' })).toThrow(expect.objectContaining({ code: 'DATA_INVALID', message: 'target leakage: feature "copy" is identical to the target "y"', detail: { field: 'copy' } }));
    expect(() => checkTrainingData(rows, { target: 'y', features: ['code'], task: 'classification' })).toThrow('target leakage: feature "code" is a one-to-one relabeling of the target "y"');
  });

  it('ignores missing values in the leakage check', () => {
    const gappy = rows.map((r, i) => ({ ...r, code: i % 3 === 0 ? null : r.code }));
    expect(() => checkTrainingData(gappy, { target: 'y', features: ['code'], task: 'classification' })).toThrow('target leakage');
  });

  it('for regression refuses only an identical column (distinct numbers are always one-to-one)', () => {
    expect(() => checkTrainingData(rows, { target: 'v', features: ['w'], task: 'regression' })).toThrow('target leakage: feature "w" is identical to the target "v"');
    expect(checkTrainingData(rows, { target: 'v', features: ['x'], task: 'regression', testRows: 10 })).toEqual([]);
  });

  it('warns when the test split has fewer than max(10, n_classes) rows', () => {
    expect(checkTrainingData(rows, { target: 'y', features: ['x'], task: 'classification', testRows: 9 })).toEqual(['the test split has 9 rows (fewer than 10): its metrics are too noisy to trust; use more data or a larger testFraction']);
    const many: FeatureRecord[] = Array.from({ length: 60 }, (_, i) => ({ x: i % 7, y: `c${i % 12}` }));
    expect(checkTrainingData(many, { target: 'y', features: ['x'], task: 'classification', testRows: 11 })).toEqual(['the test split has 11 rows (fewer than 12): its metrics are too noisy to trust; use more data or a larger testFraction']);
    expect(checkTrainingData(many, { target: 'y', features: ['x'], task: 'classification', testRows: 12 })).toEqual([]);
  });
});

describe('warnings on trained models', () => {
  it('returns the warnings on the model and prints them in the summary', async () => {
    const m = await trainDecisionTree(rows, { target: 'y', features: ['x', 'z'], testFraction: 0.2, seed: 1 });
    try {
      expect(m.warnings).toEqual(['feature "z" is constant (always 7): it carries no information', 'the test split has 8 rows (fewer than 10): its metrics are too noisy to trust; use more data or a larger testFraction']);
      expect(modelSummary(m)).toContain('\nwarning: feature "z" is constant (always 7): it carries no information');
    } finally {
      m.adapter.dispose();
    }
  });

  it('refuses to train a template on a leaking feature', async () => {
    await expect(trainDecisionTree(rows, { target: 'y', features: ['x', 'code'] })).rejects.toThrow('target leakage: feature "code"');
  });

  it('adds nothing to a summary when there is nothing to say', () => {
    expect(trainingNotes({ params: {} })).toEqual([]);
    expect(trainingNotes({ params: {}, warnings: [] })).toEqual([]);
  });
});
