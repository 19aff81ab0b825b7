/**
 * Template `tabular.autoencoder-anomaly`: anomaly detection with a TF.js autoencoder whose flag
 * threshold is a quantile of the validation rows' reconstruction errors (see core/ml/anomaly.ts
 * `trainAutoencoder` for the score, the threshold rule and the optional label column). Renders to
 * one `stratum.trainAutoencoder` call, `display(stratum.modelSummary(model))` and
 * `plot(stratum.anomalyPlot(model))` (the validation score histogram with the threshold line).
 */
import { StratumError } from '../core/errors.ts';
import { checkIdentifier } from './tabular-classification.ts';
import type { ModelTemplate } from './types.ts';
import { AUTOENCODER_DEFAULTS } from '../core/ml/defaults.ts';

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Parameters of the `tabular.autoencoder-anomaly` template, after validation (defaults applied). */
export interface AutoencoderTemplateParams {
  /** Notebook variable holding the data (a DataFrame or an array of records). */
  data: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even if numeric. */
  categorical: string[];
  /** Optional column flagging known anomalies (evaluation only, unless `normalOnly`). */
  label?: string;
  /** Leave known anomalies out of training and of the threshold. */
  normalOnly: boolean;
  /** Encoder hidden layer units, outside in (the decoder mirrors them). */
  encoderLayers: number[];
  /** Bottleneck (code) units. */
  bottleneck: number;
  /** Hidden-layer activation. */
  activation: string;
  /** Maximum passes over the training rows. */
  epochs: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Early stopping patience in epochs (0 = off). */
  earlyStoppingPatience: number;
  /** Quantile of the validation scores used as the threshold. */
  thresholdQuantile: number;
  /** Fraction of rows held out as validation rows. */
  validationFraction: number;
  /** Seed of the split, initializers and shuffle. */
  seed: number;
  /** Policy for a category not seen in training. */
  unseen: 'error' | 'ignore';
  /** Variable that receives the trained model. */
  resultName: string;
}

const d = AUTOENCODER_DEFAULTS;

/** Activations offered (core/ml/anomaly.ts `AUTOENCODER_ACTIVATIONS`). */
const ACTIVATIONS = ['tanh', 'relu', 'elu', 'sigmoid', 'linear'] as const;

/** Schema of {@link AutoencoderTemplateParams} (JSON Schema draft 2020-12), in form order. */
export const autoencoderParamsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Anomaly detection (autoencoder)',
  type: 'object',
  additionalProperties: false,
  required: ['data', 'features'],
  properties: {
    data: { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records.', pattern: IDENTIFIER },
    features: { type: 'array', title: 'Feature columns', description: 'Columns the autoencoder learns to reconstruct, in order. Numbers are standardized, categories one-hot encoded (fitted on the training rows).', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
    categorical: { type: 'array', title: 'Categorical features', description: 'Features to one-hot encode even if their values are numbers (string columns are categorical anyway).', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
    label: { type: 'string', title: 'Known-anomaly column', description: 'Optional column flagging known anomalies (true/1 anomaly, false/0 normal, empty unknown). Never a feature: it only adds precision, recall, F1, ROC AUC and average precision to the evaluation.', minLength: 1 },
    normalOnly: { type: 'boolean', title: 'Train on normal rows only', description: 'With a known-anomaly column: leave the known anomalies out of training and out of the threshold (they are still scored and evaluated), so the threshold quantile is exactly the expected false-positive rate on normal data.', default: d.normalOnly },
    encoderLayers: { type: 'array', title: 'Encoder layers', description: 'Units of the encoder\'s hidden layers, outside in; the decoder mirrors them.', items: { type: 'integer', minimum: 1, maximum: 4096 }, maxItems: 16, default: [...d.encoderLayers] },
    bottleneck: { type: 'integer', title: 'Bottleneck size', description: 'Units of the code layer; keep it smaller than the number of (preprocessed) feature columns, or the network can learn to copy its input.', minimum: 1, maximum: 4096, default: d.bottleneck },
    activation: { type: 'string', title: 'Activation', description: 'Activation of the hidden layers (the output layer is linear).', enum: [...ACTIVATIONS], default: d.activation },
    epochs: { type: 'integer', title: 'Epochs', description: 'Maximum passes over the training rows.', minimum: 1, maximum: 100000, default: d.epochs },
    batchSize: { type: 'integer', title: 'Batch size', description: 'Rows per gradient step.', minimum: 1, maximum: 1048576, default: d.batchSize },
    learningRate: { type: 'number', title: 'Learning rate', description: 'Adam step size.', exclusiveMinimum: 0, maximum: 10, default: d.learningRate },
    earlyStoppingPatience: { type: 'integer', title: 'Early stopping patience', description: 'Stop when the validation reconstruction error has not improved for this many epochs, and keep the best epoch\'s weights. 0 = off (every epoch runs).', minimum: 0, maximum: 100000, default: d.earlyStoppingPatience },
    thresholdQuantile: { type: 'number', title: 'Threshold quantile', description: 'A record is an anomaly when its score exceeds this quantile of the validation scores (numpy\'s default quantile). 0.99 flags about 1% of normal records: 1 - quantile is the expected false-positive rate.', exclusiveMinimum: 0, maximum: 1, default: d.thresholdQuantile },
    validationFraction: { type: 'number', title: 'Validation fraction', description: 'Fraction of the rows held out (seeded; stratified by the known-anomaly column when given) for early stopping, the threshold and the evaluation.', exclusiveMinimum: 0, exclusiveMaximum: 1, default: d.validationFraction },
    seed: { type: 'integer', title: 'Seed', description: 'Seed of the split, the initialization and the shuffle: same seed, same model.', default: d.seed },
    unseen: { type: 'string', title: 'Unseen categories', description: 'What scoring does with a category not seen in training: reject the record, or encode it as all zeros.', enum: ['error', 'ignore'], default: 'error' },
    resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the trained model.', pattern: IDENTIFIER, default: 'model' },
  },
} as const;

const literal = (value: unknown): string => (Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value));

function renderCode(p: AutoencoderTemplateParams): string {
  checkIdentifier('data', p.data);
  checkIdentifier('resultName', p.resultName);
  if (p.data === p.resultName) {
    throw new StratumError('TEMPLATE_PARAMS', `params.resultName: must differ from params.data (${JSON.stringify(p.data)})`, { detail: { field: 'resultName' } });
  }
  if (p.label !== undefined && p.features.includes(p.label)) {
    throw new StratumError('TEMPLATE_PARAMS', `params.label: the known-anomaly column ${JSON.stringify(p.label)} cannot also be a feature`, { detail: { field: 'label' } });
  }
  if (p.normalOnly && p.label === undefined) {
    throw new StratumError('TEMPLATE_PARAMS', 'params.normalOnly: needs a known-anomaly column (label)', { detail: { field: 'normalOnly' }, hint: 'Set the known-anomaly column, or turn "Train on normal rows only" off.' });
  }
  const r = p.resultName;
  return [
    '// Template: Anomaly detection (autoencoder) — generated code, edit freely after "convert to code"',
    '// Score = mean squared reconstruction error of the preprocessed record; anomaly = score > threshold,',
    `// the threshold being the ${p.thresholdQuantile} quantile of the validation scores.`,
    `const ${r} = await stratum.trainAutoencoder(stratum.toRecords(${p.data}), {`,
    `  features: ${literal(p.features)},`,
    ...(p.categorical.length > 0 ? [`  categorical: ${literal(p.categorical)},`] : []),
    ...(p.label !== undefined ? [`  label: ${literal(p.label)}, normalOnly: ${literal(p.normalOnly)},`] : []),
    `  encoderLayers: ${literal(p.encoderLayers)}, bottleneck: ${literal(p.bottleneck)}, activation: ${literal(p.activation)},`,
    `  epochs: ${literal(p.epochs)}, batchSize: ${literal(p.batchSize)}, learningRate: ${literal(p.learningRate)}, earlyStoppingPatience: ${literal(p.earlyStoppingPatience)},`,
    `  thresholdQuantile: ${literal(p.thresholdQuantile)}, validationFraction: ${literal(p.validationFraction)}, seed: ${literal(p.seed)},`,
    `  unseen: ${literal(p.unseen)},`,
    '}, { onEpoch: stratum.progress });',
    `display(stratum.modelSummary(${r}));`,
    `plot(stratum.anomalyPlot(${r}));`,
    r,
    '',
  ].join('\n');
}

/** `tabular.autoencoder-anomaly`: autoencoder anomaly detection with a validation-quantile threshold. */
export const autoencoderAnomalyTemplate: ModelTemplate<AutoencoderTemplateParams> = {
  id: 'tabular.autoencoder-anomaly',
  title: 'Anomaly detection (autoencoder)',
  task: 'anomaly',
  description:
    'Flags unusual rows with an autoencoder (TensorFlow.js): the network learns to reconstruct the training rows; a row\'s score is its reconstruction error (mean squared, over the standardized / one-hot features) and it is an anomaly when the score exceeds a quantile of the validation rows\' scores (0.99 by default: about 1% of normal rows flagged). Early stopping on the validation error. An optional known-anomaly column adds precision, recall, F1, ROC AUC and average precision, next to a per-feature z-score baseline.',
  paramsSchema: autoencoderParamsSchema as unknown as Record<string, unknown>,
  renderCode,
};
