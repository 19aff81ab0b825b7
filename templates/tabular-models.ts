/**
 * The tabular model templates beyond the MLP classifier: logistic regression, naive Bayes,
 * decision tree, random forest (classification); linear regression, MLP regressor (regression);
 * k-means (clustering). Each renders to one call of a `stratum.train*` function (core/ml) followed
 * by `display(stratum.modelSummary(model))`; all share the fitted preprocessing pipeline and the
 * seeded (stratified for classification) split.
 */
import { StratumError } from '../core/errors.ts';
import { CLASS_WEIGHT_SCHEMA, checkIdentifier, CROSS_VALIDATION_FOLDS_SCHEMA, crossValidationLines, EARLY_STOPPING_PATIENCE_SCHEMA, SHOW_PLOTS_SCHEMA } from './tabular-classification.ts';
import type { ModelTemplate, TemplateTask } from './types.ts';

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Parameters every tabular template has (after validation, defaults applied). */
export interface TabularTemplateParams {
  /** Notebook variable holding the data (a DataFrame or an array of records). */
  data: string;
  /** Target column (not for clustering). */
  target?: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even if numeric. */
  categorical?: string[];
  /** Policy for a category not seen in training. */
  unseen: 'error' | 'ignore';
  /** Seed of the split, initialization and sampling. */
  seed: number;
  /** Fraction held out for evaluation (not for clustering). */
  testFraction?: number;
  /** Folds of a k-fold cross-validation after training (not for clustering); absent = off. */
  crossValidationFolds?: number;
  /** Variable that receives the trained model. */
  resultName: string;
  /** Display the evaluation plots after the summary (not for clustering). */
  showPlots?: boolean;
  /** Model-specific parameters (see each template's schema). */
  [param: string]: unknown;
}

type PropertySchema = Record<string, unknown>;

const common = {
  data: { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records.', pattern: IDENTIFIER },
  features: { type: 'array', title: 'Feature columns', description: 'Columns used as inputs, in order.', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
  categorical: { type: 'array', title: 'Categorical features', description: 'Features to one-hot encode even if their values are numbers (string columns are categorical anyway).', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
  unseen: { type: 'string', title: 'Unseen categories', description: 'What prediction does with a category not seen in training: reject the record, or encode it as all zeros.', enum: ['error', 'ignore'], default: 'error' },
  seed: { type: 'integer', title: 'Seed', description: 'Seed of the split, the initialization and any sampling: same seed, same model.', default: 42 },
  resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the trained model.', pattern: IDENTIFIER, default: 'model' },
} as const;

const target = (description: string): PropertySchema => ({ type: 'string', title: 'Target column', description, minLength: 1 });
const testFraction = (stratified: boolean): PropertySchema => ({
  type: 'number',
  title: 'Test fraction',
  description: stratified ? 'Fraction of each class held out for evaluation (stratified).' : 'Fraction of the rows held out for evaluation (seeded random split).',
  exclusiveMinimum: 0,
  exclusiveMaximum: 1,
  default: 0.2,
});
const epochs = (d: number): PropertySchema => ({ type: 'integer', title: 'Epochs', description: 'Passes over the training set.', minimum: 1, maximum: 100000, default: d });
const batchSize: PropertySchema = { type: 'integer', title: 'Batch size', description: 'Rows per gradient step.', minimum: 1, maximum: 1048576, default: 32 };
const learningRate = (d: number): PropertySchema => ({ type: 'number', title: 'Learning rate', description: 'Adam step size.', exclusiveMinimum: 0, maximum: 10, default: d });
const l2: PropertySchema = { type: 'number', title: 'L2 penalty', description: 'Weight decay added to the loss: l2 x sum of squared weights (0 = none).', minimum: 0, maximum: 100, default: 0 };
const maxDepth: PropertySchema = { type: 'integer', title: 'Maximum depth', description: 'Deepest level a tree may grow to.', minimum: 1, maximum: 64, default: 8 };
const minSamples: PropertySchema = { type: 'integer', title: 'Minimum samples to split', description: 'A node with fewer rows becomes a leaf.', minimum: 1, maximum: 100000, default: 3 };
const gainThreshold: PropertySchema = { type: 'number', title: 'Minimum gain', description: 'Smallest Gini gain worth a split.', minimum: 0, maximum: 1, default: 0.01 };

interface Spec {
  id: string;
  title: string;
  task: TemplateTask;
  description: string;
  /** `stratum.<fn>` called by the code. */
  fn: string;
  /** Model-specific properties (after target/features/categorical), in render order. */
  model: Record<string, PropertySchema>;
  /** Whether training reports epochs (adds `{ onEpoch: stratum.progress }`). */
  epochs: boolean;
}

function schemaOf(spec: Spec): Record<string, unknown> {
  const supervised = spec.task !== 'clustering';
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: spec.title,
    type: 'object',
    additionalProperties: false,
    required: supervised ? ['data', 'target', 'features'] : ['data', 'features'],
    properties: {
      data: common.data,
      ...(supervised ? { target: target(spec.task === 'regression' ? 'Numeric column to predict.' : 'Column to predict (its values are the classes).') } : {}),
      features: common.features,
      categorical: common.categorical,
      ...spec.model,
      ...(supervised ? { testFraction: testFraction(spec.task === 'classification'), crossValidationFolds: CROSS_VALIDATION_FOLDS_SCHEMA } : {}),
      seed: common.seed,
      unseen: common.unseen,
      resultName: common.resultName,
      ...(supervised ? { showPlots: SHOW_PLOTS_SCHEMA } : {}),
    },
  };
}

/** JSON literal of a value; arrays get `, ` separators for readability. */
const literal = (value: unknown): string => (Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value));

function renderer(spec: Spec): (p: TabularTemplateParams) => string {
  return (p) => {
    checkIdentifier('data', p.data);
    checkIdentifier('resultName', p.resultName);
    if (p.data === p.resultName) {
      throw new StratumError('TEMPLATE_PARAMS', `params.resultName: must differ from params.data (${JSON.stringify(p.data)})`, { detail: { field: 'resultName' } });
    }
    const modelArgs = Object.keys(spec.model).filter((k) => p[k] !== undefined).map((k) => `${k}: ${literal(p[k])}`);
    const splitArgs = [...(p.testFraction !== undefined && spec.task !== 'clustering' ? [`testFraction: ${literal(p.testFraction)}`] : []), `seed: ${literal(p.seed)}`];
    const lines = [
      `// Template: ${spec.title} — generated code, edit freely after "convert to code"`,
      `const ${p.resultName} = await stratum.${spec.fn}(stratum.toRecords(${p.data}), {`,
      ...(spec.task !== 'clustering' ? [`  target: ${literal(p.target)},`] : []),
      `  features: ${literal(p.features)},`,
      ...(p.categorical && p.categorical.length > 0 ? [`  categorical: ${literal(p.categorical)},`] : []),
      ...(modelArgs.length ? [`  ${modelArgs.join(', ')},`] : []),
      `  ${splitArgs.join(', ')},`,
      `  unseen: ${literal(p.unseen)},`,
      spec.epochs ? '}, { onEpoch: stratum.progress });' : '});',
      `display(stratum.modelSummary(${p.resultName}));`,
      ...(p.showPlots === true && spec.task !== 'clustering' ? [`display(...stratum.evaluationPlots(${p.resultName}));`] : []),
      ...(spec.task === 'clustering' ? [] : crossValidationLines(spec.id, p.data, p.resultName, p.crossValidationFolds)),
      p.resultName,
      '',
    ];
    return lines.join('\n');
  };
}

function template(spec: Spec): ModelTemplate<TabularTemplateParams> {
  return { id: spec.id, title: spec.title, task: spec.task, description: spec.description, paramsSchema: schemaOf(spec), renderCode: renderer(spec) };
}

const PREP = 'Missing values are imputed (median / most frequent), numbers standardized, categories one-hot encoded, fitted on the training rows only.';

/** `tabular.logistic-regression`: softmax regression (TF.js), binary or multinomial. */
export const logisticRegressionTemplate = template({
  id: 'tabular.logistic-regression',
  title: 'Logistic regression',
  task: 'classification',
  description: `Predicts a class with a (multinomial) logistic regression trained by TensorFlow.js: one softmax layer, cross-entropy, optional L2. ${PREP} Evaluated on a seeded, stratified held-out split against the majority-class baseline.`,
  fn: 'trainLogisticRegression',
  model: { epochs: epochs(100), batchSize, learningRate: learningRate(0.01), l2, earlyStoppingPatience: EARLY_STOPPING_PATIENCE_SCHEMA, classWeight: CLASS_WEIGHT_SCHEMA },
  epochs: true,
});

/** `tabular.naive-bayes`: Gaussian naive Bayes (ml-naivebayes). */
export const naiveBayesTemplate = template({
  id: 'tabular.naive-bayes',
  title: 'Naive Bayes (Gaussian)',
  task: 'classification',
  description: `Predicts a class with Gaussian naive Bayes (ml-naivebayes): per-class feature means and variances, class priors. Fast and a strong baseline on numeric features; one-hot (categorical) features suit it poorly, since they are far from Gaussian. ${PREP}`,
  fn: 'trainNaiveBayes',
  model: { varSmoothing: { type: 'number', title: 'Variance smoothing', description: 'Portion of the largest feature variance added to every variance (as scikit-learn var_smoothing).', minimum: 0, maximum: 1, default: 1e-9 } },
  epochs: false,
});

/** `tabular.decision-tree`: CART tree (ml-cart). */
export const decisionTreeTemplate = template({
  id: 'tabular.decision-tree',
  title: 'Decision tree',
  task: 'classification',
  description: `Predicts a class with a CART decision tree (ml-cart, Gini gain). Readable and fast; limit the depth to avoid overfitting. ${PREP}`,
  fn: 'trainDecisionTree',
  model: { maxDepth, minSamples, gainThreshold },
  epochs: false,
});

/** `tabular.random-forest`: random forest (ml-random-forest). */
export const randomForestTemplate = template({
  id: 'tabular.random-forest',
  title: 'Random forest',
  task: 'classification',
  description: `Predicts a class with a random forest (ml-random-forest): CART trees on bootstrap samples and random feature subsets, majority vote; probabilities are vote shares. ${PREP}`,
  fn: 'trainRandomForest',
  model: {
    nEstimators: { type: 'integer', title: 'Trees', description: 'Number of trees in the forest.', minimum: 1, maximum: 1000, default: 50 },
    maxFeatures: { type: 'number', title: 'Feature fraction', description: 'Fraction of the (preprocessed) features each tree sees.', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
    maxDepth,
    minSamples,
    gainThreshold,
  },
  epochs: false,
});

/** `tabular.linear-regression`: linear regression (TF.js, MSE). */
export const linearRegressionTemplate = template({
  id: 'tabular.linear-regression',
  title: 'Linear regression',
  task: 'regression',
  description: `Predicts a number with a linear model trained by TensorFlow.js (mean squared error, Adam, optional L2). ${PREP} Evaluated (MAE, RMSE, R^2, residuals) on a seeded held-out split against the mean predictor.`,
  fn: 'trainLinearRegression',
  model: { epochs: epochs(100), batchSize, learningRate: learningRate(0.05), l2, earlyStoppingPatience: EARLY_STOPPING_PATIENCE_SCHEMA },
  epochs: true,
});

/** `tabular.mlp-regressor`: multilayer perceptron regressor (TF.js). */
export const mlpRegressorTemplate = template({
  id: 'tabular.mlp-regressor',
  title: 'MLP regressor',
  task: 'regression',
  description: `Predicts a number with a multilayer perceptron (TensorFlow.js, ReLU layers, mean squared error). ${PREP} Evaluated on a seeded held-out split against the mean predictor.`,
  fn: 'trainMlpRegressor',
  model: {
    hiddenLayers: { type: 'array', title: 'Hidden layers', description: 'Units of each hidden ReLU layer.', items: { type: 'integer', minimum: 1, maximum: 4096 }, maxItems: 16, default: [32, 16] },
    epochs: epochs(100),
    batchSize,
    learningRate: learningRate(0.01),
    l2,
    earlyStoppingPatience: EARLY_STOPPING_PATIENCE_SCHEMA,
  },
  epochs: true,
});

/** `tabular.kmeans`: k-means clustering (ml-kmeans) with the elbow table and silhouette. */
export const kmeansTemplate = template({
  id: 'tabular.kmeans',
  title: 'k-means clustering',
  task: 'clustering',
  description: `Groups rows into k clusters with k-means (ml-kmeans, seeded k-means++ start). Shows the elbow table (inertia for each k) and the silhouette to help choose k. ${PREP}`,
  fn: 'trainKMeans',
  model: {
    k: { type: 'integer', title: 'Clusters (k)', description: 'Number of clusters.', minimum: 1, maximum: 1000, default: 3 },
    elbowKs: { type: 'array', title: 'Elbow k values', description: 'Values of k to try for the elbow table (empty: none).', items: { type: 'integer', minimum: 1, maximum: 1000 }, maxItems: 50, uniqueItems: true, default: [2, 3, 4, 5, 6, 7, 8] },
    maxIterations: { type: 'integer', title: 'Maximum iterations', description: 'Lloyd iterations before stopping.', minimum: 1, maximum: 100000, default: 100 },
  },
  epochs: false,
});

/** The templates of this module, in picker order. */
export const tabularModelTemplates: Array<ModelTemplate<TabularTemplateParams>> = [
  logisticRegressionTemplate,
  naiveBayesTemplate,
  decisionTreeTemplate,
  randomForestTemplate,
  linearRegressionTemplate,
  mlpRegressorTemplate,
  kmeansTemplate,
];
