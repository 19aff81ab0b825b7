/**
 * Helpers shared by the connectors: config validation against the JSON Schema, secret
 * resolution, file checks, and splitting a table into batches.
 */
import { stat } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { headTable, tableFromValueColumns } from '../core/data/columns.ts';
import type { DataTable, ValueInferenceOptions } from '../core/data/columns.ts';
import { StratumError } from '../core/errors.ts';
import { FileSecretStore, resolveSecret } from '../core/secrets/secrets.ts';
import type { SecretRef, SecretSource } from '../core/secrets/secrets.ts';
import type { ConnectorContext, JsonSchema } from './types.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const validators = new WeakMap<JsonSchema, ValidateFunction>();

/** A field path for messages: `/` for the config itself, else Ajv's instance path (`/password`). */
const at = (instancePath: string): string => instancePath || '/';

/** The property names a `oneOf` of `{ required: [...] }` branches chooses between (`['table', 'query']`), else undefined. */
function requiredAlternatives(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const names: string[] = [];
  for (const branch of schema as unknown[]) {
    const required = (branch as { required?: unknown } | null)?.required;
    if (!Array.isArray(required) || required.length !== 1 || typeof required[0] !== 'string') return undefined;
    names.push(required[0]);
  }
  return names;
}

/** `a non-empty string`, `an integer >= 0`: a scalar schema in words, else undefined. */
function scalarInWords(schema: unknown): string | undefined {
  const x = schema as { type?: unknown; minLength?: unknown; minimum?: unknown; maximum?: unknown } | null;
  if (x === null || typeof x !== 'object') return undefined;
  const bounds = `${typeof x.minimum === 'number' ? ` >= ${x.minimum}` : ''}${typeof x.maximum === 'number' ? ` <= ${x.maximum}` : ''}`;
  switch (x.type) {
    case 'string':
      return typeof x.minLength === 'number' && x.minLength > 0 ? 'a non-empty string' : 'a string';
    case 'integer':
      return `an integer${bounds}`;
    case 'number':
      return `a number${bounds}`;
    case 'boolean':
      return 'true or false';
    default:
      return undefined;
  }
}

/** `table or query`, `a, b or c`. */
const orList = (names: readonly string[]): string => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`);

/**
 * What a user should read for one Ajv error: the field and a sentence saying what to do (a choice
 * between fields, a stored secret instead of a password in clear, the allowed values, the unknown
 * field's name and the known ones), else Ajv's own message.
 */
function describeConfigError(e: ErrorObject): { field: string; message: string; ownField?: true } {
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  if (e.keyword === 'oneOf') {
    const names = requiredAlternatives(e.schema);
    if (names !== undefined) {
      const matched = (e.params as { passingSchemas?: unknown }).passingSchemas;
      const field = `${e.instancePath}/${names[0]!}`;
      const where = e.instancePath === '' ? '' : ` in ${e.instancePath}`;
      return Array.isArray(matched)
        ? { field, message: `give ${orList(names)}${where}, not both`, ownField: true }
        : { field, message: `give ${orList(names)}${where}`, ownField: true };
    }
    const words = scalarAlternatives(e.schema);
    if (words !== undefined) return { field: at(e.instancePath), message: `must be ${orList(words)}` };
  }
  if (e.keyword === 'const') return { field: at(e.instancePath), message: `must be ${JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue)}` };
  if (isSecretRefError(e) && (e.keyword === 'type' || e.keyword === 'additionalProperties' || e.keyword === 'required')) {
    const name = e.instancePath.split('/').pop() ?? 'value';
    const how = `store the value once with \`stratum secrets set NAME\` (it prompts for it), then give ${name}: { secret: 'NAME' }`;
    return e.keyword === 'type'
      ? { field: e.instancePath, message: `takes a stored secret reference { secret: 'NAME' }, not the value itself: ${how}` }
      : { field: e.instancePath, message: `must be exactly { secret: 'NAME' }, the name of a stored secret: ${how}` };
  }
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return { field: `${e.instancePath}/${missing}`, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    const known = Object.keys(parent?.properties ?? {});
    return { field: `${e.instancePath}/${extra}`, message: `is not a known field${known.length === 0 ? '' : `; the fields are ${known.join(', ')}`}` };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { field: at(e.instancePath), message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { field: at(e.instancePath), message: e.message ?? 'is invalid' };
}

/** The words of each branch of a `oneOf` of scalar schemas (`['a non-empty string', 'an integer >= 0']`), else undefined. */
function scalarAlternatives(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const words = (schema as unknown[]).map(scalarInWords);
  return words.every((w): w is string => w !== undefined) ? words : undefined;
}

/** An error of a field whose schema is a secret reference `{ secret }` itself (not one branch of a choice). */
const isSecretRefError = (e: ErrorObject): boolean => (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties?.['secret'] !== undefined && !e.schemaPath.includes('/oneOf/');

/**
 * The errors worth showing, most useful first: an error inside a branch of a `oneOf` that the
 * `oneOf` error itself describes (a choice of fields, of scalar types) is left out.
 */
function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf' && (requiredAlternatives(e.schema) !== undefined || scalarAlternatives(e.schema) !== undefined)).map((e) => `${e.schemaPath}/`);
  const kept = errors.filter((e) => !oneOfs.some((prefix) => e.schemaPath.startsWith(prefix)));
  // An unknown field first (often a misspelt one that is then reported missing), then a
  // secret-reference error (it says what to do), then in Ajv's order.
  const rank = (e: ErrorObject): number => (e.keyword === 'additionalProperties' ? 0 : isSecretRefError(e) ? 1 : 2);
  return kept.map((e, k) => ({ e, k })).sort((a, b) => rank(a.e) - rank(b.e) || a.k - b.k).map((x) => x.e);
}

/**
 * Checks a config against a connector's JSON Schema (2020-12).
 * @throws {StratumError} `CONNECTOR_CONFIG` naming the wrong field and what to do, e.g.
 *   `sqlite config: give table or query, not both`, `postgres config: /password takes a stored
 *   secret reference { secret: 'NAME' } ...`; `detail.errors` lists every problem.
 */
export function validateConfig<Config>(connectorId: string, schema: JsonSchema, config: unknown): Config {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (!validate(config)) {
    const described = usefulErrors(validate.errors ?? []).map(describeConfigError);
    const sentence = (d: { field: string; message: string; ownField?: true }): string => (d.ownField === true ? d.message : `${d.field} ${d.message}`);
    const first = described[0] ?? { field: '/', message: 'is invalid' };
    const all = [...new Set(described.map(sentence))].join('; ');
    throw new StratumError('CONNECTOR_CONFIG', `${connectorId} config: ${sentence(first)}`, {
      detail: { field: first.field, errors: all },
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

/**
 * Renames empty and repeated column names the way pandas does (`read_csv`'s mangle_dupe_cols):
 * an empty name becomes `Unnamed: i` (0-based position), the second `a` becomes `a.1`, the third
 * `a.2` (skipping names already taken), each with a `note` saying so. Every connector names its
 * columns through this (CSV and Excel headers, SQL result columns, Parquet fields, JSON keys), so
 * a DataFrame never gets two columns of one name.
 *
 * @example
 * uniqueNames(['a', 'a', '']) // [{ name: 'a' }, { name: 'a.1', note: ... }, { name: 'Unnamed: 2', note: ... }]
 */
export function uniqueNames(header: readonly string[]): Array<{ name: string; note?: string }> {
  const taken = new Set(header);
  const seen = new Set<string>();
  return header.map((raw, i) => {
    let name = raw;
    let note: string | undefined;
    if (name.trim().length === 0) {
      name = `Unnamed: ${i}`;
      note = `header field ${i + 1} was empty; named "${name}"`;
    }
    if (seen.has(name)) {
      let k = 1;
      while (taken.has(`${name}.${k}`) || seen.has(`${name}.${k}`)) k++;
      note = `header "${name}" repeats; renamed "${name}.${k}"`;
      name = `${name}.${k}`;
    }
    seen.add(name);
    taken.add(name);
    return note === undefined ? { name } : { name, note };
  });
}

/** One named column of typed values, as a typed source (SQL, Parquet, JSON) gives it. */
export interface SourceColumn {
  /** Name in the source (may be empty or repeat another). */
  name: string;
  /** One value per row. */
  values: readonly unknown[];
  /** Timestamp convention of its `Date` values (see `ValueInferenceOptions.timestamps`). */
  timestamps?: 'utc' | 'naive';
  /**
   * Kind the source declares for the column (SQL `INTEGER`/`REAL`, a Parquet physical type), used
   * when the values cannot tell: a column with no non-missing value, or a `float` column whose
   * values all happen to be whole numbers. `undefined`: inferred from the values only.
   */
  declared?: 'integer' | 'float' | 'boolean' | 'string';
}

const DECLARED_DTYPE = { integer: 'int32', float: 'float32', boolean: 'bool', string: 'string' } as const;

/**
 * The typed table of a typed source's columns: names made unique by {@link uniqueNames} (the note
 * says how), values typed by `tableFromValueColumns` of core/data/columns.ts, and the declared
 * kind of {@link SourceColumn.declared} applied where the values cannot tell, with a note: a
 * column with no value (an empty table, all NULL) gets the declared kind (an empty `INTEGER`
 * column is `integer`, not `string`), and a declared `float` column of whole numbers (`REAL` 1.0,
 * 2.0) stays `float`, as pandas keeps a float64 column float64.
 */
export function tableFromSourceColumns(columns: readonly SourceColumn[], options: ValueInferenceOptions & { source?: string } = {}): DataTable {
  const names = uniqueNames(columns.map((c) => c.name));
  const table = tableFromValueColumns(columns.map((c, k) => ({ name: names[k]!.name, values: c.values, ...(c.timestamps === undefined ? {} : { timestamps: c.timestamps }) })), options);
  table.columns = table.columns.map((column, k) => {
    const notes = [names[k]!.note, column.note];
    const declared = columns[k]!.declared;
    let typed = column;
    if (declared !== undefined && column.values.length === column.missing && column.kind !== declared) {
      typed = { ...column, dtype: DECLARED_DTYPE[declared], kind: declared };
      notes.push(`${declared} as declared by the source (no values to infer from)`);
    } else if (declared === 'float' && column.kind === 'integer') {
      typed = { ...column, dtype: 'float32', kind: 'float' };
      notes.push('float as declared by the source (its values are whole numbers)');
    }
    const note = notes.filter((n): n is string => n !== undefined).join('; ');
    return note.length === 0 ? typed : { ...typed, note };
  });
  return table;
}

