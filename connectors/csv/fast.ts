/**
 * The fast CSV path: nodejs-polars' native multi-threaded reader parses the bytes, then Stratum's
 * own type rules are applied on its columns, so the result equals csv-parse + `parseCsv`.
 *
 * Polars is used only where it reads exactly like the JS path. A single pass over the bytes
 * ({@link scanCsv}) first checks the layout: no quote characters, no CR, no blank lines, every line
 * with the header's field count, unique non-empty header names; anything else returns `undefined`
 * and the caller uses the JS path (which also gives the precise error messages). The same pass
 * marks columns where polars' number parsing would lose what our rules keep — a field with leading
 * zeros (`00123`), a run of 16+ leading digits (beyond 2^53), or spaces at a field's edge (our
 * missing tokens compare after trimming) — and those columns are read as text and typed by
 * `inferTextColumn`. Polars infers the other columns from their first rows and silently turns a
 * later value that does not parse (a `3.5` in an integer column) into null; the scan counts each
 * column's empty fields, and a column with more nulls than that is read again as text (a full-scan
 * inference would cost twice the read; `inferSchemaLength: null` means "all text" in nodejs-polars):
 * - Int64 -> integers (exact: no value can exceed 15 digits, see above); int32 or float32 label;
 * - Float64 -> floats; a column holding NaN or ±inf text (which polars accepts and we do not) is
 *   re-read as text and typed by our rules;
 * - Boolean -> re-read as text and typed by our rules (polars loses the case of `TRUE`, which the
 *   coercion report itemizes);
 * - String -> the text values typed by `inferTextColumn` (dates, our number forms...).
 * Only the empty field is given to polars as a null value; a column holding other missing tokens
 * (`NA`...) is text to polars and goes through our rules, which also report those tokens.
 */
import { isUtf8 } from 'node:buffer';
import pl from 'nodejs-polars';
import { DEFAULT_MISSING_VALUES, inferTextColumn } from '../../core/data/columns.ts';
import type { CellValue, Coercion, DataColumn, InferredColumn } from '../../core/data/columns.ts';
import { parseCsv, uniqueNames } from './csv.ts';
import type { CsvReadOptions, CsvTable } from './csv.ts';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Result of {@link scanCsv}. */
export interface CsvScan {
  /** Header names (split on the delimiter; no quotes in the file). */
  header: string[];
  /** Per column: true when polars' number parsing could differ from our rules (read it as text). */
  asText: boolean[];
  /** Number of data lines. */
  rows: number;
  /** Per column: number of empty fields (what polars reads as null when every value parses). */
  empty: number[];
}

/**
 * One pass over CSV bytes checking that polars reads them like csv-parse (see the module
 * comment). Returns `undefined` when it may not.
 */
export function scanCsv(bytes: Uint8Array, delimiter: number): CsvScan | undefined {
  if (bytes.indexOf(QUOTE) !== -1 || bytes.indexOf(CR) !== -1) return undefined;
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === LF) end--;
  const headerEnd = bytes.indexOf(LF);
  const headerLine = Buffer.from(bytes.buffer, bytes.byteOffset, headerEnd === -1 || headerEnd > end ? end : headerEnd).toString('utf8');
  const header = headerLine.split(String.fromCharCode(delimiter));
  const width = header.length;
  if (width < 1 || new Set(header).size !== width || header.some((h) => h.trim().length === 0 || h !== h.trim())) return undefined;
  const asText = new Array<boolean>(width).fill(false);
  const empty = new Array<number>(width).fill(0);
  if (headerEnd === -1 || headerEnd >= end) return { header, asText, rows: 0, empty };
  let col = 0;
  let start = headerEnd + 1;
  let rows = 0;
  for (let i = start; i <= end; i++) {
    const b = i === end ? LF : bytes[i]!;
    if (b !== delimiter && b !== LF) continue;
    // field [start, i)
    if (i > start) {
      if (!asText[col]) {
        const first = bytes[start]!;
        if (first === SPACE || bytes[i - 1] === SPACE) asText[col] = true;
        else {
          let s = start;
          if (first === PLUS || first === MINUS) s++;
          if (s < i && bytes[s] === ZERO && s + 1 < i && bytes[s + 1]! >= ZERO && bytes[s + 1]! <= NINE) asText[col] = true;
          else {
            let k = s;
            while (k < i && bytes[k]! >= ZERO && bytes[k]! <= NINE) k++;
            if (k - s >= 16) asText[col] = true;
          }
        }
      }
    } else if (b === LF && col === 0) {
      return undefined; // blank line inside the data
    } else {
      empty[col]!++;
    }
    if (b === LF) {
      if (col !== width - 1) return undefined; // ragged row: the JS path names it
      col = 0;
      rows++;
    } else {
      col++;
      if (col >= width) return undefined;
    }
    start = i + 1;
  }
  return { header, asText, rows, empty };
}

/**
 * Reads CSV bytes with polars and our type rules, or returns `undefined` when the JS path must be
 * used (layout polars may read differently, non-UTF-8 bytes, decimal comma, a missing-token list
 * without the empty string, a forced non-UTF-8 encoding).
 */
export function readCsvFast(bytes: Buffer, options: CsvReadOptions & { source: string }): CsvTable | undefined {
  if (options.decimalComma === true) return undefined;
  if (options.encoding !== undefined && options.encoding !== 'auto' && options.encoding !== 'utf-8') return undefined;
  const tokens = options.missingValues ?? DEFAULT_MISSING_VALUES;
  if (!tokens.includes('') || tokens.some((t) => t !== t.trim())) return undefined;
  let body: Buffer = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  else if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) return undefined;
  if (!isUtf8(body)) return undefined;
  // Sniff on the head, with the JS rules.
  const headEnd = Math.min(body.length, 64 * 1024);
  let headText = body.subarray(0, headEnd).toString('utf8');
  if (headEnd < body.length) headText = headText.slice(0, Math.max(0, headText.lastIndexOf('\n')));
  let delimiter = options.delimiter;
  if (delimiter === undefined) {
    try {
      delimiter = parseCsv(headText, { source: options.source }).delimiter;
    } catch {
      return undefined;
    }
  }
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127) return undefined;
  const scan = scanCsv(body, delimiter.charCodeAt(0));
  if (scan === undefined || scan.rows === 0) return undefined;
  const names = uniqueNames(scan.header);
  if (names.some((n, i) => n.name !== scan.header[i])) return undefined;

  // Polars infers types from the first rows and turns a later value that does not parse into null;
  // a column whose nulls outnumber its empty fields lost a value that way: read it again as text.
  const read = (text: ReadonlySet<string>): pl.DataFrame | undefined => {
    const dtypes: Record<string, pl.DataType> = {};
    scan.header.forEach((h, i) => {
      if (scan.asText[i] || text.has(h)) dtypes[h] = pl.Utf8;
    });
    try {
      return pl.readCSV(body, { sep: delimiter, hasHeader: true, nullValues: [''], dtypes });
    } catch {
      return undefined;
    }
  };
  let df = read(new Set());
  if (df === undefined || df.height !== scan.rows || df.width !== scan.header.length) return undefined;
  const lost = new Set(scan.header.filter((h, i) => df!.getColumn(h).nullCount() !== scan.empty[i]));
  if (lost.size > 0) {
    df = read(lost);
    if (df === undefined || df.height !== scan.rows) return undefined;
    if (scan.header.some((h, i) => df!.getColumn(h).nullCount() !== scan.empty[i])) return undefined;
  }

  const missing = new Set(tokens);
  const n = df.height;
  const coercions: Coercion[] = [];
  const columns: DataColumn[] = [];
  for (const name of scan.header) {
    const series = df.getColumn(name);
    const type = String(series.dtype);
    const nulls = series.nullCount();
    if (nulls === n) {
      columns.push({ name, dtype: 'float32', kind: 'float', missing: n, values: new Array<null>(n).fill(null), note: 'all values missing' });
      continue;
    }
    if (/Int(8|16|32|64)|UInt/.test(type) || type.includes('Float')) {
      const floats = df.select(pl.col(name).cast(pl.Float64).fillNull(pl.lit(NaN)).alias(name)).getColumn(name).toTypedArray() as Float64Array;
      const values = new Array<number | null>(n);
      let finite = true;
      let lo = Infinity;
      let hi = -Infinity;
      let nans = 0;
      for (let r = 0; r < n; r++) {
        const x = floats[r]!;
        if (x !== x) {
          values[r] = null;
          nans++;
        } else {
          values[r] = x;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
      }
      if (lo === -Infinity || hi === Infinity) finite = false;
      if (finite && nans === nulls) {
        if (type.includes('Float')) columns.push({ name, dtype: 'float32', kind: 'float', missing: nulls, values });
        else if (lo >= INT32_MIN && hi <= INT32_MAX) columns.push({ name, dtype: 'int32', kind: 'integer', missing: nulls, values });
        else columns.push({ name, dtype: 'float32', kind: 'integer', missing: nulls, values, note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' });
        continue;
      }
      // NaN/inf text parsed by polars: type this column from its text.
      const raw = pl.readCSV(body, { sep: delimiter, hasHeader: true, columns: [name], dtypes: { [name]: pl.Utf8 }, nullValues: [''] }).getColumn(name);
      const { column, coercions: changed } = typeText(name, raw, n, missing);
      columns.push(column);
      coercions.push(...changed);
      continue;
    }
    // Text: typed by our rules (empty fields are null here, '' to our rules: missing either way).
    // A column polars read as Boolean is re-read as text, so case changes are reported like the JS path.
    const text = type.startsWith('DataType(Bool') ? pl.readCSV(body, { sep: delimiter, hasHeader: true, columns: [name], dtypes: { [name]: pl.Utf8 }, nullValues: [''] }).getColumn(name) : series;
    const { column, coercions: changed } = typeText(name, text, n, missing);
    columns.push(column);
    coercions.push(...changed);
  }
  return { columns, rowCount: n, delimiter, encoding: 'utf-8', coercions, source: options.source };
}

/**
 * Types a polars text column with `inferTextColumn`. A low-cardinality column is typed from its
 * distinct values (via categorical codes, without a JS string per row) and expanded, unless that
 * inference reports coercions or row-numbered notes (whose counts and rows must be per row); then,
 * and for high-cardinality columns, every row's text is typed.
 */
function typeText(name: string, series: pl.Series, n: number, missing: ReadonlySet<string>): InferredColumn {
  const s = series.cast(pl.Utf8);
  const distinct = s.nUnique();
  if (distinct > n / 4) return inferTextColumn(name, (s.toArray() as Array<string | null>).map((v) => v ?? ''), { missing });
  const frame = pl.DataFrame([s.alias('v')]).withColumn(pl.col('v').cast(pl.Categorical).cast(pl.UInt32).cast(pl.Float64).fillNull(pl.lit(-1)).alias('k'));
  const codes = frame.getColumn('k').toTypedArray() as Float64Array;
  const firsts = frame.filter(pl.col('k').isFirstDistinct()).toRecords() as Array<{ v: string | null; k: number }>;
  const slot = new Map<number, number>(firsts.map((row, i) => [row.k, i]));
  const texts = firsts.map((row) => row.v ?? '');
  const byValue = inferTextColumn(name, texts, { missing });
  const counts = new Array<number>(texts.length).fill(0);
  const index = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = slot.get(codes[r]!)!;
    index[r] = i;
    counts[i]!++;
  }
  if (byValue.coercions.length > 0 || (byValue.column.note !== undefined && byValue.column.note.includes('data row'))) {
    const raw = new Array<string>(n);
    for (let r = 0; r < n; r++) raw[r] = texts[index[r]!]!;
    return inferTextColumn(name, raw, { missing });
  }
  const typed = byValue.column.values;
  const values = new Array<CellValue>(n);
  for (let r = 0; r < n; r++) values[r] = typed[index[r]!]!;
  let missingCount = 0;
  for (let i = 0; i < texts.length; i++) if (typed[i] === null) missingCount += counts[i]!;
  return { column: { ...byValue.column, missing: missingCount, values }, coercions: [] };
}
