/**
 * HTTP JSON API connector ({@link httpConnector}) via the global `fetch`: URL, headers and query
 * (values may be `{ secret }` references, e.g. an API key), a records path (`data.items`),
 * pagination by page number, offset or cursor, a per-request timeout, and retries with exponential
 * backoff on 429 and 5xx answers and on dropped connections (honouring `Retry-After`).
 *
 * Safety rules (docs/connectors.md, "HTTP"):
 * - redirects are followed by hand, at most {@link MAX_REDIRECTS} hops: to the same origin (or the
 *   same host upgraded from http to https) with the configured headers, to another host **without
 *   any configured header** (as `curl --location` drops credentials on a cross-host redirect, and
 *   Python requests drops `Authorization`), which is said in the table's `notes`; an https -> http
 *   downgrade, a non-http scheme or credentials in the `Location` are refused;
 * - every resolved secret value (and the value of a header whose name looks like a credential) is
 *   replaced by `***` in error messages, hints and details, including server bodies that echo it;
 * - a URL with `user:password@` is refused up front (use a header secret); ports fetch blocks
 *   ("bad port", e.g. 1, 6000, 10080) and requests fetch cannot build fail at once, without retries;
 * - pagination checks that it advances: a page identical to the previous one (unless, with
 *   `page` paging and a `size`, it is shorter than `size`: the server clamps page numbers to its
 *   last page, and that is the end), a cursor already
 *   followed, or a `cursorPath`/`totalPath` absent from the first response is an error; reaching
 *   `maxPages` adds the note `stopped at maxPages=N; more data may exist`; paging that ends
 *   short of the `totalPath` total adds `read 13 of 23 records announced at meta.total: check ...`;
 * - a body with `NaN`/`Infinity` (Python's `json.dumps` default) is refused naming the token, its
 *   line and column.
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
  /**
   * `?page=1`, `?page=2`, ... until a page has no records, the rows read reach the total at
   * `totalPath`, or (after at least one page) the server answers 404 past the last page. `start`
   * is the first page's number: 1 by default, 0 for an API whose pages start at 0 (read from 1,
   * such an API loses its page 0; with `totalPath` the notes say `read 13 of 23 records ...`).
   */
  | { type: 'page'; param?: string; start?: number; sizeParam?: string; size?: number; totalPath?: string }
  /**
   * `?offset=0&limit=100`, then `offset` = the number of records received so far (so a server that
   * caps `limit` loses nothing), until a page has no records or the rows read reach the total at
   * `totalPath`. A short page does not end the paging.
   */
  | { type: 'offset'; param?: string; limitParam?: string; limit: number; totalPath?: string }
  /**
   * `?cursor=<value at cursorPath of the previous body>` until that value is null or empty (or
   * absent after the first page). The path must exist in the first body.
   */
  | { type: 'cursor'; param?: string; cursorPath: string };

/** Config of the HTTP JSON connector. */
export interface HttpConfig {
  /** `http://` or `https://` URL, without `user:password@` (send credentials as a header secret). */
  url: string;
  /** Request headers; a value may be a stored secret (e.g. `Authorization`). */
  headers?: Record<string, string | SecretRef>;
  /** Query parameters added to the URL; a value may be a stored secret. */
  query?: Record<string, string | number | boolean | SecretRef>;
  /** Dot path to the array of records in each body, e.g. `data.items`; default the body itself. */
  recordsPath?: string;
  /** Pagination; default none. */
  pagination?: HttpPagination;
  /** Per-request timeout in milliseconds (redirects included); default 30000. */
  timeoutMs?: number;
  /** Retries after a 429/5xx answer or a dropped connection; default 3. */
  retries?: number;
  /** First backoff delay in milliseconds (then doubled each retry, capped at 30 s); default 500. */
  retryDelayMs?: number;
  /** Stop after this many pages (and say so in the table's notes); default 1000. */
  maxPages?: number;
}

/** A table read from an HTTP API, with what the user should know about how it was read. */
export interface HttpTable extends DataTable {
  /** E.g. `stopped at maxPages=N; more data may exist`, or that a redirect went to another host. */
  notes?: string[];
}

/**
 * Most redirects followed for one request. curl's default is 50 and the Fetch standard's 20; real
 * APIs use one or two hops (http -> https, a moved endpoint, a signed download URL), so 5 is ample
 * and stops a redirect loop early.
 */
export const MAX_REDIRECTS = 5;

/** Header names whose values are treated as secrets in messages even when given in clear. */
const CREDENTIAL_HEADER_RE = /auth|token|key|secret|passw|cookie|session|signature/i;

const REDACTED = '***';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });

/** The value at a dot path, or undefined when a key is missing. */
function valueAt(body: unknown, path: string): unknown {
  let v = body;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || !(key in v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Why `path` is not in `body`: the first missing key and the keys present where it was looked for. */
function missingPath(body: unknown, path: string): { at: string; keys: string[] } {
  let v = body;
  const keys = path.split('.');
  for (let k = 0; k < keys.length; k++) {
    const at = keys.slice(0, k).join('.') || 'the top level';
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !(keys[k]! in v)) {
      return { at, keys: typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v).slice(0, 30) : [] };
    }
    v = (v as Record<string, unknown>)[keys[k]!];
  }
  return { at: path, keys: [] };
}

/** A user's URL with any `user:password@` masked, for messages (also for URLs that do not parse). */
function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@?#]*)@/i, (_m, scheme: string, userinfo: string) => `${scheme}${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${REDACTED}` : REDACTED}@`);
}

interface Prepared {
  c: HttpConfig;
  headers: Record<string, string>;
  base: URL;
  /** Values to mask in messages: resolved secrets and credential-like header values, longest first. */
  hidden: string[];
  /** Notes for the table (deduplicated on output). */
  notes: string[];
}

async function prepare(config: HttpConfig, context: ConnectorContext | undefined): Promise<Prepared> {
  const c = validateConfig<HttpConfig>('http', schema, config);
  let base: URL;
  try {
    base = new URL(c.url);
  } catch (error) {
    throw new StratumError('CONNECTOR_CONFIG', `invalid URL ${JSON.stringify(maskUrlCredentials(c.url))}`, { detail: { field: 'url' }, hint: 'Give a full http:// or https:// URL.', cause: error });
  }
  if (base.username !== '' || base.password !== '') {
    const user = decodeURIComponent(base.username);
    throw new StratumError('CONNECTOR_CONFIG', `url contains ${base.password === '' ? 'a user name' : 'a user name and password'} (${maskUrlCredentials(c.url)}): credentials in a URL would be saved in the notebook in clear, and fetch refuses them`, {
      detail: { field: 'url', host: base.host },
      hint: `Remove "${user}:...@" from the URL, store the credentials as a secret (stratum secrets set NAME; for HTTP basic auth the value is "Basic " + base64 of "user:password") and send it as a header: headers: { Authorization: { secret: 'NAME' } }.`,
    });
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const hidden = new Set<string>();
  for (const [k, v] of Object.entries(c.headers ?? {})) {
    const value = (await secretValue(v, context))!;
    headers[k] = value;
    if (typeof v === 'object' || CREDENTIAL_HEADER_RE.test(k)) for (const h of hiddenForms(value)) hidden.add(h);
  }
  for (const [k, v] of Object.entries(c.query ?? {})) {
    if (typeof v === 'object') {
      const value = (await secretValue(v, context))!;
      base.searchParams.set(k, value);
      for (const h of hiddenForms(value)) hidden.add(h);
    } else {
      base.searchParams.set(k, String(v));
    }
  }
  return { c, headers, base, hidden: [...hidden].sort((a, b) => b.length - a.length), notes: [] };
}

/**
 * The forms in which a secret value may show up in a message: as is, URL-encoded (query strings,
 * `Location` headers), and the token alone when the value is `Scheme token` (`Bearer abc` is often
 * echoed as just `abc`).
 */
function hiddenForms(value: string): string[] {
  if (value === '') return [];
  const forms = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)];
  const token = /^[A-Za-z][\w-]*\s+(\S{4,})$/.exec(value)?.[1];
  if (token !== undefined) forms.push(token, encodeURIComponent(token));
  return forms;
}

/** `text` with every hidden value replaced by `***`. */
function redact(p: Prepared, text: string): string {
  let out = text;
  for (const h of p.hidden) if (out.includes(h)) out = out.split(h).join(REDACTED);
  return out;
}

function redactValue(p: Prepared, value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(p, value);
  if (depth > 5 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(p, v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(p, v, depth + 1)]));
}

/**
 * Masks hidden values in an error before it leaves the connector: message, stack, hint, detail,
 * and (recursively) its causes. Mutates and returns the same error so its class and stack stay.
 */
function redactError(p: Prepared, error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || p.hidden.length === 0 || depth > 3) return error;
  error.message = redact(p, error.message);
  if (error.stack !== undefined) error.stack = redact(p, error.stack);
  if (error instanceof StratumError) {
    if (error.hint !== undefined) Object.assign(error, { hint: redact(p, error.hint) });
    for (const [k, v] of Object.entries(error.detail)) error.detail[k] = redactValue(p, v);
  }
  if (error.cause !== undefined) redactError(p, error.cause, depth + 1);
  return error;
}

/** Runs `fn`, masking hidden values in whatever it throws. */
async function guarded<T>(p: Prepared, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw redactError(p, error);
  }
}

/** The URL for messages: secret query values and any password replaced by `***`. */
function shown(url: URL, p: Prepared): string {
  const copy = new URL(url);
  for (const [k, v] of Object.entries(p.c.query ?? {})) if (typeof v === 'object' && copy.searchParams.has(k)) copy.searchParams.set(k, REDACTED);
  if (copy.password !== '') copy.password = REDACTED;
  return redact(p, copy.toString());
}

/** Same origin, or the same host moved from http to https on the default ports (requests' rule). */
function sameSite(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true;
  return from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname && from.port === '' && to.port === '';
}

interface Fetched {
  response: Response;
  text: string;
  /** The URL that answered (after redirects). */
  final: URL;
  /** Host the request was redirected to without the configured headers, if any. */
  crossed?: string;
}

/**
 * One GET with redirects followed by hand (see the module doc). Network errors are thrown as
 * fetch throws them; redirect problems as StratumErrors.
 */
async function fetchFollowing(url: URL, p: Prepared, signal: AbortSignal): Promise<Fetched> {
  let current = url;
  let headers = p.headers;
  let crossed: string | undefined;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { headers, signal, redirect: 'manual' });
    if (![301, 302, 303, 307, 308].includes(response.status)) {
      return { response, text: await response.text(), final: current, ...(crossed === undefined ? {} : { crossed }) };
    }
    await response.body?.cancel();
    const where = `GET ${shown(url, p)}`;
    const location = response.headers.get('location');
    if (hop === MAX_REDIRECTS) {
      throw new StratumError('SOURCE_ERROR', `${where}: more than ${MAX_REDIRECTS} redirects (last at ${shown(current, p)})`, { detail: { host: current.host, url: shown(url, p) }, hint: 'The server redirects in a loop, or through too many hops: set url to the final address.' });
    }
    if (location === null || location === '') {
      throw new StratumError('SOURCE_ERROR', `${where}: ${shown(current, p)} answered ${response.status} without a Location header`, { detail: { host: current.host, url: shown(url, p), status: response.status }, hint: 'Set url to the final address of the API.' });
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch (error) {
      throw new StratumError('SOURCE_ERROR', `${where}: ${shown(current, p)} redirects to an invalid URL ${JSON.stringify(maskUrlCredentials(location))}`, { detail: { host: current.host, url: shown(url, p) }, hint: 'Set url to the final address of the API.', cause: error });
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new StratumError('SOURCE_ERROR', `${where}: ${shown(current, p)} redirects to a ${next.protocol} URL; only http and https are followed`, { detail: { host: current.host, url: shown(url, p) }, hint: 'Set url to the final address of the API.' });
    }
    if (next.username !== '' || next.password !== '') {
      throw new StratumError('SOURCE_ERROR', `${where}: ${shown(current, p)} redirects to a URL with credentials (${maskUrlCredentials(next.toString())}); not followed`, { detail: { host: current.host, url: shown(url, p) }, hint: 'Set url to the final address of the API and send credentials as a header secret.' });
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new StratumError('SOURCE_ERROR', `${where}: ${current.host} redirects from https to plain http (${next.host}); not followed, the request and its headers would travel unencrypted`, { detail: { host: current.host, url: shown(url, p), location: shown(next, p) }, hint: 'Use an https address that does not redirect to http, or set url to the http address if you accept that.' });
    }
    if (!sameSite(current, next)) {
      // Once stripped, headers stay stripped for the rest of the chain (even back to the first host).
      const configured = Object.keys(p.c.headers ?? {});
      p.notes.push(`${shown(url, p)} redirected from ${current.host} to another host, ${next.host}${configured.length > 0 ? `; the configured headers (${configured.join(', ')}) were not sent there` : ''}`);
      headers = { accept: 'application/json' };
      crossed = next.host;
    }
    current = next;
  }
}

/**
 * True for what fetch (undici) throws when the connection failed or dropped (`fetch failed`,
 * `terminated` mid-body), worth a retry: those carry the socket error as `cause`. Errors building
 * the request (an invalid header value, a URL with credentials) have no cause and are not retried.
 */
function isNetworkError(error: unknown): boolean {
  return error instanceof Error && error.cause !== undefined;
}

/** GETs one URL and parses its JSON body, with timeout and retries. */
async function getJson(url: URL, p: Prepared, signal: AbortSignal | undefined): Promise<unknown> {
  const { c } = p;
  const retries = c.retries ?? 3;
  const timeoutMs = c.timeoutMs ?? 30_000;
  const name = shown(url, p);
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let got: Fetched;
    try {
      got = await fetchFollowing(url, p, combined);
    } catch (error) {
      if (error instanceof StratumError) throw error;
      if (timeout.aborted && !(signal?.aborted ?? false)) {
        throw new StratumError('SOURCE_TIMEOUT', `GET ${name}: no complete answer within ${timeoutMs} ms`, { detail: { host: url.host, url: name }, hint: 'Raise timeoutMs, or check that the server is up.', cause: error });
      }
      if (signal?.aborted === true) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.message === 'bad port') {
        throw new StratumError('CONNECTOR_CONFIG', `GET ${name}: port ${url.port} is blocked by fetch ("bad port": the Fetch standard refuses ports of other protocols, e.g. 1, 25, 6000 for X11, 10080)`, {
          detail: { field: 'url', host: url.host, url: name },
          hint: 'Check the port in the URL; an HTTP API on a blocked port must be put behind another port (e.g. a reverse proxy). List: https://fetch.spec.whatwg.org/#port-blocking',
          cause: error,
        });
      }
      if (!isNetworkError(error)) {
        throw new StratumError('CONNECTOR_CONFIG', `GET ${name}: the request cannot be sent: ${(error as Error).message}`, { detail: { host: url.host, url: name }, hint: 'Check the URL and the header names and values.', cause: error });
      }
      const code = cause?.code ?? '';
      if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(code)) {
        throw new StratumError('SOURCE_UNREACHABLE', `GET ${name}: cannot reach ${url.host} (${code})`, { detail: { host: url.host, url: name }, hint: 'Check the URL and that the server is running.', cause: error });
      }
      if (attempt < retries) {
        await sleep(backoff(c, attempt, undefined), signal);
        continue;
      }
      throw new StratumError('SOURCE_UNREACHABLE', `GET ${name}: connection failed after ${attempt + 1} attempt(s): ${(error as Error).message}${code ? ` (${code})` : cause?.message ? ` (${cause.message})` : ''}`, { detail: { host: url.host, url: name }, hint: 'Check the network and the server.', cause: error });
    }
    const { response, final, crossed } = got;
    // A server may echo a token in its body: mask it before any excerpt is cut from the text.
    const text = redact(p, got.text);
    const status = response.status;
    if ((status === 429 || status >= 500) && attempt < retries) {
      await sleep(backoff(c, attempt, response.headers.get('retry-after')), signal);
      continue;
    }
    const where = final.href === url.href ? name : `${name} (redirected to ${shown(final, p)})`;
    if (status >= 400) {
      const excerpt = text.slice(0, 200);
      const detail = { host: final.host, url: name, status, body: excerpt };
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
      if (status === 404) throw new StratumError('SOURCE_NOT_FOUND', `GET ${where}: 404 Not Found`, { detail, hint: 'Check the URL path.' });
      if (status === 401 || status === 403) {
        const why = crossed === undefined ? 'credentials missing or rejected' : `credentials missing: the redirect went to another host, ${crossed}, where the configured headers are not sent`;
        throw new StratumError('SOURCE_AUTH', `GET ${where}: ${status} ${response.statusText} (${why})`, { detail, hint: crossed === undefined ? 'Check the Authorization header or API key secret.' : `If ${crossed} is meant to get your credentials, set url to that address directly.` });
      }
      throw new StratumError('SOURCE_ERROR', `GET ${where}: HTTP ${status} ${response.statusText}${tries}${excerpt ? `: ${excerpt}` : ''}`, { detail, hint: status >= 500 ? 'The server failed; try again later or raise retries.' : 'Check the request (URL, query, headers).' });
    }
    try {
      return parseJsonExact(text, `GET ${where}`);
    } catch (error) {
      const type = response.headers.get('content-type') ?? 'no content-type';
      const token = nonJsonNumber(text);
      if (token !== undefined) {
        throw new StratumError('SOURCE_FORMAT', `GET ${where}: the body is not valid JSON: ${token.token} at line ${token.line}, column ${token.column} (JSON has no ${token.token}; Python's json.dumps writes it for a float NaN or infinity)`, {
          detail: { host: final.host, url: name, contentType: type, token: token.token, line: token.line, column: token.column, columnKind: 'character' },
          hint: 'Ask the API to write null for a missing or infinite number (json.dumps(..., allow_nan=False), pandas to_json); Stratum does not guess what such a body means.',
          cause: error,
        });
      }
      throw new StratumError('SOURCE_FORMAT', `GET ${where}: the body is not JSON (${type}): ${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? '...' : ''}`, {
        detail: { host: final.host, url: name, contentType: type },
        hint: 'Check that the URL is the API endpoint (not an HTML page) and that the request is accepted.',
        cause: error,
      });
    }
  }
}

/**
 * The first `NaN`, `Infinity` or `-Infinity` literal outside JSON strings (which Python's
 * `json.dumps` writes by default and `JSON.parse` refuses), with its 1-based line and column
 * (characters), or undefined when the text has none.
 */
function nonJsonNumber(text: string): { token: string; line: number; column: number } | undefined {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') [line, lineStart] = [line + 1, i + 1];
    else if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (ch === 'N' || ch === 'I' || ch === '-') {
      const token = /^(?:NaN|-?Infinity)(?=[\s,\]}]|$)/.exec(text.slice(i, i + 10))?.[0];
      if (token !== undefined) return { token, line, column: i - lineStart + 1 };
    }
  }
  return undefined;
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

/** JSON text of a page, BigInt-safe, to compare consecutive pages. */
function pageKey(records: Array<Record<string, unknown>>): string {
  return JSON.stringify(records, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The total record count at `totalPath` of the first body. */
function totalAt(body: unknown, totalPath: string, source: string): number {
  const value = valueAt(body, totalPath);
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    const miss = missingPath(body, totalPath);
    throw new StratumError('CONNECTOR_CONFIG', value === undefined
      ? `${source}: pagination.totalPath "${totalPath}" is not in the first response (no key at ${miss.at}${miss.keys.length > 0 ? `; keys there: ${miss.keys.join(', ')}` : ''})`
      : `${source}: pagination.totalPath "${totalPath}" is ${JSON.stringify(value)}, not a record count`, {
      detail: { field: 'pagination.totalPath', keys: miss.keys },
      hint: 'Set totalPath to the dot path of the total number of records (e.g. meta.total), or remove it.',
    });
  }
  return n;
}

/** Pages of records, one array per request, following the pagination. Notes go to `p.notes`. */
async function* pages(p: Prepared, signal: AbortSignal | undefined, limitRows: number): AsyncGenerator<Array<Record<string, unknown>>> {
  const { c } = p;
  const paging = c.pagination ?? { type: 'none' };
  const maxPages = c.maxPages ?? 1000;
  let rows = 0;
  let cursor: string | undefined;
  const followed = new Map<string, number>();
  let previous: string | undefined;
  let total: number | undefined;
  // Paging ended before the total the API announced: say so (a 0-based page API read from page 1
  // loses its page 0 this way, and nothing else shows it).
  const short = (): void => {
    if (total === undefined || rows >= total || rows >= limitRows) return;
    const fix = paging.type === 'page' ? `check pagination.start (the first page's number, now ${paging.start ?? 1}; 0 for an API whose pages start at 0)` : 'check the pagination settings';
    const path = paging.type === 'page' || paging.type === 'offset' ? ` announced at ${paging.totalPath ?? '?'}` : '';
    p.notes.push(`read ${rows} of ${total} records${path}: ${fix}`);
  };
  for (let k = 0; rows < limitRows; k++) {
    if (k === maxPages) {
      p.notes.push(`stopped at maxPages=${maxPages}; more data may exist`);
      return;
    }
    const url = new URL(p.base);
    if (paging.type === 'page') {
      url.searchParams.set(paging.param ?? 'page', String((paging.start ?? 1) + k));
      if (paging.sizeParam !== undefined && paging.size !== undefined) url.searchParams.set(paging.sizeParam, String(paging.size));
    } else if (paging.type === 'offset') {
      url.searchParams.set(paging.param ?? 'offset', String(rows));
      url.searchParams.set(paging.limitParam ?? 'limit', String(paging.limit));
    } else if (paging.type === 'cursor' && cursor !== undefined) {
      url.searchParams.set(paging.param ?? 'cursor', cursor);
    }
    const source = `GET ${shown(url, p)}`;
    let body: unknown;
    try {
      body = await getJson(url, p, signal);
    } catch (error) {
      // Django REST framework (and others) answer 404 for a page number past the last page.
      if (paging.type === 'page' && k > 0 && error instanceof StratumError && error.code === 'SOURCE_NOT_FOUND') return short();
      throw error;
    }
    const records = recordsAt(body, c.recordsPath, source);
    if (paging.type === 'none') {
      if (records.length > 0) yield records;
      return;
    }
    if (k === 0 && paging.type === 'cursor' && records.length > 0 && valueAt(body, paging.cursorPath) === undefined) {
      const miss = missingPath(body, paging.cursorPath);
      throw new StratumError('CONNECTOR_CONFIG', `${source}: pagination.cursorPath "${paging.cursorPath}" is not in the first response (no key at ${miss.at}${miss.keys.length > 0 ? `; keys there: ${miss.keys.join(', ')}` : ''})`, {
        detail: { field: 'pagination.cursorPath', keys: miss.keys },
        hint: 'Set cursorPath to the dot path of the next-page cursor in the response (null or empty on the last page).',
      });
    }
    if (k === 0 && paging.type !== 'cursor' && paging.totalPath !== undefined) total = totalAt(body, paging.totalPath, source);
    if (records.length === 0) return short();
    const key = pageKey(records);
    // A short page (fewer than `size`) that comes again: a server that clamps page numbers to its last page.
    if (key === previous && paging.type === 'page' && paging.size !== undefined && records.length < paging.size) return short();
    if (key === previous) {
      const param = paging.param ?? paging.type;
      throw new StratumError('CONNECTOR_CONFIG', `${source}: page ${k + 1} has the same ${records.length} records as page ${k}: the server seems to ignore the "${param}" parameter, and paging on would repeat them up to maxPages times`, {
        detail: { field: 'pagination.param', page: k + 1 },
        hint: `Check pagination.param (the API's name for its ${paging.type === 'cursor' ? 'cursor' : paging.type === 'offset' ? 'offset' : 'page number'} parameter) in the API's documentation.`,
      });
    }
    previous = key;
    yield records;
    rows += records.length;
    if (total !== undefined && rows >= total) return;
    if (paging.type === 'cursor') {
      const next = valueAt(body, paging.cursorPath);
      if (next === undefined || next === null || next === '') return;
      const value = typeof next === 'object' ? JSON.stringify(next) : String(next as string | number | boolean | bigint);
      const first = followed.get(value);
      if (first !== undefined) {
        throw new StratumError('SOURCE_ERROR', `${source}: the cursor at "${paging.cursorPath}" repeats (${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)}, already followed to get page ${first}): paging on would read the same records again`, {
          detail: { field: 'pagination.cursorPath', page: k + 1 },
          hint: 'Check pagination.cursorPath (the next-page cursor, not the current one) and pagination.param (the name the API reads the cursor from).',
        });
      }
      followed.set(value, k + 2);
      cursor = value;
    }
  }
}

function withNotes(table: DataTable, p: Prepared): HttpTable {
  const notes = [...new Set(p.notes)];
  return notes.length === 0 ? table : { ...table, notes };
}

async function collect(config: HttpConfig, context: ConnectorContext | undefined, limit: number): Promise<HttpTable> {
  const p = await prepare(config, context);
  return guarded(p, async () => {
    const all: Array<Record<string, unknown>> = [];
    for await (const page of pages(p, context?.signal, limit)) all.push(...page);
    return withNotes(recordsToTable(all.slice(0, limit), shown(p.base, p)), p);
  });
}

/** HTTP JSON APIs. Loaded tables are {@link HttpTable}s (notes on maxPages and redirects). */
export const httpConnector: Connector<HttpConfig> = {
  id: 'http',
  title: 'HTTP JSON API',
  configSchema: schema,
  async test(config: HttpConfig, context?: ConnectorContext): Promise<ConnectorTestResult> {
    const p = await prepare(config, context);
    return guarded(p, async () => {
      const notes = (): string => (p.notes.length === 0 ? '' : ` (${[...new Set(p.notes)].join('; ')})`);
      for await (const page of pages(p, context?.signal, 1)) {
        const t = recordsToTable(page, shown(p.base, p));
        return { ok: true, message: `GET ${shown(p.base, p)}: first page has ${t.rowCount} records with fields ${t.columns.map((col) => col.name).join(', ')}${notes()}` };
      }
      return { ok: true, message: `GET ${shown(p.base, p)}: answered with no records${notes()}` };
    });
  },
  async preview(config: HttpConfig, n: number, context?: ConnectorContext): Promise<HttpTable> {
    return firstRows(await collect(config, context, Math.max(0, Math.floor(n))), n);
  },
  load(config: HttpConfig, context?: ConnectorContext): Promise<HttpTable> {
    return collect(config, context, Number.POSITIVE_INFINITY);
  },
  /** One batch per page; the last batch carries the notes. */
  async *batches(config: HttpConfig, _options: BatchOptions = {}, context?: ConnectorContext): AsyncGenerator<HttpTable> {
    const p = await prepare(config, context);
    const it = pages(p, context?.signal, Number.POSITIVE_INFINITY);
    let held: DataTable | undefined;
    try {
      for (;;) {
        const step = await guarded(p, () => it.next());
        if (step.done === true) break;
        if (held !== undefined) yield held;
        held = recordsToTable(step.value, shown(p.base, p));
      }
    } finally {
      await it.return(undefined);
    }
    if (held !== undefined) yield withNotes(held, p);
  },
};
