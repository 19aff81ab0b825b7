/**
 * The fast CSV path: nodejs-polars' native multi-threaded reader parses the file, then Stratum's
 * own type rules are applied on its columns, so the result equals csv-parse + `parseCsv`.
 *
 * Polars is used only where it reads exactly like the JS path. While polars reads the file (in its
 * own threads), one JS pass over the bytes ({@link scanCsv}, through a reused 1 MiB buffer, so the
 * file is never held in JS memory) checks the layout: valid UTF-8, LF or CRLF line ends throughout
 * (a CR elsewhere only inside quotes), no blank lines except at the end, every record with the
 * header's field count, unique non-empty header names, and RFC 4180 quoting as csv-parse
 * (`relax_quotes`) and polars both read it (see `LayoutScan`: a quoted field may hold the
 * delimiter, line breaks and `""`; a quote inside an unquoted field, text after a closing quote or
 * an unclosed quote are declined); anything else returns `undefined` and the caller uses the JS
 * path (which also gives the precise error messages). The delimiter is sniffed with the JS path's
 * rule on the file's first 50 records, read whole. The same pass counts each column's empty fields
 * (`""` included: polars reads it as null) and marks columns where polars' number parsing would
 * lose what our rules keep, on the text inside quotes too: a field with leading zeros (`00123`),
 * `-0`, or whitespace at a field's edge (our missing tokens compare after trimming spaces; polars
 * reads `\t1` as 1 after its inference rows). Those columns are read as text and typed by
 * `inferTextColumn`. Polars reads a quoted `"NaN"` or `"inf"` in a float column as null: the null
 * count below catches it.
 *
 * Polars infers types from the first 10,000 rows and silently turns a later value that does not
 * parse (a `3.5` in an integer column) into null; a column with more nulls than empty fields lost a
 * value that way and is read again as text. Then, per polars type:
 * - Int64 -> integers, checked to lie within ±(2^53-1) (else the column is read as text, where our
 *   rules keep it exact as strings); int32 when the range fits (Danfo's int32 label) else float32;
 * - Float64 -> floats; a column holding NaN (text polars accepts and we read as a missing token),
 *   ±inf (polars and our rules accept different spellings: our rules read `inf`, `Infinity`, any
 *   case, as pandas does, and report them as a coercion) or a magnitude of 2^53 or more (maybe an
 *   integer beyond 2^53, which our rules keep as text) is read as text and typed by our rules;
 * - Boolean -> read as text and typed by our rules (polars loses the case of `TRUE`, which the
 *   coercion report itemizes);
 * - String -> the text values typed by `inferTextColumn` (dates, our number forms...); a column of
 *   few distinct values is typed from them, weighted by their rows, and kept as dictionary codes
 *   (made in one polars query, skipped for columns whose sample is mostly distinct values: ids,
 *   names, free text), the others row by row.
 * Inside polars frames every column name gets a prefix (`COLUMN`): nodejs-polars' DataFrame answers
 * a property named like a column with the column (`df.height` of a file with a `height` column).
 * Numeric columns stay in polars until read (`numericColumn` with a `NumberSource`: a
 * `Float64Array`, `NaN` where missing, copied out on first use). Only the empty field is a polars
 * null; a column holding other missing tokens (`NA`...) is text to polars and goes through our
 * rules, which also report those tokens.
 *
 * Decimal commas: with `decimalComma: true`, or for a `;`-delimited file whose text columns prove
 * them (`detectDecimalComma`, the JS path's rule on the same whole columns), float and text
 * columns are typed from their text with the decimal-comma number form.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import pl from 'nodejs-polars';
import { codedColumn, DEFAULT_MISSING_VALUES, detectDecimalComma, inferTextColumn, numericColumn } from '../../core/data/columns.ts';
import type { Coercion, DataColumn, InferredColumn, NumberSource, TextInferenceOptions } from '../../core/data/columns.ts';
import { sniffDelimiter, sniffDelimiterOfPrefix, uniqueNames } from './csv.ts';
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
const TWO_53 = 2 ** 53;
/** Bytes read per `readSync` by the layout scan (the buffer is reused). */
const CHUNK_BYTES = 1 << 20;
/** A record longer than this (bytes) sends the file to the JS path (it is most likely an unclosed quote). */
const MAX_RECORD_BYTES = 64 << 20;
/** Bytes read from the start of the file to sniff the delimiter. */
const HEAD_BYTES = 64 * 1024;
/** Rows polars reads to infer column types (later rows that do not parse are caught, see above). */
const INFER_ROWS = 10_000;

/** Result of {@link scanCsv}. */
export interface CsvScan {
  /** Header names (quotes removed). */
  header: string[];
  /** Per column: true when polars' number parsing could differ from our rules (read it as text). */
  asText: boolean[];
  /** Number of data records. */
  rows: number;
  /** Per column: number of empty fields, `""` included (what polars reads as null when every value parses). */
  empty: number[];
  /** Number of blank lines at the end of the file (polars reads them as rows of nulls). */
  trailingBlank: number;
  /** True when some field is quoted. */
  quoted: boolean;
}

/** Byte classes of the scan loop. */
const ORDINARY = 0;
const DELIMITER = 1;
const NEWLINE = 2;
const RETURN = 3;
const QUOTED = 4;
/** Result of {@link LayoutScan.feed} when polars may read the bytes differently. */
const DECLINE = -1;

/**
 * Incremental form of {@link scanCsv}: feed it the bytes in order, each piece ending at a line
 * break (or at the end of the file); a record whose quoted field runs past a piece is scanned again
 * with the next one.
 *
 * The quoting rules are RFC 4180's as csv-parse (`relax_quotes`) and polars both read them (checked
 * in fast.test.ts): a field that starts with `"` runs to the next `"` not doubled, may hold the
 * delimiter, CR and LF, reads `""` as `"`, and must be followed by the delimiter or the line end;
 * `""` is an empty field (missing, and null to polars). Declined: a quote inside an unquoted field
 * (csv-parse keeps it; polars splits the file into chunks at the wrong lines), text after a closing
 * quote (csv-parse keeps it; polars fails), a quote never closed.
 */
class LayoutScan {
  header: string[] | undefined;
  width = 0;
  rows = 0;
  trailingBlank = 0;
  /** Lines of spaces since the last other record of a one-column file. */
  spaceLines = 0;
  quoted = false;
  asText = new Uint8Array(0);
  empty = new Float64Array(0);
  private readonly classes = new Uint8Array(256);
  /** The largest byte that is not ORDINARY. */
  private readonly top: number;
  private crlf = false;
  /** Columns whose empty count the record being scanned raised (undone if it must be scanned again). */
  private emptied = new Int32Array(0);

  constructor(private readonly delimiter: number) {
    this.top = Math.max(delimiter, LF, CR, QUOTE);
    this.classes[delimiter] = DELIMITER;
    this.classes[LF] = NEWLINE;
    this.classes[CR] = RETURN;
    this.classes[QUOTE] = QUOTED;
  }

  /**
   * Scans the records of `bytes[start, end)`, a piece ending with LF. `final` says the piece ends
   * the file, `appended` that its last LF was added by the caller (the file's last line has none,
   * so in a CRLF file it has no CR either). Returns where the scan stopped: `end`, or the start of
   * a record whose quoted field runs past `end` (feed it again with more bytes; on the last piece
   * that is an unclosed quote: {@link DECLINE}); {@link DECLINE} when polars may read the bytes
   * differently.
   */
  feed(bytes: Uint8Array, start: number, end: number, final: boolean, appended = false): number {
    let i = start;
    if (this.header === undefined) {
      i = this.readHeader(bytes, start, end);
      if (i === start && final) return DECLINE;
      if (i <= start) return i;
    }
    const classes = this.classes;
    const asText = this.asText;
    const empty = this.empty;
    const emptied = this.emptied;
    const delimiter = this.delimiter;
    const last = this.width - 1;
    const crlf = this.crlf;
    let rows = this.rows;
    let trailingBlank = this.trailingBlank;
    let spaceLines = this.spaceLines;
    let col = 0;
    let fieldStart = i;
    let recordStart = i;
    let emptiedCount = 0;
    let quoted = false; // the current field was quoted (and checked when its closing quote was found)
    const top = this.top;
    for (; i < end; i++) {
      const byte = bytes[i]!;
      if (byte > top) continue; // most bytes of a ',' or tab file: digits, letters
      const cls = classes[byte]!;
      if (cls === ORDINARY) continue;
      if (cls === QUOTED) {
        if (i !== fieldStart) return DECLINE; // a quote inside an unquoted field
        let close = bytes.indexOf(QUOTE, i + 1);
        while (close !== -1 && close < end && bytes[close + 1] === QUOTE) close = bytes.indexOf(QUOTE, close + 2);
        if (close === -1 || close >= end) {
          // The field runs past this piece: scan its record again with the next one.
          if (final) return DECLINE;
          for (let k = 0; k < emptiedCount; k++) empty[emptied[k]!]!--;
          this.rows = rows;
          this.trailingBlank = trailingBlank;
          this.spaceLines = spaceLines;
          return recordStart;
        }
        const after = bytes[close + 1];
        if (after !== delimiter && after !== LF && after !== CR) return DECLINE; // text after the closing quote
        this.quoted = true;
        if (close === i + 1) {
          empty[col]!++;
          emptied[emptiedCount++] = col;
        } else if (asText[col] === 0 && numberDiffers(bytes, i + 1, close)) asText[col] = 1;
        quoted = true;
        i = close;
        continue;
      }
      if (cls === RETURN) {
        // A CR is allowed only as the first half of every line's CRLF.
        if (!crlf || bytes[i + 1] !== LF) return DECLINE;
        continue;
      }
      let fieldEnd = i;
      if (cls === NEWLINE) {
        if (crlf) {
          if (bytes[i - 1] === CR && i > recordStart) fieldEnd = i - 1;
          else if (!(appended && i === end - 1)) return DECLINE;
        }
        if (fieldEnd === recordStart) {
          trailingBlank++; // a blank line: allowed only if nothing but blank lines follows
          recordStart = fieldStart = i + 1;
          continue;
        }
        if (trailingBlank > 0) return DECLINE;
      }
      // The field [fieldStart, fieldEnd) of column `col`.
      const wasQuoted = quoted;
      if (quoted) quoted = false;
      else if (fieldEnd === fieldStart) {
        empty[col]!++;
        emptied[emptiedCount++] = col;
      } else if (asText[col] === 0 && numberDiffers(bytes, fieldStart, fieldEnd)) asText[col] = 1;
      if (cls === DELIMITER) {
        if (col === last) return DECLINE; // too many fields: the JS path names the line
        col++;
      } else {
        if (col !== last) return DECLINE; // too few fields
        // Lines of spaces that end a one-column file: the JS path drops them with the blank lines.
        if (last === 0) spaceLines = !wasQuoted && onlySpaces(bytes, fieldStart, fieldEnd) ? spaceLines + 1 : 0;
        col = 0;
        rows++;
        emptiedCount = 0;
        recordStart = i + 1;
      }
      fieldStart = i + 1;
    }
    this.rows = rows;
    this.trailingBlank = trailingBlank;
    this.spaceLines = spaceLines;
    return col === 0 ? end : DECLINE;
  }

  /**
   * Reads the header record at `bytes[start, end)`: returns the index after its line end, `start`
   * when it runs past `end`, or {@link DECLINE}. Sets the header, the width and the line end
   * (CRLF when the header ends with one).
   */
  private readHeader(bytes: Uint8Array, start: number, end: number): number {
    const fields: string[] = [];
    let i = start;
    for (;;) {
      let text: string;
      if (bytes[i] === QUOTE) {
        let close = bytes.indexOf(QUOTE, i + 1);
        while (close !== -1 && close < end && bytes[close + 1] === QUOTE) close = bytes.indexOf(QUOTE, close + 2);
        if (close === -1 || close >= end) return start;
        text = utf8(bytes, i + 1, close);
        if (text.includes('""')) return DECLINE; // polars keeps both quotes of a doubled quote in a header name
        this.quoted = true;
        i = close + 1;
      } else {
        let stop = i;
        while (stop < end && bytes[stop] !== this.delimiter && bytes[stop] !== LF && bytes[stop] !== CR) {
          if (bytes[stop] === QUOTE) return DECLINE;
          stop++;
        }
        text = utf8(bytes, i, stop);
        i = stop;
      }
      fields.push(text);
      const after = bytes[i];
      if (after === this.delimiter) {
        i++;
        continue;
      }
      if (after === CR && bytes[i + 1] === LF) {
        this.crlf = true;
        i += 2;
        break;
      }
      if (after === LF) {
        i++;
        break;
      }
      return i >= end ? start : DECLINE; // a bare CR, or text after a closing quote
    }
    if (new Set(fields).size !== fields.length || fields.some((h) => h.trim().length === 0 || h !== h.trim())) return DECLINE;
    this.header = fields;
    this.width = fields.length;
    this.asText = new Uint8Array(fields.length);
    this.empty = new Float64Array(fields.length);
    this.emptied = new Int32Array(fields.length);
    return i;
  }

  result(): CsvScan | undefined {
    if (this.header === undefined || this.spaceLines > 0) return undefined;
    return { header: this.header, asText: Array.from(this.asText, (x) => x === 1), rows: this.rows, empty: Array.from(this.empty), trailingBlank: this.trailingBlank, quoted: this.quoted };
  }
}

/** True when `bytes[start, end)` is one or more spaces. */
function onlySpaces(bytes: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) if (bytes[i] !== SPACE) return false;
  return true;
}

/** UTF-8 text of `bytes[start, end)`. */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

/**
 * True when polars may read the non-empty field `bytes[start, end)` as a number our rules do not
 * give: whitespace or a control byte at an edge (our missing tokens compare after trimming spaces;
 * polars reads `\t1` after its inference rows as 1, our rules as text), leading zeros (`007`), or
 * exactly `-0` (JS keeps the sign; polars' integers do not).
 */
function numberDiffers(bytes: Uint8Array, start: number, end: number): boolean {
  const first = bytes[start]!;
  if (first <= SPACE || bytes[end - 1]! <= SPACE) return true;
  const k = first === PLUS || first === MINUS ? start + 1 : start;
  if (k >= end || bytes[k] !== ZERO) return false;
  const next = k + 1 < end ? bytes[k + 1]! : -1;
  return (next >= ZERO && next <= NINE) || (next === -1 && first === MINUS);
}

/**
 * One pass over CSV bytes (no BOM) checking that polars reads them like csv-parse (see the module
 * comment). Returns `undefined` when it may not.
 */
export function scanCsv(bytes: Uint8Array, delimiter: number): CsvScan | undefined {
  if (!isUtf8(bytes)) return undefined;
  const scan = new LayoutScan(delimiter);
  if (bytes.length > 0 && bytes[bytes.length - 1] === LF) return scan.feed(bytes, 0, bytes.length, true) === bytes.length ? scan.result() : undefined;
  const ended = new Uint8Array(bytes.length + 1);
  ended.set(bytes);
  ended[bytes.length] = LF;
  return scan.feed(ended, 0, ended.length, true, true) === ended.length ? scan.result() : undefined;
}

/** {@link scanCsv} of a file read in pieces through one reused buffer, from byte `offset` (after a BOM). */
function scanFile(fd: number, offset: number, delimiter: number): CsvScan | undefined {
  const scan = new LayoutScan(delimiter);
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0; // bytes of an unfinished record kept at the start of the buffer
  let position = offset;
  for (;;) {
    if (filled === buffer.length) {
      if (buffer.length >= MAX_RECORD_BYTES) return undefined; // e.g. a quote never closed
      const bigger = Buffer.allocUnsafe(buffer.length * 2); // a record longer than the buffer
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, position);
    position += read;
    const end = filled + read;
    if (read === 0) {
      if (end === 0) return scan.result();
      if (!isUtf8(buffer.subarray(0, end))) return undefined;
      // What is left has no final line break: scan it with one added (the buffer has room: it was not full).
      if (buffer[end - 1] === LF) return scan.feed(buffer, 0, end, true) === end ? scan.result() : undefined;
      buffer[end] = LF;
      return scan.feed(buffer, 0, end + 1, true, true) === end + 1 ? scan.result() : undefined;
    }
    const cut = buffer.lastIndexOf(LF, end - 1) + 1; // bytes [0, cut) are whole lines
    if (cut === 0) {
      filled = end;
      continue;
    }
    // A line break is ASCII, so a cut after it never splits a UTF-8 sequence.
    if (!isUtf8(buffer.subarray(0, cut))) return undefined;
    const done = scan.feed(buffer, 0, cut, false);
    if (done === DECLINE) return undefined;
    buffer.copy(buffer, 0, done, end);
    filled = end - done;
  }
}

/** Reads up to `bytes` bytes from the start of a file. */
function readHead(fd: number, bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  let filled = 0;
  while (filled < bytes) {
    const read = readSync(fd, buffer, filled, bytes - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/**
 * Reads a CSV file with polars and our type rules, or returns `undefined` when the JS path must be
 * used (layout polars may read differently, non-UTF-8 bytes, a missing-token list without the
 * empty string, a forced non-UTF-8 encoding, a path polars would take for a glob pattern).
 *
 * @param path - the file (must exist)
 */
export async function readCsvFast(path: string, options: CsvReadOptions & { source: string }): Promise<CsvTable | undefined> {
  if (options.encoding !== undefined && options.encoding !== 'auto' && options.encoding !== 'utf-8') return undefined;
  if (options.thousands !== undefined) return undefined; // thousands separators: the JS path (csv.ts typeColumns)
  const tokens = options.missingValues ?? DEFAULT_MISSING_VALUES;
  if (!tokens.includes('') || tokens.some((t) => t !== t.trim())) return undefined;
  if (/[*?[\]{}]/.test(path)) return undefined; // polars' scanCSV reads such a path as a glob pattern
  const fd = openSync(path, 'r');
  let scan: CsvScan | undefined;
  let reading: Promise<pl.DataFrame | undefined>;
  let delimiter: string;
  try {
    const head = readHead(fd, HEAD_BYTES);
    let offset = 0;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) offset = 3;
    else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return undefined;
    // Sniff with the JS path's rule: on the whole file when the head holds it, else on the head's
    // whole lines if they hold the first 50 records whole (quoted fields may span lines); else
    // the same with a 1 MiB head.
    let sniffed: string | undefined = options.delimiter;
    for (let size = HEAD_BYTES; sniffed === undefined && size <= 16 * HEAD_BYTES; size *= 16) {
      const part = size === HEAD_BYTES ? head : readHead(fd, size);
      const body = part.subarray(offset);
      sniffed = part.length < size ? sniffDelimiter(body) : sniffDelimiterOfPrefix(body.subarray(0, body.lastIndexOf(LF) + 1));
    }
    if (sniffed === undefined) return undefined;
    delimiter = sniffed;
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') return undefined;
    // Polars parses in its threads while this thread scans the layout.
    reading = pl.scanCSV(path, { sep: delimiter, hasHeader: true, nullValues: [''], inferSchemaLength: INFER_ROWS })
      .select(pl.all().prefix(COLUMN))
      .collect()
      .catch(() => undefined);
    scan = scanFile(fd, offset, delimiter.charCodeAt(0));
  } finally {
    closeSync(fd);
  }
  let df = await reading;
  if (scan === undefined || scan.rows === 0 || df === undefined) return undefined;
  const names = uniqueNames(scan.header);
  if (names.some((n, i) => n.name !== scan.header[i])) return undefined;
  // Names polars' col() reads as a pattern: '*' (all columns), '^...$' (a regular expression).
  if (scan.header.some((h) => h === '*' || (h.startsWith('^') && h.endsWith('$')))) return undefined;
  if (df.height === scan.rows + scan.trailingBlank && scan.trailingBlank > 0) df = df.slice(0, scan.rows);
  if (df.height !== scan.rows || df.columns.some((c, i) => i < scan.header.length && c !== COLUMN + scan.header[i])) return undefined;
  if (df.width !== scan.header.length) return undefined;
  return typeFrame(path, df, scan, delimiter, tokens, options);
}

/** How a polars column becomes a {@link DataColumn}. */
type Plan = { kind: 'numeric'; column: DataColumn } | { kind: 'text'; series?: pl.Series };

/** Applies our type rules to the polars frame (see the module comment). */
async function typeFrame(path: string, df: pl.DataFrame, scan: CsvScan, delimiter: string, tokens: readonly string[], options: CsvReadOptions & { source: string }): Promise<CsvTable | undefined> {
  const missing = new Set(tokens);
  const n = df.height;
  const header = scan.header;
  const series = header.map((name) => df.getColumn(COLUMN + name));
  const types = series.map((s) => String(s.dtype));
  const nulls = series.map((s) => s.nullCount());
  const isInt = (i: number): boolean => /Int(8|16|32|64)|UInt/.test(types[i]!);
  const isFloat = (i: number): boolean => types[i]!.includes('Float');
  // More nulls than empty fields: polars dropped a value it could not parse: read as text.
  const numeric = header.flatMap((_, i) => (!scan.asText[i] && nulls[i] === scan.empty[i] && nulls[i]! < n && (isInt(i) || isFloat(i)) ? [i] : []));
  // NaN count of every float column in one polars query, ranges from each series: no copy to JS.
  // (Few polars expressions: each JS wrapper of one is large, and 100 of them cost a GC here.)
  const nans = numeric.some(isFloat) ? (df.select(pl.col(pl.Float64).isNan().sum()).toRecords()[0] as Record<string, number | null>) : {};
  const plans: Plan[] = header.map((name, i) => {
    if (!numeric.includes(i)) return { kind: 'text', ...(types[i]!.includes('String') && nulls[i] === scan.empty[i] ? { series: series[i]! } : {}) };
    const s = series[i]!;
    const column = numericFromPolars(name, s, nulls[i]!, isInt(i), Number(s.min()), Number(s.max()), Number(nans[COLUMN + name] ?? 0));
    return column === undefined ? { kind: 'text' } : { kind: 'numeric', column };
  });

  // Text of the columns that need it: polars' own String columns, the others read again as text.
  const text = new Map<string, pl.Series>();
  plans.forEach((p, i) => {
    if (p.kind === 'text' && p.series !== undefined) text.set(header[i]!, p.series);
  });
  const textOf = async (wanted: readonly string[]): Promise<boolean> => {
    const missingText = wanted.filter((name) => !text.has(name));
    if (missingText.length === 0) return true;
    const read = await readAsText(path, delimiter, header, missingText, n);
    if (read === undefined) return false;
    for (const [name, series] of read) text.set(name, series);
    return true;
  };

  // Decimal commas: forced, or proved by the whole text columns of a ';'-delimited file.
  let decimalComma = options.decimalComma === true;
  const notes: string[] = [];
  if (options.decimalComma === undefined && delimiter === ';' && [...text.values()].some((s) => s.str.contains(',', true).cast(pl.UInt32).sum() > 0)) {
    const candidates = header.filter((_, i) => plans[i]!.kind === 'text' || isFloat(i));
    if (!(await textOf(candidates))) return undefined;
    const detection = detectDecimalComma(candidates.map((name) => textValues(text.get(name)!)), missing);
    decimalComma = detection.decimalComma;
    if (detection.thousands !== undefined) return undefined; // `1.234,56` detected: the JS path reads the groups
    if (detection.note !== undefined) notes.push(detection.note);
  }
  // Under the decimal-comma number form, floats written with a point are text.
  if (decimalComma) for (let i = 0; i < plans.length; i++) if (plans[i]!.kind === 'numeric' && isFloat(i)) plans[i] = { kind: 'text' };
  if (!(await textOf(header.filter((_, i) => plans[i]!.kind === 'text')))) return undefined;

  // Dictionary codes of the text columns of few distinct values, in one polars query (its threads).
  const fewValues = header.filter((name, i) => plans[i]!.kind === 'text' && !mostlyDistinct(text.get(name)!));
  const codes = new Map<string, pl.Series>();
  if (fewValues.length > 0) {
    const frame = pl.DataFrame(fewValues.map((name, j) => text.get(name)!.cast(pl.Utf8).alias(`${COLUMN}${j}`)));
    const coded = frame.select(...fewValues.map((_, j) => categoryCodes(pl.col(`${COLUMN}${j}`))));
    fewValues.forEach((name, j) => codes.set(name, coded.getColumn(`${COLUMN}${j}`)));
  }

  const coercions: Coercion[] = [];
  const columns: DataColumn[] = header.map((name, i) => {
    const plan = plans[i]!;
    if (plan.kind === 'numeric') return plan.column;
    const series = text.get(name)!;
    if (series.nullCount() === n) return { name, dtype: 'float32', kind: 'float', missing: n, values: new Array<null>(n).fill(null), note: 'all values missing' };
    const { column, coercions: changed } = typeText(name, series, n, missing, decimalComma, codes.get(name));
    coercions.push(...changed);
    return column;
  });
  return { columns, rowCount: n, delimiter, encoding: 'utf-8', coercions, source: options.source, ...(decimalComma ? { decimalComma } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

/** Reads `columns` of the file again, as text (empty fields are null). */
async function readAsText(path: string, delimiter: string, header: readonly string[], columns: readonly string[], rows: number): Promise<Map<string, pl.Series> | undefined> {
  const schema: Record<string, pl.DataType> = {};
  for (const h of header) schema[h] = pl.Utf8;
  const df = await pl.scanCSV(path, { sep: delimiter, hasHeader: true, nullValues: [''], schema }).select(...columns.map((c) => pl.col(c).prefix(COLUMN))).collect().catch(() => undefined);
  if (df === undefined || df.height < rows) return undefined;
  const sliced = df.height === rows ? df : df.slice(0, rows);
  return new Map(columns.map((c) => [c, sliced.getColumn(COLUMN + c)]));
}

/**
 * `inferTextColumn` of every row of a text column (see typeText). Measured on 1M distinct names
 * (bench/generate.ts, quoted variant): copying the strings out of polars takes ~0.55 s CPU of it,
 * typing them ~0.2 s; deciding the kind in polars (regular expressions over the whole column in its
 * threads) cost as much CPU as it saved, so it is not done.
 */
function typeTextRows(name: string, s: pl.Series, options: TextInferenceOptions): InferredColumn {
  return inferTextColumn(name, textValues(s), options);
}

/** A text series as JS strings, `''` for null. */
function textValues(series: pl.Series): string[] {
  const values = series.toArray() as Array<string | null>;
  for (let r = 0; r < values.length; r++) if (values[r] === null) values[r] = '';
  return values as string[];
}

/**
 * A numeric polars column as an integer or float column whose numbers stay in polars until read
 * (see `NumberSource`), or `undefined` when it must be typed from its text: an Int64 value beyond
 * ±(2^53-1), or a Float64 column holding NaN (a missing token to our rules) or a magnitude of
 * 2^53 or more (±inf, which our rules read from its text with a coercion entry, or maybe an integer
 * beyond 2^53, which our rules keep as text).
 */
function numericFromPolars(name: string, series: pl.Series, nulls: number, isInt: boolean, lo: number, hi: number, nan: number): DataColumn | undefined {
  if (nan > 0 || !(Math.abs(lo) < TWO_53 && Math.abs(hi) < TWO_53)) return undefined;
  const fitsInt32 = isInt && lo >= INT32_MIN && hi <= INT32_MAX;
  let held: pl.Series | undefined = series;
  const source: NumberSource = {
    length: series.length,
    read: () => {
      const s = held!;
      held = undefined; // the polars buffers go once every column is read
      // Int32 for integers of the int32 range without missing values (half the bytes to copy: a
      // cast to Float64 and its copy took ~4x as long, measured), else Float64 (integers too: exact below 2^53).
      if (nulls === 0 && fitsInt32) return s.cast(pl.Int32).toTypedArray() as Int32Array;
      if (nulls === 0) return (String(s.dtype).includes('Float64') ? s : s.cast(pl.Float64)).toTypedArray() as Float64Array;
      return pl.DataFrame([s.alias('x')]).select(pl.col('x').cast(pl.Float64).fillNull(pl.lit(NaN))).getColumn('x').toTypedArray() as Float64Array;
    },
    at: (r) => {
      const v: unknown = held!.get(r);
      return v === null || v === undefined ? NaN : Number(v);
    },
  };
  const meta = { name, missing: nulls };
  if (!isInt) return numericColumn({ ...meta, dtype: 'float32', kind: 'float' }, source);
  if (fitsInt32) return numericColumn({ ...meta, dtype: 'int32', kind: 'integer' }, source);
  return numericColumn({ ...meta, dtype: 'float32', kind: 'integer', note: 'integers beyond the int32 range: Danfo dtype float32, values are exact JS numbers' }, source);
}

/** Dictionary codes of a text column: categorical codes as Int32, -1 for null. */
function categoryCodes(column: pl.Expr): pl.Expr {
  return column.cast(pl.Categorical).cast(pl.Int32).fillNull(pl.lit(-1).cast(pl.Int32));
}

/** Rows sampled, evenly spaced, by {@link mostlyDistinct}. */
const SAMPLE_ROWS = 10_000;

/**
 * True when more than half of a sample of the column's rows are distinct values (ids, names, free
 * text): its dictionary codes would cost a hash of every row and save nothing (see typeText).
 */
function mostlyDistinct(series: pl.Series): boolean {
  const step = Math.max(1, Math.floor(series.length / SAMPLE_ROWS));
  const sample = step === 1 ? series : series.gatherEvery(step);
  return sample.nUnique() > sample.length / 2;
}

/**
 * Prefix of every column name in the polars frames read here: nodejs-polars' DataFrame answers a
 * property named like one of its columns with that column (a CSV column `height` hides `df.height`,
 * one named `filter` hides `df.filter`); no method name starts with this.
 */
const COLUMN = '\u0000';

/**
 * Types a polars text column with `inferTextColumn`. A low-cardinality column (given its `coded`
 * categorical codes) is typed from its distinct values (without a JS string per row) and expanded,
 * unless that inference reports row-numbered notes (whose rows must be data rows); then, and for
 * high-cardinality columns, every row's text is typed.
 */
function typeText(name: string, series: pl.Series, n: number, missing: ReadonlySet<string>, decimalComma: boolean, coded: pl.Series | undefined): InferredColumn {
  const s = series.cast(pl.Utf8);
  const options = { missing, decimalComma };
  // Codes of a local categorical: 0..distinct-1 in order of first appearance, -1 for null.
  const k = coded;
  if (k === undefined || Number(k.max()) + 1 > n / 4) return typeTextRows(name, s, options);
  const frame = pl.DataFrame([s.alias('v'), k.alias('k')]);
  const codes = k.toTypedArray() as Int32Array;
  const firsts = frame.filter(pl.col('k').isFirstDistinct()).toRecords() as Array<{ v: string | null; k: number }>;
  // Codes of a local categorical are 0..distinct-1; -1 is null.
  let maxCode = 0;
  for (const row of firsts) maxCode = Math.max(maxCode, row.k);
  const slotOf = new Int32Array(maxCode + 2); // code + 1 -> slot
  firsts.forEach((row, i) => (slotOf[row.k + 1] = i));
  const texts = firsts.map((row) => row.v ?? '');
  // Row codes -> slots of `texts` (in place), counting each slot's rows.
  const counts = new Float64Array(texts.length);
  for (let r = 0; r < n; r++) {
    const slot = slotOf[codes[r]! + 1]!;
    codes[r] = slot;
    counts[slot]!++;
  }
  // Typed from its distinct values, each weighted by its rows (so counts and coercions are per row);
  // a note citing a data row needs the rows themselves.
  const byValue = inferTextColumn(name, texts, { ...options, weights: counts });
  if (byValue.column.note !== undefined && byValue.column.note.includes('data row')) {
    const raw = new Array<string>(n);
    for (let r = 0; r < n; r++) raw[r] = texts[codes[r]!]!;
    return inferTextColumn(name, raw, options);
  }
  const typed = byValue.column.values;
  const { dtype, kind, missing: missingRows, note } = byValue.column;
  const meta = { name, dtype, kind, missing: missingRows, ...(note === undefined ? {} : { note }) };
  if (kind === 'integer' || kind === 'float') {
    const numbers = new Float64Array(n);
    for (let r = 0; r < n; r++) numbers[r] = (typed[codes[r]!] as number | null) ?? NaN;
    return { column: numericColumn(meta, numbers), coercions: byValue.coercions };
  }
  return { column: codedColumn(meta, codes, typed), coercions: byValue.coercions };
}
