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
  /**
   * How many rows each value stands for (default 1 each): to type a column from its distinct
   * values, with `missing` and coercion counts per row. Row numbers in notes are then indexes into
   * `raw`, not data rows.
   */
  weights?: ArrayLike<number>;
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
  add(example: string, weight = 1): void {
    this.count += weight;
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
  const weights = options.weights;
  const weight = (r: number): number => (weights === undefined ? 1 : weights[r]!);
  let missing = 0;
  let rows = 0;
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
    const w = weight(r);
    rows += w;
    if (missingTokens.has(t)) {
      missing += w;
      if (t !== '') missingTally.add(value, w);
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
  if (missing === rows) {
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
        commaTally.add(t, weight(r));
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
    const values = trimmed.map((t, r) => {
      if (missingTokens.has(t)) return null;
      if (t !== 'true' && t !== 'false') caseTally.add(t, weight(r));
      return t.toLowerCase() === 'true';
    });
    return done({ name, dtype: 'bool', kind: 'boolean', missing, values }, [caseTally]);
  }
  const values = raw.map((v, r) => (missingTokens.has(trimmed[r]!) ? null : v));
  if (numeric) {
    const exact = new Tally('kept as text: a number would not be exact, so the whole column is text');
    trimmed.forEach((t, r) => {
      if (!missingTokens.has(t) && (INT_RE.test(t) || numberRe.test(t))) exact.add(t, weight(r));
    });
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

/** Numbers of a numeric column, `NaN` where missing: a JS array (Danfo's layout) or a typed array. */
export type ColumnNumbers = number[] | Float64Array | Int32Array;

/**
 * Numbers of a numeric column kept elsewhere until needed (e.g. in the polars frame the CSV
 * reader parsed): `read` copies them all out, once; `at` reads one (for a few rows of a preview).
 */
export interface NumberSource {
  /** Number of rows. */
  length: number;
  /** All numbers, NaN where missing (an `Int32Array` has none). Called at most once. */
  read: () => ColumnNumbers;
  /** Number `r`, NaN where missing, without reading the others. */
  at: (r: number) => number;
}

/** How a column built by {@link numericColumn} or {@link codedColumn} holds its data until `values` is read. */
interface ColumnStore {
  /** Number of rows. */
  length: number;
  /** Cell `r` in Danfo's layout: `NaN` for a missing number, `null` for another missing value. */
  at: (r: number) => CellValue;
  /** Numeric columns: the numbers, once read (JS or typed array, NaN where missing). */
  numbers?: ColumnNumbers;
  /** Numeric columns: where the numbers are until read. */
  source?: NumberSource;
  /** Numeric columns: the numbers as a JS array, once built. */
  array?: number[];
  /** Coded columns: one dictionary index per row, and the dictionary. */
  coded?: { codes: Int32Array; dictionary: readonly CellValue[] };
}

const STORES = new WeakMap<DataColumn, ColumnStore>();

/** Cells of a {@link NumberSource} read one by one before the whole column is read. */
const CELL_READS = 1024;

/** Defines `values` as built by `build` on first read (then an ordinary data property). */
function lazyValues(column: DataColumn, build: () => CellValue[]): void {
  const own = (value: CellValue[]): void => {
    Object.defineProperty(column, 'values', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(column, 'values', {
    enumerable: true,
    configurable: true,
    get(): CellValue[] {
      const values = build();
      own(values);
      return values;
    },
    set(value: CellValue[]) {
      STORES.delete(column); // new values: the compact data no longer describes them
      own(value);
    },
  });
}

/** The numbers of a store, read from its source on first use. */
function storeNumbers(store: ColumnStore): ColumnNumbers {
  if (store.numbers === undefined) {
    const numbers = store.source!.read();
    store.numbers = numbers;
    store.at = (r) => numbers[r]!;
    delete store.source; // lets the source's memory go
  }
  return store.numbers;
}

/**
 * Builds an `integer` or `float` column from one number per row with `NaN` where a value is
 * missing, given as an array or as a {@link NumberSource} read on first use. `values` (with `null`
 * for missing) is built on first read, and a JS array of the numbers — the layout Danfo uses, so a
 * DataFrame shares it (see `core/data/frame.ts`) — on the first {@link columnNumbers}; a table that
 * only feeds a profile, or a DataFrame whose column is never read, pays for neither. `missing` must
 * equal the number of NaN.
 *
 * @param meta - the column without its values (`kind` must be `integer` or `float`)
 * @param numbers - one number per row, NaN where missing (an `Int32Array` has none); owned by the column afterwards (do not mutate)
 */
export function numericColumn(meta: Omit<DataColumn, 'values'>, numbers: ColumnNumbers | NumberSource): DataColumn {
  const column = { ...meta } as DataColumn;
  let store: ColumnStore;
  if ('read' in numbers) {
    // Cell by cell for a few rows (a head, a preview); past that, read them all once.
    let reads = 0;
    store = { length: numbers.length, at: (r) => (++reads > CELL_READS ? storeNumbers(store)[r]! : numbers.at(r)), source: numbers };
  } else store = { length: numbers.length, at: (r) => numbers[r]!, numbers, ...(Array.isArray(numbers) ? { array: numbers } : {}) };
  STORES.set(column, store);
  lazyValues(column, () => {
    if (meta.missing === 0) return columnNumbers(column);
    const all = storeNumbers(store);
    const values = new Array<CellValue>(all.length);
    for (let r = 0; r < all.length; r++) {
      const x = all[r]!;
      values[r] = x === x ? x : null;
    }
    return values;
  });
  return column;
}

/**
 * Builds a column from one dictionary index per row: `values[r] = dictionary[codes[r]]` (a
 * dictionary entry may be `null`, a missing value). `values` is built on first read, so a column
 * of few distinct values (categories, dates, booleans) costs one small integer per row until then.
 *
 * @param codes - one index into `dictionary` per row; owned by the column afterwards
 */
export function codedColumn(meta: Omit<DataColumn, 'values'>, codes: Int32Array, dictionary: readonly CellValue[]): DataColumn {
  const column = { ...meta } as DataColumn;
  STORES.set(column, { length: codes.length, at: (r) => dictionary[codes[r]!]!, coded: { codes, dictionary } });
  lazyValues(column, () => {
    const values = new Array<CellValue>(codes.length).fill(null);
    for (let r = 0; r < codes.length; r++) values[r] = dictionary[codes[r]!]!;
    return values;
  });
  return column;
}

/**
 * The dictionary codes of a column built by {@link codedColumn} (`values[r] = dictionary[codes[r]]`),
 * for counting values without building them; `undefined` for other columns. Shared: do not mutate.
 */
export function columnCodes(column: DataColumn): { codes: Int32Array; dictionary: readonly CellValue[] } | undefined {
  return STORES.get(column)?.coded;
}

/** Number of rows of a column, without building its `values`. */
export function columnLength(column: DataColumn): number {
  return STORES.get(column)?.length ?? column.values.length;
}

/**
 * Reads cell `r` of a column in Danfo's layout (`NaN` for a missing number, `null` for another
 * missing value) without building its `values`: for a few rows of a large table (a preview, a
 * head); to read all rows use {@link columnNumberView} or `values`.
 */
export function columnReader(column: DataColumn): (r: number) => CellValue {
  const store = STORES.get(column);
  if (store !== undefined) return (r) => store.at(r);
  const values = column.values;
  if (column.kind === 'integer' || column.kind === 'float') return (r) => values[r] ?? NaN;
  return (r) => values[r] ?? null;
}

/**
 * A numeric column's numbers, `NaN` where missing, in whatever array holds them (typed or JS):
 * for reading every value without building a JS array. Shared: do not mutate.
 *
 * @throws {TypeError} when the column's kind is not `integer` or `float`
 */
export function columnNumberView(column: DataColumn): ColumnNumbers {
  const store = STORES.get(column);
  if (store !== undefined && (store.numbers !== undefined || store.source !== undefined)) return storeNumbers(store);
  return columnNumbers(column);
}

/**
 * A numeric column's values as a JS array of numbers with `NaN` for missing ones (Danfo's
 * layout), built once and remembered. Shared: do not mutate it.
 *
 * @throws {TypeError} when the column's kind is not `integer` or `float`
 */
export function columnNumbers(column: DataColumn): number[] {
  const store = STORES.get(column);
  if (store?.array !== undefined) return store.array;
  if (column.kind !== 'integer' && column.kind !== 'float') throw new TypeError(`column "${column.name}" is ${column.kind}, not numeric`);
  let array: number[];
  if (store !== undefined && (store.numbers !== undefined || store.source !== undefined)) {
    const numbers = storeNumbers(store);
    array = numbers instanceof Int32Array ? new Array<number>(numbers.length) : doubleArray(numbers.length);
    for (let r = 0; r < numbers.length; r++) array[r] = numbers[r]!;
  } else {
    const values = column.values;
    if (column.missing === 0) array = values as number[];
    else {
      array = new Array<number>(values.length);
      for (let r = 0; r < values.length; r++) {
        const v = values[r];
        array[r] = typeof v === 'number' ? v : NaN;
      }
    }
  }
  if (store !== undefined) {
    store.array = array;
    store.numbers = array; // the typed copy is no longer needed
    store.at = (r) => array[r]!;
  } else STORES.set(column, { length: array.length, at: (r) => array[r]!, numbers: array, array });
  return array;
}

/** The last {@link doubleArray} template (one length at a time; the GC may take it). */
let doubles: WeakRef<number[]> | undefined;

/**
 * A JS array of `n` doubles (to be overwritten), allocated once: `new Array(n)` starts with
 * small-integer slots, and the first double stored makes V8 allocate it again as doubles (twice
 * the memory touched, which is most of the cost at 1M rows); a copy of an array that already holds
 * doubles is allocated once (measured 2x faster).
 */
function doubleArray(n: number): number[] {
  let template = doubles?.deref();
  if (template === undefined || template.length !== n) {
    template = new Array<number>(n).fill(0.5);
    doubles = new WeakRef(template);
  }
  return template.slice();
}

/** Whether a column's data is in JS arrays already (its `values`, or its numbers for Danfo). */
export function columnBuilt(column: DataColumn): boolean {
  const store = STORES.get(column);
  if (store === undefined) return true;
  if (column.kind === 'integer' || column.kind === 'float') return store.array !== undefined;
  return Object.getOwnPropertyDescriptor(column, 'values')?.get === undefined;
}

/** The table each DataFrame of `core/data/frame.ts` was built from, and its column-major array then. */
const FRAME_TABLES = new WeakMap<object, { table: DataTable; byColumn: unknown[]; getters: Array<(() => unknown) | undefined> }>();

/**
 * Records that a Danfo DataFrame was built from `table` with `byColumn` as its column-major data
 * (called by `dataTableToDataFrame`), for {@link dataFrameTable}.
 */
export function rememberFrameTable(frame: object, table: DataTable, byColumn: unknown[]): void {
  const getters = table.columns.map((_, i) => Object.getOwnPropertyDescriptor(byColumn, i)?.get);
  FRAME_TABLES.set(frame, { table, byColumn, getters });
}

/**
 * The {@link DataTable} a Danfo DataFrame was built from (by `dataTableToDataFrame`), if the frame
 * still holds exactly its columns: same names, dtypes and row count, and each column either not
 * read yet or the very array built from the table (Danfo replaces the array of a column it
 * changes: `df['x'] = ...`, `fillNa`, in-place sorts...). Lets a profile or a chart of a freshly
 * loaded frame use the typed table instead of re-reading 1M values per column; `undefined` for any
 * other frame (then re-infer from its values).
 */
export function dataFrameTable(frame: unknown): DataTable | undefined {
  if (typeof frame !== 'object' || frame === null) return undefined;
  const known = FRAME_TABLES.get(frame);
  if (known === undefined) return undefined;
  const { table, byColumn, getters } = known;
  const df = frame as { $columns?: unknown; $dtypes?: unknown; $dataIncolumnFormat?: unknown; $index?: unknown };
  if (df.$dataIncolumnFormat !== byColumn || !Array.isArray(df.$columns) || !Array.isArray(df.$dtypes) || !Array.isArray(df.$index)) return undefined;
  if (df.$columns.length !== table.columns.length || df.$index.length !== table.rowCount) return undefined;
  const same = table.columns.every((c, i) => {
    if ((df.$columns as unknown[])[i] !== c.name) return false;
    if ((df.$dtypes as unknown[])[i] !== danfoDtype(c.dtype)) return false;
    const now = Object.getOwnPropertyDescriptor(byColumn, i);
    if (now?.get !== undefined) return now.get === getters[i]; // not read yet
    if (!columnBuilt(c)) return false;
    return now?.value === (c.kind === 'integer' || c.kind === 'float' ? columnNumbers(c) : c.values);
  });
  return same ? table : undefined;
}

/** What {@link detectDecimalComma} found. */
export interface DecimalCommaDetection {
  /** True when the columns prove decimal commas (and none proves decimal points). */
  decimalComma: boolean;
  /** Why, in words, for the table's notes; absent when no column holds comma numbers. */
  note?: string;
}

const THOUSANDS_COMMA_RE = /^[+-]?\d{1,3}(?:,\d{3})+$/;
const THOUSANDS_DOT_RE = /^[+-]?\d{1,3}(?:\.\d{3})+$/;

/**
 * Decides from whole text columns whether numbers are written with a decimal comma (`1,5`), for
 * files whose delimiter leaves the comma free (the reader calls it for `;`-delimited files).
 * A column proves decimal commas when every non-missing value (trimmed) is a number with at most
 * one comma (the `decimalComma` number form) and at least one value has a comma that cannot be a
 * thousands separator (anything but `1,234`-like groups, e.g. `1,5` or `0,125`). A column proves
 * decimal points when every value is a number in the usual form and one has a point that cannot be
 * a thousands separator (`2.5`). Decimal commas are used only when some column proves them and
 * none proves points; values like `1,234` alone are ambiguous and change nothing.
 *
 * @param columns - per column, one text value per row
 * @param missing - missing-value tokens, compared after trimming spaces
 */
export function detectDecimalComma(columns: ReadonlyArray<readonly string[]>, missing: ReadonlySet<string>): DecimalCommaDetection {
  let commaProof: string | undefined;
  let pointProof: string | undefined;
  let ambiguous: string | undefined;
  for (const raw of columns) {
    let commaForm = true;
    let pointForm = true;
    let comma: string | undefined;
    let point: string | undefined;
    let groups: string | undefined;
    for (let r = 0; r < raw.length && (commaForm || pointForm); r++) {
      const t = raw[r]!.trim();
      if (missing.has(t)) continue;
      if (commaForm) {
        if (!COMMA_FLOAT_RE.test(t)) commaForm = false;
        else if (comma === undefined && t.includes(',')) {
          if (THOUSANDS_COMMA_RE.test(t)) groups ??= t;
          else comma = t;
        }
      }
      if (pointForm) {
        if (!FLOAT_RE.test(t)) pointForm = false;
        else if (point === undefined && t.includes('.') && !THOUSANDS_DOT_RE.test(t)) point = t;
      }
    }
    if (commaForm && comma !== undefined) commaProof ??= comma;
    else if (commaForm && groups !== undefined) ambiguous ??= groups;
    if (pointForm && point !== undefined) pointProof ??= point;
  }
  if (commaProof !== undefined && pointProof === undefined) {
    return { decimalComma: true, note: `decimal comma detected (e.g. "${commaProof}"): numbers read with a comma as the decimal separator; pass decimalComma: false to keep them as text` };
  }
  if (commaProof !== undefined) {
    return { decimalComma: false, note: `numbers use both a decimal comma ("${commaProof}") and a decimal point ("${pointProof}"): the comma ones are kept as text; pass decimalComma: true to read them` };
  }
  if (ambiguous !== undefined) {
    return { decimalComma: false, note: `values like "${ambiguous}" may hold a decimal comma or a thousands separator: kept as text; pass decimalComma: true to read them as decimals` };
  }
  return { decimalComma: false };
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
