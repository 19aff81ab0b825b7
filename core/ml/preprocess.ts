/**
 * The fitted, JSON-serializable preprocessing pipeline shared by training and serving.
 *
 * Numeric features: median imputation then standardization with the population standard deviation
 * (scikit-learn `SimpleImputer(strategy="median")` then `StandardScaler`). Categorical features:
 * most-frequent imputation then one-hot encoding over the sorted training categories
 * (`SimpleImputer(strategy="most_frequent")` then `OneHotEncoder(handle_unknown=...)`).
 * The same {@link PreprocessorState} transforms the training matrix and every live request, so a
 * served model sees exactly the encoding it was trained on.
 */
import { mean, median, standardDeviation } from 'simple-statistics';
import { MOSTLY_TYPED_SHARE } from '../data/columns.ts';
import { StratumError } from '../errors.ts';
import type { CategoricalFeatureStep, FeatureRecord, NumericFeatureStep, PreprocessorState } from './types.ts';

/** Options of {@link fitPreprocessor}. */
export interface PreprocessorSpec {
  /** Feature (column) names, in output order. */
  features: string[];
  /** Features to treat as categorical even when their values are numbers or booleans. */
  categorical?: string[];
  /** Policy for a category not seen in training; default `error`. */
  unseen?: 'error' | 'ignore';
}

/** Options of {@link transformRecords}. */
export interface TransformOptions {
  /**
   * What a `null`/`undefined` value (or `NaN`, pandas' and danfo's missing marker) means:
   * `impute` (default, training and notebooks) replaces it with the fitted median / most frequent
   * category; `error` (serving) rejects it naming the field. An absent key is always an error.
   */
  missing?: 'impute' | 'error';
  /**
   * Overrides every categorical step's `unseen` policy for this call (training uses `ignore` to
   * evaluate held-out rows holding a category absent from the training rows). Default: each step's policy.
   */
  unseen?: 'error' | 'ignore';
}

type CategoryValueType = NonNullable<CategoricalFeatureStep['valueType']>;

/** Formats the location of a value, e.g. `records[2].temp_max` or `records[0]["Beak Length (mm)"]`. */
export function fieldPath(row: number, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `records[${row}].${name}` : `records[${row}][${JSON.stringify(name)}]`;
}

/**
 * A value as an error message quotes it: JSON for plain values (cut to 60 characters), `NaN`,
 * `Infinity`, `undefined`, `12n (a BigInt)`, `Date 2020-01-01T00:00:00.000Z`. Never throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/** A number written as text (the CSV reader's number forms, spaces allowed around it). */
const NUMBER_TEXT_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** What {@link numbersAsTextIssue} found: an error message naming rows and values, and the fix. */
export interface NumbersAsTextIssue {
  /** E.g. `column "x" is text because 1 of 200 values is not a number: records[17].x = "n/a"; ...`. */
  message: string;
  /** What to do. */
  hint: string;
  /** Row (position in the records) of the first offending value. */
  row: number;
  /** `strays`: a few values are not numbers; `all-text`: every value is a number written as text. */
  kind: 'strays' | 'all-text';
}

/**
 * Why a column that should hold numbers holds text, from its non-missing values: every value is a
 * number written as text (`"1.5"`: a column the loader kept as text), or at least
 * {@link MOSTLY_TYPED_SHARE} of them are numbers (or numbers as text) and a few are not, e.g. a
 * missing-value marker the loader did not know (`n/a`, `?`), which made the whole column text.
 * The message names the column, how many values are not numbers, the first three distinct ones
 * with their rows (`records[17].x = "n/a"`) and the fix. `undefined` when the column is simply text.
 *
 * @param name - column name
 * @param present - the column's non-missing values with their rows (positions in the records)
 * @param role - `column` (a feature) or `target`, for the message
 */
export function numbersAsTextIssue(name: string, present: ReadonlyArray<{ row: number; value: unknown }>, role: 'column' | 'target' = 'column'): NumbersAsTextIssue | undefined {
  if (present.length === 0) return undefined;
  let numbers = 0;
  let firstText: { row: number; value: unknown } | undefined;
  const strays: Array<{ row: number; value: unknown }> = [];
  for (const p of present) {
    const v = p.value;
    if (typeof v === 'number' || (typeof v === 'string' && NUMBER_TEXT_RE.test(v))) {
      numbers++;
      if (typeof v === 'string') firstText ??= p;
    } else if (strays.length < 3 && !strays.some((s) => s.value === v)) strays.push(p);
  }
  const subject = role === 'target' ? `target ${JSON.stringify(name)}` : `column ${JSON.stringify(name)}`;
  const count = present.length - numbers;
  if (count === 0) {
    if (firstText === undefined) return undefined; // all numbers already
    return {
      kind: 'all-text',
      row: firstText.row,
      message: `${subject} holds numbers stored as text (e.g. ${fieldPath(firstText.row, name)} = ${describeValue(firstText.value)})`,
      hint: role === 'target' ? `Convert the column to numbers before training (e.g. df["${name}"].asType("float32")).` : `Convert the column to numbers, or list "${name}" in categorical if the values are codes.`,
    };
  }
  if (numbers < MOSTLY_TYPED_SHARE * present.length) return undefined;
  const listed = strays.map((s) => `${fieldPath(s.row, name)} = ${describeValue(s.value)}`).join(', ');
  const more = count > strays.length ? ` (${count - strays.length} more)` : '';
  return {
    kind: 'strays',
    row: strays[0]!.row,
    message: `${subject} is text because ${count.toLocaleString('en')} of ${present.length.toLocaleString('en')} values ${count === 1 ? 'is not a number' : 'are not numbers'}: ${listed}${more}; the other ${numbers.toLocaleString('en')} are numbers`,
    hint: `If ${count === 1 ? 'it means' : 'they mean'} "missing", load the data again with the missingValues option listing ${count === 1 ? 'it' : 'them'} (e.g. missingValues: ["", "NA", ${strays.map((s) => JSON.stringify(String(s.value))).join(', ')}]); else fix ${count === 1 ? 'that row' : 'those rows'} in the file${role === 'column' ? `, or list "${name}" in categorical if it really is a category` : ''}.`,
  };
}

/** True for values meaning "missing" at training time: `null`, `undefined`, `NaN`. */
function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

function dataError(message: string, row: number | undefined, field: string, hint?: string): StratumError {
  return new StratumError('DATA_INVALID', message, { detail: { field, ...(row === undefined ? {} : { row }) }, hint });
}

function compareCategories(type: CategoryValueType): (a: string, b: string) => number {
  if (type === 'number') return (a, b) => Number(a) - Number(b);
  // Code-unit order (not locale order) so the encoding never depends on the machine's locale.
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Fits the preprocessing pipeline on training records.
 *
 * A feature is numeric unless it is listed in `spec.categorical` or its values are strings
 * (or booleans). Numeric: the median of the non-missing values replaces missing values, then
 * `(x - mean) / std` with the mean and population standard deviation (ddof = 0) of the imputed
 * column; a constant column gets `std = 1`. Categorical: the most frequent category (ties broken
 * by sorted order) replaces missing values, then one output column per sorted category.
 *
 * Missing at training time means `null`, `undefined` or `NaN` (danfo's missing marker).
 *
 * @param records - training records (feature name -> raw value)
 * @param spec - features in output order, which are categorical, the unseen-category policy
 * @returns a JSON-serializable {@link PreprocessorState}
 * @throws StratumError `DATA_INVALID` when a feature is absent from a record, mixes numbers and
 *   strings, holds strings that all look like numbers without being declared categorical,
 *   holds a non-finite or non-scalar value, or has no non-missing value
 * @example
 * ```ts
 * const state = fitPreprocessor(rows, { features: ['temp_max', 'wind'] });
 * const x = transformRecords(state, rows); // Float32Array, rows.length x state.outputWidth
 * ```
 */
export function fitPreprocessor(records: FeatureRecord[], spec: PreprocessorSpec): PreprocessorState {
  const categorical = new Set(spec.categorical ?? []);
  for (const name of categorical) {
    if (!spec.features.includes(name)) {
      throw new StratumError('TEMPLATE_PARAMS', `categorical feature "${name}" is not one of the features (${spec.features.join(', ')})`, { detail: { field: 'categorical' } });
    }
  }
  if (new Set(spec.features).size !== spec.features.length) {
    throw new StratumError('TEMPLATE_PARAMS', `features list a column twice: ${spec.features.join(', ')}`, { detail: { field: 'features' } });
  }
  const unseen = spec.unseen ?? 'error';
  const steps = spec.features.map((name) => fitFeature(records, name, categorical.has(name), unseen));
  const outputWidth = steps.reduce((w, s) => w + (s.kind === 'numeric' ? 1 : s.categories.length), 0);
  return { version: 1, steps, outputWidth };
}

function fitFeature(records: FeatureRecord[], name: string, declaredCategorical: boolean, unseen: 'error' | 'ignore'): NumericFeatureStep | CategoricalFeatureStep {
  const present: Array<{ row: number; value: string | number | boolean }> = [];
  let missingCount = 0;
  const types = new Map<CategoryValueType, number>(); // type -> first row having it
  records.forEach((record, row) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw dataError(`records[${row}]: expected an object, got ${describeValue(record)}`, row, `records[${row}]`);
    }
    if (!Object.hasOwn(record, name)) {
      throw dataError(`${fieldPath(row, name)}: field is absent`, row, fieldPath(row, name), 'Every record needs every feature (use null for a missing value).');
    }
    const value = record[name];
    if (isMissing(value)) {
      missingCount++;
      return;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw dataError(`${fieldPath(row, name)}: expected a finite number, got ${describeValue(value)}`, row, fieldPath(row, name));
    } else if (typeof value !== 'string' && typeof value !== 'boolean') {
      throw dataError(`${fieldPath(row, name)}: expected a number or a string, got ${describeValue(value)}`, row, fieldPath(row, name));
    }
    const type = typeof value as CategoryValueType;
    if (!types.has(type)) types.set(type, row);
    present.push({ row, value });
  });
  if (types.size > 1) {
    const issue = numbersAsTextIssue(name, present);
    if (issue?.kind === 'strays') throw dataError(issue.message, issue.row, name, issue.hint);
    const where = [...types.entries()].map(([t, row]) => `${t} at ${fieldPath(row, name)} = ${describeValue(records[row]![name])}`).join(', ');
    throw dataError(`column "${name}" mixes value types (${where})`, undefined, name, 'Clean the column so every value has one type, or convert it before training.');
  }
  const valueType: CategoryValueType = types.keys().next().value ?? 'number';
  if (!declaredCategorical && valueType === 'number') {
    return fitNumericStep(name, present.map((p) => p.value as number), missingCount);
  }
  if (!declaredCategorical && valueType === 'string') {
    const issue = numbersAsTextIssue(name, present);
    if (issue !== undefined) throw dataError(issue.message, issue.row, name, issue.hint);
  }
  const step = fitCategoricalStep(name, present.map((p) => String(p.value)), valueType, unseen);
  if (!declaredCategorical && step.categories.length > MAX_INFERRED_CATEGORIES && step.categories.length > present.length / 2) {
    throw dataError(
      `column "${name}" has ${step.categories.length} distinct values in ${present.length} rows: it looks like an identifier, a date or free text, not a category (one-hot encoding it gives a model that only knows the training rows' values)`,
      undefined,
      name,
      `Drop "${name}" from the features, derive numeric features from it (e.g. month or day of year from a date), or list it in categorical to encode it anyway.`,
    );
  }
  return step;
}

/**
 * Guardrail: a text column is not taken as an inferred category when it has more than this many
 * distinct values AND more distinct values than half its rows (identifiers, dates, free text).
 * Listing the column in `categorical` overrides it.
 */
export const MAX_INFERRED_CATEGORIES = 50;

/** At most this many known categories are quoted in an error message. */
const MAX_LISTED_CATEGORIES = 20;

/** `"a", "b", ... (and N more)` for error messages. */
export function listCategories(categories: readonly unknown[]): string {
  const shown = categories.slice(0, MAX_LISTED_CATEGORIES).map((c) => JSON.stringify(c)).join(', ');
  return categories.length > MAX_LISTED_CATEGORIES ? `${shown}, ... (${categories.length} in all)` : shown;
}

function fitNumericStep(name: string, values: number[], missingCount: number): NumericFeatureStep {
  if (values.length === 0) {
    throw dataError(`column "${name}" has no non-missing values`, undefined, name, 'Drop the column from the features.');
  }
  const med = median(values);
  const imputed = missingCount === 0 ? values : values.concat(new Array<number>(missingCount).fill(med));
  const mu = mean(imputed);
  const sd = standardDeviation(imputed); // population standard deviation (divides by n), as StandardScaler
  return { kind: 'numeric', name, median: med, mean: mu, std: sd > 0 ? sd : 1 };
}

function fitCategoricalStep(name: string, values: string[], valueType: CategoryValueType, unseen: 'error' | 'ignore'): CategoricalFeatureStep {
  if (values.length === 0) {
    throw dataError(`column "${name}" has no non-missing values`, undefined, name, 'Drop the column from the features.');
  }
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const categories = [...counts.keys()].sort(compareCategories(valueType));
  let mostFrequent = categories[0];
  for (const c of categories) if ((counts.get(c) ?? 0) > (counts.get(mostFrequent) ?? 0)) mostFrequent = c;
  return { kind: 'categorical', name, mostFrequent, categories, unseen, valueType };
}

/**
 * Validates records and transforms them into the model's input matrix.
 *
 * @param state - a fitted pipeline (possibly after a JSON round trip)
 * @param records - records to transform
 * @param options - how to treat missing values (see {@link TransformOptions})
 * @returns row-major float32 matrix of `records.length` x `state.outputWidth`
 * @throws StratumError `REQUEST_INVALID` naming field and row (e.g.
 *   `records[2].temp_max: expected a number, got "abc"`) for an absent field, a wrong type,
 *   a non-finite number, a missing value under `missing: 'error'`, or an unseen category under
 *   the `error` policy
 */
export function transformRecords(state: PreprocessorState, records: FeatureRecord[], options: TransformOptions = {}): Float32Array {
  const missing = options.missing ?? 'impute';
  const width = state.outputWidth;
  const out = new Float32Array(records.length * width);
  const indexes = state.steps.map((s) => (s.kind === 'categorical' ? new Map(s.categories.map((c, i) => [c, i])) : undefined));
  records.forEach((record, row) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw requestError(`records[${row}]: expected an object, got ${describeValue(record)}`, row, `records[${row}]`);
    }
    let col = row * width;
    state.steps.forEach((step, s) => {
      const field = fieldPath(row, step.name);
      if (!Object.hasOwn(record, step.name)) throw requestError(`${field}: required field is absent`, row, field);
      const raw = record[step.name];
      const isAbsentValue = isMissing(raw);
      if (isAbsentValue && missing === 'error') {
        throw requestError(`${field}: expected ${expected(step)}, got ${describeValue(raw)}`, row, field);
      }
      if (step.kind === 'numeric') {
        let x: number;
        if (isAbsentValue) x = step.median;
        else if (typeof raw !== 'number') throw requestError(`${field}: expected a number, got ${describeValue(raw)}`, row, field);
        else if (!Number.isFinite(raw)) throw requestError(`${field}: expected a finite number, got ${describeValue(raw)}`, row, field);
        else x = raw;
        out[col++] = (x - step.mean) / step.std;
        return;
      }
      const type = step.valueType ?? 'string';
      let category: string;
      if (isAbsentValue) category = step.mostFrequent;
      else if (typeof raw !== type || (typeof raw === 'number' && !Number.isFinite(raw))) {
        throw requestError(`${field}: expected ${expected(step)}, got ${describeValue(raw)}`, row, field);
      } else category = String(raw);
      const index = indexes[s]?.get(category);
      if (index !== undefined) out[col + index] = 1;
      else if ((options.unseen ?? step.unseen) === 'error') {
        throw requestError(`${field}: unknown category ${describeValue(raw)} (known: ${listCategories(step.categories)})`, row, field);
      }
      col += step.categories.length;
    });
  });
  return out;
}

function expected(step: NumericFeatureStep | CategoricalFeatureStep): string {
  if (step.kind === 'numeric') return 'a number';
  const type = step.valueType ?? 'string';
  return type === 'number' ? 'a number (category code)' : type === 'boolean' ? 'a boolean' : 'a string';
}

function requestError(message: string, row: number, field: string): StratumError {
  return new StratumError('REQUEST_INVALID', message, { detail: { field, row } });
}

/**
 * JSON Schema (draft 2020-12) of one input record for a fitted pipeline: numeric features are
 * `{type: 'number'}`, categorical ones `{type: 'string', enum: categories}` (no enum under the
 * `ignore` policy, since any category is accepted); every feature is required and `null` is not
 * accepted; extra properties are allowed (and ignored).
 *
 * @param state - a fitted pipeline
 * @returns a JSON Schema object
 */
export function inputJsonSchema(state: PreprocessorState): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const step of state.steps) {
    if (step.kind === 'numeric') {
      properties[step.name] = { type: 'number' };
      continue;
    }
    const type = step.valueType ?? 'string';
    const values = step.categories.map((c) => (type === 'number' ? Number(c) : type === 'boolean' ? c === 'true' : c));
    properties[step.name] = step.unseen === 'error' ? { type, enum: values } : { type };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties,
    required: state.steps.map((s) => s.name),
    additionalProperties: true,
  };
}
