/**
 * Conversion of notebook data (a danfo DataFrame or an array of plain objects) to the
 * {@link FeatureRecord}s that training and prediction take.
 */
import { StratumError } from '../errors.ts';
import type { FeatureRecord } from './types.ts';

/** The part of a danfo `DataFrame` this module reads (duck-typed, so core/ml does not load danfo). */
interface DataFrameLike {
  columns: string[];
  values: unknown[][];
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  if (typeof x !== 'object' || x === null) return false;
  const candidate = x as { columns?: unknown; values?: unknown; toJSON?: unknown };
  return Array.isArray(candidate.columns) && candidate.columns.every((c) => typeof c === 'string') && Array.isArray(candidate.values) && typeof candidate.toJSON === 'function';
}

function isPlainRecord(x: unknown): x is FeatureRecord {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Returns the rows of a danfo `DataFrame` (danfojs-node 1.2) or an array of objects as records.
 *
 * A DataFrame is read through its `columns` and row-major `values` (equivalent to
 * `df.toJSON()`, whose default format in danfojs-node 1.2 is one object per row); its missing
 * values (`NaN`, `undefined`) become `null`. An array of objects is returned as is (not copied).
 *
 * @param x - a DataFrame or an array of plain objects
 * @returns one {@link FeatureRecord} per row
 * @throws StratumError `DATA_INVALID` when `x` is neither, naming the first bad element
 * @example
 * ```ts
 * const rows = toRecords(await stratum.csv.load({ path: 'weather.csv' }));
 * ```
 */
export function toRecords(x: unknown): FeatureRecord[] {
  if (Array.isArray(x)) {
    const bad = x.findIndex((r) => !isPlainRecord(r));
    if (bad >= 0) {
      throw new StratumError('DATA_INVALID', `records[${bad}]: expected an object, got ${Array.isArray(x[bad]) ? 'an array' : x[bad] === null ? 'null' : typeof x[bad]}`, {
        detail: { field: `records[${bad}]`, row: bad },
        hint: 'Pass a DataFrame or an array of objects (one per row).',
      });
    }
    return x as FeatureRecord[];
  }
  if (isDataFrameLike(x)) {
    const { columns, values } = x;
    return values.map((row) => {
      const record: FeatureRecord = {};
      columns.forEach((name, j) => {
        const v = row[j];
        record[name] = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
      });
      return record;
    });
  }
  const got = x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
  throw new StratumError('DATA_INVALID', `expected a DataFrame or an array of records, got ${got}`, { hint: 'Load the data with a connector (a DataFrame) or pass an array of objects.' });
}
