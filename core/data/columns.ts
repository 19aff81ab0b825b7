/**
 * The connector-neutral columnar table ({@link DataTable}) and the type rules every connector
 * applies to it: whole-column inference, missing-value tokens, exact big integers and
 * leading-zero codes, date recognition, and a {@link Coercion} report of every value that was
 * changed on the way in (so nothing changes silently).
 *
 * Text sources (CSV, TSV) go through {@link inferTextColumn}; typed sources (JSON, Excel,
 * Parquet, SQL, HTTP) through {@link inferValueColumn}. Both give the same {@link DataColumn} shape.
 */

/** Danfo-like storage dtype of a column (`bool` is Danfo's `boolean`, see {@link danfoDtype}). */
export type DataDtype = 'int32' | 'float32' | 'bool' | 'string';

/** Inferred kind of a column; `date` columns hold ISO-8601 strings (`YYYY-MM-DD` or with a time). */
export type ColumnKind = 'integer' | 'float' | 'boolean' | 'string' | 'date';

/** One cell of a {@link DataColumn}: `null` when missing. */
export type CellValue = number | string | boolean | null;

/** One typed column. */
export interface DataColumn {
  /** Column name (unique within the table). */
  name: string;
  /**
   * Storage dtype: `int32` for integers within ±2^31, `float32` for floats and for integers beyond
   * the int32 range (the values stay exact JS numbers; the label is Danfo's), `bool`, or `string`
   * (strings and dates).
   */
  dtype: DataDtype;
  /** Inferred kind, from all rows. */
  kind: ColumnKind;
  /** Number of missing values. */
  missing: number;
  /** Why the column got its type when that is not obvious (e.g. kept as strings to stay exact), or how its name was made. */
  note?: string;
  /** One value per row: `number` (integer/float), `boolean`, `string` (string/date), or `null` when missing. */
  values: CellValue[];
}

/** One kind of change made to values of a column while loading, e.g. numbers kept as text. */
export interface Coercion {
  /** Column name. */
  column: string;
  /** Number of values changed this way. */
  count: number;
  /** Up to {@link COERCION_EXAMPLES} original values, as text. */
  examples: string[];
  /** What was done, in words, e.g. `read as missing (null)`. */
  action: string;
}

/** A typed columnar table: columns of equal length, plus the report of what was changed. */
export interface DataTable {
  /** Columns in source order. */
  columns: DataColumn[];
  /** Number of rows. */
  rowCount: number;
  /** Where the data came from (file path, URL, `table@host`), for messages. */
  source?: string;
  /** Every coercion made while loading, in column order. */
  coercions: Coercion[];
}

/** Examples kept per {@link Coercion}. */
export const COERCION_EXAMPLES = 3;

/** Default missing-value tokens for text sources (compare pandas `read_csv` `na_values`). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'N/A', 'null', 'NaN'];

/** A {@link DataColumn} together with the coercions made to build it. */
export interface InferredColumn {
  /** The typed column. */
  column: DataColumn;
  /** Coercions made to its values (possibly none). */
  coercions: Coercion[];
}

/** Options of {@link inferTextColumn}. */
export interface TextInferenceOptions {
  /** Values read as missing, compared after trimming spaces, case-sensitive. */
  missing: ReadonlySet<string>;
  /** Read `1,5` as 1.5 (decimal comma; no thousands separators). Default false. */
  decimalComma?: boolean;
}

/** Options of {@link inferValueColumn}. */
export interface ValueInferenceOptions {
  /** String values read as missing (exact match). Default none. */
  missing?: ReadonlySet<string>;
}

const INT_RE = /^[+-]?\d+$/;
const LEADING_ZERO_RE = /^[+-]?0\d/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const COMMA_FLOAT_RE = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;
/** ISO-8601 date, optionally with a time and zone (the `date` kind). */
export const DATE_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Collects a coercion's count and first examples. */
class Tally {
  count = 0;
  readonly examples: string[] = [];
  constructor(readonly action: string) {}
  add(example: string): void {
    this.count++;
    if (this.examples.length < COERCION_EXAMPLES && !this.examples.includes(example)) this.examples.push(example);
  }
  report(column: string): Coercion[] {
    return this.count === 0 ? [] : [{ column, count: this.count, examples: this.examples, action: this.action }];
  }
}

/**
 * Infers a text column's kind from all its values and converts them (the CSV rules):
 * `integer` if every non-missing value is an integer, else `float` if every one is a number, else
 * `boolean` (true/false, any case), else `date` (ISO `YYYY-MM-DD`, optionally with a time; kept as
 * strings), else `string`. A number column holding an integer beyond ±(2^53-1), a code with
 * leading zeros (`00123`) or a float overflowing to Infinity becomes a `string` column of the exact
 * text, with a `note` and a coercion. Missing tokens (after trimming spaces) give `null`; a column
 * with every value missing is `float` (as in pandas). Row numbers in notes are 1-based data rows.
 *
 * @param name - column name
 * @param raw - one text value per row
 */
export function inferTextColumn(name: string, raw: readonly string[], options: TextInferenceOptions): InferredColumn {
  const missingTokens = options.missing;
  const numberRe = options.decimalComma === true ? COMMA_FLOAT_RE : FLOAT_RE;
  let missing = 0;
  let numeric = true;
  let integer = true;
  let boolean = true;
  let date = true;
  let commas = 0;
  let inexact: string | undefined;
  const n = raw.length;
  const trimmed: string[] = new Array<string>(n);
  const missingTally = new Tally('read as missing (null)');
  for (let r = 0; r < n; r++) {
    const value = raw[r]!;
    const t = value.length > 0 && (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32) ? value.trim() : value;
    trimmed[r] = t;
    if (missingTokens.has(t)) {
      missing++;
      if (t !== '') missingTally.add(value);
      continue;
    }
    if (numeric) {
      if (INT_RE.test(t)) {
        if (LEADING_ZERO_RE.test(t) || (t.length > 15 && !Number.isSafeInteger(Number(t)))) {
          if (inexact === undefined) {
            inexact = LEADING_ZERO_RE.test(t) ? `"${t}" (data row ${r + 1}) has leading zeros` : `${t} (data row ${r + 1}) is beyond ±(2^53-1) and would lose precision as a number`;
          }
        }
      } else if (numberRe.test(t)) {
        integer = false;
        if (options.decimalComma === true && t.includes(',')) commas++;
      } else {
        numeric = false;
      }
    }
    if (boolean) {
      const lower = t.length <= 5 ? t.toLowerCase() : '';
      boolean = lower === 'true' || lower === 'false';
    }
    if (date) date = DATE_RE.test(t);
  }

  const done = (column: DataColumn, more: Tally[] = []): InferredColumn => ({
    column,
    coercions: [missingTally, ...more].flatMap((t) => t.report(name)),
  });
  if (n === 0) return done({ name, dtype: 'string', kind: 'string', missing, values: [] });
  if (missing === n) {
    return done({ name, dtype: 'float32', kind: 'float', missing, values: new Array<null>(n).fill(null), note: 'all values missing' });
  }
  if (numeric && inexact === undefined) {
    const values: Array<number | null> = new Array<number | null>(n);
    const commaTally = new Tally('decimal comma read as a decimal point');
    let fitsInt32 = true;
    for (let r = 0; r < n; r++) {
      const t = trimmed[r]!;
      if (missingTokens.has(t)) {
        values[r] = null;
        continue;
      }
      let x: number;
      if (commas > 0 && t.includes(',')) {
        commaTally.add(t);
        x = Number(t.replace(',', '.'));
      } else {
        x = Number(t);
      }
      if (!Number.isFinite(x)) {
        inexact = `${t} (data row ${r + 1}) overflows a 64-bit float`;
        break;
      }
      if (integer && (x < INT32_MIN || x > INT32_MAX)) fitsInt32 = false;
      values[r] = x;
    }
    if (inexact === undefined) {
      if (!integer) return done({ name, dtype: 'float32', kind: 'float', missing, values }, [commaTally]);
      if (fitsInt32) return done({ name, dtype: 'int32', kind: 'integer', missing, values });
      return done({ name, dtype: 'float32', kind: 'integer', missing, values, note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' });
    }
  }
  if (boolean) {
    const caseTally = new Tally('read as boolean (true/false in another case)');
    const values = trimmed.map((t) => {
      if (missingTokens.has(t)) return null;
      if (t !== 'true' && t !== 'false') caseTally.add(t);
      return t.toLowerCase() === 'true';
    });
    return done({ name, dtype: 'bool', kind: 'boolean', missing, values }, [caseTally]);
  }
  const values = raw.map((v, r) => (missingTokens.has(trimmed[r]!) ? null : v));
  if (numeric) {
    const exact = new Tally('kept as text: a number would not be exact, so the whole column is text');
    for (const t of trimmed) if (!missingTokens.has(t) && (INT_RE.test(t) || numberRe.test(t))) exact.add(t);
    return done({ name, dtype: 'string', kind: 'string', missing, values, note: `kept as strings to stay exact: ${inexact}` }, [exact]);
  }
  return done({ name, dtype: 'string', kind: date ? 'date' : 'string', missing, values });
}

/**
 * Infers the kind of a column of typed values (from JSON, Excel, Parquet, SQL...) and converts
 * them. Rules: `null`, `undefined`, NaN and the `missing` strings are missing; strings stay strings
 * (kind `date` when every one is an ISO date); finite numbers are `integer` when all are integers,
 * else `float`; a `bigint` within ±(2^53-1) becomes a number, beyond it the column becomes exact
 * strings (note + coercion); a `Date` becomes `YYYY-MM-DD` when its UTC time is midnight, else its
 * ISO string (kind `date`); a `Uint8Array` becomes base64 text; objects and arrays become JSON
 * text. A column mixing kinds (e.g. numbers and strings) becomes `string`, the non-strings written
 * as text, reported as a coercion.
 *
 * @param name - column name
 * @param input - one value per row
 */
export function inferValueColumn(name: string, input: readonly unknown[], options: ValueInferenceOptions = {}): InferredColumn {
  const n = input.length;
  const missingTokens = options.missing ?? new Set<string>();
  const missingTally = new Tally('read as missing (null)');
  const bigTally = new Tally('kept as text: integer beyond ±(2^53-1)');
  const dateTally = new Tally('date/time written as ISO-8601 text');
  const jsonTally = new Tally('nested value written as JSON text');
  const bytesTally = new Tally('binary value written as base64 text');
  const values: CellValue[] = new Array<CellValue>(n);
  let missing = 0;
  let numbers = 0;
  let integers = 0;
  let booleans = 0;
  let dates = 0;
  let bigText = 0;
  let stringDates = 0;
  let fitsInt32 = true;
  for (let r = 0; r < n; r++) {
    let v = input[r];
    if (typeof v === 'number' && Number.isNaN(v)) v = null;
    if (v === null || v === undefined || (typeof v === 'string' && missingTokens.has(v))) {
      if (typeof v === 'string') missingTally.add(v);
      values[r] = null;
      missing++;
      continue;
    }
    if (typeof v === 'bigint') {
      if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) v = Number(v);
      else {
        bigTally.add(v.toString());
        values[r] = v.toString();
        bigText++;
        continue;
      }
    }
    if (typeof v === 'number') {
      numbers++;
      if (Number.isInteger(v)) {
        integers++;
        if (v < INT32_MIN || v > INT32_MAX) fitsInt32 = false;
      }
      values[r] = v;
    } else if (typeof v === 'boolean') {
      booleans++;
      values[r] = v;
    } else if (typeof v === 'string') {
      if (DATE_RE.test(v)) stringDates++;
      values[r] = v;
    } else if (v instanceof Date) {
      dates++;
      const text = isoDate(v);
      if (text === null) {
        values[r] = null;
        missing++;
        missingTally.add('Invalid Date');
        dates--;
      } else values[r] = text;
    } else if (v instanceof Uint8Array) {
      const text = Buffer.from(v).toString('base64');
      bytesTally.add(text);
      values[r] = text;
    } else {
      const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
      jsonTally.add(text);
      values[r] = text;
    }
  }
  const present = n - missing;
  const report = (column: DataColumn, more: Tally[] = []): InferredColumn => ({
    column,
    coercions: [missingTally, bigTally, dateTally, jsonTally, bytesTally, ...more].flatMap((t) => t.report(name)),
  });
  if (n === 0) return report({ name, dtype: 'string', kind: 'string', missing, values: [] });
  if (present === 0) return report({ name, dtype: 'float32', kind: 'float', missing, values, note: 'all values missing' });
  if (numbers === present) {
    if (integers === present) {
      return fitsInt32
        ? report({ name, dtype: 'int32', kind: 'integer', missing, values })
        : report({ name, dtype: 'float32', kind: 'integer', missing, values, note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' });
    }
    return report({ name, dtype: 'float32', kind: 'float', missing, values });
  }
  if (booleans === present) return report({ name, dtype: 'bool', kind: 'boolean', missing, values });
  if (dates + stringDates === present) {
    // Date objects and ISO date strings only: ISO text, kind date.
    for (let r = 0; r < n; r++) if (input[r] instanceof Date && values[r] !== null) dateTally.add(String(values[r]));
    return report({ name, dtype: 'string', kind: 'date', missing, values });
  }
  // Mixed kinds or plain text: everything as text.
  const textTally = new Tally('number or boolean written as text: the column mixes kinds, so it is text');
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (typeof v === 'number' || typeof v === 'boolean') {
      values[r] = String(v);
      textTally.add(String(v));
    } else if (input[r] instanceof Date && v !== null) dateTally.add(String(v));
  }
  const note = bigText > 0 ? 'kept as strings to stay exact: integers beyond ±(2^53-1)' : undefined;
  return report({ name, dtype: 'string', kind: 'string', missing, values, ...(note === undefined ? {} : { note }) }, [textTally]);
}

/**
 * A `Date` as ISO-8601 text: `YYYY-MM-DD` when its UTC time is exactly midnight (a calendar day),
 * else the full `toISOString()` (UTC). `null` for an invalid date.
 */
export function isoDate(d: Date): string | null {
  const t = d.getTime();
  if (Number.isNaN(t)) return null;
  const iso = d.toISOString();
  return t % 86_400_000 === 0 ? iso.slice(0, 10) : iso;
}

/**
 * Builds a {@link DataTable} from named columns of typed values (rows as objects are turned into
 * columns first by {@link recordsToColumns}), applying {@link inferValueColumn} to each.
 */
export function tableFromValueColumns(columns: ReadonlyArray<{ name: string; values: readonly unknown[] }>, options: ValueInferenceOptions & { source?: string } = {}): DataTable {
  const inferred = columns.map((c) => inferValueColumn(c.name, c.values, options));
  const rowCount = columns[0]?.values.length ?? 0;
  return {
    columns: inferred.map((i) => i.column),
    rowCount,
    coercions: inferred.flatMap((i) => i.coercions),
    ...(options.source === undefined ? {} : { source: options.source }),
  };
}

/**
 * Turns row objects into named columns: the column set is the union of the keys in order of first
 * appearance; a key absent from a row is a missing value there.
 */
export function recordsToColumns(records: ReadonlyArray<Record<string, unknown>>): Array<{ name: string; values: unknown[] }> {
  const index = new Map<string, number>();
  const columns: Array<{ name: string; values: unknown[] }> = [];
  for (let r = 0; r < records.length; r++) {
    for (const key of Object.keys(records[r]!)) {
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push({ name: key, values: new Array<unknown>(records.length).fill(null) });
      }
      columns[index.get(key)!]!.values[r] = records[r]![key];
    }
  }
  return columns;
}

/** Danfo's name for a column dtype (`bool` -> `boolean`; the others are the same). */
export function danfoDtype(dtype: DataDtype): 'int32' | 'float32' | 'boolean' | 'string' {
  return dtype === 'bool' ? 'boolean' : dtype;
}

/**
 * Row objects of a {@link DataTable}, one per row, keyed by column name; missing values are `null`.
 */
export function tableToRecords(table: DataTable): Array<Record<string, CellValue>> {
  const records: Array<Record<string, CellValue>> = [];
  for (let r = 0; r < table.rowCount; r++) {
    const record: Record<string, CellValue> = {};
    for (const column of table.columns) record[column.name] = column.values[r] ?? null;
    records.push(record);
  }
  return records;
}

/** The first `n` rows of a table (columns sliced; coercions kept as reported for the whole load). */
export function headTable<T extends DataTable>(table: T, n: number): T {
  const k = Math.max(0, Math.min(n, table.rowCount));
  return { ...table, rowCount: k, columns: table.columns.map((c) => ({ ...c, values: c.values.slice(0, k) })) };
}
