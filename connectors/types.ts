/**
 * The one interface every data connector implements ({@link Connector}), and what its methods
 * share: the context (secrets, abort signal) and the result of a connection test.
 *
 * A connector is data plus four functions: an id, a title, a JSON Schema (2020-12) of its config
 * that the UI renders as a form, `test()` to check a config before loading, `preview()` for the
 * first rows, `load()` for the whole source, and `batches()` for sources that can stream.
 * Everything returns the connector-neutral {@link DataTable} of core/data/columns.ts (typed
 * columns + a report of every coercion); `dataTableToDataFrame` turns it into a Danfo DataFrame.
 */
import type { DataTable } from '../core/data/columns.ts';
import type { SecretSource } from '../core/secrets/secrets.ts';

/** A JSON Schema (draft 2020-12) document, as plain JSON. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What a connector gets besides its config. */
export interface ConnectorContext {
  /** Where `{ secret: name }` references in the config are resolved; default the user's secrets file. */
  secrets?: SecretSource;
  /** Aborts a running load (HTTP requests, queries); the method then rejects. */
  signal?: AbortSignal;
}

/** Result of a successful {@link Connector.test}. */
export interface ConnectorTestResult {
  /** Always true (a failed test throws). */
  ok: true;
  /** One line for the user, e.g. `connected to postgres 16.4 at 127.0.0.1:5432; table "t" has 3 columns`. */
  message: string;
}

/** Options of {@link Connector.batches}. */
export interface BatchOptions {
  /** Rows per batch (the last one may be shorter); default {@link DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
}

/** Rows per batch when {@link BatchOptions.batchSize} is not given. */
export const DEFAULT_BATCH_SIZE = 10_000;

/**
 * A data source. `Config` is the JSON-serializable configuration described by `configSchema`;
 * credentials in it are `{ secret: name }` references, never values.
 *
 * @example
 * const csv = getConnector('csv');
 * await csv.test({ path: 'data.csv' });
 * const table = await csv.load({ path: 'data.csv' });
 */
export interface Connector<Config> {
  /** Stable id, e.g. `csv`, `postgres`. */
  readonly id: string;
  /** Human name for menus, e.g. `PostgreSQL`. */
  readonly title: string;
  /** JSON Schema (2020-12) of `Config`; the UI renders its form from it and configs are validated against it. */
  readonly configSchema: JsonSchema;
  /**
   * Checks that the source can be read with this config (file exists and parses, host answers,
   * credentials work, table exists) without loading everything.
   * @throws {StratumError} naming the file, host or table and what is wrong.
   */
  test(config: Config, context?: ConnectorContext): Promise<ConnectorTestResult>;
  /**
   * The first `n` rows, typed with the same rules as {@link Connector.load} (types are inferred
   * from the rows read, so they can differ from the full load's).
   * @throws {StratumError} as {@link Connector.test}.
   */
  preview(config: Config, n: number, context?: ConnectorContext): Promise<DataTable>;
  /**
   * The whole source as a typed table.
   * @throws {StratumError} as {@link Connector.test}.
   */
  load(config: Config, context?: ConnectorContext): Promise<DataTable>;
  /**
   * The source in batches of at most `batchSize` rows, each typed on its own rows, for data larger
   * than memory. Present only for sources that can stream (NDJSON, CSV, SQLite, PostgreSQL, HTTP pages).
   */
  batches?(config: Config, options?: BatchOptions, context?: ConnectorContext): AsyncIterable<DataTable>;
}
