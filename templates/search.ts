/**
 * Template `search.hyperparameters`: grid or random hyperparameter search over one of the
 * supervised tabular templates, each trial scored by k-fold cross-validation, then the best params
 * refitted (core/ml/search.ts). The search space and any fixed params are JSON text fields (the
 * form has no nested editor): validated at render time against the chosen template's params
 * schema, so a bad space is refused with the param named before anything runs.
 */
import { StratumError, isStratumError } from '../core/errors.ts';
import { CV_METRICS, DEFAULT_FOLDS, resolveMetric, TEMPLATE_TRAINERS, templateTrainer } from '../core/ml/cv.ts';
import { templateParamsSchema, validateBaseParams, validateSearchSpace } from '../core/ml/search.ts';
import { checkIdentifier } from './tabular-classification.ts';
import type { ModelTemplate } from './types.ts';

/** Parameters of the `search.hyperparameters` template, after validation (defaults applied). */
export interface SearchTemplateParams {
  /** Notebook variable holding the data (a DataFrame or an array of records). */
  data: string;
  /** Id of the template whose params are searched, e.g. `tabular.decision-tree`. */
  templateId: string;
  /** Target column. */
  target: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even if numeric. */
  categorical?: string[];
  /** JSON object: param -> list of values, or (random search) a range `{"min", "max", "log"?, "integer"?}`. */
  space: string;
  /** JSON object of the template's other params, the same for every trial (e.g. `{"epochs": 30}`). */
  params: string;
  strategy: 'grid' | 'random';
  /** At most this many trials. */
  trials?: number;
  /** At most this many minutes (checked between trials). */
  minutes?: number;
  /** Folds of each trial's cross-validation. */
  folds: number;
  /** Metric the trials are ranked by; absent = the task's default (accuracy, R^2). */
  metric?: string;
  /** Fraction held out (never seen by the search) to evaluate the refitted best model. */
  testFraction: number;
  /** Seed of the split, the folds and random sampling. */
  seed: number;
  /** Policy for a category not seen in training. */
  unseen: 'error' | 'ignore';
  /** Variable that receives the search result. */
  resultName: string;
}

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';
const SEARCH_TEMPLATE_ID = 'search.hyperparameters';

/** Schema of {@link SearchTemplateParams} (JSON Schema draft 2020-12). */
export const searchParamsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Hyperparameter search',
  type: 'object',
  additionalProperties: false,
  required: ['data', 'templateId', 'target', 'features', 'space'],
  properties: {
    data: { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records.', pattern: IDENTIFIER },
    templateId: { type: 'string', title: 'Template', description: 'The model template whose params are searched.', enum: Object.keys(TEMPLATE_TRAINERS), default: 'tabular.decision-tree' },
    target: { type: 'string', title: 'Target column', description: 'Column to predict.', minLength: 1 },
    features: { type: 'array', title: 'Feature columns', description: 'Columns used as inputs, in order.', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
    categorical: { type: 'array', title: 'Categorical features', description: 'Features to one-hot encode even if their values are numbers (string columns are categorical anyway).', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
    space: {
      type: 'string',
      title: 'Search space (JSON)',
      description: 'JSON object: each searched param of the template -> a list of values, or for random search a range {"min": .., "max": .., "log": true|false, "integer": true|false}. Example: {"maxDepth": [2, 4, 6], "minSamples": [2, 5, 10]}.',
      minLength: 2,
    },
    params: { type: 'string', title: 'Fixed params (JSON)', description: 'JSON object of the template\'s other params, the same for every trial, e.g. {"epochs": 30}. {} = the template\'s defaults.', default: '{}' },
    strategy: { type: 'string', title: 'Strategy', description: 'grid: every combination of the lists, in order; random: seeded draws (ranges allowed).', enum: ['grid', 'random'], default: 'grid' },
    trials: { type: 'integer', title: 'Budget: trials', description: 'Stop after this many trials. Empty: the whole grid, or 10 random trials.', minimum: 1, maximum: 100000 },
    minutes: { type: 'number', title: 'Budget: minutes', description: 'Stop once this much wall-clock time has passed (checked between trials). Empty = no time limit.', exclusiveMinimum: 0, maximum: 100000 },
    folds: { type: 'integer', title: 'Folds', description: 'Each trial is scored by k-fold cross-validation on the training rows (stratified for classification).', minimum: 2, maximum: 20, default: DEFAULT_FOLDS },
    metric: { type: 'string', title: 'Metric', description: 'What the trials are ranked by (its direction is known: accuracy up, RMSE down...). Empty = accuracy (classification) or R^2 (regression).', enum: Object.keys(CV_METRICS) },
    testFraction: { type: 'number', title: 'Test fraction', description: 'Fraction held out before the search (stratified for classification); the refitted best model is evaluated on it.', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
    seed: { type: 'integer', title: 'Seed', description: 'Seed of the held-out split, the folds, random sampling and the models.', default: 42 },
    unseen: { type: 'string', title: 'Unseen categories', description: 'What prediction does with a category not seen in training: reject the record, or encode it as all zeros.', enum: ['error', 'ignore'], default: 'error' },
    resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the search result (its .model is the refitted best model).', pattern: IDENTIFIER, default: 'search' },
  },
} as const;

/** A readable JavaScript literal of a JSON value: identifier keys unquoted, `, ` separators; every string through `JSON.stringify`. */
function jsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${jsLiteral(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

function parseJsonField(field: 'space' | 'params', label: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StratumError('TEMPLATE_PARAMS', `params.${field}: ${label} is not valid JSON: ${(error as Error).message}`, { detail: { field }, hint: field === 'space' ? 'Example: {"maxDepth": [2, 4, 6]}.' : 'Example: {"epochs": 30}.' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StratumError('TEMPLATE_PARAMS', `params.${field}: ${label} must be a JSON object`, { detail: { field } });
  }
  return value as Record<string, unknown>;
}

/** Re-labels a validation error of the space or fixed params with the form field it came from. */
function asFieldError(field: 'space' | 'params', fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (isStratumError(error, 'TEMPLATE_PARAMS')) {
      throw new StratumError('TEMPLATE_PARAMS', `params.${field}: ${error.message}`, { detail: { ...error.detail, field, param: String(error.detail.field ?? field) }, ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}

/**
 * Renders the search template's code. The space and fixed params are parsed and validated against
 * the chosen template's params schema (`validateSearchSpace`, `validateBaseParams`); every value is
 * embedded as a literal built with `JSON.stringify`, so no parameter can inject code.
 *
 * @throws StratumError `TEMPLATE_PARAMS` for a bad identifier, invalid JSON, a space or fixed param
 *   the template rejects (the message names the param), or a metric of the other task
 */
export function renderSearch(p: SearchTemplateParams): string {
  checkIdentifier('data', p.data);
  checkIdentifier('resultName', p.resultName);
  if (p.data === p.resultName) throw new StratumError('TEMPLATE_PARAMS', `params.resultName: must differ from params.data (${JSON.stringify(p.data)})`, { detail: { field: 'resultName' } });
  const { task } = templateTrainer(p.templateId);
  const schema = templateParamsSchema(p.templateId);
  const space = parseJsonField('space', 'the search space', p.space);
  const fixed = parseJsonField('params', 'the fixed params', p.params);
  asFieldError('space', () => validateSearchSpace({ space, strategy: p.strategy, paramsSchema: schema, templateId: p.templateId }));
  const baseParams: Record<string, unknown> = {
    target: p.target,
    features: p.features,
    ...(p.categorical && p.categorical.length ? { categorical: p.categorical } : {}),
    ...fixed,
    testFraction: p.testFraction,
    seed: p.seed,
    unseen: p.unseen,
  };
  for (const key of ['target', 'features', 'categorical', 'testFraction', 'seed', 'unseen']) {
    if (Object.hasOwn(fixed, key)) throw new StratumError('TEMPLATE_PARAMS', `params.params: ${key} has its own field in this form; remove it from the fixed params`, { detail: { field: 'params' } });
  }
  for (const name of Object.keys(space)) {
    if (Object.hasOwn(fixed, name)) throw new StratumError('TEMPLATE_PARAMS', `params.params: ${name} is searched; remove it from the fixed params`, { detail: { field: 'params' } });
  }
  asFieldError('params', () => validateBaseParams(baseParams, schema, p.templateId));
  let metric: string;
  try {
    metric = resolveMetric(p.metric, task);
  } catch (error) {
    if (isStratumError(error)) throw new StratumError('TEMPLATE_PARAMS', `params.metric: ${p.templateId} is a ${task} template; ${error.message}`, { detail: { field: 'metric' } });
    throw error;
  }
  const budget = { ...(p.trials === undefined ? {} : { trials: p.trials }), ...(p.minutes === undefined ? {} : { minutes: p.minutes }) };
  return [
    '// Template: Hyperparameter search — generated code, edit freely after "convert to code"',
    `// Each trial is a ${p.folds}-fold cross-validation on the training rows; the best params are then refitted and evaluated on the held-out rows.`,
    `const ${p.resultName} = await stratum.search({`,
    `  templateId: ${JSON.stringify(p.templateId)},`,
    `  records: stratum.toRecords(${p.data}),`,
    `  baseParams: ${jsLiteral(baseParams)},`,
    `  space: ${jsLiteral(space)},`,
    `  strategy: ${JSON.stringify(p.strategy)},`,
    ...(Object.keys(budget).length ? [`  budget: ${jsLiteral(budget)},`] : []),
    `  folds: ${JSON.stringify(p.folds)},`,
    `  metric: ${JSON.stringify(metric)}, // ${CV_METRICS[metric as keyof typeof CV_METRICS].direction}`,
    '});',
    `display(${p.resultName}); // the best params, why the search stopped, the refit run to register`,
    `display(stratum.searchTable(${p.resultName})); // every trial, best first`,
    `plot(stratum.searchPlot(${p.resultName})); // parallel coordinates: one axis per searched param, and the metric`,
    `${p.resultName}.model`,
    '',
  ].join('\n');
}

/** The `search.hyperparameters` template. */
export const searchTemplate: ModelTemplate<SearchTemplateParams> = {
  id: SEARCH_TEMPLATE_ID,
  title: 'Hyperparameter search',
  task: 'search',
  description:
    'Searches the params of a tabular model template (grid or seeded random search) within a budget of trials or minutes. '
    + 'Each trial is scored by k-fold cross-validation on the training rows; the best params are refitted and evaluated on '
    + 'rows the search never saw. Shows a sortable table of the trials and a parallel-coordinates plot; every trial is a tracked run, '
    + 'and the refitted model is a run you can register.',
  paramsSchema: searchParamsSchema,
  renderCode: renderSearch,
};
