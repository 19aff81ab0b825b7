/**
 * Template `tabular.mlp-classifier`: tabular classification with a TF.js MLP (see
 * core/ml/mlp.ts `trainMlpClassifier` for what the generated code does).
 */
import { StratumError } from '../core/errors.ts';
import type { ModelTemplate } from './types.ts';

/** Parameters of the `tabular.mlp-classifier` template, after validation (defaults applied). */
export interface TabularClassificationParams {
  /** Name of the notebook variable holding the data (a DataFrame or an array of records). */
  data: string;
  /** Target (label) column. */
  target: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even if numeric; string columns are categorical anyway. */
  categorical?: string[];
  /** Units of each hidden layer. */
  hiddenLayers: number[];
  /** Passes over the training set. */
  epochs: number;
  /** Mini-batch size (rows). */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Fraction of each class held out for evaluation. */
  testFraction: number;
  /** Seed of the split, initializers and shuffling. */
  seed: number;
  /** Policy for a category not seen in training. */
  unseen: 'error' | 'ignore';
  /** Early stopping patience (epochs without a better held-out loss); absent = off. */
  earlyStoppingPatience?: number;
  /** `balanced` class weights for imbalanced classes; absent = unweighted. */
  classWeight?: 'balanced';
  /** Folds of a k-fold cross-validation run after training with the same params; absent = off. */
  crossValidationFolds?: number;
  /** Name of the variable that receives the trained model. */
  resultName: string;
  /** Display the evaluation plots (confusion matrix, ROC/PR, learning curves, permutation importance) after the summary. */
  showPlots: boolean;
}

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Words that cannot name a variable in the generated code (JS reserved words and kernel globals). */
const FORBIDDEN_NAMES = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package',
  'private', 'protected', 'public', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
  'stratum', 'display', 'plot', 'tf', 'dfd',
]);

/** Schema of the optional `earlyStoppingPatience` parameter of the TF.js templates (no default: absent = off). */
export const EARLY_STOPPING_PATIENCE_SCHEMA = {
  type: 'integer',
  title: 'Early stopping patience',
  description: 'Stop when the held-out loss has not improved for this many epochs, and keep the best epoch\'s weights. Empty = off. The held-out split then also selects the model, so its metrics are slightly optimistic.',
  minimum: 1,
  maximum: 100000,
} as const;

/** Schema of the optional `classWeight` parameter of the TF.js classifiers (no default: absent = unweighted). */
export const CLASS_WEIGHT_SCHEMA = {
  type: 'string',
  title: 'Class weights',
  description: 'balanced: weight each class by n / (n_classes x its count), so rare classes count as much as common ones (scikit-learn class_weight="balanced"). Empty = unweighted.',
  enum: ['balanced'],
} as const;

/** Schema of the `showPlots` parameter of the supervised templates: display the evaluation plots (core/ml/plots.ts) after the summary. */
export const SHOW_PLOTS_SCHEMA = {
  type: 'boolean',
  title: 'Show evaluation plots',
  description: 'After the summary, plot the held-out evaluation: confusion matrix, ROC and precision-recall curves (classification) or residuals and predicted vs actual (regression), learning curves, permutation importance.',
  default: true,
} as const;

/**
 * Schema of the optional `crossValidationFolds` parameter of the supervised tabular templates (no
 * default: absent = off): the generated code then also calls `stratum.crossValidate` with the
 * trained model's params (core/ml/cv.ts).
 */
export const CROSS_VALIDATION_FOLDS_SCHEMA = {
  type: 'integer',
  title: 'Cross-validation folds',
  description: 'Also estimate the score by k-fold cross-validation with the same params (stratified by class for classification); each fold refits the preprocessing on its own training rows. Costs k more trainings. Empty = off.',
  minimum: 2,
  maximum: 20,
} as const;

/** Schema of {@link TabularClassificationParams} (JSON Schema draft 2020-12). */
export const tabularClassificationParamsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Tabular classification (MLP)',
  type: 'object',
  additionalProperties: false,
  required: ['data', 'target', 'features'],
  properties: {
    data: { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records.', pattern: IDENTIFIER },
    target: { type: 'string', title: 'Target column', description: 'Column to predict (its values are the classes).', minLength: 1 },
    features: { type: 'array', title: 'Feature columns', description: 'Columns used as inputs, in order.', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
    categorical: { type: 'array', title: 'Categorical features', description: 'Features to one-hot encode even if their values are numbers (string columns are categorical anyway).', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
    hiddenLayers: { type: 'array', title: 'Hidden layers', description: 'Units of each hidden ReLU layer.', items: { type: 'integer', minimum: 1, maximum: 4096 }, maxItems: 16, default: [64, 64] },
    epochs: { type: 'integer', title: 'Epochs', description: 'Passes over the training set.', minimum: 1, maximum: 100000, default: 50 },
    batchSize: { type: 'integer', title: 'Batch size', description: 'Rows per gradient step.', minimum: 1, maximum: 1048576, default: 32 },
    learningRate: { type: 'number', title: 'Learning rate', description: 'Adam step size.', exclusiveMinimum: 0, maximum: 10, default: 0.001 },
    testFraction: { type: 'number', title: 'Test fraction', description: 'Fraction of each class held out for evaluation (stratified).', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
    crossValidationFolds: CROSS_VALIDATION_FOLDS_SCHEMA,
    seed: { type: 'integer', title: 'Seed', description: 'Seed of the split, the weight initialization and the shuffling: same seed, same model.', default: 42 },
    unseen: { type: 'string', title: 'Unseen categories', description: 'What prediction does with a category not seen in training: reject the record, or encode it as all zeros.', enum: ['error', 'ignore'], default: 'error' },
    earlyStoppingPatience: EARLY_STOPPING_PATIENCE_SCHEMA,
    classWeight: CLASS_WEIGHT_SCHEMA,
    resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the trained model.', pattern: IDENTIFIER, default: 'model' },
    showPlots: SHOW_PLOTS_SCHEMA,
  },
} as const;

/**
 * Checks that a parameter naming a variable in generated code is a plain identifier that is not a
 * reserved word or kernel global.
 *
 * @throws StratumError `TEMPLATE_PARAMS` naming the field
 */
export function checkIdentifier(field: 'data' | 'resultName', value: string): void {
  if (!new RegExp(IDENTIFIER).test(value) || FORBIDDEN_NAMES.has(value)) {
    throw new StratumError('TEMPLATE_PARAMS', `params.${field}: ${JSON.stringify(value)} cannot be used as a variable name`, {
      detail: { field },
      hint: 'Use a plain identifier (letters, digits, _ or $, not starting with a digit) that is not a reserved word or a kernel global.',
    });
  }
}

const literal = (value: unknown): string => JSON.stringify(value);
const list = (values: readonly unknown[]): string => `[${values.map(literal).join(', ')}]`;

/** Id of the MLP classifier template. */
const MLP_CLASSIFIER_ID = 'tabular.mlp-classifier';

/**
 * The lines a supervised tabular template adds when `crossValidationFolds` is set: a displayed
 * `stratum.crossValidate` call with the trained model's params (defaults applied), so the folds
 * train exactly what the cell trained.
 *
 * @param templateId - the template (names the trainer the folds use)
 * @param data - the data variable (an identifier, already checked)
 * @param resultName - the trained model's variable (an identifier, already checked)
 * @param folds - number of folds; undefined = no lines
 */
export function crossValidationLines(templateId: string, data: string, resultName: string, folds: number | undefined): string[] {
  if (folds === undefined) return [];
  return [
    `// ${folds}-fold cross-validation with the same params (each fold refits the preprocessing on its training rows)`,
    `display(await stratum.crossValidate({ templateId: ${literal(templateId)}, records: stratum.toRecords(${data}), params: ${resultName}.params, folds: ${literal(folds)} }));`,
  ];
}

/**
 * Renders the template's code. `data` and `resultName` are checked to be plain identifiers (they
 * name variables); every other value is embedded with `JSON.stringify`, so no parameter can inject code.
 *
 * @param p - validated parameters
 * @throws StratumError `TEMPLATE_PARAMS` when `data` or `resultName` is not a usable identifier, or they are equal
 */
export function renderTabularClassification(p: TabularClassificationParams): string {
  checkIdentifier('data', p.data);
  checkIdentifier('resultName', p.resultName);
  if (p.data === p.resultName) {
    throw new StratumError('TEMPLATE_PARAMS', `params.resultName: must differ from params.data (${JSON.stringify(p.data)})`, { detail: { field: 'resultName' } });
  }
  const options = [
    `  target: ${literal(p.target)},`,
    `  features: ${list(p.features)},`,
    ...(p.categorical && p.categorical.length > 0 ? [`  categorical: ${list(p.categorical)},`] : []),
    `  hiddenLayers: ${list(p.hiddenLayers)}, epochs: ${literal(p.epochs)}, batchSize: ${literal(p.batchSize)}, learningRate: ${literal(p.learningRate)}, testFraction: ${literal(p.testFraction)}, seed: ${literal(p.seed)},`,
    ...(p.earlyStoppingPatience !== undefined || p.classWeight !== undefined
      ? [`  ${[...(p.earlyStoppingPatience !== undefined ? [`earlyStoppingPatience: ${literal(p.earlyStoppingPatience)}`] : []), ...(p.classWeight !== undefined ? [`classWeight: ${literal(p.classWeight)}`] : [])].join(', ')},`]
      : []),
    `  unseen: ${literal(p.unseen)},`,
  ];
  return [
    '// Template: Tabular classification (MLP) — generated code, edit freely after "convert to code"',
    `const ${p.resultName} = await stratum.trainMlpClassifier(stratum.toRecords(${p.data}), {`,
    ...options,
    '}, { onEpoch: stratum.progress });',
    `display(stratum.trainingSummary(${p.resultName}));`,
    ...(p.showPlots ? [`display(...stratum.evaluationPlots(${p.resultName}));`] : []),
    ...crossValidationLines(MLP_CLASSIFIER_ID, p.data, p.resultName, p.crossValidationFolds),
    p.resultName,
    '',
  ].join('\n');
}

/** The `tabular.mlp-classifier` template. */
export const tabularClassificationTemplate: ModelTemplate<TabularClassificationParams> = {
  id: MLP_CLASSIFIER_ID,
  title: 'Tabular classification (MLP)',
  task: 'classification',
  description:
    'Predicts a class column from other columns with a multilayer perceptron (TensorFlow.js). Missing values are imputed '
    + '(median / most frequent), numbers standardized, categories one-hot encoded; the model is evaluated on a seeded, '
    + 'stratified held-out split (accuracy, per-class precision/recall/F1, macro-F1, confusion matrix).',
  paramsSchema: tabularClassificationParamsSchema,
  renderCode: renderTabularClassification,
};
