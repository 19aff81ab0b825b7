// Tests of the SQLite connector; the database is written here with better-sqlite3.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { dataTableToDataFrame } from '../../core/data/frame.ts';
import { sqliteConnector } from './sqlite.ts';

let dir = '';
let path = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-sqlite-'));
  path = join(dir, 'shop.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE orders (id INTEGER, customer TEXT, amount REAL, day TEXT, big INTEGER);
    INSERT INTO orders VALUES (1, 'ann', 9.5, '2024-01-15', 9223372036854775807);
    INSERT INTO orders VALUES (2, NULL, NULL, '2024-01-16', 1);
    INSERT INTO orders VALUES (3, 'bob', 2, '2024-01-17', 2);
    CREATE TABLE empty (a INTEGER);`);
  db.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('sqlite connector', () => {
  it('loads a table with types, missing values and exact 64-bit integers', async () => {
    const t = await sqliteConnector.load({ path, table: 'orders' });
    const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]));
    expect(byName['id']).toMatchObject({ kind: 'integer', dtype: 'int32', values: [1, 2, 3] });
    expect(byName['customer']).toMatchObject({ kind: 'string', missing: 1, values: ['ann', null, 'bob'] });
    expect(byName['amount']).toMatchObject({ kind: 'float', missing: 1, values: [9.5, null, 2] });
    expect(byName['day']).toMatchObject({ kind: 'date' });
    // 2^63 - 1 stays exact as text; the column's small values are written as text too (reported).
    expect(byName['big']!.values).toEqual(['9223372036854775807', '1', '2']);
    expect(t.coercions.filter((c) => c.column === 'big').length).toBeGreaterThan(0);
  });

  it('runs a query, previews and streams batches', async () => {
    const q = await sqliteConnector.load({ path, query: 'SELECT id, amount * 2 AS twice FROM orders WHERE amount IS NOT NULL ORDER BY id' });
    expect(q.columns.map((c) => c.values)).toEqual([[1, 3], [19, 4]]);
    expect((await sqliteConnector.preview({ path, table: 'orders' }, 1)).rowCount).toBe(1);
    const batches: DataTable[] = [];
    for await (const b of sqliteConnector.batches!({ path, table: 'orders' }, { batchSize: 2 })) batches.push(b);
    expect(batches.map((b) => b.rowCount)).toEqual([2, 1]);
    const empty = await sqliteConnector.load({ path, table: 'empty' });
    expect(empty).toMatchObject({ rowCount: 0, columns: [{ name: 'a' }] });
  });

  it('names a missing table and lists the tables', async () => {
    const e = await failure(sqliteConnector.test({ path, table: 'order' }));
    expect(e.code).toBe('SOURCE_NOT_FOUND');
    expect(e.message).toMatch(/no table "order"; tables: empty, orders/);
  });

  it('names a bad query, a bad config and a file that is not a database', async () => {
    const e = await failure(sqliteConnector.load({ path, query: 'SELECT nope FROM orders' }));
    expect(e.code).toBe('SOURCE_ERROR');
    expect(e.message).toMatch(/no such column: nope/);
    const both = await failure(sqliteConnector.load({ path, table: 'a', query: 'SELECT 1' }));
    expect(both.code).toBe('CONNECTOR_CONFIG');
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.db');
    await writeFile(cut, bytes.subarray(0, 50));
    const e2 = await failure(sqliteConnector.load({ path: cut, table: 'orders' }));
    expect(e2.code).toBe('SOURCE_FORMAT');
    expect(e2.message).toContain(cut);
  });

  it('renames repeated column names of a query as CSV does (a, a.1), so the DataFrame builds', async () => {
    const t = await sqliteConnector.load({ path, query: 'SELECT 1 AS a, 2 AS a, 3 AS b' });
    expect(t.columns.map((c) => [c.name, c.values, c.note])).toEqual([['a', [1], undefined], ['a.1', [2], 'header "a" repeats; renamed "a.1"'], ['b', [3], undefined]]);
    const df = dataTableToDataFrame(t);
    expect(df.columns).toEqual(['a', 'a.1', 'b']);
    expect(df['a.1'].values).toEqual([2]);
  });

  it('types columns by their declared SQL type when the values cannot tell: empty INTEGER, REAL 1.0 and 2.0', async () => {
    const typed = join(dir, 'typed.db');
    const db = new Database(typed);
    db.exec(`CREATE TABLE none (n INTEGER, x REAL, s TEXT);
      CREATE TABLE whole (x REAL, n INTEGER, v NUMERIC);
      INSERT INTO whole VALUES (1.0, 1, 1), (2.0, 2, 2.5);`);
    db.close();
    const none = await sqliteConnector.load({ path: typed, table: 'none' });
    expect(none.columns.map((c) => [c.name, c.kind, c.dtype])).toEqual([['n', 'integer', 'int32'], ['x', 'float', 'float32'], ['s', 'string', 'string']]);
    expect(none.columns[0]!.note).toBe('integer as declared by the source (no values to infer from)');
    const whole = await sqliteConnector.load({ path: typed, table: 'whole' });
    expect(whole.columns.map((c) => [c.name, c.kind, c.values])).toEqual([['x', 'float', [1, 2]], ['n', 'integer', [1, 2]], ['v', 'float', [1, 2.5]]]);
    // A query's expression has no declared type: REAL storage (1.0) still means float.
    expect((await sqliteConnector.load({ path: typed, query: 'SELECT 1.0 AS r, 1 AS i' })).columns.map((c) => c.kind)).toEqual(['float', 'integer']);
  });
});

