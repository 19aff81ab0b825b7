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
    // pl.readParquet(flights).shape -> 3000000 x 5; head(5) -> the rows below (date as Datetime(us)
    // with no time zone: the file says TIMESTAMP(isAdjustedToUTC = false), so the text has no Z).
    const flights = vegaDataset('flights-3m.parquet');
    expect((await parquetConnector.test({ path: flights })).message).toMatch(/: 3,000,000 rows, 11 row group\(s\), columns date, delay, distance, origin, destination$/);
    const t = await parquetConnector.preview({ path: flights }, 5);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([['date', 'date'], ['delay', 'integer'], ['distance', 'integer'], ['origin', 'string'], ['destination', 'string']]);
    expect(t.columns.map((c) => c.values)).toEqual([
      new Array(5).fill('2001-01-01T00:01:00'),
      [33, 19, 14, -13, 1],
      [2176, 215, 405, 2345, 75],
      ['LAS', 'ATL', 'MCI', 'ANC', 'RIC'],
      ['PHL', 'SAV', 'MDW', 'LAX', 'ORF'],
    ]);
  });

  it('writes naive timestamps without a zone and UTC-adjusted ones with Z (fixture written by Polars)', async () => {
    // Polars writes Datetime('ms') as TIMESTAMP(isAdjustedToUTC = false) and Datetime('ms', 'UTC') as
    // TIMESTAMP(isAdjustedToUTC = true); the wall-clock values are 2012-01-01 10:00 and 10:30:05.250.
    const ms = [Date.UTC(2012, 0, 1, 10), Date.UTC(2012, 0, 1, 10, 30, 5, 250), null];
    const file = join(dir, 'timestamps.parquet');
    pl.DataFrame({ ms }).select(pl.col('ms').cast(pl.Datetime('ms')).alias('naive'), pl.col('ms').cast(pl.Datetime('ms')).dt.replaceTimeZone('UTC').alias('utc')).writeParquet(file);
    const t = await parquetConnector.load({ path: file });
    expect(t.columns.map((c) => [c.name, c.kind, c.values])).toEqual([
      ['naive', 'date', ['2012-01-01T10:00:00', '2012-01-01T10:30:05.250', null]],
      ['utc', 'date', ['2012-01-01T10:00:00.000Z', '2012-01-01T10:30:05.250Z', null]],
    ]);
    expect(t.coercions.map((c) => c.action)).toEqual(['date/time written as ISO-8601 text (no time zone: wall-clock time)', 'date/time written as ISO-8601 text']);
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

  it('reports infinite floats (inf) as a coercion with their count, in load and batches', async () => {
    const file = join(dir, 'inf.parquet');
    pl.DataFrame({ x: [1.5, Infinity, -Infinity, Infinity, 2], y: [1, 2, 3, 4, 5] }).writeParquet(file);
    const t = await parquetConnector.load({ path: file });
    expect(t.columns[0]!.values).toEqual([1.5, Infinity, -Infinity, Infinity, 2]);
    expect(t.coercions).toEqual([expect.objectContaining({ column: 'x', count: 3, examples: ['Infinity', '-Infinity'] })]);
    const batches = [];
    for await (const b of parquetConnector.batches!({ path: file }, { batchSize: 2 })) batches.push(b.coercions.map((c) => [c.column, c.count]));
    expect(batches).toEqual([[['x', 1]], [['x', 2]], []]);
  });

  it('types an empty or all-null column by its Parquet type, keeps whole-number DOUBLEs float (fixtures by hyparquet-writer)', async () => {
    const empty = join(dir, 'empty.parquet');
    await writeFile(empty, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'n', data: [], type: 'INT32' }, { name: 'x', data: [], type: 'DOUBLE' }, { name: 's', data: [], type: 'STRING' }] })));
    const t = await parquetConnector.load({ path: empty });
    expect(t.columns.map((c) => [c.name, c.kind, c.dtype])).toEqual([['n', 'integer', 'int32'], ['x', 'float', 'float32'], ['s', 'string', 'string']]);
    const whole = join(dir, 'whole.parquet');
    await writeFile(whole, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2], type: 'DOUBLE' }, { name: 'n', data: [null, null], type: 'INT32' }] })));
    const w = await parquetConnector.load({ path: whole });
    expect(w.columns.map((c) => [c.name, c.kind, c.values])).toEqual([['x', 'float', [1, 2]], ['n', 'integer', [null, null]]]);
  });

  it('refuses two columns of one name (they cannot be read apart) instead of mixing their values', async () => {
    const dup = join(dir, 'dup.parquet');
    await writeFile(dup, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'a', data: [1, 2], type: 'INT32' }, { name: 'a', data: [3, 4], type: 'INT32' }, { name: 'b', data: [5, 6], type: 'INT32' }] })));
    const e = await failure(parquetConnector.load({ path: dup }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toBe(`${dup}: 2 columns are named "a" (positions 1, 2); they cannot be read apart`);
  });
});

