/**
 * Turning cell values into MIME bundles: what `display(value)` shows and how a cell's result is
 * rendered. Danfo DataFrames and Series become `application/vnd.stratum.table+json`, plain JSON
 * values `text/plain` (pretty JSON) plus `application/json`, everything else `text/plain` via
 * `util.inspect`. Formatters for new kinds of values are registered with {@link registerDisplayFormatter}.
 */
import { inspect } from 'node:util';
import { DEFAULT_MAX_ROWS, TABLE_MIME, dataFrameToTable, toCell, type TableCell, type TableData } from '../data/table.ts';
import type * as dfd from 'danfojs-node';
import type { MimeBundle } from '../notebook/types.ts';

/** MIME type of a Plotly figure `{ data: object[], layout?: object }`. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Symbol an object can implement (`[MIME_BUNDLE]() { return {...} }`) to choose its own display. */
export const MIME_BUNDLE = Symbol.for('stratum.mimeBundle');

/**
 * Symbol an object can implement (`[MIME_BUNDLES]() { return [bundle, ...] }`) to be shown by
 * `display(value)` as several outputs in order (e.g. a profile: its table, then its charts). Its
 * {@link MIME_BUNDLE} (or the default rendering) is still what a cell's result shows.
 */
export const MIME_BUNDLES = Symbol.for('stratum.mimeBundles');

/**
 * The bundles `display(value)` emits: those of the value's {@link MIME_BUNDLES} when it has one
 * (each made JSON-safe), otherwise the one {@link toMimeBundle}. Never throws.
 */
export function toMimeBundles(value: unknown): MimeBundle[] {
  if (typeof value === 'object' && value !== null && typeof (value as { [MIME_BUNDLES]?: unknown })[MIME_BUNDLES] === 'function') {
    try {
      const bundles = (value as { [MIME_BUNDLES]: () => unknown })[MIME_BUNDLES]();
      if (Array.isArray(bundles) && bundles.length > 0) return bundles.map((b) => toJsonSafe(b) as MimeBundle);
    } catch {
      // fall through to the single bundle
    }
  }
  return [toMimeBundle(value)];
}

/** A formatter: returns a bundle for values it knows, `undefined` for the rest. */
export type DisplayFormatter = (value: unknown) => MimeBundle | undefined;

const formatters: DisplayFormatter[] = [];

/**
 * Adds a formatter tried before the built-in ones (latest registered first), e.g. to show a
 * classification report as a table.
 *
 * @returns a function that removes the formatter
 */
export function registerDisplayFormatter(formatter: DisplayFormatter): () => void {
  formatters.unshift(formatter);
  return () => {
    const i = formatters.indexOf(formatter);
    if (i >= 0) formatters.splice(i, 1);
  };
}

/** Longest `text/plain` JSON rendering before falling back to a truncating `util.inspect`. */
const MAX_JSON_CHARS = 100_000;

/**
 * A JSON-safe copy of a value for outputs and IPC: NaN/±Infinity -> `null`, bigint -> decimal
 * string, Date -> ISO string, typed arrays -> arrays, Map -> object, Set -> array, cycles ->
 * `"[Circular]"`, functions/symbols/undefined dropped from objects (`null` in arrays).
 */
export function toJsonSafe(value: unknown, seen: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (seen.has(value)) return '[Circular]';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toJsonSafe(v, seen));
      seen.add(value);
      try {
        if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, seen) ?? null);
        if (value instanceof Set) return [...value].map((v) => toJsonSafe(v, seen) ?? null);
        const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
        const toJSON = (value as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function' && !(value instanceof Map)) return toJsonSafe((toJSON as () => unknown).call(value), seen);
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
          const safe = toJsonSafe(v, seen);
          if (safe !== undefined) out[k] = safe;
        }
        return out;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return undefined;
  }
}

interface DanfoLike {
  $isSeries: boolean;
  shape: number[];
  columns: string[];
  values: unknown[];
  dtypes: string[] | string;
}

function isDanfo(value: unknown): value is DanfoLike {
  return typeof value === 'object' && value !== null && typeof (value as { $isSeries?: unknown }).$isSeries === 'boolean' && Array.isArray((value as { shape?: unknown }).shape);
}

function seriesToTable(series: DanfoLike, maxRows: number): TableData {
  const s = series as unknown as { values: unknown[]; dtype?: string; columns?: string[] };
  const name = s.columns?.[0] ?? '0';
  return { columns: [{ name: String(name), dtype: String(s.dtype ?? 'mixed') }], rows: s.values.slice(0, maxRows).map((v) => [toCell(v)]), totalRows: s.values.length };
}

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  return true;
}

function isTensorLike(value: unknown): value is { shape: number[]; dtype: string; toString(verbose?: boolean): string } {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'shape' in value && 'dtype' in value && typeof (value as { dataSync?: unknown }).dataSync === 'function';
}

/**
 * The MIME bundle for a value, as `display(value)` and cell results show it. Never throws (a
 * failing custom formatter falls through to the built-in rendering).
 *
 * @example
 * ```ts
 * toMimeBundle({ a: 1 }); // { 'text/plain': '{\n  "a": 1\n}', 'application/json': { a: 1 } }
 * ```
 */
export function toMimeBundle(value: unknown): MimeBundle {
  for (const formatter of formatters) {
    try {
      const bundle = formatter(value);
      if (bundle) return toJsonSafe(bundle) as MimeBundle;
    } catch {
      // fall through to the next formatter
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as { [MIME_BUNDLE]?: unknown })[MIME_BUNDLE] === 'function') {
    try {
      return toJsonSafe((value as { [MIME_BUNDLE]: () => MimeBundle })[MIME_BUNDLE]()) as MimeBundle;
    } catch {
      // fall through
    }
  }
  if (typeof value === 'string') return { 'text/plain': value };
  if (isDanfo(value)) {
    const table = value.$isSeries ? seriesToTable(value, DEFAULT_MAX_ROWS) : dataFrameToTable(value as unknown as dfd.DataFrame);
    const kind = value.$isSeries ? 'Series' : 'DataFrame';
    return { [TABLE_MIME]: table, 'text/plain': `${kind} ${value.shape.join(' x ')} (columns: ${table.columns.map((c) => c.name).join(', ')})` };
  }
  if (isTensorLike(value)) return { 'text/plain': `Tensor ${value.dtype} [${value.shape.join(', ')}]\n${value.toString()}` };
  if (isPlainJson(value) && typeof value !== 'bigint' && typeof value !== 'symbol' && typeof value !== 'function' && value !== undefined) {
    try {
      const safe = toJsonSafe(value);
      const text = JSON.stringify(safe, null, 2);
      if (text !== undefined && text.length <= MAX_JSON_CHARS && typeof value === 'object' && value !== null) return { 'text/plain': text, 'application/json': safe };
    } catch {
      // fall through to inspect
    }
  }
  return { 'text/plain': inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 }) };
}

/**
 * Builds table data from records (`[{a: 1, b: 'x'}, ...]`, columns = union of keys in first-seen
 * order) or from row arrays with explicit column names. Column dtype: `int32` when every
 * non-missing value is an integer, `float32` for other numbers, `boolean`, `string`, else `mixed`
 * (Danfo's dtype names).
 *
 * @param rows - records or row arrays
 * @param options - `columns` names for row arrays; `maxRows` (default 50) rows kept in the preview
 * @throws TypeError when `rows` is not an array
 */
export function rowsToTable(rows: unknown, options: { columns?: string[]; maxRows?: number } = {}): TableData {
  if (!Array.isArray(rows)) throw new TypeError(`table(rows) expects an array of records or of row arrays, got ${rows === null ? 'null' : typeof rows}`);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  let names: string[];
  let matrix: unknown[][];
  if (rows.every((r) => Array.isArray(r))) {
    const width = Math.max(0, ...rows.map((r: unknown[]) => r.length));
    names = options.columns ?? Array.from({ length: width }, (_, i) => String(i));
    matrix = rows as unknown[][];
  } else {
    names = options.columns ? [...options.columns] : [];
    if (!options.columns) for (const r of rows) if (r !== null && typeof r === 'object') for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
    matrix = rows.map((r) => names.map((k) => (r !== null && typeof r === 'object' ? (r as Record<string, unknown>)[k] : undefined)));
  }
  const columns = names.map((name, c) => ({ name, dtype: inferDtype(matrix.map((r) => r[c])) }));
  const preview: TableCell[][] = matrix.slice(0, maxRows).map((r) => names.map((_, c) => toCell(r[c])));
  return { columns, rows: preview, totalRows: matrix.length };
}

function inferDtype(values: unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
  if (present.length === 0) return 'mixed';
  if (present.every((v) => typeof v === 'number')) return present.every((v) => Number.isInteger(v)) ? 'int32' : 'float32';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'string')) return 'string';
  return 'mixed';
}

/**
 * Normalizes a Plotly figure (`{data, layout?, config?}` or a bare array of traces) into a
 * JSON-safe `application/vnd.plotly.v1+json` payload.
 *
 * @throws TypeError when there is no `data` array of trace objects
 */
export function plotlyFigure(figure: unknown): { data: object[]; layout?: object; config?: object } {
  const f = Array.isArray(figure) ? { data: figure } : figure;
  if (f === null || typeof f !== 'object' || !Array.isArray((f as { data?: unknown }).data)) {
    throw new TypeError('plot(figure) expects a Plotly figure { data: [...traces], layout?: {...} } or an array of traces');
  }
  const { data, layout, config } = f as { data: unknown[]; layout?: unknown; config?: unknown };
  data.forEach((trace, i) => {
    if (trace === null || typeof trace !== 'object') throw new TypeError(`plot(figure): figure.data[${i}] must be a trace object, got ${trace === null ? 'null' : typeof trace}`);
  });
  return toJsonSafe({ data, ...(layout === undefined ? {} : { layout }), ...(config === undefined ? {} : { config }) }) as { data: object[]; layout?: object; config?: object };
}
