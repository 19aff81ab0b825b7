import { describe, expect, it } from 'vitest';
import { renderTemplateCode } from './index.ts';

const base = { data: 'df', target: 'y', features: ['a', 'b'] };

describe('early stopping and class weights in template code', () => {
  it('renders nothing new when the options are absent', () => {
    for (const id of ['tabular.mlp-classifier', 'tabular.logistic-regression', 'tabular.linear-regression', 'tabular.mlp-regressor']) {
      const code = renderTemplateCode(id, base);
      expect(code).not.toContain('earlyStopping');
      expect(code).not.toContain('classWeight');
    }
  });

  it('passes earlyStoppingPatience and classWeight to the MLP classifier', () => {
    const code = renderTemplateCode('tabular.mlp-classifier', { ...base, earlyStoppingPatience: 5, classWeight: 'balanced' });
    expect(code).toContain('\n  earlyStoppingPatience: 5, classWeight: "balanced",\n  unseen: "error",\n');
    expect(renderTemplateCode('tabular.mlp-classifier', { ...base, earlyStoppingPatience: 4 })).toContain('\n  earlyStoppingPatience: 4,\n');
  });

  it('passes them to logistic regression and early stopping to the regressors', () => {
    expect(renderTemplateCode('tabular.logistic-regression', { ...base, earlyStoppingPatience: 5, classWeight: 'balanced' })).toContain('  epochs: 100, batchSize: 32, learningRate: 0.01, l2: 0, earlyStoppingPatience: 5, classWeight: "balanced",\n');
    expect(renderTemplateCode('tabular.linear-regression', { ...base, earlyStoppingPatience: 3 })).toContain('l2: 0, earlyStoppingPatience: 3,\n');
    expect(renderTemplateCode('tabular.mlp-regressor', { ...base, earlyStoppingPatience: 3 })).toContain('l2: 0, earlyStoppingPatience: 3,\n');
  });

  it('validates them', () => {
    expect(() => renderTemplateCode('tabular.mlp-classifier', { ...base, earlyStoppingPatience: 0 })).toThrow(expect.objectContaining({ code: 'TEMPLATE_PARAMS', detail: expect.objectContaining({ field: 'earlyStoppingPatience' }) }));
    expect(() => renderTemplateCode('tabular.logistic-regression', { ...base, classWeight: 'auto' })).toThrow(expect.objectContaining({ message: expect.stringContaining('must be one of "balanced"'), detail: expect.objectContaining({ field: 'classWeight' }) }));
    expect(() => renderTemplateCode('tabular.linear-regression', { ...base, classWeight: 'balanced' })).toThrow(expect.objectContaining({ message: expect.stringContaining('is not a parameter of this template'), detail: expect.objectContaining({ field: 'classWeight' }) }));
    expect(() => renderTemplateCode('tabular.decision-tree', { ...base, earlyStoppingPatience: 3 })).toThrow(expect.objectContaining({ message: expect.stringContaining('is not a parameter of this template'), detail: expect.objectContaining({ field: 'earlyStoppingPatience' }) }));
  });
});
