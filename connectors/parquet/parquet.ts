/**
 * Parquet connector ({@link parquetConnector}) via hyparquet (pure JS). Codecs: uncompressed,
 * snappy, gzip, brotli, zstd, lz4 and lz4_raw (see {@link PARQUET_COMPRESSORS}).
 *
 * Parquet is typed already; values map as: INT32/FLOAT/DOUBLE -> numbers; INT64 -> `bigint` from
 * hyparquet, a number when within ±(2^53-1), else exact text (reported); BOOLEAN -> booleans;
 * strings -> strings; DATE/TIMESTAMP -> ISO text (kind `date`): a DATE as `YYYY-MM-DD`, a
 * TIMESTAMP without a zone (`isAdjustedToUTC = false`, what pandas writes for a naive
 * `datetime64`, and INT96) as wall-clock `YYYY-MM-DDTHH:MM:SS[.sss]` with no zone, a UTC-adjusted
 * one with `Z` (see {@link parquetTimestampZone}); nested -> JSON text (reported).
 */
import * as zlib from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { compressors as hyparquetCompressors } from 'hyparquet-compressors';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import type { DataTable } from '../../core/data/columns.ts';
import { reportInfinities } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import { batchSize as checkBatchSize, checkFile, tableFromSourceColumns, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { PARQUET_SCHEMA as schema } from '../schemas.ts';

/** Config of the Parquet connector. */
export interface ParquetConfig {
  /** Path of the `.parquet` file. */
  path: string;
  /** Columns to read, in this order; default all. */
  columns?: string[];
}


/** `zstdDecompressSync` exists in node:zlib from Node 22.15 / 23.8. */
const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;

/**
 * Decompressors given to hyparquet, by Parquet codec: those of `hyparquet-compressors` 1.1.2
 * (SNAPPY via hysnappy's wasm, ZSTD via fzstd, LZ4, LZ4_RAW, BROTLI, GZIP in JS), with the native
 * node:zlib ones where Node has them (GZIP and BROTLI always, ZSTD on Node 22.15+), which are faster.
 * LZO is not supported by any of them.
 */
export const PARQUET_COMPRESSORS: Compressors = {
  ...hyparquetCompressors,
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(zlib.brotliDecompressSync(input)),
  ...(zstd === undefined ? {} : { ZSTD: (input: Uint8Array) => new Uint8Array(zstd(input)) }),
};

interface Opened {
  file: AsyncBuffer;
  metadata: FileMetaData;
  columns: string[];
}

async function openParquet(config: ParquetConfig): Promise<Opened> {
  const c = validateConfig<ParquetConfig>('parquet', schema, config);
  await checkFile(c.path, 'Parquet');
  const file = await asyncBufferFromFile(c.path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new StratumError('SOURCE_FORMAT', `${c.path} is not a readable Parquet file (${(error as Error).message}); it may be truncated`, {
      detail: { path: c.path },
      hint: 'Check that the file is complete (it must end with the PAR1 magic bytes).',
      cause: error,
    });
  }
  const top = topLevelNames(metadata);
  const repeated = top.find((name, k) => top.indexOf(name) !== k);
  if (repeated !== undefined) {
    // hyparquet hands out column chunks by name: two columns of one name cannot be told apart.
    const positions = top.flatMap((name, k) => (name === repeated ? [k + 1] : []));
    throw new StratumError('SOURCE_FORMAT', `${c.path}: ${positions.length} columns are named "${repeated}" (positions ${positions.join(', ')}); they cannot be read apart`, {
      detail: { path: c.path, field: repeated, columns: top },
      hint: 'Rewrite the file with unique column names (e.g. pyarrow: table.rename_columns([...]); pandas refuses to write repeated names).',
    });
  }
  const columns = c.columns ?? top;
  const unknown = columns.filter((name) => !top.includes(name));
  if (unknown.length > 0) {
    throw new StratumError('SOURCE_NOT_FOUND', `${c.path}: no column ${unknown.map((u) => `"${u}"`).join(', ')}; the file has ${top.join(', ')}`, {
      detail: { path: c.path, field: unknown[0], columns: top },
      hint: `Use columns from: ${top.join(', ')}.`,
    });
  }
  return { file, metadata, columns };
}

/** The top-level fields of the schema (children of the root). */
function topLevelElements(metadata: FileMetaData): Array<FileMetaData['schema'][number]> {
  const top: Array<FileMetaData['schema'][number]> = [];
  const elements = metadata.schema;
  let i = 1;
  const skip = (): void => {
    const e = elements[i]!;
    i++;
    for (let k = 0; k < (e.num_children ?? 0); k++) skip();
  };
  const rootChildren = elements[0]?.num_children ?? 0;
  for (let k = 0; k < rootChildren && i < elements.length; k++) {
    top.push(elements[i]!);
    skip();
  }
  return top;
}

/** Names of the top-level fields of the schema (children of the root). */
function topLevelNames(metadata: FileMetaData): string[] {
  return topLevelElements(metadata).map((e) => e.name);
}

/**
 * Whether a top-level column holds timestamps without a zone (`naive`: written as wall-clock text
 * without `Z`, see `isoDate` in core/data/columns.ts) or instants (`utc`). Per the Parquet spec
 * (LogicalTypes.md): `TIMESTAMP(isAdjustedToUTC = false)` is a local (naive) timestamp, `true` an
 * instant in UTC; the legacy `TIMESTAMP_MILLIS`/`TIMESTAMP_MICROS` converted types are UTC; `INT96`
 * (Impala/Spark/older pandas) is naive, as pandas and pyarrow read it.
 */
export function parquetTimestampZone(element: FileMetaData['schema'][number]): 'utc' | 'naive' {
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP') return logical.isAdjustedToUTC ? 'utc' : 'naive';
  return element.type === 'INT96' ? 'naive' : 'utc';
}

/**
 * The kind a top-level column's Parquet type declares, used when its values cannot tell (no value,
 * or whole numbers in a FLOAT/DOUBLE column; see `tableFromSourceColumns`): INT32/INT64 without a
 * date/time logical type -> `integer`, FLOAT/DOUBLE and DECIMAL -> `float`, BOOLEAN -> `boolean`,
 * STRING (UTF8) -> `string`; `undefined` for dates, times, nested and other types.
 */
export function parquetDeclaredKind(element: FileMetaData['schema'][number]): 'integer' | 'float' | 'boolean' | 'string' | undefined {
  if ((element.num_children ?? 0) > 0) return undefined;
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === 'DECIMAL' || converted === 'DECIMAL' || logical === 'FLOAT16') return 'float';
  if (logical === 'STRING' || converted === 'UTF8') return 'string';
  if (logical !== undefined && logical !== 'INTEGER') return undefined;
  if (converted !== undefined && !/^U?INT_/.test(converted)) return undefined;
  switch (element.type) {
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    case 'BOOLEAN':
      return 'boolean';
    default:
      return undefined;
  }
}

async function readRows(path: string, opened: Opened, rowStart: number, rowEnd: number): Promise<DataTable> {
  const n = Math.max(0, rowEnd - rowStart);
  const elements = new Map(topLevelElements(opened.metadata).map((e) => [e.name, e]));
  const data = opened.columns.map((name) => {
    const element = elements.get(name);
    const declared = element === undefined ? undefined : parquetDeclaredKind(element);
    return { name, values: new Array<unknown>(n).fill(null), timestamps: element === undefined ? 'utc' as const : parquetTimestampZone(element), ...(declared === undefined ? {} : { declared }) };
  });
  const index = new Map(opened.columns.map((name, k) => [name, k]));
  if (n > 0) {
    try {
      await parquetRead({
        file: opened.file,
        metadata: opened.metadata,
        columns: opened.columns,
        rowStart,
        rowEnd,
        compressors: PARQUET_COMPRESSORS,
        onChunk: (chunk) => {
          const k = index.get(chunk.columnName);
          if (k === undefined) return;
          const target = data[k]!.values;
          const values = chunk.columnData;
          for (let j = 0; j < values.length; j++) {
            const r = chunk.rowStart + j - rowStart;
            if (r >= 0 && r < n) target[r] = values[j];
          }
        },
      });
    } catch (error) {
      throw new StratumError('SOURCE_FORMAT', `${path}: cannot decode rows ${rowStart}-${rowEnd - 1}: ${(error as Error).message}`, {
        detail: { path, row: rowStart },
        hint: /compression|codec/i.test((error as Error).message) ? 'The file uses a compression codec not readable here (LZO); re-write it with snappy, zstd, gzip or no compression.' : 'The file may be truncated or corrupt.',
        cause: error,
      });
    }
  }
  return reportInfinities(tableFromSourceColumns(data, { source: path }), 'infinite float in the file (inf), kept as ±Infinity');
}

/** Parquet files. */
export const parquetConnector: Connector<ParquetConfig> = {
  id: 'parquet',
  title: 'Parquet file',
  configSchema: schema,
  async test(config: ParquetConfig): Promise<ConnectorTestResult> {
    const opened = await openParquet(config);
    await readRows(config.path, opened, 0, Math.min(10, Number(opened.metadata.num_rows)));
    return { ok: true, message: `${config.path}: ${Number(opened.metadata.num_rows).toLocaleString('en')} rows, ${opened.metadata.row_groups.length} row group(s), columns ${opened.columns.join(', ')}` };
  },
  async preview(config: ParquetConfig, n: number): Promise<DataTable> {
    const opened = await openParquet(config);
    return readRows(config.path, opened, 0, Math.min(Math.max(0, Math.floor(n)), Number(opened.metadata.num_rows)));
  },
  async load(config: ParquetConfig): Promise<DataTable> {
    const opened = await openParquet(config);
    return readRows(config.path, opened, 0, Number(opened.metadata.num_rows));
  },
  async *batches(config: ParquetConfig, options: BatchOptions = {}): AsyncGenerator<DataTable> {
    const size = checkBatchSize(options.batchSize, DEFAULT_BATCH_SIZE);
    const opened = await openParquet(config);
    const total = Number(opened.metadata.num_rows);
    for (let start = 0; start < total; start += size) yield readRows(config.path, opened, start, Math.min(total, start + size));
  },
};
