/**
 * SQLite connector ({@link sqliteConnector}) via better-sqlite3: a table or a read-only query of
 * a database file, opened read-only. Integers are read as `bigint` (safeIntegers), so values
 * beyond ±(2^53-1) stay exact (as text, reported); others become numbers. BLOBs become base64
 * text (reported). SQLite has no date type: ISO-8601 text columns get kind `date`.
 */
import Database from 'better-sqlite3';
import type { DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import { batchSize as checkBatchSize, checkFile, tableFromSourceColumns, validateConfig } from '../common.ts';
import type { SourceColumn } from '../common.ts';
import type { BatchOptions, Connector, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { SQLITE_SCHEMA as schema } from '../schemas.ts';

/** Config of the SQLite connector: `table` or `query`, not both. */
export interface SqliteConfig {
  /** Path of the database file. */
  path: string;
  /** Table (or view) to read whole. */
  table?: string;
  /** A read-only SQL query (SELECT / WITH ...). */
  query?: string;
}


/** SQL text for a config: the query, or `SELECT * FROM "table"` with the name quoted. */
export function sqlOf(c: { table?: string; query?: string }): string {
  return c.query ?? `SELECT * FROM "${c.table!.replaceAll('"', '""')}"`;
}

async function openDb(config: SqliteConfig): Promise<{ db: Database.Database; c: SqliteConfig }> {
  const c = validateConfig<SqliteConfig>('sqlite', schema, config);
  await checkFile(c.path, 'SQLite');
  let db: Database.Database | undefined;
  let tables: string[];
  try {
    db = new Database(c.path, { readonly: true, fileMustExist: true });
    tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  } catch (error) {
    db?.close();
    throw new StratumError('SOURCE_FORMAT', `${c.path} is not a readable SQLite database: ${(error as Error).message}`, {
      detail: { path: c.path },
      hint: 'Check that the file is a complete SQLite 3 database (not truncated, not encrypted).',
      cause: error,
    });
  }
  if (c.table !== undefined) {
    if (!tables.includes(c.table)) {
      db.close();
      throw new StratumError('SOURCE_NOT_FOUND', `${c.path}: no table "${c.table}"; tables: ${tables.length === 0 ? '(none)' : tables.join(', ')}`, {
        detail: { path: c.path, field: 'table', tables },
        hint: tables.length === 0 ? 'The database holds no tables.' : `Use one of: ${tables.join(', ')}.`,
      });
    }
  }
  return { db, c };
}

function prepare(db: Database.Database, c: SqliteConfig): Database.Statement {
  try {
    const stmt = db.prepare(sqlOf(c));
    if (!stmt.reader) throw new Error('the statement returns no rows (only SELECT-like queries are read)');
    return stmt.safeIntegers(true).raw(true);
  } catch (error) {
    throw new StratumError('SOURCE_ERROR', `${c.path}: query failed: ${(error as Error).message}`, {
      detail: { path: c.path, field: c.query === undefined ? 'table' : 'query' },
      hint: 'Check the SQL (table and column names).',
      cause: error,
    });
  }
}

/**
 * The kind a column's declared SQL type gives, by SQLite's type affinity rules
 * (https://www.sqlite.org/datatype3.html section 3.1: a type containing INT has INTEGER affinity;
 * CHAR, CLOB or TEXT: TEXT; REAL, FLOA or DOUB: REAL); `undefined` for NUMERIC and BLOB affinity
 * and for expressions (no declared type).
 */
export function sqliteDeclaredKind(declaredType: string | null): 'integer' | 'float' | 'string' | undefined {
  if (declaredType === null) return undefined;
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'string';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'float';
  return undefined;
}

/**
 * A batch's columns with their declared kinds: the SQL type's affinity, else `float` when every
 * value present is stored as REAL (safeIntegers gives INTEGER storage as `bigint`, REAL as
 * `number`), so `SELECT 1.0` stays a float.
 */
function sourceColumns(names: readonly string[], declared: ReadonlyArray<'integer' | 'float' | 'string' | undefined>, values: ReadonlyArray<readonly unknown[]>): SourceColumn[] {
  return names.map((name, k) => {
    const v = values[k]!;
    const kind = declared[k] ?? (v.some((x) => typeof x === 'number') && v.every((x) => x === null || typeof x === 'number') ? 'float' : undefined);
    return { name, values: v, ...(kind === undefined ? {} : { declared: kind }) };
  });
}

/** Reads up to `limit` rows per yielded table, `batch` rows at a time. */
function* readBatches(db: Database.Database, c: SqliteConfig, batch: number, limit: number): Generator<DataTable> {
  const stmt = prepare(db, c);
  const names = stmt.columns().map((col) => col.name);
  const declared = stmt.columns().map((col) => sqliteDeclaredKind(col.type));
  let columns = names.map((name) => ({ name, values: [] as unknown[] }));
  let rows = 0;
  let total = 0;
  const rowsOf = stmt.iterate() as IterableIterator<unknown[]>;
  for (;;) {
    let next: IteratorResult<unknown[]>;
    try {
      next = rowsOf.next();
    } catch (error) {
      throw new StratumError('SOURCE_FORMAT', `${c.path}: reading rows failed: ${(error as Error).message}`, { detail: { path: c.path, row: total }, hint: 'The database may be corrupt or truncated.', cause: error });
    }
    if (next.done === true) break;
    const row = next.value;
    if (total >= limit) {
      rowsOf.return?.();
      break;
    }
    for (let k = 0; k < names.length; k++) columns[k]!.values.push(row[k]);
    rows++;
    total++;
    if (rows === batch) {
      yield tableFromSourceColumns(sourceColumns(names, declared, columns.map((col) => col.values)), { source: c.path });
      columns = names.map((name) => ({ name, values: [] as unknown[] }));
      rows = 0;
    }
  }
  if (rows > 0 || total === 0) yield tableFromSourceColumns(sourceColumns(names, declared, columns.map((col) => col.values)), { source: c.path });
}

async function readAll(config: SqliteConfig, limit: number): Promise<DataTable> {
  const { db, c } = await openDb(config);
  try {
    for (const t of readBatches(db, c, Number.POSITIVE_INFINITY, limit)) return t;
    throw new Error('unreachable: readBatches yields at least once');
  } finally {
    db.close();
  }
}

/** SQLite database files (table or query). */
export const sqliteConnector: Connector<SqliteConfig> = {
  id: 'sqlite',
  title: 'SQLite database',
  configSchema: schema,
  async test(config: SqliteConfig): Promise<ConnectorTestResult> {
    const t = await readAll(config, 1);
    return { ok: true, message: `${config.path}: ${config.table === undefined ? 'query' : `table "${config.table}"`} gives columns ${t.columns.map((col) => col.name).join(', ')}` };
  },
  preview(config: SqliteConfig, n: number): Promise<DataTable> {
    return readAll(config, Math.max(0, Math.floor(n)));
  },
  load(config: SqliteConfig): Promise<DataTable> {
    return readAll(config, Number.POSITIVE_INFINITY);
  },
  async *batches(config: SqliteConfig, options: BatchOptions = {}): AsyncGenerator<DataTable> {
    const size = checkBatchSize(options.batchSize, DEFAULT_BATCH_SIZE);
    const { db, c } = await openDb(config);
    try {
      for (const t of readBatches(db, c, size, Number.POSITIVE_INFINITY)) if (t.rowCount > 0) yield t;
    } finally {
      db.close();
    }
  },
};
