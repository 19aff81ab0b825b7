// Source configs ({ kind, ...config }) on real files written here: a SQLite database
// (better-sqlite3) and a CSV file; bad configs name the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, thrown } from '../core/testing.ts';
import { CONNECTORS } from './index.ts';
import { CONNECTOR_SCHEMAS } from './schemas.ts';
import { loadSource, previewSource, resolveSource, testSource } from './source.ts';

let dir = '';
let db = '';
let csv = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-source-'));
  db = join(dir, 'shop.db');
  const d = new Database(db);
  d.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL, placed TEXT); INSERT INTO orders VALUES (1, 'ada', 12.5, '2024-01-02'), (2, 'bob', NULL, '2024-01-03'), (9007199254740993, 'cy', 3, '2024-01-04');");
  d.close();
  csv = join(dir, 'sales.csv');
  await writeFile(csv, 'region;units;price\nnorth;3;1,5\nsouth;NA;2,25\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSource', () => {
  it('loads a SQLite table: types, missing values, an id beyond 2^53 kept exact (reported)', async () => {
    const t = await loadSource({ kind: 'sqlite', path: db, table: 'orders' });
    expect(t.rowCount).toBe(3);
    expect(t.columns.map((c) => [c.name, c.kind, c.values])).toEqual([
      ['id', 'string', ['1', '2', '9007199254740993']],
      ['customer', 'string', ['ada', 'bob', 'cy']],
      ['amount', 'float', [12.5, null, 3]],
      ['placed', 'date', ['2024-01-02', '2024-01-03', '2024-01-04']],
    ]);
    expect(t.coercions.map((c) => [c.column, c.count, c.action])).toEqual([
      ['id', 1, 'kept as text: integer beyond ±(2^53-1)'],
      ['id', 2, 'number or boolean written as text: the column mixes kinds, so it is text'],
    ]);
    const q = await loadSource({ kind: 'sqlite', path: db, query: 'SELECT customer, amount * 2 AS twice FROM orders WHERE amount IS NOT NULL ORDER BY customer' });
    expect(q.columns.map((c) => c.values)).toEqual([['ada', 'cy'], [25, 6]]);
  });

  it('loads a CSV with its options (delimiter, decimal comma, missing tokens)', async () => {
    const t = await loadSource({ kind: 'csv', path: csv, delimiter: ';', decimalComma: true });
    expect(t.columns.map((c) => [c.name, c.kind, c.values])).toEqual([
      ['region', 'string', ['north', 'south']],
      ['units', 'integer', [3, null]],
      ['price', 'float', [1.5, 2.25]],
    ]);
    expect(t.coercions.map((c) => c.column).sort()).toEqual(['price', 'units']);
  });

  it('previews the first rows and tests a connection', async () => {
    expect((await previewSource({ kind: 'sqlite', path: db, table: 'orders' }, 1)).rowCount).toBe(1);
    expect((await testSource({ kind: 'sqlite', path: db, table: 'orders' })).message).toContain('orders');
    expect((await rejection(previewSource({ kind: 'csv', path: csv }, -1))).detail.field).toBe('n');
  });
});

describe('connectors/schemas.ts', () => {
  it('holds the very schemas the connectors validate with, in registry order (the data.load form is built from it)', () => {
    expect(CONNECTOR_SCHEMAS.map((c) => [c.id, c.title])).toEqual(CONNECTORS.map((c) => [c.id, c.title]));
    CONNECTORS.forEach((c, i) => expect(c.configSchema, c.id).toEqual(CONNECTOR_SCHEMAS[i]!.configSchema));
  });
});

describe('bad source configs name the field', () => {
  it('kind: missing, unknown, or not an object', () => {
    const missing = thrown(() => resolveSource({ path: 'a.csv' }));
    expect(missing.code).toBe('CONNECTOR_CONFIG');
    expect(missing.message).toBe("source config: field 'kind' is required (the connector: one of csv, tsv, json, ndjson, excel, parquet, sqlite, postgres, http)");
    expect(missing.detail.field).toBe('kind');
    const unknown = thrown(() => resolveSource({ kind: 'mysql' }));
    expect(unknown.code).toBe('CONNECTOR_UNKNOWN');
    expect(unknown.message).toMatch(/^source config: field 'kind' is "mysql", not a connector; known: csv, /);
    expect(thrown(() => resolveSource('data.csv')).detail.field).toBe('kind');
  });

  it("the connector's own fields: required, wrong type, unknown, missing file or table", async () => {
    const noPath = await rejection(loadSource({ kind: 'sqlite', table: 'orders' }));
    expect(noPath.code).toBe('CONNECTOR_CONFIG');
    expect(noPath.message).toBe('sqlite config: /path is required');
    expect((await rejection(loadSource({ kind: 'csv', path: csv, decimalComma: 'yes' }))).message).toBe('csv config: /decimalComma must be boolean');
    const unknown = await rejection(loadSource({ kind: 'csv', path: csv, sheet: 1 }));
    expect(unknown.detail.field).toBe('/sheet');
    expect(unknown.message).toMatch(/^csv config: \/sheet is not a known field; the fields are path, delimiter, /);
    const noFile = await rejection(loadSource({ kind: 'csv', path: join(dir, 'nope.csv') }));
    expect(noFile.code).toBe('FILE_NOT_FOUND');
    expect(noFile.message).toContain('nope.csv');
    const noTable = await rejection(loadSource({ kind: 'sqlite', path: db, table: 'order' }));
    expect(noTable.code).toBe('SOURCE_NOT_FOUND');
    expect(noTable.message).toContain('orders'); // lists the tables
  });
});
