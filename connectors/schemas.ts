/**
 * The config JSON Schemas (draft 2020-12) of the built-in connectors, as plain data in a module
 * that loads no driver: the connectors validate their configs against these, and the `data.load`
 * template builds its form from them without importing pg, exceljs, better-sqlite3, polars or
 * danfojs (importing those costs seconds; a template list must not).
 */
import { DEFAULT_MISSING_VALUES } from '../core/data/columns.ts';
import { SECRET_REF_SCHEMA } from '../core/secrets/secrets.ts';
import type { JsonSchema } from './types.ts';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** Config schema of the CSV (`defaultDelimiter` undefined: sniffed) and TSV (`'\t'`) connectors. */
export function csvConfigSchema(title: string, defaultDelimiter: string | undefined): Record<string, unknown> {
  return {
    $schema: DRAFT,
    title,
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, title: 'File', description: 'Path of the file, relative to the notebook folder.' },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, title: 'Delimiter', ...(defaultDelimiter === undefined ? { description: 'Sniffed among , ; tab | when empty.' } : { default: defaultDelimiter }) },
      missingValues: { type: 'array', items: { type: 'string' }, title: 'Missing-value tokens', description: 'Values read as missing (they replace the defaults: pandas\' read_csv na_values), compared after trimming spaces, case-sensitive.', default: [...DEFAULT_MISSING_VALUES] },
      decimalComma: { type: 'boolean', title: 'Decimal comma (1,5)', default: false },
      thousands: { enum: [',', '.', ' ', "'"], title: 'Thousands separator', description: 'In numbers like 1,234.5 (","), 1.234,5 ("."), 1 234,5 (" ") or 1\'234.5 ("\'"); none when empty.' },
      encoding: { enum: ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'latin1'], title: 'Encoding', default: 'auto' },
      engine: { enum: ['auto', 'js', 'polars'], title: 'Parser', default: 'auto' },
    },
    required: ['path'],
    additionalProperties: false,
  };
}

/** Config schema of the CSV connector. */
export const CSV_SCHEMA = csvConfigSchema('CSV file', undefined);

/** Config schema of the TSV connector. */
export const TSV_SCHEMA = csvConfigSchema('TSV file', '\t');

/** Config schema of the JSON connector. */
export const JSON_SCHEMA = {
  $schema: DRAFT,
  title: 'JSON file',
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, title: 'File' },
    recordsPath: { type: 'string', title: 'Records path', description: 'Dot path to the array of records, e.g. data.items; empty for a top-level array.' },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

/** Config schema of the NDJSON connector. */
export const NDJSON_SCHEMA = {
  $schema: DRAFT,
  title: 'NDJSON file',
  type: 'object',
  properties: { path: { type: 'string', minLength: 1, title: 'File', description: 'One JSON object per line.' } },
  required: ['path'],
  additionalProperties: false,
} as const;

/** Config schema of the Excel connector. */
export const EXCEL_SCHEMA = {
  $schema: DRAFT,
  title: 'Excel workbook (.xlsx)',
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, title: 'File' },
    sheet: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }], title: 'Sheet', description: 'Name, or 0-based index; default the first sheet.' },
    headerRow: { type: 'integer', minimum: 1, default: 1, title: 'Header row' },
    missingValues: { type: 'array', items: { type: 'string' }, title: 'Missing-value tokens', description: 'Values read as missing (they replace the defaults: pandas\' read_csv na_values), compared after trimming spaces, case-sensitive.', default: [...DEFAULT_MISSING_VALUES] },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

/** Config schema of the Parquet connector. */
export const PARQUET_SCHEMA = {
  $schema: DRAFT,
  title: 'Parquet file',
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, title: 'File' },
    columns: { type: 'array', items: { type: 'string' }, uniqueItems: true, title: 'Columns', description: 'Default: all.' },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

/** Config schema of the SQLite connector (a `table` or a `query`, not both). */
export const SQLITE_SCHEMA = {
  $schema: DRAFT,
  title: 'SQLite database',
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, title: 'Database file' },
    table: { type: 'string', minLength: 1, title: 'Table' },
    query: { type: 'string', minLength: 1, title: 'SQL query', description: 'Instead of a table: a read-only SELECT.' },
  },
  required: ['path'],
  oneOf: [{ required: ['table'] }, { required: ['query'] }],
  additionalProperties: false,
} as const;

/** Config schema of the PostgreSQL connector (password only as a secret reference; a `table` or a `query`). */
export const POSTGRES_SCHEMA = {
  $schema: DRAFT,
  title: 'PostgreSQL',
  type: 'object',
  properties: {
    host: { type: 'string', minLength: 1, title: 'Host' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 5432, title: 'Port' },
    database: { type: 'string', minLength: 1, title: 'Database' },
    user: { type: 'string', minLength: 1, title: 'User' },
    password: { ...SECRET_REF_SCHEMA, title: 'Password (stored secret)' },
    table: { type: 'string', minLength: 1, title: 'Table', description: 'Optionally schema-qualified: schema.table' },
    query: { type: 'string', minLength: 1, title: 'SQL query' },
    ssl: { type: 'boolean', default: false, title: 'TLS' },
    connectTimeoutMs: { type: 'integer', minimum: 1, default: 10000, title: 'Connect timeout (ms)' },
    statementTimeoutMs: { type: 'integer', minimum: 1, title: 'Statement timeout (ms)' },
  },
  required: ['host', 'database', 'user'],
  oneOf: [{ required: ['table'] }, { required: ['query'] }],
  additionalProperties: false,
} as const;

const valueOrSecret = { oneOf: [{ type: 'string' }, SECRET_REF_SCHEMA] };

/** Config schema of the HTTP JSON connector. */
export const HTTP_SCHEMA = {
  $schema: DRAFT,
  title: 'HTTP JSON API',
  type: 'object',
  properties: {
    url: { type: 'string', pattern: '^https?://', title: 'URL' },
    headers: { type: 'object', additionalProperties: valueOrSecret, title: 'Headers' },
    query: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, SECRET_REF_SCHEMA] }, title: 'Query parameters' },
    recordsPath: { type: 'string', title: 'Records path', description: 'Dot path to the array of records, e.g. data.items' },
    pagination: {
      title: 'Pagination',
      oneOf: [
        { type: 'object', properties: { type: { const: 'none' } }, required: ['type'], additionalProperties: false },
        { type: 'object', properties: { type: { const: 'page' }, param: { type: 'string', default: 'page' }, start: { type: 'integer', default: 1, description: 'Number of the first page: 1 (default) or 0 for an API whose pages start at 0 (e.g. Spring Data). Reading a 0-based API from 1 skips page 0; with totalPath set, the table\'s notes say so (read 13 of 23 records)' }, sizeParam: { type: 'string' }, size: { type: 'integer', minimum: 1 }, totalPath: { type: 'string', minLength: 1, description: 'Dot path to the total record count in the first response, e.g. meta.total' } }, required: ['type'], additionalProperties: false },
        { type: 'object', properties: { type: { const: 'offset' }, param: { type: 'string', default: 'offset' }, limitParam: { type: 'string', default: 'limit' }, limit: { type: 'integer', minimum: 1 }, totalPath: { type: 'string', minLength: 1, description: 'Dot path to the total record count in the first response, e.g. meta.total' } }, required: ['type', 'limit'], additionalProperties: false },
        { type: 'object', properties: { type: { const: 'cursor' }, param: { type: 'string', default: 'cursor' }, cursorPath: { type: 'string', minLength: 1 } }, required: ['type', 'cursorPath'], additionalProperties: false },
      ],
    },
    timeoutMs: { type: 'integer', minimum: 1, default: 30000, title: 'Timeout (ms)' },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 3, title: 'Retries' },
    retryDelayMs: { type: 'integer', minimum: 0, default: 500, title: 'First retry delay (ms)' },
    maxPages: { type: 'integer', minimum: 1, default: 1000, title: 'Max pages' },
  },
  required: ['url'],
  additionalProperties: false,
} as const;

/** A connector's id, menu title and config schema, without its implementation. */
export interface ConnectorSchemaEntry {
  /** Connector id, as in the registry. */
  id: string;
  /** Human name. */
  title: string;
  /** JSON Schema (2020-12) of its config. */
  configSchema: JsonSchema;
}

/** Every built-in connector's schema, in the registry's menu order (connectors/index.ts `CONNECTORS`). */
export const CONNECTOR_SCHEMAS: readonly ConnectorSchemaEntry[] = [
  { id: 'csv', title: 'CSV file', configSchema: CSV_SCHEMA },
  { id: 'tsv', title: 'TSV file', configSchema: TSV_SCHEMA },
  { id: 'json', title: 'JSON file', configSchema: JSON_SCHEMA },
  { id: 'ndjson', title: 'NDJSON file', configSchema: NDJSON_SCHEMA },
  { id: 'excel', title: 'Excel workbook (.xlsx)', configSchema: EXCEL_SCHEMA },
  { id: 'parquet', title: 'Parquet file', configSchema: PARQUET_SCHEMA },
  { id: 'sqlite', title: 'SQLite database', configSchema: SQLITE_SCHEMA },
  { id: 'postgres', title: 'PostgreSQL', configSchema: POSTGRES_SCHEMA },
  { id: 'http', title: 'HTTP JSON API', configSchema: HTTP_SCHEMA },
];
