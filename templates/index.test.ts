import { describe, expect, it } from 'vitest';
import { StratumError } from '../core/errors.ts';
import { getTemplate, renderTemplateCode, templates } from './index.ts';

const ID = 'tabular.mlp-classifier';
const WEATHER = { data: 'weather', target: 'weather', features: ['precipitation', 'temp_max', 'temp_min', 'wind'], epochs: 60 };

function thrown(fn: () => unknown): StratumError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StratumError) return error;
    throw error;
  }
  throw new Error('expected a StratumError');
}

describe('template registry', () => {
  it('lists the tabular classifier with a renderable schema', () => {
    expect(templates.map((t) => t.id)).toEqual([ID]);
    const schema = getTemplate(ID).paramsSchema as { properties: Record<string, { title?: string; description?: string }> };
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(property.title, name).toBeTruthy();
      expect(property.description, name).toBeTruthy();
    }
  });

  it('names the known ids for an unknown template', () => {
    const error = thrown(() => getTemplate('tabular.nope'));
    expect(error.code).toBe('TEMPLATE_UNKNOWN');
    expect(error.message).toBe('unknown template "tabular.nope"; known templates: tabular.mlp-classifier');
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
      expect(error.message).toMatch(/^template tabular\.mlp-classifier: params\.data must match pattern/);
    }
    expect(thrown(() => renderTemplateCode(ID, { ...WEATHER, resultName: 'stratum' })).message).toBe('params.resultName: "stratum" cannot be used as a variable name');
    expect(thrown(() => renderTemplateCode(ID, { ...WEATHER, resultName: 'weather' })).detail.field).toBe('resultName');
  });

  it('names the bad parameter', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...WEATHER, epochs: 0 }, 'epochs', 'params.epochs must be >= 1'],
      [{ ...WEATHER, epochs: 2.5 }, 'epochs', 'params.epochs must be integer'],
      [{ ...WEATHER, features: ['wind', 3] }, 'features[1]', 'params.features[1] must be string'],
      [{ ...WEATHER, testFraction: 1 }, 'testFraction', 'params.testFraction must be < 1'],
      [{ ...WEATHER, unseen: 'drop' }, 'unseen', 'params.unseen must be one of "error", "ignore"'],
      [{ data: 'weather', features: ['wind'] }, 'target', 'params.target is required'],
      [{ ...WEATHER, epoch: 3 }, 'epoch', 'params.epoch is not a parameter of this template'],
    ];
    for (const [params, field, message] of cases) {
      const error = thrown(() => renderTemplateCode(ID, params));
      expect(error.code).toBe('TEMPLATE_PARAMS');
      expect(error.detail.field).toBe(field);
      expect(error.message).toBe(`template ${ID}: ${message}`);
    }
    expect(thrown(() => renderTemplateCode(ID, null)).message).toBe(`template ${ID}: params must be an object`);
  });
});
