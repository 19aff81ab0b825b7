// Tests of the Parquet connector. The fixture is written here with hyparquet-writer; the real
// file is vega-datasets' flights-3m.parquet (13 MB, 3M rows, ZSTD), read only for its first rows;
// the codec fixtures are written by nodejs-polars.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetMetadata } from 'hyparquet';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { vegaDataset } from '../../core/datasets/vega.ts';
import { parquetConnector } from './parquet.ts';

let dir = '';
let path = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-parquet-'));
  path = join(dir, 'a.parquet');
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: [1n, 9007199254740993n, null], type: 'INT64' },
      { name: 'x', data: [1.5, null, -2], type: 'DOUBLE' },
      { name: 's', data: ['a', 'b', null], type: 'STRING' },
      { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
      { name: 'day', data: [new Date(Date.UTC(2024, 0, 15)), null, new Date(Date.UTC(2024, 1, 29))], type: 'TIMESTAMP' },
    ],
    rowGroupSize: 2,
  });
  await writeFile(path, new Uint8Array(buffer));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('parquet connector', () => {
  it('loads typed columns with missing values, exact big integers and dates', async () => {
    const t = await parquetConnector.load({ path });
    expect(t.rowCount).toBe(3);
    const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]));
    expect(byName['id']).toMatchObject({ kind: 'string', missing: 1, values: ['1', '9007199254740993', null] });
    expect(byName['x']).toMatchObject({ kind: 'float', missing: 1, values: [1.5, null, -2] });
    expect(byName['s']).toMatchObject({ kind: 'string', values: ['a', 'b', null] });
    expect(byName['ok']).toMatchObject({ kind: 'boolean', values: [true, false, true] });
    expect(byName['day']).toMatchObject({ kind: 'date', values: ['2024-01-15', null, '2024-02-29'] });
    expect(t.coercions.find((c) => c.column === 'id')?.examples).toEqual(['9007199254740993']);
  });

  it('previews, selects columns and streams batches', async () => {
    expect((await parquetConnector.preview({ path, columns: ['x'] }, 2)).columns.map((c) => c.values)).toEqual([[1.5, null]]);
    const batches: DataTable[] = [];
    for await (const b of parquetConnector.batches!({ path }, { batchSize: 2 })) batches.push(b);
    expect(batches.map((b) => b.rowCount)).toEqual([2, 1]);
  });

  it('names an unknown column and lists the real ones', async () => {
    const e = await failure(parquetConnector.load({ path, columns: ['nope'] }));
    expect(e.code).toBe('SOURCE_NOT_FOUND');
    expect(e.message).toMatch(/no column "nope".*id, x, s, ok, day/);
  });

  it('says a truncated file is not readable, naming it', async () => {
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.parquet');
    await writeFile(cut, bytes.subarray(0, bytes.length - 20));
    const e = await failure(parquetConnector.load({ path: cut }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toContain(cut);
  });

  it('reads vega-datasets flights-3m.parquet (ZSTD, written by Polars): row count from the metadata, first rows as Polars reads them', async () => {
    // Reference: nodejs-polars 0.24.1 (Rust parquet reader, its own ZSTD), run once:
    // pl.readParquet(flights).shape -> 3000000 x 5; head(5) -> the rows below (date as Datetime(us), UTC).
    const flights = vegaDataset('flights-3m.parquet');
    expect((await parquetConnector.test({ path: flights })).message).toMatch(/: 3,000,000 rows, 11 row group\(s\), columns date, delay, distance, origin, destination$/);
    const t = await parquetConnector.preview({ path: flights }, 5);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([['date', 'date'], ['delay', 'integer'], ['distance', 'integer'], ['origin', 'string'], ['destination', 'string']]);
    expect(t.columns.map((c) => c.values)).toEqual([
      new Array(5).fill('2001-01-01T00:01:00.000Z'),
      [33, 19, 14, -13, 1],
      [2176, 215, 405, 2345, 75],
      ['LAS', 'ATL', 'MCI', 'ANC', 'RIC'],
      ['PHL', 'SAV', 'MDW', 'LAX', 'ORF'],
    ]);
  });

  it('reads files compressed with ZSTD, Snappy, Brotli, GZIP, LZ4 and none (fixtures written by Polars)', async () => {
    // Polars writes each codec with its own (Rust) compressors: an independent writer.
    const source = pl.DataFrame({ n: [1, 2, null, 4], x: [0.5, null, -1.25, 1e6], s: ['a', 'é', null, 'long text '.repeat(20)] });
    const codecs = { zstd: 'ZSTD', snappy: 'SNAPPY', brotli: 'BROTLI', gzip: 'GZIP', lz4: 'LZ4_RAW', uncompressed: 'UNCOMPRESSED' } as const;
    for (const [codec, inFile] of Object.entries(codecs) as Array<[keyof typeof codecs, string]>) {
      const file = join(dir, `codec-${codec}.parquet`);
      source.writeParquet(file, { compression: codec });
      const bytes = await readFile(file);
      const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      expect(metadata.row_groups[0]!.columns.map((c) => c.meta_data?.codec), codec).toEqual([inFile, inFile, inFile]);
      const t = await parquetConnector.load({ path: file });
      expect(t.columns.map((c) => c.values), codec).toEqual([[1, 2, null, 4], [0.5, null, -1.25, 1e6], ['a', 'é', null, 'long text '.repeat(20)]]);
    }
  });
});
