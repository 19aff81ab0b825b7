/**
 * PostgreSQL connector ({@link postgresConnector}) via `pg`.
 *
 * Type parsers are set per connection (a `types` object given to each `pg.Client`), never on pg's
 * global registry, so other code using pg is unaffected:
 * - `int8` (bigint): a number when within ±(2^53-1), else kept exact (text, reported);
 * - `numeric`: a number when it has at most 15 significant digits (then the double prints back to
 *   the same decimal), else the exact text; a column holding any such value becomes text (reported);
 * - `date`: `YYYY-MM-DD` text as stored (pg's default would make a local-time `Date`, which can
 *   shift the day); `timestamp`: `YYYY-MM-DDTHH:MM:SS[.ffffff]` (no zone); `timestamptz`: the
 *   session runs in UTC and values end in `Z`; all kind `date`;
 * - `json`/`jsonb` -> JSON text, `bytea` -> base64 text (reported).
 * The password is a `{ secret }` reference, resolved from the secret store when connecting.
 */
import pg from 'pg';
import type { DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import type { SecretRef } from '../../core/secrets/secrets.ts';
import { batchSize as checkBatchSize, secretValue, tableFromSourceColumns, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorContext, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { POSTGRES_SCHEMA as schema } from '../schemas.ts';

/** Config of the PostgreSQL connector: `table` or `query`, not both. */
export interface PostgresConfig {
  /** Host name or IP, or a Unix socket directory (starting with `/`). */
  host: string;
  /** Port; default 5432. */
  port?: number;
  /** Database name. */
  database: string;
  /** User name. */
  user: string;
  /** Password, as a reference to a stored secret (never in clear). */
  password?: SecretRef;
  /** Table, optionally schema-qualified (`sales.orders`). */
  table?: string;
  /** A read-only SQL query. */
  query?: string;
  /** Use TLS (`rejectUnauthorized` true); default false. */
  ssl?: boolean;
  /** Connection timeout in milliseconds; default 10000. */
  connectTimeoutMs?: number;
  /** Statement timeout in milliseconds (server side); default none. */
  statementTimeoutMs?: number;
}


const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184, bytea: 17 } as const;

/** Significant digits of a decimal text (`-0012.3400` -> 4). */
function significantDigits(text: string): number {
  const digits = text.replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
  return digits.replace(/0+$/, '').length;
}

/**
 * The per-connection type parsers described in the module comment (exported for tests).
 * @param oid - PostgreSQL type OID
 */
export function stratumTypeParser(oid: number): ((text: string) => unknown) | undefined {
  switch (oid) {
    case OID.int8:
      return (t) => {
        const n = Number(t);
        return Number.isSafeInteger(n) ? n : BigInt(t);
      };
    case OID.numeric:
      return (t) => {
        if (t === 'NaN') return null;
        if (/^-?Infinity$/.test(t)) return Number(t);
        if (/^-?\d+$/.test(t)) {
          const n = Number(t);
          return Number.isSafeInteger(n) ? n : BigInt(t);
        }
        return significantDigits(t) <= 15 ? Number(t) : t;
      };
    case OID.date:
      return (t) => t;
    case OID.timestamp:
      return (t) => t.replace(' ', 'T');
    case OID.timestamptz:
      return (t) => t.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z');
    case OID.bytea:
      return (t) => (t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex') : Buffer.from(t, 'binary'));
    default:
      return undefined;
  }
}

const perConnectionTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    return (format ?? 'text') === 'text' ? (stratumTypeParser(oid) ?? (pg.types.getTypeParser(oid, 'text') as (t: string) => unknown)) : (pg.types.getTypeParser(oid, 'binary') as (t: string) => unknown);
  },
};

/** Quotes a possibly schema-qualified identifier: `a.b` -> `"a"."b"`. */
export function quoteIdent(name: string): string {
  return name.split('.').map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
}

function where(c: PostgresConfig): string {
  return `${c.user}@${c.host}:${c.port ?? 5432}/${c.database}`;
}

/** Maps pg and socket errors to StratumErrors naming host, user, database or table. */
function pgError(error: unknown, c: PostgresConfig): StratumError {
  const e = error as { code?: string; message?: string };
  const at = where(c);
  const detail = { host: `${c.host}:${c.port ?? 5432}`, database: c.database, user: c.user };
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
    case 'ENOENT':
      return new StratumError('SOURCE_UNREACHABLE', `cannot reach PostgreSQL at ${c.host}:${c.port ?? 5432} (${e.code})`, { detail, hint: 'Check host and port, and that the server is running and accepts TCP connections.', cause: error });
    case '28P01':
    case '28000':
      return new StratumError('SOURCE_AUTH', `PostgreSQL rejected the credentials for user "${c.user}" at ${c.host}:${c.port ?? 5432}: ${e.message ?? ''}`, { detail: { ...detail, field: 'password' }, hint: 'Check the user and the stored secret (stratum secrets set NAME).', cause: error });
    case '3D000':
      return new StratumError('SOURCE_NOT_FOUND', `database "${c.database}" does not exist at ${c.host}:${c.port ?? 5432}`, { detail: { ...detail, field: 'database' }, hint: 'Check the database name.', cause: error });
    case '42P01':
      return new StratumError('SOURCE_NOT_FOUND', `${at}: ${e.message ?? 'relation does not exist'}${c.table === undefined ? '' : ` (table "${c.table}")`}`, { detail: { ...detail, field: c.table === undefined ? 'query' : 'table', table: c.table }, hint: 'Check the table name and its schema (schema.table).', cause: error });
    case '57014':
      return new StratumError('SOURCE_TIMEOUT', `${at}: the query ran longer than ${c.statementTimeoutMs ?? '?'} ms and was cancelled`, { detail, hint: 'Raise statementTimeoutMs or narrow the query.', cause: error });
    default:
      if (/timeout/i.test(e.message ?? '')) {
        return new StratumError('SOURCE_TIMEOUT', `PostgreSQL at ${c.host}:${c.port ?? 5432} did not answer within ${c.connectTimeoutMs ?? 10000} ms`, { detail, hint: 'Check the host and the network, or raise connectTimeoutMs.', cause: error });
      }
      return new StratumError('SOURCE_ERROR', `${at}: ${e.message ?? String(error)}`, { detail: { ...detail, pgCode: e.code }, hint: 'Check the query.', cause: error });
  }
}

async function connect(config: PostgresConfig, context: ConnectorContext | undefined): Promise<{ client: pg.Client; c: PostgresConfig }> {
  const c = validateConfig<PostgresConfig>('postgres', schema, config);
  const password = await secretValue(c.password, context);
  const client = new pg.Client({
    host: c.host,
    port: c.port ?? 5432,
    database: c.database,
    user: c.user,
    ...(password === undefined ? {} : { password }),
    ...(c.ssl === true ? { ssl: { rejectUnauthorized: true } } : {}),
    connectionTimeoutMillis: c.connectTimeoutMs ?? 10_000,
    ...(c.statementTimeoutMs === undefined ? {} : { statement_timeout: c.statementTimeoutMs }),
    options: '-c TimeZone=UTC -c DateStyle=ISO',
    types: perConnectionTypes,
  });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query instead
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw pgError(error, c);
  }
  return { client, c };
}

function sqlOf(c: PostgresConfig): string {
  return c.query ?? `SELECT * FROM ${quoteIdent(c.table!)}`;
}

/**
 * Kind of a result column from its type OID (pg_type: int2 21, int4 23, int8 20 -> integer;
 * float4 700, float8 701, numeric 1700 -> float; bool 16 -> boolean; text 25, varchar 1043,
 * bpchar 1042 -> string); used when the values cannot tell (see `tableFromSourceColumns`).
 */
export function postgresDeclaredKind(oid: number): 'integer' | 'float' | 'boolean' | 'string' | undefined {
  if (oid === 20 || oid === 21 || oid === 23) return 'integer';
  if (oid === 700 || oid === 701 || oid === OID.numeric) return 'float';
  if (oid === 16) return 'boolean';
  if (oid === 25 || oid === 1043 || oid === 1042) return 'string';
  return undefined;
}

function toTable(result: { fields: Array<{ name: string; dataTypeID?: number }>; rows: unknown[][] }, source: string): DataTable {
  const columns = result.fields.map((f, k) => {
    const declared = f.dataTypeID === undefined ? undefined : postgresDeclaredKind(f.dataTypeID);
    return { name: f.name, values: result.rows.map((r) => r[k]), ...(declared === undefined ? {} : { declared }) };
  });
  return tableFromSourceColumns(columns, { source });
}

async function run(config: PostgresConfig, context: ConnectorContext | undefined, limit: number | undefined): Promise<DataTable> {
  const { client, c } = await connect(config, context);
  try {
    const sql = limit === undefined ? sqlOf(c) : `SELECT * FROM (${sqlOf(c)}) AS stratum_preview LIMIT ${Math.max(0, Math.floor(limit))}`;
    const result = await client.query({ text: sql, rowMode: 'array' });
    return toTable(result as unknown as { fields: Array<{ name: string; dataTypeID?: number }>; rows: unknown[][] }, `${c.table ?? 'query'} @ ${where(c)}`);
  } catch (error) {
    throw error instanceof StratumError ? error : pgError(error, c);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL tables and queries. */
export const postgresConnector: Connector<PostgresConfig> = {
  id: 'postgres',
  title: 'PostgreSQL',
  configSchema: schema,
  async test(config: PostgresConfig, context?: ConnectorContext): Promise<ConnectorTestResult> {
    const { client, c } = await connect(config, context);
    try {
      const version = (await client.query('SHOW server_version')).rows[0] as { server_version: string };
      const result = await client.query({ text: `SELECT * FROM (${sqlOf(c)}) AS stratum_test LIMIT 0`, rowMode: 'array' });
      return { ok: true, message: `connected to PostgreSQL ${version.server_version} at ${c.host}:${c.port ?? 5432} as ${c.user}; ${c.table === undefined ? 'query' : `table "${c.table}"`} has columns ${result.fields.map((f) => f.name).join(', ')}` };
    } catch (error) {
      throw error instanceof StratumError ? error : pgError(error, c);
    } finally {
      await client.end().catch(() => undefined);
    }
  },
  preview(config: PostgresConfig, n: number, context?: ConnectorContext): Promise<DataTable> {
    return run(config, context, n);
  },
  load(config: PostgresConfig, context?: ConnectorContext): Promise<DataTable> {
    return run(config, context, undefined);
  },
  async *batches(config: PostgresConfig, options: BatchOptions = {}, context?: ConnectorContext): AsyncGenerator<DataTable> {
    const size = checkBatchSize(options.batchSize, DEFAULT_BATCH_SIZE);
    const { client, c } = await connect(config, context);
    const source = `${c.table ?? 'query'} @ ${where(c)}`;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE stratum_cursor NO SCROLL CURSOR FOR ${sqlOf(c)}`);
      for (;;) {
        const result = (await client.query({ text: `FETCH ${size} FROM stratum_cursor`, rowMode: 'array' })) as unknown as { fields: Array<{ name: string; dataTypeID?: number }>; rows: unknown[][] };
        if (result.rows.length === 0) break;
        yield toTable(result, source);
        if (result.rows.length < size) break;
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error instanceof StratumError ? error : pgError(error, c);
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
