/**
 * The CSV and TSV connectors ({@link csvConnector}, {@link tsvConnector}): the {@link Connector}
 * face of csv.ts, with a streaming `batches()` built on csv-parse's stream parser, every batch in
 * the first batch's column types (see `conformBatch`).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { StratumError } from '../../core/errors.ts';
import type { Coercion, DataColumn, DataTable, ThousandsSeparator } from '../../core/data/columns.ts';
import { batchSize as checkBatchSize, checkFile, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { csvConfigSchema } from '../schemas.ts';
import { decodeCsvBytes, parseCsv, readCsvTable, typeColumns } from './csv.ts';
import { decodeWindows1252 } from './encoding.ts';
import type { CsvEncoding, CsvReadOptions, CsvTable } from './csv.ts';

/** Config of the CSV/TSV connectors (see `CsvReadOptions` for the meaning of each field). */
export interface CsvConfig {
  /** File path. */
  path: string;
  /** Field delimiter; default sniffed (CSV) or tab (TSV). */
  delimiter?: string;
  /** Missing-value tokens (they replace the defaults); default `DEFAULT_MISSING_VALUES` of core/data/columns.ts (pandas' `na_values`: `'' NA N/A n/a NULL null NaN nan None #N/A ...`). */
  missingValues?: string[];
  /** Read `1,5` as 1.5; default: detected for `;`-delimited files (see `CsvReadOptions.decimalComma`), `false` turns detection off. */
  decimalComma?: boolean;
  /** Thousands separator in numbers (`','`, `'.'`, `' '`, `"'"`; see `CsvReadOptions.thousands`); default none (`.` detected with decimal commas in `;` files). */
  thousands?: ThousandsSeparator;
  /** Encoding; default `auto` (BOM, else UTF-8, else Latin-1, reported). */
  encoding?: CsvEncoding | 'auto';
  /** Parser; default `auto` (polars for large simple files). */
  engine?: 'auto' | 'js' | 'polars';
}

/** Bytes read from the start of a file to sniff the delimiter for streaming and previews. */
const HEAD_BYTES = 64 * 1024;

function options(config: CsvConfig, defaultDelimiter: string | undefined): CsvReadOptions {
  const delimiter = config.delimiter ?? defaultDelimiter;
  return {
    ...(delimiter === undefined ? {} : { delimiter }),
    ...(config.missingValues === undefined ? {} : { missingValues: config.missingValues }),
    ...(config.decimalComma === undefined ? {} : { decimalComma: config.decimalComma }),
    ...(config.thousands === undefined ? {} : { thousands: config.thousands }),
    ...(config.encoding === undefined ? {} : { encoding: config.encoding }),
    ...(config.engine === undefined ? {} : { engine: config.engine }),
  };
}

/** Reads at most `bytes` bytes from the start of a file. */
async function readHead(path: string, bytes: number): Promise<{ head: Buffer; complete: boolean }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, bytes));
    await handle.read(buffer, 0, buffer.length, 0);
    return { head: buffer, complete: size <= bytes };
  } finally {
    await handle.close();
  }
}

/** Text of a file head cut at its last complete line (so a parse of it sees whole records). */
function headText(head: Buffer, complete: boolean, config: CsvConfig): string {
  const { text } = decodeCsvBytes(head, config.encoding ?? 'auto', config.path);
  if (complete) return text;
  const cut = text.lastIndexOf('\n');
  return cut > 0 ? text.slice(0, cut + 1) : text;
}

function makeConnector(id: 'csv' | 'tsv', title: string, defaultDelimiter: string | undefined): Connector<CsvConfig> {
  const configSchema = csvConfigSchema(title, defaultDelimiter);
  return {
    id,
    title,
    configSchema,
    async test(config: CsvConfig): Promise<ConnectorTestResult> {
      const c = validateConfig<CsvConfig>(id, configSchema, config);
      const size = await checkFile(c.path, title);
      const table = await this.preview(c, 100);
      return { ok: true, message: `${c.path}: ${size.toLocaleString('en')} bytes, ${table.columns.length} columns (${table.columns.map((col) => `${col.name}: ${col.kind}`).join(', ')})` };
    },
    async preview(config: CsvConfig, n: number): Promise<DataTable> {
      const c = validateConfig<CsvConfig>(id, configSchema, config);
      await checkFile(c.path, title);
      const { head, complete } = await readHead(c.path, HEAD_BYTES);
      if (complete) {
        const t = await readCsvTable(c.path, { ...options(c, defaultDelimiter), engine: 'js' });
        return headOf(t, n);
      }
      // Parse the head only; if n rows do not fit in it, stream.
      const text = headText(head, complete, c);
      const t = parseCsv(text, { ...options(c, defaultDelimiter), source: c.path });
      if (t.rowCount > n) return headOf(t, n);
      for await (const batch of this.batches!(c, { batchSize: Math.max(1, n) })) return batch;
      return t;
    },
    async load(config: CsvConfig): Promise<DataTable> {
      const c = validateConfig<CsvConfig>(id, configSchema, config);
      return readCsvTable(c.path, options(c, defaultDelimiter));
    },
    async *batches(config: CsvConfig, batchOptions: BatchOptions = {}): AsyncGenerator<DataTable> {
      const c = validateConfig<CsvConfig>(id, configSchema, config);
      const size = checkBatchSize(batchOptions.batchSize, DEFAULT_BATCH_SIZE);
      await checkFile(c.path, title);
      const { head, complete } = await readHead(c.path, HEAD_BYTES);
      const opts = options(c, defaultDelimiter);
      // The delimiter and the decimal-comma and thousands choices come from the head; the column
      // types from the first batch (see conformBatch), so every batch has the same schema.
      const headTable = parseCsv(headText(head, complete, c), { ...opts, source: c.path });
      const delimiter = headTable.delimiter;
      const decimalComma = opts.decimalComma ?? headTable.decimalComma === true;
      const thousands = opts.thousands ?? headTable.thousands;
      const encoding = decodeCsvBytes(head, c.encoding ?? 'auto', c.path).encoding;
      const label = encoding === 'utf-16le' ? 'utf16le' : 'utf8';
      if (encoding === 'utf-16be') throw new StratumError('CONNECTOR_CONFIG', `${c.path}: streaming UTF-16BE is not supported`, { detail: { path: c.path, field: 'encoding' }, hint: 'Use load(), or re-save the file as UTF-8.' });
      // Windows-1252 is one byte per character: each chunk decodes on its own (Node's 'latin1' is ISO-8859-1).
      const input = encoding === 'latin1' ? createReadStream(c.path).map((chunk: Buffer) => decodeWindows1252(chunk)) : createReadStream(c.path, { encoding: label });
      const parser = input.pipe(parse({ delimiter, skip_empty_lines: true, relax_quotes: true, bom: true }));
      let header: string[] | undefined;
      let fields: string[][] = [];
      let rows = 0;
      let done = 0; // data rows in the batches already yielded
      let schema: CsvTable | undefined; // the first batch: its column kinds hold for every batch
      const typing = { ...opts, decimalComma, ...(thousands === undefined ? {} : { thousands }), source: c.path };
      const flush = (): CsvTable => {
        const typed = typeColumns(header!, fields, delimiter, typing);
        const table = schema === undefined ? typed : conformBatch(schema, typed, fields, done, typing);
        schema ??= typed;
        done += rows;
        fields = header!.map(() => []);
        rows = 0;
        return { ...table, encoding };
      };
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          if (header === undefined) {
            header = record;
            fields = record.map(() => []);
            continue;
          }
          for (let k = 0; k < record.length; k++) fields[k]!.push(record[k]!);
          if (++rows === size) yield flush();
        }
      } catch (error) {
        if (error instanceof StratumError) throw error; // a batch that does not fit the first one's types
        throw new StratumError('CSV_PARSE', `${c.path}: ${(error as Error).message}`, { detail: { path: c.path }, hint: 'Check the quoting and the delimiter; load() names the exact line and field.', cause: error });
      }
      if (header === undefined) throw new StratumError('CSV_EMPTY', `${c.path} is empty: no header line`, { detail: { path: c.path } });
      if (rows > 0) yield flush();
    },
  };
}

/** Whether a batch's column (typed on its own) fits the first batch's column type `want`. */
function fits(want: DataColumn, got: DataColumn): boolean {
  if (got.missing === got.values.length) return true; // all missing: fits any type
  if (want.kind === 'string') return true; // any text
  if (want.kind === 'float') return got.kind === 'float' || got.kind === 'integer';
  return got.kind === want.kind && (want.kind !== 'integer' || got.dtype === want.dtype);
}

/**
 * A later batch of `batches()` in the first batch's schema: each column keeps the first batch's
 * kind and dtype. The batch is typed on its own (same rules: missing values, decimal commas,
 * thousands separators, each reported); a column that came out as another type is converted when
 * that loses nothing (integers in a float column; anything in a text column: the original text; a
 * column whose values are all missing), else the first value that does not fit is named.
 *
 * @param offset - data rows before this batch (for 1-based data row numbers in errors)
 * @throws {StratumError} `DATA_INVALID` naming the data row, the column, the value and the type
 *   the first batch gave the column (e.g. text in an integer column, a float in an integer column,
 *   an integer beyond the int32 range in an int32 column).
 */
function conformBatch(schema: CsvTable, batch: CsvTable, fields: ReadonlyArray<readonly string[]>, offset: number, options: CsvReadOptions): CsvTable {
  const coercions: Coercion[] = [];
  const columns = batch.columns.map((got, k) => {
    const want = schema.columns[k]!;
    const own = batch.coercions.filter((x) => x.column === got.name);
    if (fits(want, got)) {
      if (want.kind === 'string' && got.kind !== 'string') {
        // Back to the original text (e.g. a column of numbers in this batch); only missing values were changed.
        coercions.push(...own.filter((x) => x.action === 'read as missing (null)'));
        return { name: want.name, dtype: want.dtype, kind: want.kind, missing: got.missing, values: fields[k]!.map((v, r) => (got.values[r] === null ? null : v)) };
      }
      coercions.push(...own);
      return got.kind === want.kind && got.dtype === want.dtype ? got : { ...got, kind: want.kind, dtype: want.dtype };
    }
    const bad = fields[k]!.findIndex((v) => !fits(want, typeColumns([want.name], [[v]], schema.delimiter, options).columns[0]!));
    const row = offset + Math.max(0, bad) + 1;
    const value = bad >= 0 ? fields[k]![bad]! : '';
    const what = want.kind === 'integer' && want.dtype === 'int32' && /^[+-]?\d+$/.test(value.trim()) ? 'an integer beyond the int32 range' : `not ${KIND_WORDS[want.kind]}`;
    throw new StratumError('DATA_INVALID', `${schema.source ?? 'CSV'}: data row ${row.toLocaleString('en')}, column "${want.name}": ${JSON.stringify(value)} is ${what}, but the first batch (data rows 1-${schema.rowCount.toLocaleString('en')}) typed the column as ${want.kind} (${want.dtype}); every batch keeps the first batch's types`, {
      detail: { path: schema.source, row, field: want.name, value, kind: want.kind },
      hint: 'Use load() (types from every row), a larger batchSize (the first batch decides the types), or fix that row in the file.',
    });
  });
  return { ...batch, columns, coercions };
}

const KIND_WORDS: Record<DataColumn['kind'], string> = { integer: 'an integer', float: 'a number', boolean: 'true/false', date: 'an ISO date', string: 'text' };

function headOf(t: CsvTable, n: number): CsvTable {
  const k = Math.max(0, Math.min(Math.floor(n), t.rowCount));
  return {
    ...t,
    rowCount: k,
    columns: t.columns.map((col) => {
      const values = col.values.slice(0, k);
      return { ...col, values, missing: values.reduce<number>((m, v) => m + (v === null ? 1 : 0), 0) };
    }),
  };
}

/** CSV files (delimiter sniffed among `, ; \t |`). */
export const csvConnector: Connector<CsvConfig> = makeConnector('csv', 'CSV file', undefined);

/** Tab-separated files (a CSV connector whose delimiter defaults to tab). */
export const tsvConnector: Connector<CsvConfig> = makeConnector('tsv', 'TSV file', '\t');

