import { describe, expect, it } from 'vitest';
import { thrown } from '../core/testing.ts';
import { getTemplate, renderTemplateCode } from './index.ts';

const ID = 'tabular.autoencoder-anomaly';
const CARS = { data: 'cars', features: ['Horsepower', 'Weight_in_lbs'] };

describe('template tabular.autoencoder-anomaly', () => {
  it('is registered as an anomaly template with a titled, described, defaulted form', () => {
    const template = getTemplate(ID);
    expect(template.task).toBe('anomaly');
    const schema = template.paramsSchema as { required: string[]; properties: Record<string, { title?: string; description?: string; default?: unknown }> };
    expect(schema.required).toEqual(['data', 'features']);
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(property.title, name).toBeTruthy();
      expect(property.description, name).toBeTruthy();
      if (!['data', 'features', 'label'].includes(name)) expect(property.default, name).not.toBeUndefined();
    }
  });

  it('renders readable code with defaults applied (stable output)', () => {
    expect(renderTemplateCode(ID, CARS)).toBe([
      '// Template: Anomaly detection (autoencoder) — generated code, edit freely after "convert to code"',
      '// Score = mean squared reconstruction error of the preprocessed record; anomaly = score > threshold,',
      '// the threshold being the 0.99 quantile of the validation scores.',
      'const model = await stratum.trainAutoencoder(stratum.toRecords(cars), {',
      '  features: ["Horsepower", "Weight_in_lbs"],',
      '  encoderLayers: [16, 8], bottleneck: 2, activation: "tanh",',
      '  epochs: 200, batchSize: 32, learningRate: 0.01, earlyStoppingPatience: 20,',
      '  thresholdQuantile: 0.99, validationFraction: 0.2, seed: 42,',
      '  unseen: "error",',
      '}, { onEpoch: stratum.progress });',
      'display(stratum.modelSummary(model));',
      'plot(stratum.anomalyPlot(model));',
      'model',
      '',
    ].join('\n'));
  });

  it('renders the label, normalOnly, categorical features and a result name', () => {
    const code = renderTemplateCode(ID, { ...CARS, features: ['Horsepower', 'Origin'], categorical: ['Origin'], label: 'is_fraud', normalOnly: true, thresholdQuantile: 0.95, resultName: 'detector' });
    expect(code).toContain('const detector = await stratum.trainAutoencoder(stratum.toRecords(cars), {\n');
    expect(code).toContain('  categorical: ["Origin"],\n  label: "is_fraud", normalOnly: true,\n');
    expect(code).toContain('  thresholdQuantile: 0.95, validationFraction: 0.2, seed: 42,\n');
    expect(code).toContain('// the threshold being the 0.95 quantile of the validation scores.');
    expect(code.endsWith('plot(stratum.anomalyPlot(detector));\ndetector\n')).toBe(true);
  });

  it('names the bad parameter', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...CARS, thresholdQuantile: 0 }, 'thresholdQuantile', `template ${ID}: Threshold quantile must be greater than 0`],
      [{ ...CARS, thresholdQuantile: 1.5 }, 'thresholdQuantile', `template ${ID}: Threshold quantile must be at most 1`],
      [{ ...CARS, bottleneck: 0 }, 'bottleneck', `template ${ID}: Bottleneck size must be at least 1`],
      [{ ...CARS, activation: 'swish' }, 'activation', `template ${ID}: Activation must be one of "tanh", "relu", "elu", "sigmoid", "linear"`],
      [{ ...CARS, earlyStoppingPatience: -1 }, 'earlyStoppingPatience', `template ${ID}: Early stopping patience must be at least 0`],
      [{ ...CARS, label: 'Horsepower' }, 'label', 'params.label: the known-anomaly column "Horsepower" cannot also be a feature'],
      [{ ...CARS, normalOnly: true }, 'normalOnly', 'params.normalOnly: needs a known-anomaly column (label)'],
      [{ ...CARS, resultName: 'cars' }, 'resultName', 'params.resultName: must differ from params.data ("cars")'],
      [{ ...CARS, target: 'x' }, 'target', `template ${ID}: params.target is not a parameter of this template`],
    ];
    for (const [params, field, message] of cases) {
      const error = thrown(() => renderTemplateCode(ID, params));
      expect(error.code).toBe('TEMPLATE_PARAMS');
      expect(error.detail.field).toBe(field);
      expect(error.message).toBe(message);
    }
  });

  it('embeds hostile strings as inert literals', () => {
    const evil = 'x"});\nprocess.exit(1); //';
    const code = renderTemplateCode(ID, { data: 'd', features: [evil], label: `${evil}2` });
    expect(code).not.toContain('\nprocess.exit');
    const literal = code.slice(code.indexOf('{\n') + 1, code.indexOf('}, { onEpoch'));
    const options = new Function(`return {${literal}};`)() as { features: string[]; label: string };
    expect(options.features).toEqual([evil]);
    expect(options.label).toBe(`${evil}2`);
  });
});
