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

/**
 * Default missing-value tokens for text sources (CSV/TSV, Excel text cells), compared after
 * trimming spaces, case-sensitive: pandas `read_csv`'s default `na_values`
 * (https://pandas.pydata.org/docs/reference/api/pandas.read_csv.html; pandas 1.5's list plus
 * `'None'`, which pandas 2.0 added), so a file reads as it does in pandas.
 */
export const DEFAULT_MISSING_VALUES: readonly string[] = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
];

/**
 * Text that spells an infinity: `inf`, `+inf`, `-inf`, `Infinity`, `+Infinity`, `-Infinity`, in
 * any case (`INF`, `-INFINITY`): exactly the spellings pandas' `read_csv` float parser reads as
 * ±inf (pandas/_libs/parsers.pyx `_try_double_nogil`, which compares with `strcasecmp` against
 * `inf`, `+inf`, `-inf`, `Infinity`, `+Infinity`, `-Infinity`; pandas 1.5).
 */
export const INFINITY_TEXT = /^[+-]?(?:inf|infinity)$/i;

/** The coercion action of text read as ±Infinity by {@link inferTextColumn}. */
export const INFINITY_TEXT_ACTION = 'read as ±Infinity (pandas reads them the same way); charts leave them out, the profile counts them';

/**
 * A text column is reported as "mostly numbers" (or dates, or booleans) when at least this share
 * of its non-missing values are numbers (dates, booleans) and the others are not: the others are
 * then most likely missing-value markers or typos that made the whole column text, and the load
 * report names them with their rows (see {@link inferTextColumn}).
 */
export const MOSTLY_TYPED_SHARE = 0.9;

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
  /** Read `1,5` as 1.5 (decimal comma; thousands separators only with `thousands`). Default false. */
  decimalComma?: boolean;
  /**
   * Thousands separator inside numbers (pandas `read_csv(thousands=...)`): `1,234` (`','`),
   * `1.234,56` (`'.'`, with `decimalComma`), `1 234` (`' '`), `1'234` (`"'"`). Only whole groups
   * count: a first group of 1-3 digits not starting with 0, then groups of exactly 3 digits, then
   * the decimal part, no exponent (`1,2,3` stays text where pandas would read 123). Each value
   * read this way is reported as a coercion. Default none.
   */
  thousands?: ThousandsSeparator;
  /**
   * How many rows each value stands for (default 1 each): to type a column from its distinct
   * values, with `missing` and coercion counts per row. Row numbers in notes are then indexes into
   * `raw`, not data rows.
   */
  weights?: ArrayLike<number>;
}

/** Thousands separators a text source may use (see {@link TextInferenceOptions.thousands}). */
export type ThousandsSeparator = ',' | '.' | ' ' | "'";

/** The thousands separators {@link TextInferenceOptions.thousands} accepts. */
export const THOUSANDS_SEPARATORS: readonly ThousandsSeparator[] = [',', '.', ' ', "'"];

/**
 * A number written with thousands separator `sep` and decimal separator `decimal`: at least one
 * separator, whole 3-digit groups, an optional decimal part (`1,234`, `-12,345.67`, `1.234,56`).
 */
function groupedNumberRe(sep: string, decimal: string): RegExp {
  const esc = (c: string): string => c.replace(/[.\\^$|?*+()[\]{}]/g, '\\$&');
  return new RegExp(`^[+-]?[1-9]\\d{0,2}(?:${esc(sep)}\\d{3})+(?:${esc(decimal)}\\d+)?$`);
}

/** Options of {@link inferValueColumn}. */
export interface ValueInferenceOptions {
  /** String values read as missing (exact match). Default none. */
  missing?: ReadonlySet<string>;
  /**
   * What a `Date` value means (see {@link isoDate}): `utc` (default) an instant, written with `Z`;
   * `naive` a timestamp without a zone whose UTC fields are its wall-clock time (Parquet
   * `TIMESTAMP` with `isAdjustedToUTC = false`), written without a zone.
   */
  timestamps?: 'utc' | 'naive';
}

const INT_RE = /^[+-]?\d+$/;
const LEADING_ZERO_RE = /^[+-]?0\d/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const COMMA_FLOAT_RE = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;
/**
 * ISO-8601 date, optionally with a time and zone (the `date` kind). Only days that exist match
 * (`2024-02-30`, `2023-02-29`, `2024-04-31` do not: JS `Date` would roll them into the next month,
 * where pandas' `to_datetime` raises "day is out of range for month"): days 01-28 of every month,
 * 29-30 of every month but February, 31 of January, March, May, July, August, October and
 * December, and February 29 of leap years (divisible by 4 but not by 100, or by 400: the
 * Gregorian rule). No lookaround, so the polars fast path (Rust regex) can use the same pattern.
 */
export const DATE_RE = /^(?:\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|\d{4}-(?:0[13-9]|1[0-2])-(?:29|30)|\d{4}-(?:0[13578]|1[02])-31|(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
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
 * strings), else `string`. A number may be an infinity spelled out ({@link INFINITY_TEXT}: `inf`,
 * `-inf`, `Infinity`..., any case), read as ±Infinity as pandas `read_csv` does; such a value
 * makes an integer column `float` (as in pandas) and is reported as a coercion
 * ({@link INFINITY_TEXT_ACTION}). A number column holding an integer beyond ±(2^53-1), a code with
 * leading zeros (`00123`) or a float overflowing to Infinity becomes a `string` column of the exact
 * text, with a `note` and a coercion. Missing tokens (after trimming spaces) give `null`; a column
 * with every value missing is `float` (as in pandas). Row numbers in notes are 1-based data rows.
 *
 * A `string` column whose non-missing values are at least {@link MOSTLY_TYPED_SHARE} (90%)
 * numbers (else dates, else booleans) gets a `note` and a coercion naming how many values are not,
 * the first {@link COERCION_EXAMPLES} distinct ones with their data rows, and what to do (the
 * `missingValues` option, or fixing the file): one stray `n/a` or `?` must not make a numeric
 * column text silently.
 *
 * @param name - column name
 * @param raw - one text value per row
 */
export function inferTextColumn(name: string, raw: readonly string[], options: TextInferenceOptions): InferredColumn {
  const missingTokens = options.missing;
  const plainNumberRe = options.decimalComma === true ? COMMA_FLOAT_RE : FLOAT_RE;
  const sep = options.thousands;
  const decimal = options.decimalComma === true ? ',' : '.';
  const grouped = sep === undefined || sep === decimal ? undefined : groupedNumberRe(sep, decimal);
  // A number in any accepted form (for the "mostly numbers" report and the exactness tally).
  const numberRe = grouped === undefined ? plainNumberRe : new RegExp(`(?:${plainNumberRe.source})|(?:${grouped.source})`);
  let groupedCount = 0;
  const weights = options.weights;
  const weight = (r: number): number => (weights === undefined ? 1 : weights[r]!);
  let missing = 0;
  let rows = 0;
  let numeric = true;
  let integer = true;
  let boolean = true;
  let date = true;
  let commas = 0;
  let infinities = 0;
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
      } else if (plainNumberRe.test(t)) {
        integer = false;
        if (options.decimalComma === true && t.includes(',')) commas++;
      } else if (grouped !== undefined && grouped.test(t)) {
        groupedCount++;
        if (t.includes(decimal)) {
          integer = false;
          if (decimal === ',') commas++;
        } else if (t.length > 15 && inexact === undefined && !Number.isSafeInteger(Number(t.split(sep!).join('')))) {
          inexact = `${t} (data row ${r + 1}) is beyond ±(2^53-1) and would lose precision as a number`;
        }
      } else if (INFINITY_TEXT.test(t)) {
        integer = false; // pandas: an infinity makes an integer column float64
        infinities++;
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
    const thousandsTally = new Tally(`thousands separator ${JSON.stringify(sep)} removed`);
    const infinityTally = new Tally(INFINITY_TEXT_ACTION);
    let fitsInt32 = true;
    for (let r = 0; r < n; r++) {
      const t = trimmed[r]!;
      if (missingTokens.has(t)) {
        values[r] = null;
        continue;
      }
      let x: number;
      if (infinities > 0 && INFINITY_TEXT.test(t)) {
        infinityTally.add(t, weight(r));
        values[r] = t.charCodeAt(0) === 45 ? -Infinity : Infinity; // 45: '-'
        continue;
      }
      if (groupedCount > 0 && grouped!.test(t)) {
        thousandsTally.add(t, weight(r));
        const digits = t.split(sep!).join('');
        if (decimal === ',' && digits.includes(',')) commaTally.add(t, weight(r));
        x = Number(decimal === ',' ? digits.replace(',', '.') : digits);
      } else if (commas > 0 && t.includes(',')) {
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
      if (!integer) return done({ name, dtype: 'float32', kind: 'float', missing, values }, [thousandsTally, commaTally, infinityTally]);
      if (fitsInt32) return done({ name, dtype: 'int32', kind: 'integer', missing, values }, [thousandsTally]);
      return done({ name, dtype: 'float32', kind: 'integer', missing, values, note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' }, [thousandsTally]);
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
      if (!missingTokens.has(t) && (INT_RE.test(t) || numberRe.test(t) || INFINITY_TEXT.test(t))) exact.add(t, weight(r));
    });
    return done({ name, dtype: 'string', kind: 'string', missing, values, note: `kept as strings to stay exact: ${inexact}` }, [exact]);
  }
  if (date) return done({ name, dtype: 'string', kind: 'date', missing, values });
  if (sep === undefined) {
    const hint = thousandsHint(trimmed, missingTokens, plainNumberRe, decimal);
    if (hint !== undefined) return done({ name, dtype: 'string', kind: 'string', missing, values, note: hint });
  }
  const stray = strayTextValues(trimmed, missingTokens, rows - missing, weight, numberRe);
  if (stray === undefined) return done({ name, dtype: 'string', kind: 'string', missing, values });
  const result = done({ name, dtype: 'string', kind: 'string', missing, values, note: stray.note });
  result.coercions.push({ column: name, ...stray.coercion });
  return result;
}

/**
 * For a text column whose every value is a number, some written with thousands separators
 * (`12,345.67` with no `thousands` option): the note saying which option reads them; else `undefined`.
 */
function thousandsHint(trimmed: readonly string[], missing: ReadonlySet<string>, plainNumberRe: RegExp, decimal: string): string | undefined {
  // With a decimal point, `1.234,56` is also tried (the '.' separator and a decimal comma).
  const forms = THOUSANDS_SEPARATORS.map((sep) => ({ sep, comma: sep === '.' || decimal === ',' }));
  for (const { sep, comma } of forms) {
    if (sep === (comma ? ',' : '.')) continue;
    const grouped = groupedNumberRe(sep, comma ? ',' : '.');
    let example: string | undefined;
    let all = true;
    for (let r = 0; r < trimmed.length && all; r++) {
      const t = trimmed[r]!;
      if (missing.has(t) || plainNumberRe.test(t) || INFINITY_TEXT.test(t)) continue;
      if (grouped.test(t)) example ??= t;
      else all = false;
    }
    if (all && example !== undefined) {
      const option = `thousands: ${JSON.stringify(sep)}${comma && decimal !== ',' ? ' (it implies decimalComma: true)' : ''}`;
      return `numbers with ${JSON.stringify(sep)} as a thousands separator (e.g. "${example}"): kept as text; pass ${option} to read them as numbers`;
    }
  }
  return undefined;
}

/** What {@link strayTextValues} and {@link strayTypedValues} found. */
interface StrayReport {
  /** The column's note. */
  note: string;
  /** The coercion entry (without the column name). */
  coercion: Omit<Coercion, 'column'>;
}

/** `1 of 10 values is`, `2 of 1,000 values are`. */
const ofValues = (count: number, present: number): string => `${count.toLocaleString('en')} of ${present.toLocaleString('en')} values ${count === 1 ? 'is' : 'are'}`;

/**
 * The report of a column that is mostly one kind but holds a few values that are not (see
 * {@link MOSTLY_TYPED_SHARE}): the stray values' count, the first few distinct ones with their
 * 1-based data rows, and what to do.
 */
function strayReport(what: 'numbers' | 'dates' | 'booleans', count: number, present: number, firsts: ReadonlyArray<{ value: string; row: number }>, fix: string): StrayReport {
  const listed = firsts.map((f) => `${JSON.stringify(f.value)} at data row ${f.row + 1}`).join(', ');
  const note = `mostly ${what}, but ${ofValues(count, present)} not: ${listed}${count > firsts.length ? ', ...' : ''}; so the column is text. ${fix}`;
  return { note, coercion: { count, examples: firsts.map((f) => f.value), action: `kept as text: the column is mostly ${what}, but ${ofValues(count, present)} not (${listed}). ${fix}` } };
}

/**
 * For a text column that is neither numeric, boolean nor dates: when at least
 * {@link MOSTLY_TYPED_SHARE} of its `present` non-missing values are numbers (else dates, else
 * booleans), the report naming the others; else `undefined`. Stops as soon as no kind can reach
 * the share (after about 10% of a plain text column).
 */
function strayTextValues(trimmed: readonly string[], missing: ReadonlySet<string>, present: number, weight: (r: number) => number, numberRe: RegExp): StrayReport | undefined {
  const allowed = Math.floor((1 - MOSTLY_TYPED_SHARE) * present + 1e-9);
  const tests = [
    { what: 'numbers' as const, test: (t: string): boolean => INT_RE.test(t) || numberRe.test(t) || INFINITY_TEXT.test(t), bad: 0, firsts: [] as Array<{ value: string; row: number }> },
    { what: 'dates' as const, test: (t: string): boolean => DATE_RE.test(t), bad: 0, firsts: [] as Array<{ value: string; row: number }> },
    { what: 'booleans' as const, test: (t: string): boolean => t.length <= 5 && (t.toLowerCase() === 'true' || t.toLowerCase() === 'false'), bad: 0, firsts: [] as Array<{ value: string; row: number }> },
  ];
  let alive = tests.length;
  for (let r = 0; r < trimmed.length && alive > 0; r++) {
    const t = trimmed[r]!;
    if (missing.has(t)) continue;
    for (const k of tests) {
      if (k.bad > allowed || k.test(t)) continue;
      k.bad += weight(r);
      if (k.bad > allowed) alive--;
      else if (k.firsts.length < COERCION_EXAMPLES && !k.firsts.some((f) => f.value === t)) k.firsts.push({ value: t, row: r });
    }
  }
  const found = tests.find((k) => k.bad > 0 && k.bad <= allowed);
  if (found === undefined) return undefined;
  const listed = found.firsts.map((f) => JSON.stringify(f.value)).join(', ');
  const fix = `If they mean "missing", read them as missing with the missingValues option (it replaces the defaults: e.g. missingValues: ["", "NA", ${listed}]); else fix those rows in the file.`;
  return strayReport(found.what, found.bad, present, found.firsts, fix);
}

/**
 * Infers the kind of a column of typed values (from JSON, Excel, Parquet, SQL...) and converts
 * them. Rules: `null`, `undefined`, NaN and the `missing` strings are missing; strings stay strings
 * (kind `date` when every one is an ISO date); finite numbers are `integer` when all are integers,
 * else `float`; a `bigint` within ±(2^53-1) becomes a number, beyond it the column becomes exact
 * strings (note + coercion); a `Date` becomes `YYYY-MM-DD` when its UTC time is midnight, else its
 * ISO string (kind `date`); a `Uint8Array` becomes base64 text; objects and arrays become JSON
 * text. A column mixing kinds (e.g. numbers and strings) becomes `string`, the non-strings written
 * as text, reported as a coercion; when at least {@link MOSTLY_TYPED_SHARE} of its values are
 * numbers (booleans, dates), a note and a coercion also name the others with their data rows.
 * `Date` values are written by {@link isoDate} in the `timestamps` convention of `options`.
 *
 * @param name - column name
 * @param input - one value per row
 */
export function inferValueColumn(name: string, input: readonly unknown[], options: ValueInferenceOptions = {}): InferredColumn {
  const n = input.length;
  const missingTokens = options.missing ?? new Set<string>();
  const missingTally = new Tally('read as missing (null)');
  const bigTally = new Tally('kept as text: integer beyond ±(2^53-1)');
  const dateTally = new Tally(options.timestamps === 'naive' ? 'date/time written as ISO-8601 text (no time zone: wall-clock time)' : 'date/time written as ISO-8601 text');
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
      const text = isoDate(v, options.timestamps ?? 'utc');
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
  const stray = strayTypedValues(input, values, present, { numbers, booleans, dates: dates + stringDates });
  const textTally = new Tally('number or boolean written as text: the column mixes kinds, so it is text');
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (typeof v === 'number' || typeof v === 'boolean') {
      values[r] = String(v);
      textTally.add(String(v));
    } else if (input[r] instanceof Date && v !== null) dateTally.add(String(v));
  }
  const notes = [...(bigText > 0 ? ['kept as strings to stay exact: integers beyond ±(2^53-1)'] : []), ...(stray === undefined ? [] : [stray.note])];
  const result = report({ name, dtype: 'string', kind: 'string', missing, values, ...(notes.length === 0 ? {} : { note: notes.join('; ') }) }, [textTally]);
  if (stray !== undefined) result.coercions.push({ column: name, ...stray.coercion });
  return result;
}

/**
 * For a typed column of mixed kinds (before its values are written as text): when at least
 * {@link MOSTLY_TYPED_SHARE} of its `present` values are numbers (else booleans, else dates), the
 * report naming the others (see {@link strayReport}); else `undefined`.
 */
function strayTypedValues(input: readonly unknown[], values: readonly CellValue[], present: number, counts: { numbers: number; booleans: number; dates: number }): StrayReport | undefined {
  const what = (['numbers', 'booleans', 'dates'] as const).find((k) => counts[k] < present && counts[k] >= MOSTLY_TYPED_SHARE * present);
  if (what === undefined) return undefined;
  const isKind = (v: CellValue, r: number): boolean =>
    what === 'numbers' ? typeof v === 'number' : what === 'booleans' ? typeof v === 'boolean' : input[r] instanceof Date || (typeof v === 'string' && DATE_RE.test(v));
  const firsts: Array<{ value: string; row: number }> = [];
  let count = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (v === null || isKind(v, r)) continue;
    count++;
    const text = String(v);
    if (firsts.length < COERCION_EXAMPLES && !firsts.some((f) => f.value === text)) firsts.push({ value: text, row: r });
  }
  return strayReport(what, count, present, firsts, 'If they mean "missing", list them in the missingValues option (CSV, Excel) or map them to null in code; else fix them in the source.');
}

/**
 * A `Date` as ISO-8601 text: `YYYY-MM-DD` when its UTC time is exactly midnight (a calendar day),
 * else, for `zone` `utc` (default: the Date is an instant), the full `toISOString()` ending in `Z`;
 * for `naive` (the Date's UTC fields are the wall-clock time of a timestamp without a zone, see
 * {@link timestampMillis}), `YYYY-MM-DDTHH:MM:SS` plus `.sss` when the milliseconds are not zero,
 * with no zone (as pandas shows a naive `datetime64`). `null` for an invalid date.
 *
 * @example
 * isoDate(new Date(Date.UTC(2012, 0, 1, 10)), 'naive') // '2012-01-01T10:00:00'
 */
export function isoDate(d: Date, zone: 'utc' | 'naive' = 'utc'): string | null {
  const t = d.getTime();
  if (Number.isNaN(t)) return null;
  const iso = d.toISOString();
  if (t % 86_400_000 === 0) return iso.slice(0, 10);
  if (zone === 'utc') return iso;
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

const ZONED_RE = /(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch milliseconds of ISO-8601 date/time text (the values of a `date` column). The convention
 * everywhere in Stratum: a timestamp **without a zone** (`2012-01-01 10:00`, `2012-01-01T10:00:00`)
 * is read as **UTC wall-clock time**, so it never depends on the machine's time zone or its
 * daylight-saving jumps, and {@link isoDate} with `naive` gives the same text back; a date alone is
 * UTC midnight; a timestamp with `Z` or an offset is that instant. `NaN` when it is not a date.
 *
 * @example
 * timestampMillis('2012-01-01 10:00') === Date.UTC(2012, 0, 1, 10) // true on every machine
 */
export function timestampMillis(text: string): number {
  const t = text.trim();
  if (t.length === 10 || ZONED_RE.test(t)) return Date.parse(t.replace(' ', 'T'));
  return Date.parse(`${t.replace(' ', 'T')}Z`);
}

/** True when ISO date/time text has a time but no zone (`2012-01-01 10:00`): a naive timestamp. */
export function isNaiveTimestamp(text: string): boolean {
  const t = text.trim();
  return t.length > 10 && !ZONED_RE.test(t);
}

/**
 * Builds a {@link DataTable} from named columns of typed values (rows as objects are turned into
 * columns first by {@link recordsToColumns}), applying {@link inferValueColumn} to each (a
 * column's own `timestamps` overrides `options.timestamps`).
 */
export function tableFromValueColumns(columns: ReadonlyArray<{ name: string; values: readonly unknown[]; timestamps?: 'utc' | 'naive' }>, options: ValueInferenceOptions & { source?: string } = {}): DataTable {
  const inferred = columns.map((c) => inferValueColumn(c.name, c.values, c.timestamps === undefined ? options : { ...options, timestamps: c.timestamps }));
  const rowCount = columns[0]?.values.length ?? 0;
  return {
    columns: inferred.map((i) => i.column),
    rowCount,
    coercions: inferred.flatMap((i) => i.coercions),
    ...(options.source === undefined ? {} : { source: options.source }),
  };
}

/**
 * Coercions reporting the ±Infinity values of a table's numeric columns (one per column holding
 * any, with the count), appended to `table.coercions` in column order, for typed sources where a
 * number can be infinite: a JSON number beyond ±1.8e308 (`1e400`) parses as Infinity; a Parquet
 * float can hold `inf`. `why` says where they came from, e.g. `number beyond ±1.8e308 read as
 * ±Infinity`. Returns the same table (mutated) for chaining.
 */
export function reportInfinities<T extends DataTable>(table: T, why: string): T {
  for (const column of table.columns) {
    if (column.kind !== 'integer' && column.kind !== 'float') continue;
    const numbers = columnNumberView(column);
    let count = 0;
    const examples: string[] = [];
    for (let r = 0; r < numbers.length; r++) {
      const x = numbers[r]!;
      if (x !== Infinity && x !== -Infinity) continue;
      count++;
      const text = x > 0 ? 'Infinity' : '-Infinity';
      if (!examples.includes(text)) examples.push(text);
    }
    if (count > 0) table.coercions.push({ column: column.name, count, examples, action: `${why} (charts leave infinite values out; a sum or mean that includes one is infinite)` });
  }
  return table;
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
  /** `'.'` when the decimal commas come with `.` thousands separators (`1.234,56`, see {@link detectDecimalComma}). */
  thousands?: '.';
}

const THOUSANDS_COMMA_RE = /^[+-]?\d{1,3}(?:,\d{3})+$/;
const THOUSANDS_DOT_RE = /^[+-]?\d{1,3}(?:\.\d{3})+$/;
/** European grouping: `1.234` or `1.234,56` (`.` thousands separators, optional decimal comma). */
const EURO_RE = groupedNumberRe('.', ',');

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
 * European grouping (`1.234,56`): a value with `.` thousands groups (first group 1-3 digits not
 * starting with 0, then groups of 3) **and** a decimal comma cannot be read any other way, so it
 * proves both; a column mixing such values with decimal-comma numbers (and `1.234`-like values,
 * only once a value with both proves the grouping) proves decimal commas with `.` thousands
 * separators (`thousands: '.'`), under the same condition that no column proves decimal points.
 *
 * @param columns - per column, one text value per row
 * @param missing - missing-value tokens, compared after trimming spaces
 */
export function detectDecimalComma(columns: ReadonlyArray<readonly string[]>, missing: ReadonlySet<string>): DecimalCommaDetection {
  let commaProof: string | undefined;
  let pointProof: string | undefined;
  let ambiguous: string | undefined;
  let euroProof: string | undefined;
  for (const raw of columns) {
    let commaForm = true;
    let pointForm = true;
    let comma: string | undefined;
    let point: string | undefined;
    let groups: string | undefined;
    let euro: string | undefined;
    let dotGroups = false;
    for (let r = 0; r < raw.length && (commaForm || pointForm); r++) {
      const t = raw[r]!.trim();
      if (missing.has(t) || INFINITY_TEXT.test(t)) continue; // `inf` is a number in either form
      if (commaForm) {
        if (!COMMA_FLOAT_RE.test(t)) {
          if (!EURO_RE.test(t)) commaForm = false;
          else if (t.includes(',')) euro ??= t;
          else dotGroups = true;
        } else if (comma === undefined && t.includes(',')) {
          if (THOUSANDS_COMMA_RE.test(t)) groups ??= t;
          else comma = t;
        }
      }
      if (pointForm) {
        if (!FLOAT_RE.test(t)) pointForm = false;
        else if (point === undefined && t.includes('.') && !THOUSANDS_DOT_RE.test(t)) point = t;
      }
    }
    if (dotGroups && euro === undefined) commaForm = false; // `1.234` alone proves no grouping
    if (commaForm && euro !== undefined) {
      commaProof ??= euro;
      euroProof ??= euro;
    } else if (commaForm && comma !== undefined) commaProof ??= comma;
    else if (commaForm && groups !== undefined) ambiguous ??= groups;
    if (pointForm && point !== undefined) pointProof ??= point;
  }
  if (euroProof !== undefined && pointProof === undefined) {
    return { decimalComma: true, thousands: '.', note: `decimal comma with "." thousands separators detected (e.g. "${euroProof}"): numbers read with a comma as the decimal separator and the points removed; pass decimalComma: false to keep them as text` };
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
