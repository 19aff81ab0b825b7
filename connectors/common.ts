/**
 * Helpers shared by the connectors: config validation against the JSON Schema, secret
 * resolution, file checks, and splitting a table into batches.
 */
import { stat } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { headTable } from '../core/data/columns.ts';
import type { DataTable } from '../core/data/columns.ts';
import { StratumError } from '../core/errors.ts';
import { FileSecretStore, resolveSecret } from '../core/secrets/secrets.ts';
import type { SecretRef, SecretSource } from '../core/secrets/secrets.ts';
import type { ConnectorContext, JsonSchema } from './types.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Checks a config against a connector's JSON Schema (2020-12).
 * @throws {StratumError} `CONNECTOR_CONFIG` naming the first wrong field and what is wrong.
 */
export function validateConfig<Config>(connectorId: string, schema: JsonSchema, config: unknown): Config {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (!validate(config)) {
    const first = validate.errors?.[0];
    const field = first === undefined ? '' : `${first.instancePath}${first.keyword === 'required' ? `/${String((first.params as { missingProperty?: string }).missingProperty)}` : ''}`;
    const all = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new StratumError('CONNECTOR_CONFIG', `${connectorId} config: ${field || '/'} ${first?.message ?? 'is invalid'}`, {
      detail: { field, errors: all },
      hint: 'Fix the connection settings; the form shows which fields are required.',
    });
  }
  return config as Config;
}

/** The secret source of a context (default: the user's secrets file). */
export function secretSource(context: ConnectorContext | undefined): SecretSource {
  return context?.secrets ?? new FileSecretStore();
}

/** Resolves a `string | { secret }` config value (see {@link resolveSecret}). */
export async function secretValue(value: string | SecretRef | undefined, context: ConnectorContext | undefined): Promise<string | undefined> {
  return resolveSecret(value, secretSource(context));
}

/**
 * Checks that `path` is a readable regular file.
 * @throws {StratumError} `FILE_NOT_FOUND` naming the path.
 */
export async function checkFile(path: string, what: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return info.size;
  } catch (error) {
    throw new StratumError('FILE_NOT_FOUND', `${what} file not found: ${path}`, {
      detail: { path },
      hint: "Check the path; relative paths start from the notebook's working directory.",
      cause: error,
    });
  }
}

/** Splits a loaded table into batches of at most `size` rows (for sources that cannot stream natively). */
export async function* tableBatches(table: DataTable, size: number): AsyncGenerator<DataTable> {
  for (let start = 0; start < table.rowCount; start += size) {
    const end = Math.min(table.rowCount, start + size);
    yield {
      ...table,
      rowCount: end - start,
      columns: table.columns.map((c) => {
        const values = c.values.slice(start, end);
        return { ...c, values, missing: values.reduce<number>((k, v) => k + (v === null ? 1 : 0), 0) };
      }),
    };
  }
}

/** The first `n` rows (see {@link headTable}); `n` is clamped to >= 0. */
export function firstRows<T extends DataTable>(table: T, n: number): T {
  return headTable(table, Math.max(0, Math.floor(n)));
}

/** Checks a batch size option. */
export function batchSize(size: number | undefined, fallback: number): number {
  const n = size ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new StratumError('CONNECTOR_CONFIG', `batchSize must be a positive integer, got ${String(size)}`, { detail: { field: 'batchSize' } });
  return n;
}
