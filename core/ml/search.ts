/**
 * Hyperparameter search over a tabular template's params: grid search (scikit-learn
 * `GridSearchCV`) and random search (`RandomizedSearchCV`), each trial scored by k-fold
 * cross-validation (core/ml/cv.ts), within a budget of trials and/or minutes, then the best params
 * refitted.
 *
 * **Data.** The search never sees the template's held-out rows: it splits the records exactly as
 * the template's trainer will (rows without a target dropped, then the seeded, stratified
 * `testFraction` split of core/ml/split.ts with the base params' `seed`), cross-validates every
 * trial on the training side only, and refits the best params with the trainer itself, which
 * trains on that same training side ("the full training data") and evaluates on the untouched
 * held-out rows. So the refit model's test metrics are an unbiased estimate, while the best CV
 * score (the maximum over trials) is optimistic, as in scikit-learn.
 *
 * **Space.** Declared against the template's params schema: `{ param: [values...] }` (grid and
 * random) or `{ param: { min, max, log?, integer? } }` (random only); each searched param must be a
 * model param of the schema and every value (and range bound) must be valid for it.
 *
 * Only light modules are imported statically (the trainers load on first use), so templates and
 * the workbench can validate a space without loading TensorFlow.js.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import seedrandom from 'seedrandom';
import { StratumError } from '../errors.ts';
import { tabularClassificationTemplate } from '../../templates/tabular-classification.ts';
import { tabularModelTemplates } from '../../templates/tabular-models.ts';
import type { PlotlyFigure } from '../data/profile.ts';
import type { TableCell, TableData } from '../data/table.ts';
import { cancelledError, CV_METRICS, crossValidate, DEFAULT_FOLDS, resolveMetric, templateTrainer, type CrossValidationResult, type CvMetric, type Direction, type FoldResult, type MetricSummary, type SupervisedTask, type TabularTrainedModel, type TabularTrainer } from './cv.ts';
import { resolveWorkerCount, TrainPool } from './pool.ts';
import { stratifiedSplit } from './split.ts';
import { checkColumns, type TabularColumns } from './supervised.ts';
import type { EpochLog, FeatureRecord } from './types.ts';

/** A range of numbers for random search: uniform on `[min, max]`, or log-uniform with `log`. */
export interface SearchRange {
  /** Lower bound (inclusive). */
  min: number;
  /** Upper bound (inclusive). */
  max: number;
  /** Sample `exp(uniform(ln min, ln max))` (scipy `loguniform`); needs `min > 0`. Default false. */
  log?: boolean;
  /** Sample integers in `[min, max]` (both ends possible). Default: true when the param is an integer. */
  integer?: boolean;
}

/**
 * The search space: each searched param maps to a list of values (grid and random search) or a
 * {@link SearchRange} (random search only).
 *
 * @example
 * ```ts
 * const space: SearchSpace = { maxDepth: [2, 4, 6], minSamples: { min: 2, max: 20 } };
 * ```
 */
export type SearchSpace = Record<string, unknown[] | SearchRange>;

/** Search strategy. */
export type SearchStrategy = 'grid' | 'random';

/** When the search stops (whichever comes first; the grid also stops when exhausted). */
export interface SearchBudget {
  /** At most this many trials (positive integer). Random search defaults to 10 (scikit-learn `n_iter`) when neither limit is given. */
  trials?: number;
  /** Wall-clock limit in minutes (> 0), checked between trials: a trial that has started runs to its end. */
  minutes?: number;
}

/** Why a search stopped. */
export type StopReason = 'exhausted' | 'trials' | 'minutes';

/** One searched param after validation (sorted by name). */
export type SearchDimension =
  | { name: string; kind: 'list'; values: unknown[] }
  | { name: string; kind: 'range'; min: number; max: number; log: boolean; integer: boolean };

/** Template params that are not hyperparameters: the data, the split and the generated code's names. */
export const NOT_SEARCHABLE: Readonly<Record<string, string>> = {
  data: 'it names the data variable',
  target: 'it is the column to predict',
  features: 'it is the input columns',
  categorical: 'it says how to encode columns',
  unseen: 'it is a serving policy',
  resultName: 'it names the result variable',
  testFraction: 'it sets the held-out split, which the search must not see',
  seed: 'it seeds the split and the folds (every trial uses the same)',
  crossValidationFolds: 'it is a reporting option',
  showPlots: 'it is a display option',
};

/** Params of a template cell that are not trainer params (names in the generated code, display options). */
const CELL_ONLY = ['data', 'resultName', 'crossValidationFolds', 'showPlots'];

/**
 * The params schema of a supervised tabular template (those with a trainer in core/ml/cv.ts).
 *
 * @throws StratumError `TEMPLATE_UNKNOWN` for any other template id
 */
export function templateParamsSchema(templateId: string): Record<string, unknown> {
  templateTrainer(templateId);
  const template = [tabularClassificationTemplate, ...tabularModelTemplates].find((t) => t.id === templateId);
  if (!template) throw new StratumError('TEMPLATE_UNKNOWN', `no params schema for template ${JSON.stringify(templateId)}`, { detail: { field: 'templateId' } });
  return template.paramsSchema as Record<string, unknown>;
}

function spaceError(field: string, message: string, hint?: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field }, hint });
}

const ajv = new Ajv2020({ strict: true, allErrors: false });
const propertyValidators = new WeakMap<object, ValidateFunction>();

function propertyValidator(schema: Record<string, unknown>): ValidateFunction {
  let validate = propertyValidators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    propertyValidators.set(schema, validate);
  }
  return validate;
}

/** Checks a value against one property of a params schema; returns why it is invalid, or undefined. */
function invalidReason(property: Record<string, unknown>, value: unknown): string | undefined {
  const validate = propertyValidator(property);
  if (validate(structuredClone(value))) return undefined;
  const e = validate.errors?.[0];
  return e ? `${e.instancePath ? `${e.instancePath.slice(1).replace(/\//g, '.')} ` : ''}${e.message ?? 'is invalid'}` : 'is invalid';
}

function propertiesOf(schema: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> | undefined {
  return schema === undefined ? undefined : ((schema.properties ?? {}) as Record<string, Record<string, unknown>>);
}

function searchableNames(properties: Record<string, Record<string, unknown>>): string[] {
  return Object.keys(properties).filter((n) => !Object.hasOwn(NOT_SEARCHABLE, n));
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Options of {@link validateSearchSpace}. */
export interface ValidateSpaceOptions {
  space: unknown;
  strategy: SearchStrategy;
  /** The template's params schema; without it only the structure is checked. */
  paramsSchema?: Record<string, unknown>;
  /** Used in messages. */
  templateId?: string;
}

/**
 * Validates a search space against a template's params schema and normalizes it.
 *
 * Each searched param must be a property of the schema and not one of {@link NOT_SEARCHABLE};
 * a list must be non-empty without repeats, each value valid for the property (checked with Ajv
 * against the property's own schema); a range is for random search only, on a `number`/`integer`
 * property, with finite `min < max` both valid for the property (so an exclusive minimum of 0
 * rejects `min: 0`), `min > 0` for `log`, and integer bounds for integer sampling.
 *
 * @returns the dimensions, sorted by param name (the order of grid enumeration and sampling)
 * @throws StratumError `TEMPLATE_PARAMS` naming the param (`detail.field` = `space.NAME` or
 *   `space.NAME[i]`) and what is wrong, listing the searchable params for an unknown one
 * @example
 * ```ts
 * validateSearchSpace({ space: { maxDepth: [2, 4] }, strategy: 'grid', paramsSchema: templateParamsSchema('tabular.decision-tree') });
 * ```
 */
export function validateSearchSpace(options: ValidateSpaceOptions): SearchDimension[] {
  const { space, strategy } = options;
  if (strategy !== 'grid' && strategy !== 'random') throw spaceError('strategy', `expected "grid" or "random", got ${describe(strategy)}`);
  if (!isPlainObject(space) || Object.keys(space).length === 0) {
    throw spaceError('space', 'expected an object mapping at least one param to a list of values or a range', 'Example: { "maxDepth": [2, 4, 6] }.');
  }
  const properties = propertiesOf(options.paramsSchema);
  const of = options.templateId ? ` of ${options.templateId}` : '';
  const dimensions: SearchDimension[] = [];
  for (const name of Object.keys(space).sort()) {
    const field = `space.${name}`;
    const spec = space[name];
    if (Object.hasOwn(NOT_SEARCHABLE, name)) throw spaceError(field, `${name} cannot be searched: ${NOT_SEARCHABLE[name]}`, 'Set it in the base params instead.');
    const property = properties === undefined ? undefined : Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (properties !== undefined && property === undefined) {
      throw spaceError(field, `${name} is not a param${of}`, `Searchable params: ${searchableNames(properties).join(', ')}.`);
    }
    if (Array.isArray(spec)) {
      if (spec.length === 0) throw spaceError(field, 'the list of values is empty');
      const seen = new Set<string>();
      spec.forEach((value, i) => {
        const key = describe(value);
        if (seen.has(key)) throw spaceError(`${field}[${i}]`, `${key} is listed twice`);
        seen.add(key);
        const reason = property === undefined ? undefined : invalidReason(property, value);
        if (reason !== undefined) throw spaceError(`${field}[${i}]`, `${key} is not a valid ${name}: ${reason}`);
      });
      dimensions.push({ name, kind: 'list', values: spec.map((v) => structuredClone(v)) });
      continue;
    }
    if (!isPlainObject(spec)) throw spaceError(field, `expected a list of values or a range { min, max, log?, integer? }, got ${describe(spec)}`);
    if (strategy === 'grid') throw spaceError(field, 'a range needs strategy "random"; grid search takes a list of values', `Example: "${name}": [${describe(spec.min)}, ${describe(spec.max)}].`);
    for (const key of Object.keys(spec)) if (!['min', 'max', 'log', 'integer'].includes(key)) throw spaceError(`${field}.${key}`, `unknown range field; a range is { min, max, log?, integer? }`);
    const type = property?.type;
    if (property !== undefined && type !== 'number' && type !== 'integer') throw spaceError(field, `${name} is not numeric (type ${describe(type)}): give a list of values`);
    const { min, max } = spec;
    if (typeof min !== 'number' || !Number.isFinite(min)) throw spaceError(`${field}.min`, `expected a finite number, got ${describe(min)}`);
    if (typeof max !== 'number' || !Number.isFinite(max)) throw spaceError(`${field}.max`, `expected a finite number, got ${describe(max)}`);
    if (!(min < max)) throw spaceError(field, `min (${min}) must be less than max (${max})`);
    if (spec.log !== undefined && typeof spec.log !== 'boolean') throw spaceError(`${field}.log`, `expected true or false, got ${describe(spec.log)}`);
    if (spec.integer !== undefined && typeof spec.integer !== 'boolean') throw spaceError(`${field}.integer`, `expected true or false, got ${describe(spec.integer)}`);
    const log = spec.log === true;
    if (type === 'integer' && spec.integer === false) throw spaceError(`${field}.integer`, `${name} is an integer param: it cannot be sampled as a real number`);
    const integer = spec.integer ?? type === 'integer';
    if (log && min <= 0) throw spaceError(`${field}.min`, `a log range needs min > 0, got ${min}`);
    if (integer && (!Number.isInteger(min) || !Number.isInteger(max))) throw spaceError(field, `integer sampling needs integer bounds, got min ${min}, max ${max}`);
    for (const [bound, value] of [['min', min], ['max', max]] as const) {
      const reason = property === undefined ? undefined : invalidReason(property, value);
      if (reason !== undefined) throw spaceError(`${field}.${bound}`, `${value} is not a valid ${name}: ${reason}`);
    }
    dimensions.push({ name, kind: 'range', min, max, log, integer });
  }
  return dimensions;
}

/**
 * Checks base params against the template's params schema: every key must be a property (a
 * misspelt param would otherwise be silently ignored by the trainer) other than the cell-only
 * `data`, `resultName`, `crossValidationFolds` and `showPlots`, and each value valid for it; `target` and `features`
 * are required.
 *
 * @throws StratumError `TEMPLATE_PARAMS` naming the param (`detail.field` = `baseParams.NAME`)
 */
export function validateBaseParams(baseParams: unknown, paramsSchema: Record<string, unknown> | undefined, templateId?: string): Record<string, unknown> {
  if (!isPlainObject(baseParams)) throw spaceError('baseParams', 'expected an object of trainer params (target, features, ...)');
  for (const required of ['target', 'features']) if (baseParams[required] === undefined) throw spaceError(`baseParams.${required}`, 'is required');
  const properties = propertiesOf(paramsSchema);
  if (properties !== undefined) {
    for (const [name, value] of Object.entries(baseParams)) {
      if (value === undefined) continue;
      const field = `baseParams.${name}`;
      if (CELL_ONLY.includes(name) || !Object.hasOwn(properties, name)) {
        throw spaceError(field, `${name} is not a trainer param${templateId ? ` of ${templateId}` : ''}`, `Params: ${Object.keys(properties).filter((n) => !CELL_ONLY.includes(n)).join(', ')}.`);
      }
      const reason = invalidReason(properties[name], value);
      if (reason !== undefined) throw spaceError(field, `${describe(value)} is not a valid ${name}: ${reason}`);
    }
  }
  return baseParams;
}

/** Number of combinations of a grid (product of the list lengths); Infinity when a dimension is a range. */
export function gridSize(dimensions: readonly SearchDimension[]): number {
  return dimensions.reduce((n, d) => n * (d.kind === 'list' ? d.values.length : Infinity), 1);
}

/** The params of grid point `index`: the last dimension (by name) varies fastest, as scikit-learn `ParameterGrid`. */
function gridPoint(dimensions: readonly SearchDimension[], index: number): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  let rest = index;
  for (let d = dimensions.length - 1; d >= 0; d--) {
    const dim = dimensions[d] as Extract<SearchDimension, { kind: 'list' }>;
    params[dim.name] = structuredClone(dim.values[rest % dim.values.length]);
    rest = Math.floor(rest / dim.values.length);
  }
  return Object.fromEntries(dimensions.map((d) => [d.name, params[d.name]]));
}

/**
 * Every grid point in scikit-learn `ParameterGrid` order: params sorted by name, the last one
 * varying fastest (`itertools.product` over the sorted items).
 *
 * @throws StratumError `TEMPLATE_PARAMS` when a dimension is a range
 * @example
 * ```ts
 * [...gridPoints(validateSearchSpace({ space: { minSamples: [2, 5], maxDepth: [2, 4] }, strategy: 'grid' }))];
 * // [{maxDepth: 2, minSamples: 2}, {maxDepth: 2, minSamples: 5}, {maxDepth: 4, minSamples: 2}, {maxDepth: 4, minSamples: 5}]
 * ```
 */
export function* gridPoints(dimensions: readonly SearchDimension[]): Generator<Record<string, unknown>> {
  const range = dimensions.find((d) => d.kind === 'range');
  if (range) throw spaceError(`space.${range.name}`, 'a range needs strategy "random"');
  const size = gridSize(dimensions);
  for (let i = 0; i < size; i++) yield gridPoint(dimensions, i);
}

function sampleRange(d: Extract<SearchDimension, { kind: 'range' }>, u: number): number {
  if (d.log) {
    const hi = d.integer ? d.max + 1 : d.max;
    const v = Math.exp(Math.log(d.min) + u * (Math.log(hi) - Math.log(d.min)));
    return d.integer ? Math.min(d.max, Math.floor(v)) : Math.min(d.max, Math.max(d.min, v));
  }
  if (d.integer) return Math.min(d.max, d.min + Math.floor(u * (d.max - d.min + 1)));
  return d.min + u * (d.max - d.min);
}

/**
 * Random search's params, seeded (`seedrandom`): with only lists, distinct grid points drawn
 * without replacement until the grid is exhausted (as scikit-learn `ParameterSampler`); with a
 * range, each trial draws every param independently (lists uniformly, ranges as
 * {@link SearchRange} says), params visited by name. Same seed and space, same sequence.
 */
export function* randomPoints(dimensions: readonly SearchDimension[], seed: number): Generator<Record<string, unknown>> {
  const rng = seedrandom(`stratum-search:${seed}`);
  const size = gridSize(dimensions);
  if (Number.isFinite(size)) {
    // Lazy Fisher-Yates over the grid indexes: each draw picks one of the points not drawn yet.
    const swapped = new Map<number, number>();
    for (let left = size; left > 0; left--) {
      const j = Math.floor(rng() * left);
      const pick = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(left - 1) ?? left - 1);
      yield gridPoint(dimensions, pick);
    }
    return;
  }
  for (;;) {
    const params: Record<string, unknown> = {};
    for (const d of dimensions) params[d.name] = d.kind === 'list' ? structuredClone(d.values[Math.floor(rng() * d.values.length)]) : sampleRange(d, rng());
    yield params;
  }
}

/** Status of a trial. */
export type TrialStatus = 'finished' | 'failed';

/** One trial of a search. */
export interface SearchTrial {
  /** 1-based trial number, in run order. */
  index: number;
  /** The searched params of this trial (the trainer got them over the base params). */
  params: Record<string, unknown>;
  status: TrialStatus;
  /** Cross-validated mean of the search metric; null when failed or undefined on a fold. */
  mean: number | null;
  /** Its population standard deviation over the folds. */
  std: number | null;
  /** The metric on each fold. */
  foldScores: Array<number | null>;
  /** Mean and std of every metric of the task (finished trials). */
  metrics: Record<string, MetricSummary>;
  /** Wall-clock duration of the trial, ms. */
  durationMs: number;
  /** When the trial started, ms since the Unix epoch (`Date.now()`); with workers a trial is reported after it ended, so this is its real start. */
  startedAt?: number;
  /** When the trial ended, ms since the Unix epoch. */
  endedAt?: number;
  /** Why it failed. */
  error?: { code: string; message: string };
  /** Id of the run that recorded it (tracked searches). */
  runId?: string;
}

/** Options of {@link hyperparameterSearch}. */
export interface HyperparameterSearchOptions {
  /** Template whose params are searched (gives the trainer, the task and the params schema). */
  templateId?: string;
  /** Trainer to call instead of the template's (required without `templateId`). */
  train?: TabularTrainer;
  /** Task; required with `train` alone. */
  task?: SupervisedTask;
  /** Params schema to validate the space against; default the template's (none for a custom trainer). */
  paramsSchema?: Record<string, unknown>;
  /** All the data (the search uses the training side of the template's split; see the module doc). */
  records: FeatureRecord[];
  /** Params every trial shares: `target`, `features`, and any model param not searched (e.g. `epochs`). */
  baseParams: Record<string, unknown>;
  /** What to search (see {@link SearchSpace}). */
  space: SearchSpace;
  strategy: SearchStrategy;
  /** Budget; default: the whole grid (grid), 10 trials (random). */
  budget?: SearchBudget;
  /** Folds of each trial's cross-validation; default {@link DEFAULT_FOLDS}. */
  folds?: number;
  /** Metric the trials are ranked by; default the task's (accuracy, R^2). */
  metric?: CvMetric;
  /** Must agree with the metric when given (`maximize` for accuracy, `minimize` for RMSE...); a readable check in generated code. */
  direction?: Direction;
  /** Seed of the folds and of random sampling; default `baseParams.seed`, else the schema's default, else 42. */
  seed?: number;
  /** Called after each trial (finished or failed). */
  onTrial?: (trial: SearchTrial, progress: { completed: number; planned: number | null }) => void;
  /**
   * Called before each trial with its searched params, the full params the trainer gets and when
   * it started (`startedAt`, ms since the Unix epoch; with workers the trial is reported after it
   * ended, so this can be in the past).
   */
  onTrialStart?: (info: { index: number; params: Record<string, unknown>; trainParams: Record<string, unknown>; startedAt: number }) => void;
  /**
   * Called once the search is validated, before the first trial: the rows every trial
   * cross-validates (the template's training side), the row counts and the worker count.
   */
  onSearchStart?: (info: { searchRecords: FeatureRecord[]; rows: { search: number; heldOut: number; missingTarget: number }; workers: number }) => void;
  /** Called after each fold of each trial. */
  onFold?: (info: { trial: number; fold: FoldResult }) => void;
  /** Refit the best params on the training data and return the model; default true. */
  refit?: boolean;
  /** Trainer of the refit (e.g. a tracked one, so the refit is a run); default the search's trainer. */
  refitTrainer?: TabularTrainer;
  /** Aborting stops the search with `KERNEL_INTERRUPTED`: checked between trials, folds and (TF.js) epochs; with workers, they are terminated at once. */
  signal?: AbortSignal;
  /**
   * Worker threads running trials side by side (core/ml/pool.ts), each trial's folds in one
   * worker: an integer >= 1, 1 = in process. Default `STRATUM_TRAIN_WORKERS`, else the cores (at
   * most the trials) once the searched rows have `WORKER_MIN_CELLS` cells, else 1. Templates only
   * (a custom `train` runs in process). Trials are reported (`onTrialStart`, `onFold`, `onTrial`)
   * in trial order, each when it and every earlier trial have ended; the scores are those of the
   * sequential run. A minutes budget is checked before each trial starts, so up to `workers - 1`
   * more trials may run than in process.
   */
  workers?: number;
  /** Clock in ms for the minutes budget; default `performance.now` (tests inject one). */
  now?: () => number;
}

/** Result of {@link hyperparameterSearch}. */
export interface SearchResult {
  templateId?: string;
  task: SupervisedTask;
  strategy: SearchStrategy;
  metric: CvMetric;
  direction: Direction;
  folds: number;
  seed: number;
  /** The validated dimensions, sorted by name. */
  dimensions: SearchDimension[];
  baseParams: Record<string, unknown>;
  budget: SearchBudget;
  /** Every trial, in run order. */
  trials: SearchTrial[];
  /** The best finished trial (first one on a tie, as scikit-learn's `best_index_`). */
  best: { trial: number; params: Record<string, unknown>; mean: number; std: number | null; runId?: string };
  stopReason: StopReason;
  /** Why it stopped, in words. */
  stopDetail: string;
  /** Grid size (grid, or random over lists only); null when unbounded. */
  planned: number | null;
  /** Rows cross-validated (the training side), rows held out for the refit's evaluation, rows without a target. */
  rows: { search: number; heldOut: number; missingTarget: number };
  /** Wall-clock time of the trials (without the refit), ms. */
  durationMs: number;
  /** What the user should know about the search, e.g. a grid stopped by the budget long before its end ({@link gridCoverageWarning}). */
  warnings?: string[];
  /** The best params refitted (absent with `refit: false`); its owner disposes it. */
  model?: TabularTrainedModel;
  /** Set by tracked searches (core/store/search-tracking.ts): the search id, its run, its experiment and the refit's run. */
  searchId?: string;
  searchRunId?: string;
  experiment?: string;
  refitRunId?: string;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** A template's schema default for a param, if any. */
function schemaDefault(schema: Record<string, unknown> | undefined, name: string): unknown {
  return propertiesOf(schema)?.[name]?.default;
}

function checkBudget(budget: unknown): SearchBudget {
  if (budget === undefined) return {};
  if (!isPlainObject(budget)) throw spaceError('budget', 'expected { trials?, minutes? }');
  for (const key of Object.keys(budget)) if (key !== 'trials' && key !== 'minutes') throw spaceError(`budget.${key}`, 'unknown budget field; a budget is { trials?, minutes? }');
  const { trials, minutes } = budget;
  if (trials !== undefined && (!Number.isInteger(trials) || (trials as number) < 1)) throw spaceError('budget.trials', `expected a positive integer, got ${describe(trials)}`);
  if (minutes !== undefined && (typeof minutes !== 'number' || !(minutes > 0) || !Number.isFinite(minutes))) throw spaceError('budget.minutes', `expected a positive number of minutes, got ${describe(minutes)}`);
  return { ...(trials === undefined ? {} : { trials: trials as number }), ...(minutes === undefined ? {} : { minutes: minutes as number }) };
}

function better(a: number, b: number, direction: Direction): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** Wall-clock times of a trial: `durationMs` (monotonic clock) and its start and end, ms since the Unix epoch. */
interface TrialTimes {
  durationMs: number;
  startedAt: number;
  endedAt: number;
}

function finishedTrial(index: number, params: Record<string, unknown>, cv: CrossValidationResult, times: TrialTimes): SearchTrial {
  return { index, params, status: 'finished', mean: cv.mean, std: cv.std, foldScores: cv.scores, metrics: cv.metrics, ...times };
}

function failedTrial(index: number, params: Record<string, unknown>, error: unknown, times: TrialTimes): SearchTrial {
  const code = error instanceof StratumError ? error.code : error instanceof Error ? error.name : 'Error';
  return { index, params, status: 'failed', mean: null, std: null, foldScores: [], metrics: {}, ...times, error: { code, message: error instanceof Error ? error.message : String(error) } };
}

/** A trial running in a worker. */
interface RunningTrial {
  index: number;
  params: Record<string, unknown>;
  trainParams: Record<string, unknown>;
  folds: FoldResult[];
  done: boolean;
  cv?: CrossValidationResult;
  error?: unknown;
  times: TrialTimes;
  settled: Promise<void>;
}

/**
 * The trial loop of {@link hyperparameterSearch} on worker threads: keeps every worker busy with
 * one trial (a whole cross-validation) and reports the trials in trial order, each once it and
 * every earlier trial have ended (so a tracking store sees one trial at a time, as in process).
 * On abort the first unreported trial is reported as started, then `KERNEL_INTERRUPTED` is thrown
 * (a tracked search records that trial `cancelled`); the workers are terminated either way.
 */
async function trialsInWorkers(ctx: {
  options: HyperparameterSearchOptions;
  templateId: string;
  task: SupervisedTask;
  metric: CvMetric;
  folds: number;
  seed: number;
  workers: number;
  searchRecords: FeatureRecord[];
  baseParams: Record<string, unknown>;
  trials: SearchTrial[];
  nextPoint: (begun: number) => Record<string, unknown> | undefined;
  progress: () => { completed: number; planned: number | null };
  now: () => number;
}): Promise<void> {
  const { options, trials, now } = ctx;
  const pool = new TrainPool({ size: ctx.workers, records: ctx.searchRecords, what: 'the search', ...(options.signal ? { signal: options.signal } : {}) });
  const running: RunningTrial[] = [];
  let ended = false;
  try {
    for (;;) {
      // Keep every worker busy; finished trials wait in `running` until the earlier ones are reported.
      while (!ended && running.filter((t) => !t.done).length < ctx.workers) {
        if (options.signal?.aborted) throw cancelledError(`the search (after ${trials.length} trials)`);
        const params = ctx.nextPoint(trials.length + running.length);
        if (params === undefined) {
          ended = true;
          break;
        }
        const index = trials.length + running.length + 1;
        const trainParams = { ...ctx.baseParams, ...params };
        const t0 = now();
        const startedAt = Date.now();
        const trial: RunningTrial = { index, params, trainParams, folds: [], done: false, times: { durationMs: 0, startedAt, endedAt: startedAt }, settled: Promise.resolve() };
        trial.settled = pool.run({ kind: 'cv', templateId: ctx.templateId, task: ctx.task, params: trainParams, folds: ctx.folds, seed: ctx.seed, metric: ctx.metric }, `trial ${index}`, (event) => {
          if (event.type === 'fold') trial.folds.push(event.fold);
        }).then((cv) => {
          trial.cv = cv;
        }, (error: unknown) => {
          trial.error = error;
        }).finally(() => {
          trial.done = true;
          trial.times = { durationMs: now() - t0, startedAt, endedAt: Date.now() };
        });
        running.push(trial);
      }
      if (running.length === 0) break;
      const active = running.filter((t) => !t.done);
      if (active.length > 0 && !running[0].done) await Promise.race(active.map((t) => t.settled));
      while (running[0]?.done) {
        const t = running.shift() as RunningTrial;
        options.onTrialStart?.({ index: t.index, params: t.params, trainParams: t.trainParams, startedAt: t.times.startedAt });
        for (const fold of t.folds) options.onFold?.({ trial: t.index, fold });
        if (t.error instanceof StratumError && t.error.code === 'KERNEL_INTERRUPTED') throw t.error;
        const trial = t.cv ? finishedTrial(t.index, t.params, t.cv, t.times) : failedTrial(t.index, t.params, t.error, t.times);
        trials.push(trial);
        options.onTrial?.(trial, ctx.progress());
      }
    }
  } finally {
    await pool.dispose();
  }
}

/**
 * Grid or random hyperparameter search of a tabular template, each trial scored by k-fold
 * cross-validation on the template's training split, then the best params refitted.
 *
 * Trials run one after another (or side by side in `workers` worker threads, reported in trial
 * order): trial i trains `{ ...baseParams, ...params_i }` with
 * {@link crossValidate} (same folds and seed for every trial, so trials are compared on the same
 * rows). A trial that throws (e.g. `TRAINING_FAILED` for a learning rate that diverges) is recorded
 * as `failed` with its error and the search goes on (scikit-learn's `error_score=np.nan`). The
 * search stops when the grid is exhausted, `budget.trials` trials have run, or `budget.minutes` have
 * passed (checked between trials); `stopReason` says which. The best trial has the best mean
 * (`direction` of the metric), the first one on a tie. With `refit` (default), the trainer then
 * trains the best params on all the records: the same training side as the search, evaluated on
 * the held-out side.
 *
 * @returns the trials, the best params, why it stopped and the refit model
 * @throws StratumError `TEMPLATE_UNKNOWN`; `TEMPLATE_PARAMS` for a bad space (naming the param),
 *   base params, budget, folds, metric or direction; `KERNEL_INTERRUPTED` when `signal` aborts;
 *   `TRAINING_FAILED` when every trial failed (with the first failure)
 * @example
 * ```ts
 * const result = await hyperparameterSearch({
 *   templateId: 'tabular.decision-tree', records: penguins,
 *   baseParams: { target: 'Species', features: ['Island', 'Beak Length (mm)'] },
 *   space: { maxDepth: [2, 3, 4, 6], minSamples: [2, 5, 10] }, strategy: 'grid', folds: 3,
 * });
 * console.log(result.best.params, result.best.mean);
 * ```
 */
export async function hyperparameterSearch(options: HyperparameterSearchOptions): Promise<SearchResult> {
  const now = options.now ?? (() => performance.now());
  const entry = options.templateId === undefined ? undefined : templateTrainer(options.templateId);
  const task = options.task ?? entry?.task;
  if (task !== 'classification' && task !== 'regression') throw spaceError('task', `expected "classification" or "regression", got ${describe(task)}`, 'Pass templateId, or task with a custom train function.');
  if (!entry && typeof options.train !== 'function') throw spaceError('train', 'expected a trainer function or a templateId');
  const schema = options.paramsSchema ?? (options.templateId === undefined ? undefined : templateParamsSchema(options.templateId));
  const dimensions = validateSearchSpace({ space: options.space, strategy: options.strategy, paramsSchema: schema, templateId: options.templateId });
  const baseParams = validateBaseParams(options.baseParams, schema, options.templateId);
  for (const d of dimensions) if (baseParams[d.name] !== undefined) throw spaceError(`baseParams.${d.name}`, `${d.name} is searched: remove it from the base params`);
  const budget = checkBudget(options.budget);
  const metric = resolveMetric(options.metric, task);
  const direction = CV_METRICS[metric].direction;
  if (options.direction !== undefined && options.direction !== direction) {
    throw spaceError('direction', `${metric} is ${direction === 'maximize' ? 'maximized (higher is better)' : 'minimized (lower is better)'}, not ${describe(options.direction)}`);
  }
  const folds = options.folds ?? DEFAULT_FOLDS;
  const seedValue = options.seed ?? baseParams.seed ?? schemaDefault(schema, 'seed') ?? 42;
  if (!Number.isInteger(seedValue)) throw spaceError('seed', `expected an integer, got ${describe(seedValue)}`);
  const seed = seedValue as number;
  const { records } = options;
  checkColumns(records, baseParams as unknown as TabularColumns, true);
  const loadTrain = async (): Promise<TabularTrainer> => options.train ?? (await (entry as { load(): Promise<TabularTrainer> }).load());

  // The template's own split (as prepareSupervised / trainMlpClassifier draw it): the search sees its training side only.
  const target = baseParams.target as string;
  const splitSeed = baseParams.seed ?? schemaDefault(schema, 'seed') ?? 42;
  const testFraction = baseParams.testFraction ?? schemaDefault(schema, 'testFraction') ?? 0.2;
  const keptRows: number[] = [];
  records.forEach((r, row) => {
    if (!isMissing(r[target])) keptRows.push(row);
  });
  const strata = keptRows.map((row) => (task === 'classification' ? String(records[row][target]) : ''));
  const split = stratifiedSplit(strata, { testFraction: testFraction as number, seed: splitSeed as number });
  const searchRecords = split.train.map((k) => records[keptRows[k]]);

  const planned = options.strategy === 'grid' || Number.isFinite(gridSize(dimensions)) ? gridSize(dimensions) : null;
  const maxTrials = budget.trials ?? (options.strategy === 'random' && budget.minutes === undefined ? 10 : undefined);
  const points = options.strategy === 'grid' ? gridPoints(dimensions) : randomPoints(dimensions, seed);
  const started = now();
  const trials: SearchTrial[] = [];
  let stopReason: StopReason = 'exhausted';
  const progress = (): { completed: number; planned: number | null } => ({ completed: trials.length, planned: maxTrials === undefined ? planned : Math.min(maxTrials, planned ?? Infinity) });
  /** The params of the next trial (`begun` trials have started), or undefined when the budget or the space ends the search (`stopReason` says which). */
  const nextPoint = (begun: number): Record<string, unknown> | undefined => {
    if (maxTrials !== undefined && begun >= maxTrials) {
      stopReason = 'trials';
      return undefined;
    }
    if (budget.minutes !== undefined && now() - started >= budget.minutes * 60_000) {
      stopReason = 'minutes';
      return undefined;
    }
    const next = points.next();
    if (next.done) {
      stopReason = 'exhausted';
      return undefined;
    }
    return next.value;
  };
  const features = Array.isArray(baseParams.features) ? baseParams.features.length : 1;
  const workers = entry && !options.train ? resolveWorkerCount({ ...(options.workers === undefined ? {} : { workers: options.workers }), jobs: Math.min(maxTrials ?? Infinity, planned ?? Infinity), cells: searchRecords.length * features }) : 1;
  options.onSearchStart?.({ searchRecords, rows: { search: searchRecords.length, heldOut: split.test.length, missingTarget: records.length - keptRows.length }, workers });
  if (workers > 1) {
    await trialsInWorkers({ options, templateId: options.templateId as string, task, metric, folds, seed, workers, searchRecords, baseParams, trials, nextPoint, progress, now });
  } else {
    const train = await loadTrain();
    for (;;) {
      if (options.signal?.aborted) throw cancelledError(`the search (after ${trials.length} trials)`);
      const params = nextPoint(trials.length);
      if (params === undefined) break;
      const index = trials.length + 1;
      const trainParams = { ...baseParams, ...params };
      const t0 = now();
      const startedAt = Date.now();
      options.onTrialStart?.({ index, params, trainParams, startedAt });
      const times = (): TrialTimes => ({ durationMs: now() - t0, startedAt, endedAt: Date.now() });
      let trial: SearchTrial;
      try {
        const cv = await crossValidate({
          train, task, records: searchRecords, params: trainParams, folds, seed, metric,
          ...(options.signal ? { signal: options.signal } : {}),
          onFold: (fold) => options.onFold?.({ trial: index, fold }),
        });
        trial = finishedTrial(index, params, cv, times());
      } catch (error) {
        if (error instanceof StratumError && error.code === 'KERNEL_INTERRUPTED') throw error;
        trial = failedTrial(index, params, error, times());
      }
      trials.push(trial);
      options.onTrial?.(trial, progress());
    }
  }
  const durationMs = now() - started;
  let best: SearchTrial | undefined;
  for (const t of trials) if (t.status === 'finished' && t.mean !== null && (best === undefined || better(t.mean, best.mean as number, direction))) best = t;
  if (!best) {
    const first = trials.find((t) => t.error);
    throw new StratumError('TRAINING_FAILED', `no trial of the search gave a ${metric} score (${trials.length} trials)${first?.error ? `; trial ${first.index} failed with ${first.error.code}: ${first.error.message}` : ''}`, {
      detail: { field: 'space', trials: trials.length },
      hint: 'Fix the first error, or widen the budget.',
    });
  }
  const stopDetail = stopReason === 'exhausted'
    ? options.strategy === 'grid' ? `the grid was exhausted (${trials.length} combinations)` : `every combination of the lists was drawn (${trials.length})`
    : stopReason === 'trials' ? `the budget of ${maxTrials} trials was reached` : `the time budget of ${budget.minutes} min was reached after ${trials.length} trials`;
  const result: SearchResult = {
    ...(options.templateId === undefined ? {} : { templateId: options.templateId }),
    task, strategy: options.strategy, metric, direction, folds, seed, dimensions, baseParams: structuredClone(baseParams), budget, trials,
    best: { trial: best.index, params: best.params, mean: best.mean as number, std: best.std },
    stopReason, stopDetail, planned,
    rows: { search: searchRecords.length, heldOut: split.test.length, missingTarget: records.length - keptRows.length },
    durationMs,
  };
  const coverage = gridCoverageWarning(result);
  if (coverage !== undefined) result.warnings = [coverage];
  if (options.refit !== false) {
    if (options.signal?.aborted) throw cancelledError('the search (before the refit)');
    const onEpoch = (log: EpochLog): void => {
      if (options.signal?.aborted) throw cancelledError(`the refit (epoch ${log.epoch})`);
    };
    result.model = await (options.refitTrainer ?? (await loadTrain()))(records, { ...baseParams, ...best.params }, { onEpoch, ...(options.signal ? { signal: options.signal } : {}), ...(options.workers === undefined ? {} : { workers: options.workers }) });
  }
  return result;
}

/**
 * The warning of a grid search that a budget (trials or minutes) stopped before the end of its
 * grid: grid order varies the last param (by name) fastest, as scikit-learn's `ParameterGrid`, so
 * the trials cover only a corner of the grid (with 3.2M combinations and 2 trials, the first
 * params never change). Names the grid size, the trials run, the params that never varied, and
 * suggests random search, which samples the whole grid within the same budget.
 *
 * @returns the warning, or undefined when the search is not a grid or tried every combination
 */
export function gridCoverageWarning(result: Pick<SearchResult, 'strategy' | 'planned' | 'trials' | 'stopReason' | 'dimensions' | 'budget'>): string | undefined {
  const total = result.planned;
  const tried = result.trials.length;
  if (result.strategy !== 'grid' || result.stopReason === 'exhausted' || total === null || tried >= total) return undefined;
  const count = (n: number): string => n.toLocaleString('en-US');
  const by = result.stopReason === 'trials' ? `the budget of ${count(result.budget.trials ?? tried)} trial${result.budget.trials === 1 ? '' : 's'}` : `the time budget of ${result.budget.minutes} min`;
  const fixed = result.dimensions.filter((d) => new Set(result.trials.map((t) => describe(t.params[d.name]))).size <= 1);
  const corner = fixed.length === 0 ? '' : `: ${fixed.map((d) => `${d.name} stayed ${tried === 0 ? 'unset' : describe(result.trials[0].params[d.name])}`).join(', ')}`;
  return `the grid has ${count(total)} combinations but ${by} stopped it after ${count(tried)}, the first ${count(tried)} in grid order (the last param varies fastest)${corner}; `
    + `use strategy: 'random' to sample the whole space within the same budget, or shrink the grid`;
}

function cellOf(value: unknown): TableCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Trials ordered best first: finished trials by their mean (direction of the metric; ties by trial number), then the rest by trial number. */
export function rankedTrials(result: Pick<SearchResult, 'trials' | 'direction'>): SearchTrial[] {
  const scored = result.trials.filter((t) => t.mean !== null).sort((a, b) => (a.mean === b.mean ? a.index - b.index : better(a.mean as number, b.mean as number, result.direction) ? -1 : 1));
  return [...scored, ...result.trials.filter((t) => t.mean === null)];
}

/**
 * The trials as a table output (`application/vnd.stratum.table+json`), best first: rank, trial,
 * one column per searched param, the metric's CV mean and std, status, seconds, and the run id of
 * tracked trials.
 */
export function searchResultsTable(result: SearchResult): TableData {
  const ranked = rankedTrials(result);
  // Integer-valued params (maxDepth, epochs...) are int32 columns, other numbers float32, anything else text.
  const dtype = (name: string): string => {
    const values = result.trials.map((t) => t.params[name]);
    if (!values.every((v) => typeof v === 'number')) return 'string';
    return values.every((v) => Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 - 1) ? 'int32' : 'float32';
  };
  const tracked = result.trials.some((t) => t.runId !== undefined);
  const columns = [
    { name: 'rank', dtype: 'int32' },
    { name: 'trial', dtype: 'int32' },
    ...result.dimensions.map((d) => ({ name: d.name, dtype: dtype(d.name) })),
    { name: `${result.metric} (mean)`, dtype: 'float32' },
    { name: `${result.metric} (std)`, dtype: 'float32' },
    { name: 'status', dtype: 'string' },
    { name: 'seconds', dtype: 'float32' },
    ...(tracked ? [{ name: 'run', dtype: 'string' }] : []),
  ];
  const rows = ranked.map((t, i) => [
    t.mean === null ? null : i + 1,
    t.index,
    ...result.dimensions.map((d) => cellOf(t.params[d.name])),
    t.mean,
    t.std,
    t.status === 'failed' ? `failed: ${t.error?.code ?? 'error'}` : t.status,
    Math.round(t.durationMs) / 1000,
    ...(tracked ? [t.runId ?? null] : []),
  ]);
  return { columns, rows, totalRows: rows.length };
}

function tickLabel(value: unknown): string {
  return typeof value === 'string' ? value : describe(value);
}

/**
 * A Plotly parallel-coordinates figure (`parcoords` trace) of the scored trials: one axis per
 * searched param (numbers as numbers, log ranges on a log10 axis labelled in the param's units,
 * anything else mapped to evenly spaced ticks labelled with the values) and a last axis with the
 * metric's CV mean; lines coloured by the metric (the best end bright).
 */
export function searchParallelCoordinates(result: SearchResult): PlotlyFigure {
  const scored = result.trials.filter((t) => t.mean !== null);
  const dimensions: Array<Record<string, unknown>> = result.dimensions.map((d) => {
    const values = scored.map((t) => t.params[d.name]);
    if (d.kind === 'range' && d.log) {
      const lo = Math.floor(Math.log10(d.min));
      const hi = Math.ceil(Math.log10(d.max));
      const tickvals = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
      return { label: `${d.name} (log)`, values: values.map((v) => Math.log10(v as number)), range: [Math.log10(d.min), Math.log10(d.max)], tickvals, ticktext: tickvals.map((k) => `1e${k}`) };
    }
    if (d.kind === 'range') return { label: d.name, values, range: [d.min, d.max] };
    if (d.values.every((v) => typeof v === 'number')) return { label: d.name, values, range: [Math.min(...(d.values as number[])), Math.max(...(d.values as number[]))] };
    const keys = d.values.map(describe);
    return { label: d.name, values: values.map((v) => keys.indexOf(describe(v))), range: [0, Math.max(1, keys.length - 1)], tickvals: keys.map((_, i) => i), ticktext: d.values.map(tickLabel) };
  });
  const means = scored.map((t) => t.mean as number);
  dimensions.push({ label: `${result.metric} (CV mean)`, values: means });
  const dropped = result.trials.length - scored.length;
  return {
    data: [{
      type: 'parcoords',
      line: { color: means, colorscale: 'Viridis', reversescale: result.direction === 'minimize', showscale: true, colorbar: { title: { text: result.metric } } },
      dimensions,
    }],
    layout: {
      title: { text: `${result.strategy === 'grid' ? 'Grid' : 'Random'} search${result.templateId ? ` of ${result.templateId}` : ''}: ${scored.length} trials, ${result.metric} by ${result.folds}-fold CV${dropped ? ` (${dropped} without a score not shown)` : ''}` },
      margin: { l: 60, r: 60, t: 70, b: 30 },
    },
  };
}

function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined ? 'n/a' : x.toFixed(digits);
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' ? String(Number(v.toPrecision(6))) : describe(v)}`).join(', ');
}

/** The refit model's held-out value of the search metric, when its evaluation has it. */
function refitScore(model: TabularTrainedModel | undefined, metric: CvMetric): { value: number | null; n: number } | undefined {
  if (!model) return undefined;
  const evaluation = model.evaluation as unknown as Record<string, unknown>;
  const value = evaluation[metric];
  return typeof value === 'number' ? { value, n: model.sizes.test } : undefined;
}

/**
 * A readable text block of a search: what ran, why it stopped, the best params with their CV
 * score, failed trials, the refit's held-out score and, for a tracked search, the refit run with
 * the command that registers it.
 */
export function searchSummary(result: SearchResult): string {
  const failed = result.trials.filter((t) => t.status === 'failed');
  const lines = [
    `${result.strategy === 'grid' ? 'Grid' : 'Random'} search${result.templateId ? ` of ${result.templateId}` : ''}: ${result.trials.length} trials, each a ${result.folds}-fold cross-validation on the ${result.rows.search} training rows (${result.rows.heldOut} held out for the refit's evaluation); ${result.metric}, ${result.direction === 'maximize' ? 'higher' : 'lower'} is better`,
    `stopped: ${result.stopDetail} (${(result.durationMs / 1000).toFixed(1)} s)`,
    `best: trial ${result.best.trial}, ${result.metric} ${fmt(result.best.mean)} ± ${fmt(result.best.std)} (CV mean ± population std) with ${paramsText(result.best.params)}`,
  ];
  for (const warning of result.warnings ?? []) lines.push(`warning: ${warning}`);
  if (failed.length) lines.push(`failed trials: ${failed.length} (first: trial ${failed[0].index}, ${failed[0].error?.code}: ${failed[0].error?.message})`);
  const refit = refitScore(result.model, result.metric);
  if (result.model) lines.push(`refit with the best params on the ${result.model.sizes.train} training rows${refit ? `: held-out ${result.metric} ${fmt(refit.value)} on ${refit.n} rows` : ''}`);
  if (result.refitRunId) lines.push(`refit run ${result.refitRunId}; register it: stratum models register NAME --run ${result.refitRunId}`);
  if (result.experiment) lines.push(`every trial is a run of experiment ${result.experiment}: stratum runs --experiment ${result.experiment}`);
  return lines.join('\n');
}
