/**
 * HTTP JSON API connector ({@link httpConnector}) via the global `fetch`: URL, headers and query
 * (values may be `{ secret }` references, e.g. an API key), a records path (`data.items`),
 * pagination by page number, offset or cursor, a per-request timeout, and retries with exponential
 * backoff on 429 and 5xx answers and on dropped connections (honouring `Retry-After`).
 */
import { recordsToTable, parseJsonExact, recordsAt } from '../json/json.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import type { SecretRef } from '../../core/secrets/secrets.ts';
import { firstRows, secretValue, validateConfig } from '../common.ts';
import type { BatchOptions, Connector, ConnectorContext, ConnectorTestResult } from '../types.ts';
import { HTTP_SCHEMA as schema } from '../schemas.ts';

/** How the API pages its results. */
export type HttpPagination =
  | { type: 'none' }
  /** `?page=1`, `?page=2`, ... until a page has no records (or fewer than `size`). */
  | { type: 'page'; param?: string; start?: number; sizeParam?: string; size?: number }
  /** `?offset=0&limit=100`, `?offset=100&limit=100`, ... until a page has fewer than `limit` records. */
  | { type: 'offset'; param?: string; limitParam?: string; limit: number }
  /** `?cursor=<value at cursorPath of the previous body>` until that value is missing, null or empty. */
  | { type: 'cursor'; param?: string; cursorPath: string };

/** Config of the HTTP JSON connector. */
export interface HttpConfig {
  /** `http://` or `https://` URL. */
  url: string;
  /** Request headers; a value may be a stored secret (e.g. `Authorization`). */
  headers?: Record<string, string | SecretRef>;
  /** Query parameters added to the URL; a value may be a stored secret. */
  query?: Record<string, string | number | boolean | SecretRef>;
  /** Dot path to the array of records in each body, e.g. `data.items`; default the body itself. */
  recordsPath?: string;
  /** Pagination; default none. */
  pagination?: HttpPagination;
  /** Per-request timeout in milliseconds; default 30000. */
  timeoutMs?: number;
  /** Retries after a 429/5xx answer or a dropped connection; default 3. */
  retries?: number;
  /** First backoff delay in milliseconds (then doubled each retry, capped at 30 s); default 500. */
  retryDelayMs?: number;
  /** Stop after this many pages; default 1000. */
  maxPages?: number;
}


const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });

/** The value at a dot path, or undefined. */
function valueAt(body: unknown, path: string): unknown {
  let v = body;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

interface Prepared {
  c: HttpConfig;
  headers: Record<string, string>;
  base: URL;
}

async function prepare(config: HttpConfig, context: ConnectorContext | undefined): Promise<Prepared> {
  const c = validateConfig<HttpConfig>('http', schema, config);
  let base: URL;
  try {
    base = new URL(c.url);
  } catch (error) {
    throw new StratumError('CONNECTOR_CONFIG', `invalid URL ${JSON.stringify(c.url)}`, { detail: { field: 'url' }, hint: 'Give a full http:// or https:// URL.', cause: error });
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(c.headers ?? {})) headers[k] = (await secretValue(v, context))!;
  for (const [k, v] of Object.entries(c.query ?? {})) base.searchParams.set(k, typeof v === 'object' ? (await secretValue(v, context))! : String(v));
  return { c, headers, base };
}

/** Redacts query values that came from secrets, for messages. */
function shown(url: URL, c: HttpConfig): string {
  const copy = new URL(url);
  for (const [k, v] of Object.entries(c.query ?? {})) if (typeof v === 'object') copy.searchParams.set(k, '***');
  return copy.toString();
}

/** GETs one URL and parses its JSON body, with timeout and retries. */
async function getJson(url: URL, p: Prepared, signal: AbortSignal | undefined): Promise<unknown> {
  const { c } = p;
  const retries = c.retries ?? 3;
  const timeoutMs = c.timeoutMs ?? 30_000;
  const name = shown(url, c);
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers: p.headers, signal: combined, redirect: 'follow' });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted && !(signal?.aborted ?? false)) {
        throw new StratumError('SOURCE_TIMEOUT', `GET ${name}: no complete answer within ${timeoutMs} ms`, { detail: { host: url.host, url: name }, hint: 'Raise timeoutMs, or check that the server is up.', cause: error });
      }
      if (signal?.aborted === true) throw error;
      const code = ((error as { cause?: { code?: string } }).cause?.code) ?? '';
      if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(code)) {
        throw new StratumError('SOURCE_UNREACHABLE', `GET ${name}: cannot reach ${url.host} (${code})`, { detail: { host: url.host, url: name }, hint: 'Check the URL and that the server is running.', cause: error });
      }
      if (attempt < retries) {
        await sleep(backoff(c, attempt, undefined), signal);
        continue;
      }
      throw new StratumError('SOURCE_UNREACHABLE', `GET ${name}: connection failed after ${attempt + 1} attempt(s): ${(error as Error).message}${code ? ` (${code})` : ''}`, { detail: { host: url.host, url: name }, hint: 'Check the network and the server.', cause: error });
    }
    const status = response.status;
    if ((status === 429 || status >= 500) && attempt < retries) {
      await sleep(backoff(c, attempt, response.headers.get('retry-after')), signal);
      continue;
    }
    if (status >= 400) {
      const excerpt = text.slice(0, 200);
      const detail = { host: url.host, url: name, status, body: excerpt };
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
      if (status === 404) throw new StratumError('SOURCE_NOT_FOUND', `GET ${name}: 404 Not Found`, { detail, hint: 'Check the URL path.' });
      if (status === 401 || status === 403) throw new StratumError('SOURCE_AUTH', `GET ${name}: ${status} ${response.statusText} (credentials missing or rejected)`, { detail, hint: 'Check the Authorization header or API key secret.' });
      throw new StratumError('SOURCE_ERROR', `GET ${name}: HTTP ${status} ${response.statusText}${tries}${excerpt ? `: ${excerpt}` : ''}`, { detail, hint: status >= 500 ? 'The server failed; try again later or raise retries.' : 'Check the request (URL, query, headers).' });
    }
    try {
      return parseJsonExact(text, `GET ${name}`);
    } catch (error) {
      const type = response.headers.get('content-type') ?? 'no content-type';
      throw new StratumError('SOURCE_FORMAT', `GET ${name}: the body is not JSON (${type}): ${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? '...' : ''}`, {
        detail: { host: url.host, url: name, contentType: type },
        hint: 'Check that the URL is the API endpoint (not an HTML page) and that the request is accepted.',
        cause: error,
      });
    }
  }
}

/** Backoff before retry `attempt` (0-based): Retry-After when given (seconds or a date), else base * 2^attempt; capped at 30 s. */
function backoff(c: HttpConfig, attempt: number, retryAfter: string | null | undefined): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 30_000);
  }
  return Math.min((c.retryDelayMs ?? 500) * 2 ** attempt, 30_000);
}

/** Pages of records, one array per request, following the pagination. */
async function* pages(p: Prepared, signal: AbortSignal | undefined, limitRows: number): AsyncGenerator<Array<Record<string, unknown>>> {
  const { c } = p;
  const paging = c.pagination ?? { type: 'none' };
  const maxPages = c.maxPages ?? 1000;
  let rows = 0;
  let cursor: string | undefined;
  for (let k = 0; k < maxPages && rows < limitRows; k++) {
    const url = new URL(p.base);
    if (paging.type === 'page') {
      url.searchParams.set(paging.param ?? 'page', String((paging.start ?? 1) + k));
      if (paging.sizeParam !== undefined && paging.size !== undefined) url.searchParams.set(paging.sizeParam, String(paging.size));
    } else if (paging.type === 'offset') {
      url.searchParams.set(paging.param ?? 'offset', String(k * paging.limit));
      url.searchParams.set(paging.limitParam ?? 'limit', String(paging.limit));
    } else if (paging.type === 'cursor' && cursor !== undefined) {
      url.searchParams.set(paging.param ?? 'cursor', cursor);
    }
    const body = await getJson(url, p, signal);
    const records = recordsAt(body, c.recordsPath, `GET ${shown(url, c)}`);
    if (records.length > 0) yield records;
    rows += records.length;
    if (paging.type === 'none') return;
    if (records.length === 0) return;
    if (paging.type === 'page' && paging.size !== undefined && records.length < paging.size) return;
    if (paging.type === 'offset' && records.length < paging.limit) return;
    if (paging.type === 'cursor') {
      const next = valueAt(body, paging.cursorPath);
      if (next === undefined || next === null || next === '') return;
      cursor = String(next);
    }
  }
}

async function collect(config: HttpConfig, context: ConnectorContext | undefined, limit: number): Promise<DataTable> {
  const p = await prepare(config, context);
  const all: Array<Record<string, unknown>> = [];
  for await (const page of pages(p, context?.signal, limit)) all.push(...page);
  return recordsToTable(all.slice(0, limit), shown(p.base, p.c));
}

/** HTTP JSON APIs. */
export const httpConnector: Connector<HttpConfig> = {
  id: 'http',
  title: 'HTTP JSON API',
  configSchema: schema,
  async test(config: HttpConfig, context?: ConnectorContext): Promise<ConnectorTestResult> {
    const p = await prepare(config, context);
    for await (const page of pages(p, context?.signal, 1)) {
      const t = recordsToTable(page, shown(p.base, p.c));
      return { ok: true, message: `GET ${shown(p.base, p.c)}: first page has ${t.rowCount} records with fields ${t.columns.map((col) => col.name).join(', ')}` };
    }
    return { ok: true, message: `GET ${shown(p.base, p.c)}: answered with no records` };
  },
  async preview(config: HttpConfig, n: number, context?: ConnectorContext): Promise<DataTable> {
    return firstRows(await collect(config, context, Math.max(0, Math.floor(n))), n);
  },
  load(config: HttpConfig, context?: ConnectorContext): Promise<DataTable> {
    return collect(config, context, Number.POSITIVE_INFINITY);
  },
  async *batches(config: HttpConfig, _options: BatchOptions = {}, context?: ConnectorContext): AsyncGenerator<DataTable> {
    const p = await prepare(config, context);
    for await (const page of pages(p, context?.signal, Number.POSITIVE_INFINITY)) yield recordsToTable(page, shown(p.base, p.c));
  },
};
