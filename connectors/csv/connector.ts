/**
 * The CSV and TSV connectors ({@link csvConnector}, {@link tsvConnector}): the {@link Connector}
 * face of csv.ts, with a streaming `batches()` built on csv-parse's stream parser.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { StratumError } from '../../core/errors.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { batchSize as checkBatchSize, checkFile, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { csvConfigSchema } from '../schemas.ts';
import { decodeCsvBytes, parseCsv, readCsvTable, typeColumns } from './csv.ts';
import type { CsvEncoding, CsvReadOptions, CsvTable } from './csv.ts';

/** Config of the CSV/TSV connectors (see `CsvReadOptions` for the meaning of each field). */
export interface CsvConfig {
  /** File path. */
  path: string;
  /** Field delimiter; default sniffed (CSV) or tab (TSV). */
  delimiter?: string;
  /** Missing-value tokens; default `['', 'NA', 'N/A', 'null', 'NaN']`. */
  missingValues?: string[];
  /** Read `1,5` as 1.5; default: detected for `;`-delimited files (see `CsvReadOptions.decimalComma`), `false` turns detection off. */
  decimalComma?: boolean;
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
      // The delimiter and the decimal-comma choice come from the head, so every batch is typed alike.
      const headTable = parseCsv(headText(head, complete, c), { ...opts, source: c.path });
      const delimiter = headTable.delimiter;
      const decimalComma = opts.decimalComma ?? headTable.decimalComma === true;
      const encoding = decodeCsvBytes(head, c.encoding ?? 'auto', c.path).encoding;
      const label = encoding === 'latin1' ? 'latin1' : encoding === 'utf-16le' ? 'utf16le' : 'utf8';
      if (encoding === 'utf-16be') throw new StratumError('CONNECTOR_CONFIG', `${c.path}: streaming UTF-16BE is not supported`, { detail: { path: c.path, field: 'encoding' }, hint: 'Use load(), or re-save the file as UTF-8.' });
      const parser = createReadStream(c.path, { encoding: label }).pipe(parse({ delimiter, skip_empty_lines: true, relax_quotes: true, bom: true }));
      let header: string[] | undefined;
      let fields: string[][] = [];
      let rows = 0;
      const flush = (): CsvTable => {
        const table = typeColumns(header!, fields, delimiter, { ...opts, decimalComma, source: c.path });
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
        throw new StratumError('CSV_PARSE', `${c.path}: ${(error as Error).message}`, { detail: { path: c.path }, hint: 'Check the quoting and the delimiter; load() names the exact line and field.', cause: error });
      }
      if (header === undefined) throw new StratumError('CSV_EMPTY', `${c.path} is empty: no header line`, { detail: { path: c.path } });
      if (rows > 0) yield flush();
    },
  };
}

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

