import { describe, expect, it } from 'vitest';
import { getTemplate, renderTemplateCode, templates } from './index.ts';
import { thrown } from '../core/testing.ts';

const ID = 'tabular.mlp-classifier';
const WEATHER = { data: 'weather', target: 'weather', features: ['precipitation', 'temp_max', 'temp_min', 'wind'], epochs: 60 };

describe('template registry', () => {
  it('lists every tabular template, each with a renderable schema (title and description on every property)', () => {
    expect(templates.map((t) => `${t.task}:${t.id}`)).toEqual([
      'classification:tabular.mlp-classifier',
      'classification:tabular.logistic-regression',
      'classification:tabular.naive-bayes',
      'classification:tabular.decision-tree',
      'classification:tabular.random-forest',
      'regression:tabular.linear-regression',
      'regression:tabular.mlp-regressor',
      'clustering:tabular.kmeans',
      'anomaly:tabular.autoencoder-anomaly',
      'forecasting:timeseries.lstm-forecast',
      'search:search.hyperparameters',
      'data:data.load',
      'exploration:chart.histogram',
      'exploration:chart.scatter',
      'exploration:chart.line',
      'exploration:chart.box',
      'exploration:chart.bar',
      'exploration:chart.correlation',
    ]);
    for (const template of templates) {
      const schema = template.paramsSchema as { properties: Record<string, { title?: string; description?: string }> };
      for (const [name, property] of Object.entries(schema.properties)) {
        expect(property.title, `${template.id}.${name}`).toBeTruthy();
        expect(property.description, `${template.id}.${name}`).toBeTruthy();
      }
    }
  });

  it('names the known ids for an unknown template', () => {
    const error = thrown(() => getTemplate('tabular.nope'));
    expect(error.code).toBe('TEMPLATE_UNKNOWN');
    expect(error.message).toBe(`unknown template "tabular.nope"; known templates: ${templates.map((t) => t.id).join(', ')}`);
  });
});

describe('renderTemplateCode', () => {
  it('renders readable code with defaults applied (stable output)', () => {
    expect(renderTemplateCode(ID, WEATHER)).toBe([
      '// Template: Tabular classification (MLP) — generated code, edit freely after "convert to code"',
      'const model = await stratum.trainMlpClassifier(stratum.toRecords(weather), {',
      '  target: "weather",',
      '  features: ["precipitation", "temp_max", "temp_min", "wind"],',
      '  hiddenLayers: [64, 64], epochs: 60, batchSize: 32, learningRate: 0.001, testFraction: 0.2, seed: 42,',
      '  unseen: "error",',
      '}, { onEpoch: stratum.progress });',
      'display(stratum.trainingSummary(model));',
      'display(...stratum.evaluationPlots(model));',
      'model',
      '',
    ].join('\n'));
  });

  it('renders categorical features and a custom result name, and does not modify params', () => {
    const params = { data: 'penguins', target: 'Species', features: ['Island', 'Sex'], categorical: ['Island'], resultName: 'clf', unseen: 'ignore' };
    const snapshot = structuredClone(params);
    const code = renderTemplateCode(ID, params);
    expect(code).toContain('  categorical: ["Island"],\n');
    expect(code).toContain('const clf = await stratum.trainMlpClassifier(stratum.toRecords(penguins), {');
    expect(code).toContain('  unseen: "ignore",\n');
    expect(params).toEqual(snapshot);
  });

  it('embeds hostile strings as inert literals', () => {
    const evil = 'x"]});\nprocess.exit(1); // \' ` ${1} \u2028';
    const code = renderTemplateCode(ID, { ...WEATHER, target: evil, features: [evil, 'wind'] });
    const lines = code.split('\n');
    // Same number of lines as the plain rendering: the newline stayed inside a string literal.
    expect(lines).toHaveLength(renderTemplateCode(ID, WEATHER).split('\n').length);
    expect(lines[2]).toBe(`  target: ${JSON.stringify(evil)},`);
    expect(code).not.toContain('\nprocess.exit');
    // Evaluating the options object literal gives back exactly the strings.
    const literal = code.slice(code.indexOf('{\n') + 1, code.indexOf('}, { onEpoch'));
    const options = new Function(`return {${literal}};`)() as { target: string; features: string[] };
    expect(options.target).toBe(evil);
    expect(options.features).toEqual([evil, 'wind']);
  });

  it('refuses variable names that are not plain identifiers', () => {
    for (const data of ['weather; process.exit(1)', '1abc', 'a b']) {
      const error = thrown(() => renderTemplateCode(ID, { ...WEATHER, data }));
      expect(error.code).toBe('TEMPLATE_PARAMS');
      expect(error.message).toMatch(/^template tabular\.mlp-classifier: Data must match pattern/);
    }
    expect(thrown(() => renderTemplateCode(ID, { ...WEATHER, resultName: 'stratum' })).message).toBe('params.resultName: "stratum" cannot be used as a variable name');
    expect(thrown(() => renderTemplateCode(ID, { ...WEATHER, resultName: 'weather' })).detail.field).toBe('resultName');
  });

  it('names the bad parameter', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...WEATHER, epochs: 0 }, 'epochs', 'Epochs must be at least 1'],
      [{ ...WEATHER, epochs: 2.5 }, 'epochs', 'Epochs must be a whole number'],
      [{ ...WEATHER, features: ['wind', 3] }, 'features[1]', 'Feature columns item 2 must be a string'],
      [{ ...WEATHER, testFraction: 1 }, 'testFraction', 'Test fraction must be less than 1'],
      [{ ...WEATHER, unseen: 'drop' }, 'unseen', 'Unseen categories must be one of "error", "ignore"'],
      [{ data: 'weather', features: ['wind'] }, 'target', 'Target column is required'],
      [{ ...WEATHER, epoch: 3 }, 'epoch', 'params.epoch is not a parameter of this template'],
    ];
    for (const [params, field, message] of cases) {
      const error = thrown(() => renderTemplateCode(ID, params));
      expect(error.code).toBe('TEMPLATE_PARAMS');
      expect(error.detail.field).toBe(field);
      expect(error.message).toBe(`template ${ID}: ${message}`);
    }
    expect(thrown(() => renderTemplateCode(ID, null)).message).toBe(`template ${ID}: params must be an object`);
    // The message names the field by its title; the JSON path stays in the detail.
    expect(thrown(() => renderTemplateCode(ID, { ...WEATHER, epochs: -5 })).detail.errors).toEqual([{ field: 'params.epochs', label: 'Epochs', message: 'must be at least 1' }]);
  });
});

describe('renderTemplateCode for the other tabular templates', () => {
  it('renders a random forest with defaults applied (stable output)', () => {
    expect(renderTemplateCode('tabular.random-forest', { data: 'penguins', target: 'Species', features: ['Island', 'Body Mass (g)'] })).toBe([
      '// Template: Random forest — generated code, edit freely after "convert to code"',
      'const model = await stratum.trainRandomForest(stratum.toRecords(penguins), {',
      '  target: "Species",',
      '  features: ["Island", "Body Mass (g)"],',
      '  nEstimators: 50, maxFeatures: 0.5, maxDepth: 8, minSamples: 3, gainThreshold: 0.01,',
      '  testFraction: 0.2, seed: 42,',
      '  unseen: "error",',
      '});',
      'display(stratum.modelSummary(model));',
      'display(...stratum.evaluationPlots(model));',
      'model',
      '',
    ].join('\n'));
  });

  it('renders epochs progress for TF.js templates and no target or split for k-means', () => {
    const linear = renderTemplateCode('tabular.linear-regression', { data: 'cars', target: 'Miles_per_Gallon', features: ['Horsepower'], categorical: [] });
    expect(linear).toContain('  epochs: 100, batchSize: 32, learningRate: 0.05, l2: 0,\n');
    expect(linear).toContain('}, { onEpoch: stratum.progress });');
    const km = renderTemplateCode('tabular.kmeans', { data: 'penguins', features: ['Body Mass (g)'], k: 4, resultName: 'clusters' });
    expect(km).not.toContain('target');
    expect(km).not.toContain('testFraction');
    expect(km).toContain('const clusters = await stratum.trainKMeans(stratum.toRecords(penguins), {');
    expect(km).toContain('  k: 4, elbowKs: [2, 3, 4, 5, 6, 7, 8], maxIterations: 100,\n');
  });

  it('shows the evaluation plots unless showPlots is false; k-means has no such param', () => {
    expect(renderTemplateCode('tabular.linear-regression', { data: 'cars', target: 'Miles_per_Gallon', features: ['Horsepower'] })).toContain('\ndisplay(...stratum.evaluationPlots(model));\n');
    expect(renderTemplateCode('tabular.decision-tree', { data: 'd', target: 'y', features: ['x'], showPlots: false })).not.toContain('evaluationPlots');
    expect(renderTemplateCode(ID, { ...WEATHER, showPlots: false })).not.toContain('evaluationPlots');
    expect(renderTemplateCode('tabular.kmeans', { data: 'd', features: ['x'] })).not.toContain('evaluationPlots');
    expect(thrown(() => renderTemplateCode('tabular.kmeans', { data: 'd', features: ['x'], showPlots: true })).detail.field).toBe('showPlots');
  });

  it('validates params against each schema and keeps hostile strings inert', () => {
    expect(thrown(() => renderTemplateCode('tabular.kmeans', { data: 'd', features: ['x'], target: 'y' })).detail.field).toBe('target');
    expect(thrown(() => renderTemplateCode('tabular.decision-tree', { data: 'd', target: 'y', features: ['x'], maxDepth: 0 })).message).toBe('template tabular.decision-tree: Maximum depth must be at least 1');
    expect(thrown(() => renderTemplateCode('tabular.naive-bayes', { data: 'd', target: 'y', features: ['x'], resultName: 'd' })).detail.field).toBe('resultName');
    const evil = 'x"});\nprocess.exit(1); //';
    const code = renderTemplateCode('tabular.logistic-regression', { data: 'd', target: evil, features: [evil] });
    expect(code).not.toContain('\nprocess.exit');
  });
});
