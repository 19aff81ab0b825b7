/**
 * The data pipeline every tabular template shares: check the column parameters, drop rows whose
 * target is missing, split (seeded; stratified by class for classification), fit the
 * preprocessing pipeline on the training rows only, and transform both sides.
 */
import { StratumError } from '../errors.ts';
import { describeValue, fieldPath, fitPreprocessor, numbersAsTextIssue, transformRecords } from './preprocess.ts';
import { stratifiedSplit, type SplitIndexes } from './split.ts';
import type { FeatureRecord, PreprocessorState } from './types.ts';

/** Column parameters shared by every tabular template. */
export interface TabularColumns {
  /** Target column (absent for clustering). */
  target?: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even when their values are numbers. */
  categorical?: string[];
  /** Policy for a category unseen in training (at prediction time); default `error`. */
  unseen?: 'error' | 'ignore';
  /**
   * An explicit split instead of the seeded one (cross-validation folds, core/ml/cv.ts): positions
   * in the records array of the training rows and of the held-out rows (see {@link explicitSplit}).
   * `testFraction` is then unused; rows in neither list are left out.
   */
  splitIndexes?: SplitIndexes;
}

/** Split parameters. */
export interface SplitParams {
  /** Fraction held out for evaluation, in (0, 1). */
  testFraction: number;
  /** Seed of the split. */
  seed: number;
}

/** A prepared supervised data set. */
export interface PreparedData {
  preprocessor: PreprocessorState;
  /** Training matrix, row-major, `train.rows` x `preprocessor.outputWidth`. */
  train: { x: Float32Array; rows: number; y: string[] | number[]; records: FeatureRecord[] };
  /** Held-out matrix (unseen categories encoded as zeros). */
  test: { x: Float32Array; rows: number; y: string[] | number[]; records: FeatureRecord[] };
  /** Sorted class labels (classification), empty otherwise. */
  labels: string[];
  /** Rows dropped because the target was missing. */
  missingTarget: number;
}

function paramError(field: string, message: string, hint?: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field }, hint });
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** The non-missing values of a column with their positions in the records. */
function presentValues(records: FeatureRecord[], name: string): Array<{ row: number; value: unknown }> {
  const present: Array<{ row: number; value: unknown }> = [];
  records.forEach((record, row) => {
    const value = record[name];
    if (!isMissing(value)) present.push({ row, value });
  });
  return present;
}

/** Column names seen in the first 1000 records. */
export function availableColumns(records: FeatureRecord[]): string[] {
  const names = new Set<string>();
  for (const record of records.slice(0, 1000)) if (typeof record === 'object' && record !== null) for (const k of Object.keys(record)) names.add(k);
  return [...names];
}

/**
 * Checks target/features/categorical against the data's columns.
 *
 * @throws StratumError `TEMPLATE_PARAMS` naming the bad parameter and listing the available columns
 */
export function checkColumns(records: FeatureRecord[], columns: TabularColumns, needsTarget: boolean): void {
  if (!Array.isArray(records)) throw new StratumError('DATA_INVALID', 'expected an array of records', { hint: 'Convert a DataFrame with stratum.toRecords(df).' });
  const available = availableColumns(records);
  const known = new Set(available);
  const hint = `Available columns: ${available.map((c) => JSON.stringify(c)).join(', ')}.`;
  if (needsTarget) {
    if (typeof columns.target !== 'string') throw paramError('target', 'expected a column name', hint);
    if (!known.has(columns.target)) throw paramError('target', `unknown column ${JSON.stringify(columns.target)}`, hint);
  }
  const f = columns.features;
  if (!Array.isArray(f) || f.length === 0 || f.some((x) => typeof x !== 'string')) throw paramError('features', 'expected a non-empty list of column names', hint);
  for (const name of f) if (!known.has(name)) throw paramError('features', `unknown column ${JSON.stringify(name)}`, hint);
  if (columns.target !== undefined && f.includes(columns.target)) throw paramError('features', `the target ${JSON.stringify(columns.target)} cannot also be a feature`);
  if (new Set(f).size !== f.length) throw paramError('features', 'a column is listed twice');
  for (const c of columns.categorical ?? []) if (!f.includes(c)) throw paramError('categorical', `${JSON.stringify(c)} is not one of the features`);
}

/**
 * Prepares a supervised data set.
 *
 * Classification: target values become strings (`String(v)`), at least 2 classes are required,
 * the split is {@link stratifiedSplit}. Regression: target values must be finite numbers and the
 * split is the same seeded shuffle over one stratum (a plain random split). With
 * `columns.splitIndexes` (cross-validation folds) that split is used instead ({@link explicitSplit}).
 *
 * @throws StratumError `TEMPLATE_PARAMS` for bad columns; `DATA_INVALID` for a target of one
 *   class, a non-numeric regression target, or an empty held-out split
 */
export function prepareSupervised(records: FeatureRecord[], columns: TabularColumns, split: SplitParams, task: 'classification' | 'regression'): PreparedData {
  checkColumns(records, columns, true);
  const target = columns.target as string;
  const kept: FeatureRecord[] = [];
  const y: Array<string | number> = [];
  const keptRows: number[] = [];
  let missingTarget = 0;
  records.forEach((record, row) => {
    const value = record[target];
    if (isMissing(value)) {
      missingTarget++;
      return;
    }
    keptRows.push(row);
    if (task === 'regression') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        // A target column the loader kept as text (e.g. one stray "n/a"): name the offending rows, not row 0.
        const issue = typeof value === 'string' ? numbersAsTextIssue(target, presentValues(records, target), 'target') : undefined;
        if (issue !== undefined) {
          const field = fieldPath(issue.row, target);
          throw new StratumError('DATA_INVALID', `${issue.message}; regression needs numbers`, { detail: { field, row: issue.row }, hint: issue.hint });
        }
        const field = fieldPath(row, target);
        throw new StratumError('DATA_INVALID', `${field}: regression needs a finite number, got ${describeValue(value)}`, { detail: { field, row }, hint: 'Choose a numeric target column, or a classification template.' });
      }
      y.push(value);
    } else {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        const field = fieldPath(row, target);
        throw new StratumError('DATA_INVALID', `${field}: expected a class label (string, number or boolean), got ${typeof value}`, { detail: { field, row } });
      }
      y.push(String(value));
    }
    kept.push(record);
  });
  const labels = task === 'classification' ? [...new Set(y as string[])].sort() : [];
  if (task === 'classification' && labels.length < 2) {
    throw new StratumError('DATA_INVALID', `target ${JSON.stringify(target)} has ${labels.length} class${labels.length === 1 ? ` (${JSON.stringify(labels[0])})` : 'es'} after dropping ${missingTarget} rows with a missing target; classification needs at least 2`, {
      detail: { field: 'target' },
      hint: 'Choose a target column with at least two distinct values.',
    });
  }
  const strata = task === 'classification' ? (y as string[]) : y.map(() => '');
  const { train, test } = columns.splitIndexes === undefined ? stratifiedSplit(strata, split) : explicitSplit(columns.splitIndexes, keptRows, records.length);
  if (test.length === 0) {
    throw new StratumError('DATA_INVALID', `the held-out split is empty (${kept.length} rows, testFraction ${split.testFraction})`, { detail: { field: 'testFraction' }, hint: 'Use more rows or a larger testFraction.' });
  }
  const trainRecords = train.map((i) => kept[i]);
  const testRecords = test.map((i) => kept[i]);
  const preprocessor = fitPreprocessor(trainRecords, { features: columns.features, categorical: columns.categorical ?? [], unseen: columns.unseen ?? 'error' });
  const pick = (idx: number[]): string[] | number[] => (task === 'regression' ? idx.map((i) => y[i] as number) : idx.map((i) => y[i] as string));
  return {
    preprocessor,
    train: { x: transformRecords(preprocessor, trainRecords), rows: trainRecords.length, y: pick(train), records: trainRecords },
    test: { x: transformRecords(preprocessor, testRecords, { unseen: 'ignore' }), rows: testRecords.length, y: pick(test), records: testRecords },
    labels,
    missingTarget,
  };
}

/**
 * Maps an explicit split given as positions in the records array (as passed to a trainer) to
 * positions among the rows kept after dropping a missing target, the indexes the trainers use.
 * Rows whose target is missing are dropped from either side; order is kept.
 *
 * @param indexes - `train` and `test` positions in the records array
 * @param keptRows - for each kept row (in order), its position in the records array
 * @param rowCount - length of the records array
 * @returns positions among the kept rows
 * @throws StratumError `TEMPLATE_PARAMS` (field `splitIndexes.train[i]` / `splitIndexes.test[i]`)
 *   for a position that is not an integer in `[0, rowCount)`, is repeated, or is on both sides;
 *   `DATA_INVALID` when a side has no row with a target
 * @example
 * ```ts
 * explicitSplit({ train: [0, 2], test: [3] }, [0, 2, 3], 4); // { train: [0, 1], test: [2] } (row 1 had no target)
 * ```
 */
export function explicitSplit(indexes: SplitIndexes, keptRows: readonly number[], rowCount: number): SplitIndexes {
  const side = new Int8Array(rowCount);
  for (const [name, code] of [['train', 1], ['test', 2]] as const) {
    const rows: unknown = indexes?.[name];
    if (!Array.isArray(rows)) throw paramError(`splitIndexes.${name}`, 'expected an array of row positions');
    rows.forEach((r: unknown, i) => {
      const field = `splitIndexes.${name}[${i}]`;
      if (!Number.isInteger(r) || (r as number) < 0 || (r as number) >= rowCount) throw paramError(field, `expected a row position in [0, ${rowCount}), got ${JSON.stringify(r)}`);
      const previous = side[r as number];
      if (previous !== 0) throw paramError(field, `row ${r as number} is ${previous === code ? 'listed twice' : 'on both the training and the held-out side'}`);
      side[r as number] = code;
    });
  }
  const position = new Int32Array(rowCount).fill(-1);
  keptRows.forEach((row, k) => (position[row] = k));
  const map = (rows: number[]): number[] => rows.map((r) => position[r]).filter((k) => k >= 0);
  const out = { train: map(indexes.train), test: map(indexes.test) };
  for (const name of ['train', 'test'] as const) {
    if (out[name].length === 0) {
      throw new StratumError('DATA_INVALID', `splitIndexes.${name}: none of its ${indexes[name].length} rows has a target`, { detail: { field: `splitIndexes.${name}` }, hint: 'Each side of the split needs rows whose target is not missing.' });
    }
  }
  return out;
}

/** Rows of a row-major float32 matrix as `number[][]` (the `ml-*` libraries' input format). */
export function toRows(x: Float32Array, rows: number, width: number): number[][] {
  const out: number[][] = new Array(rows);
  for (let i = 0; i < rows; i++) out[i] = Array.from(x.subarray(i * width, (i + 1) * width));
  return out;
}
