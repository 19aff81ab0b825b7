/**
 * One config object for any source: `{ kind: 'postgres', host: ..., password: { secret: 'pg-main' } }`
 * names the connector in `kind` and carries that connector's config beside it. This is what the
 * kernel's `stratum.load` / `stratum.preview` / `stratum.testConnection` and the `data.load`
 * template cell use, so a notebook holds one readable literal per source (secrets only by name).
 */
import type { DataTable } from '../core/data/columns.ts';
import { StratumError } from '../core/errors.ts';
import { CONNECTORS, getConnector } from './index.ts';
import type { Connector, ConnectorContext, ConnectorTestResult } from './types.ts';

/** A source config: the connector id in `kind`, the connector's own config fields beside it. */
export interface SourceConfig {
  /** Connector id: `csv`, `tsv`, `json`, `ndjson`, `excel`, `parquet`, `sqlite`, `postgres`, `http`. */
  kind: string;
  /** The connector's config fields (see its `configSchema`). */
  [field: string]: unknown;
}

/** A source config split into its connector and that connector's config. */
export interface ResolvedSource {
  /** The connector named by `kind`. */
  connector: Connector<unknown>;
  /** The config without `kind`. */
  config: Record<string, unknown>;
}

const kinds = (): string => CONNECTORS.map((c) => c.id).join(', ');

/**
 * Splits `{ kind, ...config }` into the connector and its config (validated later by the connector
 * against its schema, with errors naming the field).
 *
 * @throws {StratumError} `CONNECTOR_CONFIG` (field `kind`) when the config is not an object or has
 *   no `kind`; `CONNECTOR_UNKNOWN` (field `kind`) naming the known kinds.
 */
export function resolveSource(source: unknown): ResolvedSource {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new StratumError('CONNECTOR_CONFIG', `a source config must be an object like { kind: 'csv', path: 'data.csv' }, got ${source === null ? 'null' : Array.isArray(source) ? 'an array' : typeof source}`, {
      detail: { field: 'kind' },
      hint: `kind is one of: ${kinds()}.`,
    });
  }
  const { kind, ...config } = source as Record<string, unknown>;
  if (typeof kind !== 'string' || kind === '') {
    throw new StratumError('CONNECTOR_CONFIG', `source config: field 'kind' is required (the connector: one of ${kinds()})`, {
      detail: { field: 'kind' },
      hint: "Add e.g. kind: 'csv' to the config.",
    });
  }
  let connector: Connector<unknown>;
  try {
    connector = getConnector(kind);
  } catch (error) {
    throw new StratumError('CONNECTOR_UNKNOWN', `source config: field 'kind' is "${kind}", not a connector; known: ${kinds()}`, { detail: { field: 'kind' }, hint: `Use one of: ${kinds()}.`, cause: error });
  }
  return { connector, config };
}

/**
 * Loads a whole source into a typed table (with its coercion report).
 *
 * @example
 * await loadSource({ kind: 'sqlite', path: 'shop.db', table: 'orders' })
 * @throws {StratumError} as {@link resolveSource}, then the connector's errors (`CONNECTOR_CONFIG`
 *   naming the field, `FILE_NOT_FOUND`, `SOURCE_*`, `SECRET_MISSING`...).
 */
export async function loadSource(source: unknown, context?: ConnectorContext): Promise<DataTable> {
  const { connector, config } = resolveSource(source);
  return connector.load(config, context);
}

/**
 * The first `n` rows of a source.
 * @throws {StratumError} as {@link loadSource}; `CONNECTOR_CONFIG` (field `n`) when `n` is not a whole number >= 0.
 */
export async function previewSource(source: unknown, n: number, context?: ConnectorContext): Promise<DataTable> {
  if (!Number.isInteger(n) || n < 0) throw new StratumError('CONNECTOR_CONFIG', `preview: n must be a whole number >= 0, got ${String(n)}`, { detail: { field: 'n' } });
  const { connector, config } = resolveSource(source);
  return connector.preview(config, n, context);
}

/**
 * Checks that a source can be read (file parses, host answers, credentials work, table exists).
 * @throws {StratumError} as {@link loadSource}.
 */
export async function testSource(source: unknown, context?: ConnectorContext): Promise<ConnectorTestResult> {
  const { connector, config } = resolveSource(source);
  return connector.test(config, context);
}
