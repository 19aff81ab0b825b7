/**
 * Parquet connector ({@link parquetConnector}) via hyparquet (pure JS). Codecs: uncompressed,
 * snappy, gzip, brotli, zstd, lz4 and lz4_raw (see {@link PARQUET_COMPRESSORS}).
 *
 * Parquet is typed already; values map as: INT32/FLOAT/DOUBLE -> numbers; INT64 -> `bigint` from
 * hyparquet, a number when within ±(2^53-1), else exact text (reported); BOOLEAN -> booleans;
 * strings -> strings; DATE/TIMESTAMP -> ISO text (kind `date`); nested -> JSON text (reported).
 */
import * as zlib from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { compressors as hyparquetCompressors } from 'hyparquet-compressors';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import { tableFromValueColumns } from '../../core/data/columns.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import { batchSize as checkBatchSize, checkFile, validateConfig } from '../common.ts';
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

/** Names of the top-level fields of the schema (children of the root). */
function topLevelNames(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const elements = metadata.schema;
  let i = 1;
  const skip = (): void => {
    const e = elements[i]!;
    i++;
    for (let k = 0; k < (e.num_children ?? 0); k++) skip();
  };
  const rootChildren = elements[0]?.num_children ?? 0;
  for (let k = 0; k < rootChildren && i < elements.length; k++) {
    names.push(elements[i]!.name);
    skip();
  }
  return names;
}

async function readRows(path: string, opened: Opened, rowStart: number, rowEnd: number): Promise<DataTable> {
  const n = Math.max(0, rowEnd - rowStart);
  const data = opened.columns.map((name) => ({ name, values: new Array<unknown>(n).fill(null) }));
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
  return tableFromValueColumns(data, { source: path });
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
