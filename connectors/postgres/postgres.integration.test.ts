// Integration tests of the PostgreSQL connector against a real throwaway server (test-server.ts;
// needs Debian's postgresql package: `apt-get update && apt-get install -y postgresql`). Expected
// values are the ones inserted below.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import { MapSecretSource } from '../../core/secrets/secrets.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { postgresConnector } from './postgres.ts';
import type { PostgresConfig } from './postgres.ts';
import { startTestPostgres } from './test-server.ts';
import type { TestPostgres } from './test-server.ts';

let server: TestPostgres;
let base: PostgresConfig;
let secrets: MapSecretSource;

beforeAll(async () => {
  server = await startTestPostgres();
  secrets = new MapSecretSource({ 'pg-test': server.password, 'pg-wrong': 'not-the-password' });
  base = { host: server.host, port: server.port, database: server.database, user: server.user, password: { secret: 'pg-test' }, table: 'sales.orders' };
  const client = new pg.Client({ host: server.host, port: server.port, database: server.database, user: server.user, password: server.password });
  await client.connect();
  await client.query(`CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id bigint, small int, price numeric(10,2), precise numeric, name text, day date, at timestamp, atz timestamptz, ok boolean, meta jsonb);
    INSERT INTO sales.orders VALUES
      (1, 10, 9.50, 0.1, 'ann', '2024-01-15', '2024-01-15 13:45:00', '2024-01-15 13:45:00+02', true, '{"k": 1}'),
      (9223372036854775807, NULL, NULL, 12345678901234567890.123456789, NULL, '2024-02-29', NULL, NULL, false, NULL);`);
  await client.end();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('postgres connector', () => {
  it('loads a table: bigint and numeric exact, dates on the right day, missing values', async () => {
    const t = await postgresConnector.load(base, { secrets });
    const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]));
    // 2^63 - 1 cannot be a JS number: the whole column is exact text (reported).
    expect(byName['id']!.values).toEqual(['1', '9223372036854775807']);
    expect(byName['small']).toMatchObject({ kind: 'integer', missing: 1, values: [10, null] });
    expect(byName['price']).toMatchObject({ kind: 'float', values: [9.5, null] });
    // 0.1 has 1 significant digit (a number); the 29-digit value is kept as exact text.
    expect(byName['precise']!.values).toEqual(['0.1', '12345678901234567890.123456789']);
    expect(byName['name']).toMatchObject({ missing: 1, values: ['ann', null] });
    expect(byName['day']).toMatchObject({ kind: 'date', values: ['2024-01-15', '2024-02-29'] });
    expect(byName['at']).toMatchObject({ kind: 'date', values: ['2024-01-15T13:45:00', null] });
    expect(byName['atz']!.values).toEqual(['2024-01-15T11:45:00Z', null]);
    expect(byName['ok']).toMatchObject({ kind: 'boolean', values: [true, false] });
    expect(byName['meta']!.values).toEqual(['{"k":1}', null]);
    expect(t.coercions.map((c) => c.column)).toEqual(expect.arrayContaining(['id', 'precise', 'meta']));
  });

  it('tests, previews, runs a query and streams batches through a cursor', async () => {
    expect((await postgresConnector.test(base, { secrets })).message).toMatch(/connected to PostgreSQL \d+.*table "sales.orders" has columns id, small/);
    expect((await postgresConnector.preview(base, 1, { secrets })).rowCount).toBe(1);
    const q = await postgresConnector.load({ ...base, table: undefined, query: 'SELECT small * 2 AS twice FROM sales.orders WHERE small IS NOT NULL' } as PostgresConfig, { secrets });
    expect(q.columns[0]!.values).toEqual([20]);
    const batches: DataTable[] = [];
    for await (const b of postgresConnector.batches!({ ...base, table: undefined, query: 'SELECT g FROM generate_series(1, 5) AS g' } as PostgresConfig, { batchSize: 2 }, { secrets })) batches.push(b);
    expect(batches.map((b) => b.columns[0]!.values)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('does not change pg global type parsers', () => {
    expect(pg.types.getTypeParser(20, 'text')('9223372036854775807')).toBe('9223372036854775807');
    expect(pg.types.getTypeParser(1082, 'text')('2024-01-15')).toBeInstanceOf(Date);
  });

  it('names a wrong password, a missing table, a missing database and an unreachable host', async () => {
    const auth = await failure(postgresConnector.test({ ...base, password: { secret: 'pg-wrong' } }, { secrets }));
    expect(auth.code).toBe('SOURCE_AUTH');
    expect(auth.message).toMatch(/rejected the credentials for user "stratum" at 127\.0\.0\.1/);
    const table = await failure(postgresConnector.load({ ...base, table: 'sales.nope' }, { secrets }));
    expect(table.code).toBe('SOURCE_NOT_FOUND');
    expect(table.message).toMatch(/sales\.nope/);
    const db = await failure(postgresConnector.test({ ...base, database: 'nodb' }, { secrets }));
    expect(db.code).toBe('SOURCE_NOT_FOUND');
    expect(db.message).toMatch(/database "nodb" does not exist/);
    const host = await failure(postgresConnector.test({ ...base, port: 1 }, { secrets }));
    expect(host.code).toBe('SOURCE_UNREACHABLE');
    expect(host.message).toMatch(/127\.0\.0\.1:1/);
  });

  it('refuses a password written in clear in the config', async () => {
    const e = await failure(postgresConnector.test({ ...base, password: 'hunter2' as never }, { secrets }));
    expect(e.code).toBe('CONNECTOR_CONFIG');
    expect(e.message).toBe("postgres config: /password takes a stored secret reference { secret: 'NAME' }, not the value itself: store the value once with `stratum secrets set NAME` (it prompts for it), then give password: { secret: 'NAME' }");
    expect(e.message).not.toContain('hunter2');
  });

  it('renames repeated result column names (a, a.1) and types empty or whole-number columns by their declared type', async () => {
    const query = (sql: string): PostgresConfig => ({ ...base, table: undefined, query: sql }) as PostgresConfig;
    const dup = await postgresConnector.load(query('SELECT 1 AS a, 2 AS a, 3 AS b'), { secrets });
    expect(dup.columns.map((c) => [c.name, c.values])).toEqual([['a', [1]], ['a.1', [2]], ['b', [3]]]);
    expect(dup.columns[1]!.note).toBe('header "a" repeats; renamed "a.1"');
    const empty = await postgresConnector.load(query('SELECT 1::int4 AS n, 1.5::float8 AS x, true AS ok WHERE false'), { secrets });
    expect(empty.columns.map((c) => [c.name, c.kind])).toEqual([['n', 'integer'], ['x', 'float'], ['ok', 'boolean']]);
    const whole = await postgresConnector.load(query('SELECT x::float8 AS x FROM (VALUES (1), (2)) AS v(x)'), { secrets });
    expect(whole.columns[0]).toMatchObject({ kind: 'float', values: [1, 2] });
  });
});
