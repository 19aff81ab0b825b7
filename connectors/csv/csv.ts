/**
 * CSV connector: CSV text or file -> typed columnar {@link CsvTable} -> Danfo `DataFrame`.
 *
 * Parsing is done by `csv-parse` (RFC 4180 quoting: quoted fields may hold delimiters, newlines
 * and doubled quotes). On top of it this module sniffs the delimiter, infers one type per column
 * from every row, recognises missing-value tokens, and keeps values that a JS number cannot hold
 * exactly (integers beyond 2^53, codes with leading zeros) as strings, saying why in the column's
 * `note`. Malformed input is a {@link StratumError} naming the file, the line and the field.
 */
import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import * as dfd from 'danfojs-node';
import { StratumError } from '../../core/errors.ts';

/** Danfo dtype of a column (`bool` is Danfo's `boolean`, see {@link danfoDtype}). */
export type CsvDtype = 'int32' | 'float32' | 'bool' | 'string';

/** Inferred kind of a column; `date` columns hold ISO-8601-like strings, unconverted. */
export type CsvKind = 'integer' | 'float' | 'boolean' | 'string' | 'date';

/** One typed column of a parsed CSV. */
export interface CsvColumn {
  /** Header name (after the renaming described in {@link parseCsv}). */
  name: string;
  /**
   * Storage dtype: `int32` for integers within ±2^31, `float32` for floats and for integers beyond
   * the int32 range (the values stay exact JS numbers; the label is Danfo's), `bool`, or `string`
   * (strings and dates).
   */
  dtype: CsvDtype;
  /** Inferred kind, from all rows. */
  kind: CsvKind;
  /** Number of missing values (fields equal to a missing token after trimming spaces). */
  missing: number;
  /** Why the column got its type when that is not obvious (e.g. kept as strings to stay exact), or how its name was made. */
  note?: string;
  /** One value per data row: `number` (integer/float), `boolean`, `string` (string/date), or `null` when missing. */
  values: Array<number | string | boolean | null>;
}

/** A parsed CSV: typed columns of equal length. */
export interface CsvTable {
  /** Columns in file order. */
  columns: CsvColumn[];
  /** Number of data rows (header excluded, blank lines skipped). */
  rowCount: number;
  /** The delimiter used (forced or sniffed). */
  delimiter: string;
  /** Where the text came from (file path or the `source` option), for messages. */
  source?: string;
}

/** Options for {@link parseCsv}, {@link readCsvTable} and {@link readCsv}. */
export interface CsvReadOptions {
  /** Field delimiter (one character). Default: sniffed among {@link DELIMITER_CANDIDATES}. */
  delimiter?: string;
  /** Field values read as missing, compared after trimming spaces, case-sensitive. Default {@link DEFAULT_MISSING_VALUES}. */
  missingValues?: readonly string[];
  /** Name of the input used in error messages and `CsvTable.source` (readCsvTable sets the path). */
  source?: string;
}

/** Default missing-value tokens (compare pandas `read_csv` `na_values`). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'N/A', 'null', 'NaN'];

/** Delimiters tried by the sniffer, in order of preference on ties. */
export const DELIMITER_CANDIDATES: readonly string[] = [',', ';', '\t', '|'];

/** Number of records the delimiter sniffer parses with each candidate. */
const SNIFF_RECORDS = 50;

const INT_RE = /^[+-]?\d+$/;
const LEADING_ZERO_RE = /^[+-]?0\d/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Parses CSV text into a typed {@link CsvTable}.
 *
 * Rules:
 * - the first record is the header; an empty header name becomes `Unnamed: i` (0-based field
 *   index) and a repeated name `name.1`, `name.2`, ... (pandas' renaming); the column's `note` says so;
 * - a UTF-8 BOM is stripped; blank lines (anywhere, including trailing ones and lines of spaces at
 *   the end) are skipped; quotes inside an unquoted field are kept literally;
 * - the delimiter is sniffed: the first 50 records are parsed with each of `, ; \t |`, and the
 *   candidate giving the same field count (> 1) on the most records wins (ties: more fields, then
 *   the order above); `options.delimiter` forces one;
 * - each column's kind comes from all rows: `integer` if every non-missing value is an integer,
 *   else `float` if every one is a number, else `boolean` (true/false, any case), else `date`
 *   (YYYY-MM-DD, optionally with a time; kept as strings), else `string`;
 * - a number column holding an integer beyond ±(2^53-1) or a code with leading zeros (`00123`)
 *   becomes a `string` column holding the exact text, with a `note`; a float that overflows to
 *   Infinity does too;
 * - missing tokens (`options.missingValues`) give `null` and are counted per column; a column with
 *   every value missing is a `float` column (as in pandas); a header with no data rows gives
 *   empty `string` columns;
 * - notes cite data rows 1-based (the first record after the header is data row 1).
 *
 * @example
 * const t = parseCsv('id;zip\n1;00123\n2;NA\n');
 * // t.delimiter === ';', t.columns[1] => { kind: 'string', values: ['00123', null], missing: 1, note: ... }
 * @throws {StratumError} `CSV_EMPTY` when the text holds no header;
 *   `CSV_PARSE` for a record with the wrong number of fields or an unclosed quote (message names
 *   the source, the 1-based line and the field), or an invalid `delimiter` option.
 */
export function parseCsv(text: string, options: CsvReadOptions = {}): CsvTable {
  const source = options.source ?? 'CSV text';
  const body = stripTrailingBlankLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (body.trim().length === 0) {
    throw new StratumError('CSV_EMPTY', `${source} is empty: no header line`, {
      detail: { path: source },
      hint: 'Give a file whose first line names the columns.',
    });
  }
  const buffer = Buffer.from(body, 'utf8');
  const delimiter = options.delimiter ?? sniffDelimiter(buffer);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new StratumError('CSV_PARSE', `${source}: invalid delimiter ${JSON.stringify(delimiter)}`, {
      detail: { path: source, field: 'delimiter' },
      hint: 'Use one character other than a quote or a newline, e.g. "," or ";".',
    });
  }

  let header: string[] | undefined;
  let fields: string[][] = [];
  let lastLine = 0;
  try {
    parse(buffer, {
      delimiter,
      skip_empty_lines: true,
      relax_quotes: true,
      on_record: (record: string[], context) => {
        lastLine = context.lines;
        if (header === undefined) {
          header = record;
          fields = record.map(() => []);
        } else {
          for (let c = 0; c < record.length; c++) fields[c]!.push(record[c]!);
        }
        return null; // columns are collected here; csv-parse keeps no rows
      },
    });
  } catch (error) {
    throw csvError(error, { source, text: body, lastLine, header: header ?? [] });
  }
  if (header === undefined) throw new Error('csv-parse returned no header for non-empty text');

  const missing = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const names = uniqueNames(header);
  const columns = fields.map((raw, c) => {
    const column = typeColumn(names[c]!.name, raw, missing);
    const note = [names[c]!.note, column.note].filter((n) => n !== undefined).join('; ');
    return note.length > 0 ? { ...column, note } : column;
  });
  return { columns, rowCount: fields[0]?.length ?? 0, delimiter, ...(options.source === undefined ? {} : { source: options.source }) };
}

/**
 * Reads a UTF-8 CSV file into a typed {@link CsvTable} (see {@link parseCsv} for the rules).
 *
 * @param path - file path
 * @throws {StratumError} `FILE_NOT_FOUND` when no file is at `path`; `CSV_PARSE` when it is not
 *   valid UTF-8 or is malformed; `CSV_EMPTY` when it holds no header.
 */
export async function readCsvTable(path: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new StratumError('FILE_NOT_FOUND', `CSV file not found: ${path}${code === 'EISDIR' ? ' is a directory' : ''}`, {
        detail: { path },
        hint: 'Check the path; relative paths start from the notebook\'s working directory.',
        cause: error,
      });
    }
    throw error;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new StratumError('CSV_PARSE', `${path} is not valid UTF-8 text`, {
      detail: { path },
      hint: 'Re-save the file with UTF-8 encoding.',
      cause: error,
    });
  }
  return parseCsv(text, { ...options, source: options.source ?? path });
}

/**
 * Danfo's name for a column dtype (`bool` -> `boolean`; the others are the same).
 */
export function danfoDtype(dtype: CsvDtype): 'int32' | 'float32' | 'boolean' | 'string' {
  return dtype === 'bool' ? 'boolean' : dtype;
}

/**
 * Builds a Danfo `DataFrame` from a {@link CsvTable}, passing the dtypes explicitly so Danfo does
 * not re-infer them: missing numbers become `NaN`, missing strings and booleans stay `null`, and
 * string columns (big integers, leading-zero codes) stay strings.
 */
export function tableToDataFrame(table: CsvTable): dfd.DataFrame {
  const columns = table.columns.map((c) => c.name);
  const dtypes = table.columns.map((c) => danfoDtype(c.dtype));
  // Row-major arrays, not an object of columns: object keys like "1" would be reordered by JS.
  const rows: Array<Array<number | string | boolean | null>> = [];
  for (let r = 0; r < table.rowCount; r++) {
    rows.push(table.columns.map((c) => {
      const v = c.values[r] ?? null;
      return v === null && (c.dtype === 'int32' || c.dtype === 'float32') ? NaN : v;
    }));
  }
  return new dfd.DataFrame(rows, { columns, dtypes });
}

/**
 * Reads a CSV file into a Danfo `DataFrame` with the types of {@link parseCsv}.
 *
 * @example
 * const df = await readCsv('data.csv');
 * @throws {StratumError} as {@link readCsvTable}.
 */
export async function readCsv(path: string, options: CsvReadOptions = {}): Promise<dfd.DataFrame> {
  return tableToDataFrame(await readCsvTable(path, options));
}

/**
 * Row objects of a {@link CsvTable}, one per data row, keyed by column name; missing values are
 * `null`. Used by ML training.
 */
export function tableToRecords(table: CsvTable): Array<Record<string, number | string | boolean | null>> {
  const records: Array<Record<string, number | string | boolean | null>> = [];
  for (let r = 0; r < table.rowCount; r++) {
    const record: Record<string, number | string | boolean | null> = {};
    for (const column of table.columns) record[column.name] = column.values[r] ?? null;
    records.push(record);
  }
  return records;
}

/** Removes the line breaks and lines made only of spaces at the end of the text. */
function stripTrailingBlankLines(text: string): string {
  let end = text.length;
  while (end > 0 && ' \r\n'.includes(text[end - 1]!)) end--;
  // Keep spaces that end the last non-blank line: cut at the first line break after it.
  while (end < text.length && text[end] === ' ') end++;
  return text.slice(0, end);
}

/** Picks the delimiter whose first records agree best on a field count > 1 (see {@link parseCsv}). */
function sniffDelimiter(buffer: Buffer): string {
  let best = { delimiter: ',', agreeing: 0, width: 0 };
  for (const delimiter of DELIMITER_CANDIDATES) {
    let records: string[][];
    try {
      records = parse(buffer, { delimiter, skip_empty_lines: true, relax_quotes: true, relax_column_count: true, to: SNIFF_RECORDS });
    } catch {
      continue; // e.g. an unclosed quote: the real parse reports it
    }
    const width = records[0]?.length ?? 0;
    if (width < 2) continue;
    const agreeing = records.filter((r) => r.length === width).length / records.length;
    if (agreeing > best.agreeing || (agreeing === best.agreeing && width > best.width)) best = { delimiter, agreeing, width };
  }
  return best.delimiter;
}

/** Renames empty and repeated header names the way pandas does. */
function uniqueNames(header: string[]): Array<{ name: string; note?: string }> {
  const taken = new Set(header);
  const seen = new Set<string>();
  return header.map((raw, i) => {
    let name = raw;
    let note: string | undefined;
    if (name.trim().length === 0) {
      name = `Unnamed: ${i}`;
      note = `header field ${i + 1} was empty; named "${name}"`;
    }
    if (seen.has(name)) {
      let k = 1;
      while (taken.has(`${name}.${k}`) || seen.has(`${name}.${k}`)) k++;
      note = `header "${name}" repeats; renamed "${name}.${k}"`;
      name = `${name}.${k}`;
    }
    seen.add(name);
    taken.add(name);
    return note === undefined ? { name } : { name, note };
  });
}

/** Infers a column's kind from all its raw values and converts them. */
function typeColumn(name: string, raw: string[], missingTokens: ReadonlySet<string>): CsvColumn {
  let missing = 0;
  let numeric = true;
  let integer = true;
  let boolean = true;
  let date = true;
  let inexact: string | undefined; // why number values would not be exact
  const n = raw.length;
  const trimmed: string[] = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    const value = raw[r]!;
    const t = value.length > 0 && (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32) ? value.trim() : value;
    trimmed[r] = t;
    if (missingTokens.has(t)) {
      missing++;
      continue;
    }
    if (numeric) {
      if (INT_RE.test(t)) {
        if (inexact === undefined) {
          if (LEADING_ZERO_RE.test(t)) inexact = `"${t}" (data row ${r + 1}) has leading zeros`;
          else if (t.length > 15 && !Number.isSafeInteger(Number(t))) inexact = `${t} (data row ${r + 1}) is beyond ±(2^53-1) and would lose precision as a number`;
        }
      } else if (FLOAT_RE.test(t)) {
        integer = false;
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

  if (n === 0) return { name, dtype: 'string', kind: 'string', missing, values: [] };
  if (missing === n) {
    return { name, dtype: 'float32', kind: 'float', missing, values: new Array<null>(n).fill(null), note: 'all values missing' };
  }
  if (numeric && inexact === undefined) {
    const values: Array<number | null> = new Array<number | null>(n);
    let fitsInt32 = true;
    for (let r = 0; r < n; r++) {
      if (missingTokens.has(trimmed[r]!)) {
        values[r] = null;
        continue;
      }
      const x = Number(trimmed[r]);
      if (!Number.isFinite(x)) {
        inexact = `${trimmed[r]} (data row ${r + 1}) overflows a 64-bit float`;
        break;
      }
      if (integer && (x < INT32_MIN || x > INT32_MAX)) fitsInt32 = false;
      values[r] = x;
    }
    if (inexact === undefined) {
      if (!integer) return { name, dtype: 'float32', kind: 'float', missing, values };
      if (fitsInt32) return { name, dtype: 'int32', kind: 'integer', missing, values };
      return { name, dtype: 'float32', kind: 'integer', missing, values, note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' };
    }
  }
  if (boolean) {
    return { name, dtype: 'bool', kind: 'boolean', missing, values: trimmed.map((t) => (missingTokens.has(t) ? null : t.toLowerCase() === 'true')) };
  }
  const values = raw.map((v, r) => (missingTokens.has(trimmed[r]!) ? null : v));
  if (numeric) return { name, dtype: 'string', kind: 'string', missing, values, note: `kept as strings to stay exact: ${inexact}` };
  return { name, dtype: 'string', kind: date ? 'date' : 'string', missing, values };
}

/** Turns a csv-parse error into a StratumError naming the source, the 1-based line and the field. */
function csvError(error: unknown, at: { source: string; text: string; lastLine: number; header: string[] }): unknown {
  if (!(error instanceof CsvError)) return error;
  const { source, header } = at;
  const recordLine = nextNonBlankLine(at.text, at.lastLine);
  const fieldName = (index: number): string => (header[index] === undefined ? `field ${index + 1}` : `field ${index + 1} ("${header[index]}")`);
  if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const record = Array.isArray(error['record']) ? (error['record'] as unknown[]) : [];
    const got = record.length;
    const where = got > header.length ? `; extra field ${header.length + 1} holds ${JSON.stringify(String(record[header.length]))}` : `; ${fieldName(got)} and after are missing`;
    return new StratumError('CSV_PARSE', `${source}: line ${recordLine}: expected ${header.length} fields like the header, found ${got}${where}`, {
      detail: { path: source, line: recordLine, column: Math.min(got, header.length) + 1, columnKind: 'field', expected: header.length, actual: got },
      hint: 'Quote fields that contain the delimiter, or fix the row so it has one value per header column.',
      cause: error,
    });
  }
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    const index = typeof error['column'] === 'number' ? error['column'] : undefined;
    return new StratumError('CSV_PARSE', `${source}: line ${recordLine}: a quoted field${index === undefined ? '' : `, ${fieldName(index)},`} is never closed; the quote runs to the end of the file`, {
      detail: { path: source, line: recordLine, ...(index === undefined ? {} : { column: index + 1, columnKind: 'field', field: header[index] }) },
      hint: 'Add the closing double quote, or double any quote inside a quoted field ("").',
      cause: error,
    });
  }
  const line = typeof error['lines'] === 'number' ? error['lines'] : recordLine;
  return new StratumError('CSV_PARSE', `${source}: line ${line}: ${error.message}`, {
    detail: { path: source, line },
    hint: 'Check the quoting and the delimiter on that line.',
    cause: error,
  });
}

/** 1-based number of the first non-blank line after line `after` (error path only). */
function nextNonBlankLine(text: string, after: number): number {
  const lines = text.split(/\r\n|\n|\r/);
  let i = after; // 0-based index of line after+1
  while (i < lines.length - 1 && lines[i]!.trim().length === 0) i++;
  return i + 1;
}
