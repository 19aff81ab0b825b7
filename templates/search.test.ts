/**
 * The `search.hyperparameters` template and the `crossValidationFolds` option of the tabular
 * templates: readable code, validation at render time naming the param, and the generated code run
 * against the real core functions on penguins.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../core/testing.ts';
import { trainDecisionTree } from '../core/ml/classic.ts';
import { crossValidate, type CrossValidationResult } from '../core/ml/cv.ts';
import { modelSummary } from '../core/ml/predict.ts';
import { hyperparameterSearch, searchParallelCoordinates, searchResultsTable, type SearchResult } from '../core/ml/search.ts';
import type { FeatureRecord } from '../core/ml/types.ts';
import { renderTemplateCode } from './index.ts';

const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const FORM = { data: 'penguins', templateId: 'tabular.decision-tree', target: 'Species', features: ['Island', 'Beak Length (mm)'], space: '{"maxDepth": [2, 4], "minSamples": [2, 10]}' };

/** Runs generated cell code with the given globals; returns the value of its last line. */
async function runCell(code: string, globals: Record<string, unknown>): Promise<unknown> {
  const lines = code.trimEnd().split('\n');
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const cell = new AsyncFunction(...Object.keys(globals), `${lines.slice(0, -1).join('\n')}\nreturn ${lines.at(-1)};`);
  return cell(...Object.values(globals));
}

describe('search.hyperparameters template', () => {
  it('renders readable code with the defaults applied', () => {
    expect(renderTemplateCode('search.hyperparameters', FORM)).toBe([
      '// Template: Hyperparameter search — generated code, edit freely after "convert to code"',
      '// Each trial is a 5-fold cross-validation on the training rows; the best params are then refitted and evaluated on the held-out rows.',
      'const search = await stratum.search({',
      '  templateId: "tabular.decision-tree",',
      '  records: stratum.toRecords(penguins),',
      '  baseParams: { target: "Species", features: ["Island", "Beak Length (mm)"], testFraction: 0.2, seed: 42, unseen: "error" },',
      '  space: { maxDepth: [2, 4], minSamples: [2, 10] },',
      '  strategy: "grid",',
      '  folds: 5,',
      '  metric: "accuracy", // maximize',
      '});',
      'display(search); // the best params, why the search stopped, the refit run to register',
      'display(stratum.searchTable(search)); // every trial, best first',
      'plot(stratum.searchPlot(search)); // parallel coordinates: one axis per searched param, and the metric',
      'search.model',
      '',
    ].join('\n'));
  });

  it('renders fixed params, a budget, ranges and quoted keys', () => {
    const code = renderTemplateCode('search.hyperparameters', {
      ...FORM, templateId: 'tabular.logistic-regression', space: '{"learningRate": {"min": 0.001, "max": 0.1, "log": true}}', params: '{"epochs": 20}', strategy: 'random', trials: 8, minutes: 1.5, folds: 3, metric: 'logLoss', resultName: 'lr',
    });
    expect(code).toContain('  baseParams: { target: "Species", features: ["Island", "Beak Length (mm)"], epochs: 20, testFraction: 0.2, seed: 42, unseen: "error" },\n');
    expect(code).toContain('  space: { learningRate: { min: 0.001, max: 0.1, log: true } },\n  strategy: "random",\n  budget: { trials: 8, minutes: 1.5 },\n  folds: 3,\n  metric: "logLoss", // minimize\n');
    expect(code).toContain('const lr = await stratum.search({');
  });

  it('refuses a bad space, bad fixed params or a metric of the other task, naming the param', () => {
    const render = (extra: object): ReturnType<typeof thrown> => thrown(() => renderTemplateCode('search.hyperparameters', { ...FORM, ...extra }));
    const unknown = render({ space: '{"depth": [2, 3]}' });
    expect(unknown.message).toBe('params.space: space.depth: depth is not a param of tabular.decision-tree');
    expect(unknown.detail).toMatchObject({ field: 'space', param: 'space.depth' });
    expect(render({ space: '{"maxDepth": [0]}' }).message).toBe('params.space: space.maxDepth[0]: 0 is not a valid maxDepth: must be >= 1');
    expect(render({ space: '{"maxDepth": [2,' }).message).toMatch(/^params\.space: the search space is not valid JSON: /);
    expect(render({ space: '[1]' }).message).toBe('params.space: the search space must be a JSON object');
    expect(render({ space: '{"maxDepth": {"min": 2, "max": 8}}' }).detail.param).toBe('space.maxDepth');
    expect(render({ params: '{"maxDepth": 3}' }).message).toBe('params.params: maxDepth is searched; remove it from the fixed params');
    expect(render({ params: '{"gainThreshold": -1}' }).message).toBe('params.params: baseParams.gainThreshold: -1 is not a valid gainThreshold: must be >= 0');
    expect(render({ params: '{"target": "Island"}' }).detail.field).toBe('params');
    expect(render({ metric: 'rmse' }).message).toBe('params.metric: tabular.decision-tree is a classification template; metric: "rmse" is not a classification metric; use one of accuracy, balancedAccuracy, macroF1, weightedF1, rocAuc, logLoss');
    expect(render({ templateId: 'tabular.kmeans' }).detail.field).toBe('templateId');
    expect(render({ folds: 1 }).message).toBe('template search.hyperparameters: Folds must be at least 2');
  });

  it('generated code runs the search on penguins and shows the summary, table and figure', async () => {
    const code = renderTemplateCode('search.hyperparameters', { ...FORM, folds: 3 });
    const shown: unknown[] = [];
    const plotted: unknown[] = [];
    const stratum = {
      search: hyperparameterSearch,
      toRecords: (x: FeatureRecord[]) => x,
      searchTable: searchResultsTable,
      searchPlot: searchParallelCoordinates,
    };
    const model = await runCell(code, { stratum, penguins, display: (x: unknown) => shown.push(x), plot: (x: unknown) => plotted.push(x) });
    const result = shown[0] as SearchResult;
    expect(result.trials).toHaveLength(4);
    expect(result.model).toBe(model);
    expect((shown[1] as { rows: unknown[] }).rows).toHaveLength(4);
    expect((plotted[0] as { data: Array<{ type: string }> }).data[0].type).toBe('parcoords');
  });
});

describe('crossValidationFolds option of the tabular templates', () => {
  it('renders nothing when absent and a displayed stratum.crossValidate call when set; not offered by k-means', () => {
    const base = { data: 'penguins', target: 'Species', features: ['Island'] };
    for (const id of ['tabular.mlp-classifier', 'tabular.decision-tree', 'tabular.linear-regression']) expect(renderTemplateCode(id, base)).not.toContain('crossValidate');
    expect(renderTemplateCode('tabular.decision-tree', { ...base, crossValidationFolds: 4, resultName: 'tree' })).toContain([
      '// 4-fold cross-validation with the same params (each fold refits the preprocessing on its training rows)',
      'display(await stratum.crossValidate({ templateId: "tabular.decision-tree", records: stratum.toRecords(penguins), params: tree.params, folds: 4 }));',
      'tree',
    ].join('\n'));
    expect(renderTemplateCode('tabular.mlp-classifier', { ...base, crossValidationFolds: 3 })).toContain('stratum.crossValidate({ templateId: "tabular.mlp-classifier", records: stratum.toRecords(penguins), params: model.params, folds: 3 })');
    expect(thrown(() => renderTemplateCode('tabular.kmeans', { data: 'd', features: ['x'], crossValidationFolds: 3 })).detail.field).toBe('crossValidationFolds');
    expect(thrown(() => renderTemplateCode('tabular.decision-tree', { ...base, crossValidationFolds: 1 })).message).toBe('template tabular.decision-tree: Cross-validation folds must be at least 2');
  });

  it('generated code cross-validates the trained model\'s params on penguins', async () => {
    const code = renderTemplateCode('tabular.decision-tree', { data: 'penguins', target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'], maxDepth: 4, crossValidationFolds: 3 });
    const shown: unknown[] = [];
    const stratum = { trainDecisionTree, modelSummary, toRecords: (x: FeatureRecord[]) => x, crossValidate, evaluationPlots: () => [] };
    await runCell(code, { stratum, penguins, display: (...x: unknown[]) => shown.push(...x) });
    const cv = shown.find((x): x is CrossValidationResult => typeof x === 'object' && x !== null && 'perFold' in x);
    expect(cv?.perFold).toHaveLength(3);
    expect(cv?.templateId).toBe('tabular.decision-tree');
    expect(cv?.mean).toBeGreaterThan(0.85); // a depth-4 tree on these features (majority baseline ~0.44)
  });
});
