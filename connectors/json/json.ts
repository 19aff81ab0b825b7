/**
 * JSON connectors: a JSON array of records ({@link jsonConnector}) and newline-delimited JSON
 * ({@link ndjsonConnector}, streamed line by line), plus the JSON helpers the HTTP connector
 * shares: exact parsing of big integers ({@link parseJsonExact}) and records paths
 * ({@link recordsAt}).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { recordsToColumns, reportInfinities } from '../../core/data/columns.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import { batchSize as checkBatchSize, checkFile, firstRows, tableFromSourceColumns, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorTestResult } from '../types.ts';
import { DEFAULT_BATCH_SIZE } from '../types.ts';
import { JSON_SCHEMA as jsonSchema, NDJSON_SCHEMA as ndjsonSchema } from '../schemas.ts';

/** Config of the JSON connector. */
export interface JsonConfig {
  /** File path. */
  path: string;
  /** Dot path to the array of records inside the document, e.g. `data.items`; default the document itself. */
  recordsPath?: string;
}

/** Config of the NDJSON connector. */
export interface NdjsonConfig {
  /** File path: one JSON object per line (blank lines skipped). */
  path: string;
}

const BIG_PREFIX = '\u0000stratum-bigint:';
const LONG_INT_RE = /\d{16,}/;

/**
 * `JSON.parse` that keeps integers beyond ±(2^53-1) exact: they come back as `bigint` (which
 * {@link inferValueColumn} keeps as exact strings). Other numbers are ordinary JS numbers.
 *
 * @param source - name used in error messages (file path, URL)
 * @throws {StratumError} `SOURCE_FORMAT` naming the source, the 1-based line and column, and what
 *   the parser expected (e.g. a truncated file).
 */
export function parseJsonExact(text: string, source: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const prepared = LONG_INT_RE.test(body) ? quoteBigIntegers(body) : undefined;
  try {
    if (prepared === undefined) return JSON.parse(body) as unknown;
    return JSON.parse(prepared, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(BIG_PREFIX) ? BigInt(value.slice(BIG_PREFIX.length)) : value)) as unknown;
  } catch (error) {
    throw jsonError(error, body, source);
  }
}

/** Wraps integer literals that a double cannot hold exactly in marked strings (outside JSON strings). */
function quoteBigIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      // skip a string
      i++;
      while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i++;
      continue;
    }
    if (ch === 45 || (ch >= 48 && ch <= 57)) {
      const start = i;
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) i++;
        else break;
      }
      const token = text.slice(start, i);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(last, start)}"\\u0000stratum-bigint:${token}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

function jsonError(error: unknown, text: string, source: string): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const match = /position (\d+)/.exec(error.message);
  let line: number | undefined;
  let column: number | undefined;
  let atEnd = /end of JSON input|Unterminated string/.test(error.message);
  if (match !== null) {
    if (Number(match[1]) >= text.trimEnd().length) atEnd = true;
    const pos = Number(match[1]);
    const before = text.slice(0, pos);
    line = before.split('\n').length;
    column = pos - before.lastIndexOf('\n');
  } else if (/end of JSON input/.test(error.message)) {
    line = text.split('\n').length;
  }
  const truncated = atEnd;
  const nonJson = /(?:^|[\s,:[])(?:-?Infinity|NaN)(?=[\s,\]}]|$)/.exec(text)?.[0].replace(/^[\s,:[]/, '');
  const where = line === undefined ? '' : `: line ${line}${column === undefined ? '' : `, column ${column}`}`;
  return new StratumError('SOURCE_FORMAT', `${source} is not valid JSON${where}: ${error.message}${truncated ? ' (the text ends early: truncated?)' : ''}`, {
    detail: { path: source, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column, columnKind: 'character' }), ...(truncated ? { truncated } : {}) },
    hint: truncated ? 'The file or response looks cut short; fetch or save it again.' : nonJson !== undefined ? `JSON has no ${nonJson}: write null for a missing number (pandas' to_json does).` : 'Fix the JSON at that position.',
    cause: error,
  });
}

/**
 * Dot paths (under `prefix`) of the arrays of objects inside `value`, breadth first down to
 * `depth` levels, at most 10: where the records of a JSON document may be (e.g. `features` of a
 * GeoJSON FeatureCollection).
 */
function recordArrays(value: object, prefix: string, depth: number): Array<{ path: string; length: number }> {
  const found: Array<{ path: string; length: number }> = [];
  let level: Array<{ path: string; value: object }> = [{ path: prefix.replace(/\.$/, ''), value }];
  for (let d = 0; d < depth && level.length > 0 && found.length < 10; d++) {
    const next: Array<{ path: string; value: object }> = [];
    for (const node of level) {
      for (const [key, child] of Object.entries(node.value)) {
        const path = node.path === '' ? key : `${node.path}.${key}`;
        if (Array.isArray(child)) {
          if (child.length > 0 && child.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) && found.length < 10) found.push({ path, length: child.length });
        } else if (typeof child === 'object' && child !== null && !key.includes('.')) next.push({ path, value: child });
      }
    }
    level = next;
  }
  return found;
}

/**
 * The array of records at a dot path (`data.items`; empty = the value itself).
 * @throws {StratumError} `SOURCE_FORMAT` when the path does not lead to an array of objects,
 *   naming the missing key (and the keys that exist) or the first non-object element.
 */
export function recordsAt(value: unknown, path: string | undefined, source: string): Array<Record<string, unknown>> {
  let current = value;
  const keys = path === undefined || path === '' ? [] : path.split('.');
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const here = keys.slice(0, k).join('.') || 'the top level';
    if (typeof current !== 'object' || current === null || !(key in current)) {
      const available = typeof current === 'object' && current !== null ? Object.keys(current).slice(0, 20) : [];
      throw new StratumError('SOURCE_FORMAT', `${source}: no key "${key}" at ${here} (records path "${path}")`, {
        detail: { path: source, field: keys.slice(0, k + 1).join('.'), keys: available },
        hint: available.length > 0 ? `Keys there: ${available.join(', ')}.` : `The value at ${here} is not an object.`,
      });
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (!Array.isArray(current)) {
    const here = path ? `"${path}"` : 'the top level';
    const object = typeof current === 'object' && current !== null ? current : undefined;
    const isObject = object !== undefined;
    const keys = object === undefined ? [] : Object.keys(object);
    const arrays = object === undefined ? [] : recordArrays(object, path ? `${path}.` : '', 3);
    const found = isObject ? `an object with keys ${keys.slice(0, 20).join(', ')}${keys.length > 20 ? ', ...' : ''}` : current === null ? 'null' : typeof current;
    const listed = arrays.map((a) => `"${a.path}" (${a.length.toLocaleString('en')} records)`).join(', ');
    throw new StratumError('SOURCE_FORMAT', `${source}: expected an array of records at ${here}, found ${found}${arrays.length > 0 ? `; arrays of records in it: ${listed}` : ''}`, {
      detail: { path: source, field: path ?? '', keys: keys.slice(0, 20), recordPaths: arrays.map((a) => a.path) },
      hint: arrays.length > 0 ? `Set recordsPath to one of them, e.g. recordsPath: "${arrays[0]!.path}".` : isObject ? `No array of records found: set recordsPath to the key holding one (keys: ${keys.slice(0, 20).join(', ')}).` : 'Point recordsPath at an array of records.',
    });
  }
  const bad = current.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
  if (bad >= 0) {
    throw new StratumError('SOURCE_FORMAT', `${source}: record ${bad} is not an object (${JSON.stringify(current[bad])?.slice(0, 40)})`, {
      detail: { path: source, row: bad },
      hint: 'Each record must be a JSON object of field: value.',
    });
  }
  return current as Array<Record<string, unknown>>;
}

/**
 * Typed table from JSON records (see `inferValueColumn`; JSON strings are never re-typed as
 * numbers). A number beyond ±1.8e308 (`1e400`), which `JSON.parse` reads as ±Infinity, is reported
 * as a coercion with the count per column (`reportInfinities`).
 */
export function recordsToTable(records: ReadonlyArray<Record<string, unknown>>, source: string): DataTable {
  return reportInfinities(tableFromSourceColumns(recordsToColumns(records), { source }), 'number beyond ±1.8e308 (a 64-bit float) read as ±Infinity');
}


async function loadJson(config: JsonConfig): Promise<DataTable> {
  const c = validateConfig<JsonConfig>('json', jsonSchema, config);
  await checkFile(c.path, 'JSON');
  const text = await readFile(c.path, 'utf8');
  return recordsToTable(recordsAt(parseJsonExact(text, c.path), c.recordsPath, c.path), c.path);
}

/** A JSON file holding an array of records (or an object with one at `recordsPath`). */
export const jsonConnector: Connector<JsonConfig> = {
  id: 'json',
  title: 'JSON file',
  configSchema: jsonSchema,
  async test(config: JsonConfig): Promise<ConnectorTestResult> {
    const t = await loadJson(config);
    return { ok: true, message: `${config.path}: ${t.rowCount} records, ${t.columns.length} fields` };
  },
  async preview(config: JsonConfig, n: number): Promise<DataTable> {
    const c = validateConfig<JsonConfig>('json', jsonSchema, config);
    await checkFile(c.path, 'JSON');
    const records = recordsAt(parseJsonExact(await readFile(c.path, 'utf8'), c.path), c.recordsPath, c.path);
    return recordsToTable(records.slice(0, Math.max(0, n)), c.path);
  },
  load: loadJson,
};


/** Parses one NDJSON line into a record; errors name the file and the 1-based line. */
function ndjsonRecord(line: string, lineNo: number, path: string, last: boolean): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJsonExact(line, path);
  } catch (error) {
    const cause = error instanceof StratumError ? (error.cause as Error | undefined) : undefined;
    // Only a last line that ends early (unclosed object or string) looks cut off.
    const truncated = last && error instanceof StratumError && error.detail['truncated'] === true;
    const hint = error instanceof StratumError && error.hint !== undefined && /JSON has no/.test(error.hint) ? error.hint : undefined;
    throw new StratumError('SOURCE_FORMAT', `${path}: line ${lineNo} is not valid JSON: ${cause?.message ?? (error as Error).message}${truncated ? ' (last line, ends early: truncated file?)' : ''}`, {
      detail: { path, line: lineNo },
      hint: truncated ? 'The file looks cut short: save or download it again.' : (hint ?? 'Fix that line; each line must hold one complete JSON object.'),
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StratumError('SOURCE_FORMAT', `${path}: line ${lineNo} is not a JSON object`, { detail: { path, line: lineNo }, hint: 'Each line must hold one JSON object.' });
  }
  return value as Record<string, unknown>;
}

/** Records of an NDJSON file, in batches; errors name the 1-based line. */
async function* ndjsonBatches(config: NdjsonConfig, size: number): AsyncGenerator<DataTable> {
  const c = validateConfig<NdjsonConfig>('ndjson', ndjsonSchema, config);
  await checkFile(c.path, 'NDJSON');
  const lines = createInterface({ input: createReadStream(c.path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let batch: Array<Record<string, unknown>> = [];
  let lineNo = 0;
  let pending: { line: string; no: number } | undefined; // parsed one line late, to know which line is last
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim().length === 0) continue;
      if (pending !== undefined) {
        batch.push(ndjsonRecord(pending.line, pending.no, c.path, false));
        if (batch.length === size) {
          yield recordsToTable(batch, c.path);
          batch = [];
        }
      }
      pending = { line, no: lineNo };
    }
  } finally {
    lines.close();
  }
  if (pending !== undefined) batch.push(ndjsonRecord(pending.line, pending.no, c.path, true));
  if (batch.length > 0) yield recordsToTable(batch, c.path);
}

/** Newline-delimited JSON (one object per line), streamed. */
export const ndjsonConnector: Connector<NdjsonConfig> = {
  id: 'ndjson',
  title: 'NDJSON file',
  configSchema: ndjsonSchema,
  async test(config: NdjsonConfig): Promise<ConnectorTestResult> {
    const t = await this.load(config);
    return { ok: true, message: `${config.path}: ${t.rowCount} records, ${t.columns.length} fields` };
  },
  async preview(config: NdjsonConfig, n: number): Promise<DataTable> {
    for await (const batch of ndjsonBatches(config, Math.max(1, Math.floor(n)))) return firstRows(batch, n);
    return recordsToTable([], config.path);
  },
  async load(config: NdjsonConfig): Promise<DataTable> {
    const all: Array<Record<string, unknown>> = [];
    // Collect records (not typed batches) so the whole column decides the type.
    const c = validateConfig<NdjsonConfig>('ndjson', ndjsonSchema, config);
    await checkFile(c.path, 'NDJSON');
    const text = await readFile(c.path, 'utf8');
    const lines = text.split('\n');
    let last = lines.length - 1;
    while (last >= 0 && lines[last]!.trim().length === 0) last--;
    for (let i = 0; i <= last; i++) {
      const line = lines[i]!;
      if (line.trim().length === 0) continue;
      all.push(ndjsonRecord(line.endsWith('\r') ? line.slice(0, -1) : line, i + 1, c.path, i === last));
    }
    return recordsToTable(all, c.path);
  },
  batches(config: NdjsonConfig, options: BatchOptions = {}): AsyncIterable<DataTable> {
    return ndjsonBatches(config, checkBatchSize(options.batchSize, DEFAULT_BATCH_SIZE));
  },
};
