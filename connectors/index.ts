/**
 * Registry of the built-in connectors: look one up by id, list them for the UI (id, title, config
 * schema, whether it streams), and load any source into a Danfo DataFrame in one call.
 */
import type * as dfd from 'danfojs-node';
import { dataTableToDataFrame } from '../core/data/frame.ts';
import type { DataTable } from '../core/data/columns.ts';
import { StratumError } from '../core/errors.ts';
import { csvConnector, tsvConnector } from './csv/connector.ts';
import { excelConnector } from './excel/excel.ts';
import { httpConnector } from './http/http.ts';
import { jsonConnector, ndjsonConnector } from './json/json.ts';
import { parquetConnector } from './parquet/parquet.ts';
import { postgresConnector } from './postgres/postgres.ts';
import { sqliteConnector } from './sqlite/sqlite.ts';
import type { Connector, ConnectorContext, JsonSchema } from './types.ts';

export type { BatchOptions, Connector, ConnectorContext, ConnectorTestResult, JsonSchema } from './types.ts';
export type { CsvConfig } from './csv/connector.ts';
export type { ExcelConfig } from './excel/excel.ts';
export type { HttpConfig, HttpPagination } from './http/http.ts';
export type { JsonConfig, NdjsonConfig } from './json/json.ts';
export type { ParquetConfig } from './parquet/parquet.ts';
export type { PostgresConfig } from './postgres/postgres.ts';
export type { SqliteConfig } from './sqlite/sqlite.ts';

/** Every built-in connector, in menu order. */
export const CONNECTORS: ReadonlyArray<Connector<unknown>> = [
  csvConnector,
  tsvConnector,
  jsonConnector,
  ndjsonConnector,
  excelConnector,
  parquetConnector,
  sqliteConnector,
  postgresConnector,
  httpConnector,
] as ReadonlyArray<Connector<unknown>>;

/** What the UI needs to list connectors and render their forms. */
export interface ConnectorSummary {
  /** Connector id. */
  id: string;
  /** Human name. */
  title: string;
  /** JSON Schema (2020-12) of the config. */
  configSchema: JsonSchema;
  /** True when the connector has `batches()`. */
  streams: boolean;
}

/** Summaries of all connectors, in menu order. */
export function listConnectors(): ConnectorSummary[] {
  return CONNECTORS.map((c) => ({ id: c.id, title: c.title, configSchema: c.configSchema, streams: c.batches !== undefined }));
}

/**
 * The connector with this id.
 * @throws {StratumError} `CONNECTOR_UNKNOWN` naming the known ids.
 */
export function getConnector(id: string): Connector<unknown> {
  const found = CONNECTORS.find((c) => c.id === id);
  if (found === undefined) {
    const ids = CONNECTORS.map((c) => c.id).join(', ');
    throw new StratumError('CONNECTOR_UNKNOWN', `no connector "${id}"; known: ${ids}`, { detail: { field: 'connector' }, hint: `Use one of: ${ids}.` });
  }
  return found;
}

/**
 * Loads a source into a table with the connector `id`.
 * @example
 * const table = await loadTable('sqlite', { path: 'shop.db', table: 'orders' });
 * @throws {StratumError} `CONNECTOR_UNKNOWN`, `CONNECTOR_CONFIG`, or the connector's own errors.
 */
export async function loadTable(id: string, config: unknown, context?: ConnectorContext): Promise<DataTable> {
  return getConnector(id).load(config, context);
}

/**
 * Loads a source into a Danfo DataFrame (the table's coercion report is on the returned table of
 * {@link loadTable}; use that when it must be shown).
 * @throws {StratumError} as {@link loadTable}.
 */
export async function loadDataFrame(id: string, config: unknown, context?: ConnectorContext): Promise<dfd.DataFrame> {
  return dataTableToDataFrame(await loadTable(id, config, context));
}
