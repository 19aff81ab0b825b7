/**
 * CSV connector: CSV text or file -> typed columnar {@link CsvTable} -> Danfo `DataFrame`.
 *
 * Parsing is done by `csv-parse` (RFC 4180 quoting: quoted fields may hold delimiters, newlines
 * and doubled quotes). On top of it this module sniffs the delimiter, infers one type per column
 * from every row, recognises missing-value tokens, and keeps values that a JS number cannot hold
 * exactly (integers beyond 2^53, codes with leading zeros) as strings, saying why in the column's
 * `note`. Malformed input is a {@link StratumError} naming the file, the line and the field.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import type * as dfd from 'danfojs-node';
import { StratumError } from '../../core/errors.ts';
import { DEFAULT_MISSING_VALUES, danfoDtype, detectDecimalComma, inferTextColumn, tableToRecords, THOUSANDS_SEPARATORS } from '../../core/data/columns.ts';
import type { ColumnKind, Coercion, DataColumn, DataDtype, DataTable, DecimalCommaDetection, ThousandsSeparator } from '../../core/data/columns.ts';
import { dataTableToDataFrame } from '../../core/data/frame.ts';
import { uniqueNames } from '../common.ts';
import { decodeWindows1252 } from './encoding.ts';

export { DEFAULT_MISSING_VALUES, danfoDtype, tableToRecords };

/** Danfo dtype of a column (alias of {@link DataDtype}). */
export type CsvDtype = DataDtype;

/** Inferred kind of a column (alias of {@link ColumnKind}); `date` columns hold ISO-8601-like strings. */
export type CsvKind = ColumnKind;

/** One typed column of a parsed CSV (alias of {@link DataColumn}). */
export type CsvColumn = DataColumn;

/** Text encodings the CSV reader knows; `latin1` decodes as Windows-1252 (WHATWG's meaning of the label). */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';

/** A parsed CSV: a {@link DataTable} plus the delimiter and encoding used. */
export interface CsvTable extends DataTable {
  /** The delimiter used (forced or sniffed). */
  delimiter: string;
  /** The encoding the bytes were decoded with (detected or forced); `utf-8` for text input. */
  encoding: CsvEncoding;
  /** Table-level notes, e.g. that the file was not UTF-8 and was read as Latin-1, or that decimal commas were detected. */
  notes?: string[];
  /** True when numbers were read with a decimal comma (forced by the option or detected). */
  decimalComma?: boolean;
  /** The thousands separator numbers were read with (the option, or `.` detected with decimal commas). */
  thousands?: ThousandsSeparator;
}

/** Options for {@link parseCsv}, {@link readCsvTable} and {@link readCsv}. */
export interface CsvReadOptions {
  /** Field delimiter (one character). Default: sniffed among {@link DELIMITER_CANDIDATES}. */
  delimiter?: string;
  /** Field values read as missing, compared after trimming spaces, case-sensitive. Default {@link DEFAULT_MISSING_VALUES}. */
  missingValues?: readonly string[];
  /** Name of the input used in error messages and `CsvTable.source` (readCsvTable sets the path). */
  source?: string;
  /**
   * Read numbers written with a decimal comma (`1,5`) as numbers (one comma, no thousands
   * separators). Default: detected for `;`-delimited text from whole columns (see
   * `detectDecimalComma` in core/data/columns.ts), reported in `notes`; `false` turns detection off.
   */
  decimalComma?: boolean;
  /**
   * Thousands separator inside numbers, as pandas `read_csv(thousands=...)`: `','` (`1,234.5`),
   * `'.'` (`1.234,5`: implies `decimalComma`), `' '` (`1 234,5`) or `"'"` (`1'234.5`); whole
   * 3-digit groups only (see `TextInferenceOptions.thousands` in core/data/columns.ts), each value
   * reported as a coercion. Default none, except that a `;`-delimited file whose columns prove
   * `1.234,56` (`detectDecimalComma`) is read with `.` (said in `notes`).
   */
  thousands?: ThousandsSeparator;
  /**
   * File encoding for {@link readCsvTable}; default `auto`: a UTF-8 or UTF-16 BOM decides, else
   * UTF-8 when the bytes are valid UTF-8, else Latin-1 (Windows-1252), reported in `notes`.
   */
  encoding?: CsvEncoding | 'auto';
  /**
   * Parser for {@link readCsvTable}: `js` (csv-parse), `polars` (nodejs-polars' native reader,
   * then the same type rules), or `auto` (default): polars for files of {@link FAST_PATH_BYTES} or
   * more whose layout it reads exactly like csv-parse (see connectors/csv/fast.ts), else js.
   */
  engine?: 'auto' | 'js' | 'polars';
}

/** Delimiters tried by the sniffer, in order of preference on ties. */
export const DELIMITER_CANDIDATES: readonly string[] = [',', ';', '\t', '|'];

/** Number of records the delimiter sniffer parses with each candidate. */
const SNIFF_RECORDS = 50;

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
 * - with `decimalComma`, numbers like `1,5` are read as 1.5 (one comma, no thousands separators),
 *   reported as a coercion; for `;`-delimited text the option defaults to what the whole columns
 *   prove (`detectDecimalComma`): `1,5` with no `2.5` elsewhere turns it on, said in `notes`;
 *   `1.234,56` (`.` thousands groups and a decimal comma, unambiguous) also sets `thousands: '.'`;
 * - with `thousands`, numbers like `1,234` / `12,345.67` (`','`) are read without the separator
 *   (whole 3-digit groups only), reported as a coercion; without it, a text column whose values
 *   are all numbers, some grouped, gets a note naming the option;
 * - each column's kind comes from all rows: `integer` if every non-missing value is an integer,
 *   else `float` if every one is a number, else `boolean` (true/false, any case), else `date`
 *   (YYYY-MM-DD, optionally with a time; kept as strings), else `string`;
 * - an infinity spelled out (`inf`, `+inf`, `-inf`, `Infinity`, `-Infinity`, any case, quoted or
 *   not) is a number: read as ±Infinity as pandas `read_csv` does (an integer column holding one is
 *   `float`), reported as a coercion per column; `NaN` stays a missing token;
 * - a number column holding an integer beyond ±(2^53-1) or a code with leading zeros (`00123`)
 *   becomes a `string` column holding the exact text, with a `note`; a float that overflows to
 *   Infinity does too;
 * - missing tokens (`options.missingValues`) give `null` and are counted per column; a column with
 *   every value missing is a `float` column (as in pandas); a header with no data rows gives
 *   empty `string` columns;
 * - notes cite data rows 1-based (the first record after the header is data row 1);
 * - `coercions` lists every change made to values (missing tokens other than empty fields,
 *   numbers kept as text, decimal commas, infinities, booleans in another case), see `core/data/columns.ts`.
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

  return typeColumns(header, fields, delimiter, options);
}

/**
 * Applies the naming and type rules of {@link parseCsv} to raw header and column fields (shared by
 * the csv-parse and polars paths).
 */
export function typeColumns(header: readonly string[], fields: ReadonlyArray<readonly string[]>, delimiter: string, options: CsvReadOptions): CsvTable {
  const missing = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const names = uniqueNames(header);
  const coercions: Coercion[] = [];
  const detection = numberForm(fields, delimiter, missing, options);
  const decimalComma = detection.decimalComma;
  const thousands = options.thousands ?? detection.thousands;
  const columns = fields.map((raw, c) => {
    const { column, coercions: changed } = inferTextColumn(names[c]!.name, raw, { missing, decimalComma, ...(thousands === undefined ? {} : { thousands }) });
    coercions.push(...changed);
    const note = [names[c]!.note, column.note].filter((n) => n !== undefined).join('; ');
    return note.length > 0 ? { ...column, note } : column;
  });
  return {
    columns,
    rowCount: fields[0]?.length ?? 0,
    delimiter,
    encoding: 'utf-8',
    coercions,
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(decimalComma ? { decimalComma } : {}),
    ...(thousands === undefined ? {} : { thousands }),
    ...(detection.note === undefined ? {} : { notes: [detection.note] }),
  };
}

/**
 * The decimal separator and thousands separator of a file's numbers: the options, checked against
 * each other (`thousands: '.'` implies `decimalComma: true`, `','` implies `false`); with
 * `decimalComma` unset, a `;`-delimited file's columns decide (`detectDecimalComma`; with a `' '`
 * or `"'"` separator, on the values without it).
 *
 * @throws {StratumError} `CONNECTOR_CONFIG` for an unknown separator, or one that is also the decimal separator.
 */
function numberForm(fields: ReadonlyArray<readonly string[]>, delimiter: string, missing: ReadonlySet<string>, options: CsvReadOptions): DecimalCommaDetection {
  const { thousands, decimalComma } = options;
  if (thousands !== undefined && !THOUSANDS_SEPARATORS.includes(thousands)) {
    throw new StratumError('CONNECTOR_CONFIG', `thousands must be one of ${THOUSANDS_SEPARATORS.map((t) => JSON.stringify(t)).join(', ')}, got ${JSON.stringify(thousands)}`, { detail: { field: 'thousands' } });
  }
  if ((thousands === ',' && decimalComma === true) || (thousands === '.' && decimalComma === false)) {
    throw new StratumError('CONNECTOR_CONFIG', `thousands: ${JSON.stringify(thousands)} is also the decimal separator with decimalComma: ${String(decimalComma)}`, {
      detail: { field: 'thousands' },
      hint: thousands === ',' ? 'With decimal commas (1.234,56) the thousands separator is "." (or " ").' : 'Thousands "." (1.234,56) goes with decimalComma: true; leave decimalComma out.',
    });
  }
  if (decimalComma !== undefined) return { decimalComma };
  if (thousands === '.' || thousands === ',') return { decimalComma: thousands === '.' };
  if (delimiter !== ';') return { decimalComma: false };
  if (thousands === undefined) return detectDecimalComma(fields, missing);
  const { decimalComma: detected, note } = detectDecimalComma(fields.map((raw) => raw.map((v) => v.split(thousands).join(''))), missing);
  return { decimalComma: detected, ...(note === undefined ? {} : { note }) };
}

/**
 * Reads a CSV file into a typed {@link CsvTable} (see {@link parseCsv} for the rules), detecting
 * its encoding (see {@link decodeCsvBytes}). Large files go through the native polars reader when
 * that gives the same result (`options.engine`).
 *
 * @param path - file path
 * @throws {StratumError} `FILE_NOT_FOUND` when no file is at `path`; `CSV_PARSE` when it is
 *   malformed, or not valid in a forced encoding; `CSV_EMPTY` when it holds no header.
 */
export async function readCsvTable(path: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  const engine = options.engine ?? 'auto';
  if (engine !== 'js' && (engine === 'polars' || (await fileSize(path)) >= FAST_PATH_BYTES)) {
    const { readCsvFast } = await import('./fast.ts');
    const fast = await readCsvFast(path, { ...options, source: options.source ?? path });
    if (fast !== undefined) return fast;
  }
  const bytes = await readCsvBytes(path);
  const { text, encoding, note } = decodeCsvBytes(bytes, options.encoding ?? 'auto', path);
  const table = parseCsv(text, { ...options, source: options.source ?? path });
  const notes = [...(note === undefined ? [] : [note]), ...(table.notes ?? [])];
  return { ...table, encoding, ...(notes.length === 0 ? {} : { notes }) };
}

/** Files at least this large (bytes) may take the polars path of {@link readCsvTable} (engine `auto`). */
export const FAST_PATH_BYTES = 4 * 1024 * 1024;

/** Reads a file's bytes, turning a missing file into `FILE_NOT_FOUND`. */
export async function readCsvBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw notFound(error, path);
  }
}

/** Size of a regular file in bytes, turning a missing file or a directory into `FILE_NOT_FOUND`. */
async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw notFound(error, path);
  }
  if (info.isDirectory()) throw notFound(Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' }), path);
  return info.size;
}

/** `FILE_NOT_FOUND` for a missing path or a directory; any other error unchanged. */
function notFound(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new StratumError('FILE_NOT_FOUND', `CSV file not found: ${path}${code === 'EISDIR' ? ' is a directory' : ''}`, {
      detail: { path },
      hint: 'Check the path; relative paths start from the notebook\'s working directory.',
      cause: error,
    });
  }
  return error;
}

/**
 * Decodes file bytes to text. `auto`: a BOM decides (EF BB BF UTF-8, FF FE UTF-16LE, FE FF
 * UTF-16BE; the BOM is dropped), else UTF-8 when the bytes are valid UTF-8, else Latin-1
 * (decoded as Windows-1252, which agrees with ISO-8859-1 on every printable character), with a
 * `note` saying so.
 *
 * @throws {StratumError} `CSV_PARSE` when a forced encoding does not fit the bytes (UTF-8 only).
 */
export function decodeCsvBytes(bytes: Uint8Array, encoding: CsvEncoding | 'auto', source: string): { text: string; encoding: CsvEncoding; note?: string } {
  const decode = (label: string, body: Uint8Array, fatal = false): string => new TextDecoder(label, { fatal }).decode(body);
  if (encoding === 'auto') {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: decode('utf-8', bytes.subarray(3)), encoding: 'utf-8' };
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: decode('utf-16le', bytes.subarray(2)), encoding: 'utf-16le', note: 'encoding: UTF-16LE (byte order mark)' };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: decode('utf-16be', bytes.subarray(2)), encoding: 'utf-16be', note: 'encoding: UTF-16BE (byte order mark)' };
    if (isUtf8(bytes)) return { text: decode('utf-8', bytes), encoding: 'utf-8' };
    return { text: decodeWindows1252(bytes), encoding: 'latin1', note: `${source} is not valid UTF-8: read as Latin-1 (Windows-1252); re-save it as UTF-8 or pass encoding if that is wrong` };
  }
  if (encoding === 'latin1') return { text: decodeWindows1252(bytes), encoding };
  try {
    const text = decode(encoding, bytes, true);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding };
  } catch (error) {
    throw new StratumError('CSV_PARSE', `${source} is not valid ${encoding.toUpperCase()} text`, {
      detail: { path: source, field: 'encoding' },
      hint: 'Re-save the file as UTF-8, or set encoding to "auto" or "latin1".',
      cause: error,
    });
  }
}

/**
 * Builds a Danfo `DataFrame` from a {@link CsvTable} (or any {@link DataTable}) with the dtypes
 * given explicitly so Danfo does not re-infer them: missing numbers become `NaN`, missing strings
 * and booleans stay `null`. See {@link dataTableToDataFrame} (the frame's row-major data is built
 * on first use).
 */
export function tableToDataFrame(table: DataTable): dfd.DataFrame {
  return dataTableToDataFrame(table);
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

/** Removes the line breaks and lines made only of spaces at the end of the text. */
function stripTrailingBlankLines(text: string): string {
  let end = text.length;
  while (end > 0 && ' \r\n'.includes(text[end - 1]!)) end--;
  // Keep spaces that end the last non-blank line: cut at the first line break after it.
  while (end < text.length && text[end] === ' ') end++;
  return text.slice(0, end);
}

/** Picks the delimiter whose first records agree best on a field count > 1 (see {@link parseCsv}). */
export function sniffDelimiter(buffer: Buffer): string {
  return pickDelimiter((delimiter) => sniffRecords(buffer, delimiter, SNIFF_RECORDS));
}

/**
 * {@link sniffDelimiter} of a file from its first bytes: the same delimiter, or `undefined` when
 * `prefix` may not hold the file's first 50 records whole for every candidate delimiter (a quoted
 * field may span lines, so lines are not records).
 *
 * @param prefix - the file's first bytes (no BOM), ending at a line break
 */
export function sniffDelimiterOfPrefix(prefix: Buffer): string | undefined {
  const parsed = new Map<string, string[][] | undefined>();
  for (const delimiter of DELIMITER_CANDIDATES) {
    // A 51st record parsed means the 50th ended inside the prefix.
    const records = sniffRecords(prefix, delimiter, SNIFF_RECORDS + 1);
    if (records === undefined || records.length <= SNIFF_RECORDS) return undefined;
    parsed.set(delimiter, records.slice(0, SNIFF_RECORDS));
  }
  return pickDelimiter((delimiter) => parsed.get(delimiter));
}

/** The first `count` records of `buffer` split on `delimiter`, or `undefined` when csv-parse fails on them (e.g. an unclosed quote). */
function sniffRecords(buffer: Buffer, delimiter: string, count: number): string[][] | undefined {
  try {
    return parse(buffer, { delimiter, skip_empty_lines: true, relax_quotes: true, relax_column_count: true, to: count });
  } catch {
    return undefined;
  }
}

/** The sniffer's rule (see {@link parseCsv}) on each candidate's first records (`undefined`: the candidate failed to parse). */
function pickDelimiter(recordsOf: (delimiter: string) => string[][] | undefined): string {
  let best = { delimiter: ',', agreeing: 0, width: 0 };
  for (const delimiter of DELIMITER_CANDIDATES) {
    const records = recordsOf(delimiter);
    if (records === undefined) continue; // e.g. an unclosed quote: the real parse reports it
    const width = records[0]?.length ?? 0;
    if (width < 2) continue;
    const agreeing = records.filter((r) => r.length === width).length / records.length;
    if (agreeing > best.agreeing || (agreeing === best.agreeing && width > best.width)) best = { delimiter, agreeing, width };
  }
  return best.delimiter;
}

/** Renames empty and repeated header names the way pandas does (shared by every connector: see connectors/common.ts). */
export { uniqueNames };

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
    // Too few fields on the last line, with no line break after it: most likely a cut-off file.
    const truncated = got < header.length && !/[\r\n]$/.test(at.text) && at.text.trimEnd().split(/\r\n|\n|\r/).length === recordLine;
    const fields = (k: number): string => `${k} field${k === 1 ? '' : 's'}`;
    return new StratumError('CSV_PARSE', `${source}: line ${recordLine}: expected ${fields(header.length)} like the header, found ${got}${where}${truncated ? ' (the last line, with no line break after it: truncated file?)' : ''}`, {
      detail: { path: source, line: recordLine, column: Math.min(got, header.length) + 1, columnKind: 'field', expected: header.length, actual: got, ...(truncated ? { truncated } : {}) },
      hint: truncated ? 'The file looks cut short: export or download it again.' : 'Quote fields that contain the delimiter, or fix the row so it has one value per header column.',
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
