// Integration tests of the HTTP JSON connector against a real node:http server on 127.0.0.1.
// Expected records are the ones the server below serves.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MapSecretSource } from '../../core/secrets/secrets.ts';
import { StratumError, serializeError } from '../../core/errors.ts';
import { MAX_REDIRECTS, httpConnector } from './http.ts';
import type { HttpTable } from './http.ts';

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `n${i + 1}` }));
let server: Server;
let base = '';
let flaky = 0;
let dropped = 0;
const seen: string[] = [];
/** 23 records, as the tester's API: pages of 10 are 10, 10, 3. */
const PEOPLE = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
let other: Server;
let otherBase = '';
const otherSeen: Array<{ path: string; headers: Record<string, unknown> }> = [];

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push(`${url.pathname}${url.search}`);
  const q = url.searchParams;
  switch (url.pathname) {
    case '/items':
      return send(res, 200, JSON.stringify({ data: { items: ITEMS.slice(0, 2) } }));
    case '/paged': {
      const page = Number(q.get('page'));
      return send(res, 200, JSON.stringify({ data: { items: ITEMS.slice((page - 1) * 2, page * 2) } }));
    }
    case '/offset': {
      const offset = Number(q.get('offset'));
      const limit = Number(q.get('limit'));
      return send(res, 200, JSON.stringify(ITEMS.slice(offset, offset + limit)));
    }
    case '/cursor': {
      const at = Number(q.get('cursor') ?? '0');
      const next = at + 2 < ITEMS.length ? String(at + 2) : null;
      return send(res, 200, JSON.stringify({ items: ITEMS.slice(at, at + 2), next }));
    }
    case '/flaky':
      flaky++;
      if (flaky === 1) {
        res.writeHead(503, { 'retry-after': '0' });
        return void res.end('busy');
      }
      return send(res, 200, JSON.stringify([{ ok: true }]));
    case '/drop':
      // First request: headers, then the connection drops mid-body; then a good answer.
      dropped++;
      if (dropped === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('[{"ok"');
        return void setTimeout(() => res.destroy(), 20);
      }
      return send(res, 200, JSON.stringify([{ ok: 2 }]));
    case '/down':
      return send(res, 503, 'maintenance', 'text/plain');
    case '/html':
      return send(res, 200, '<html><body>Login</body></html>', 'text/html');
    case '/slow':
      setTimeout(() => send(res, 200, '[]'), 2000).unref();
      return;
    case '/auth':
      if (req.headers['authorization'] !== 'Bearer s3cret') return send(res, 401, '{"error":"no"}');
      return send(res, 200, '[{"id": 9007199254740993}]');
    case '/redirect':
      res.writeHead(302, { location: `${otherBase}/plain` });
      return void res.end();
    case '/redirect-auth':
      res.writeHead(307, { location: `${otherBase}/needs-auth` });
      return void res.end();
    case '/moved':
      res.writeHead(301, { location: '/auth' });
      return void res.end();
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    case '/echo-auth':
      // A careless API: the 401 body echoes the token it got (also URL-encoded, and without "Bearer").
      return send(res, 401, `bad token ${String(req.headers['authorization'])} (token ${String(req.headers['authorization']).split(' ')[1]})`, 'text/plain');
    case '/echo-query':
      return send(res, 500, `failed for ${req.url ?? ''}`, 'text/plain');
    case '/people-ignore-page':
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice(0, 10) }));
    case '/people-page-clamped': {
      // Past the end the server answers its last page again (page numbers clamped), as some APIs do.
      const page = Math.min(Number(q.get('page')), 3);
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice((page - 1) * 10, page * 10) }));
    }
    case '/people-page': {
      const page = Number(q.get('page'));
      if (page > 3) return send(res, 404, '{"detail":"Invalid page."}');
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice((page - 1) * 10, page * 10) }));
    }
    case '/people-same-cursor': {
      const from = q.get('cursor') === null ? 0 : 10;
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice(from, from + 10), meta: { next: 'abc', total: 23 } }));
    }
    case '/people-cursor': {
      const at = Number(q.get('cursor') ?? '0');
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice(at, at + 10), meta: { next: at + 10 < PEOPLE.length ? String(at + 10) : null, total: 23 } }));
    }
    case '/people-page0': {
      // Pages numbered from 0 (as Spring Data's), with the total.
      const page = Number(q.get('page'));
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice(page * 10, page * 10 + 10), meta: { total: PEOPLE.length } }));
    }
    case '/nan':
      // What Python's json.dumps writes for float('nan'); "NaN" inside a string is fine.
      return send(res, 200, '{"rows": [{"s": "x NaN", "a": 1},\n  {"a": NaN}]}');
    case '/infinity':
      return send(res, 200, '[{"a": -Infinity}]');
    case '/people-offset-capped': {
      const offset = Number(q.get('offset'));
      const limit = Math.min(5, Number(q.get('limit')));
      return send(res, 200, JSON.stringify({ data: PEOPLE.slice(offset, offset + limit), meta: { total: PEOPLE.length } }));
    }
    default:
      return send(res, 404, '{"error":"not found"}');
  }
}

/** The second host (127.0.0.2): records the headers it receives. */
function handleOther(req: IncomingMessage, res: ServerResponse): void {
  otherSeen.push({ path: req.url ?? '', headers: { ...req.headers } });
  if (req.url === '/needs-auth') return send(res, 401, '{"error":"who are you"}');
  return send(res, 200, JSON.stringify([{ id: 1 }]));
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  other = createServer(handleOther);
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.2', resolve));
  otherBase = `http://127.0.0.2:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('http connector', () => {
  it('reads records at a records path', async () => {
    const t = await httpConnector.load({ url: `${base}/items`, recordsPath: 'data.items' });
    expect(t.columns.map((c) => [c.name, c.kind, c.values])).toEqual([['id', 'integer', [1, 2]], ['name', 'string', ['n1', 'n2']]]);
  });

  it('follows page, offset and cursor pagination', async () => {
    const ids = (t: { columns: Array<{ values: unknown[] }> }) => t.columns[0]!.values;
    expect(ids(await httpConnector.load({ url: `${base}/paged`, recordsPath: 'data.items', pagination: { type: 'page', size: 2 } }))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(await httpConnector.load({ url: `${base}/offset`, pagination: { type: 'offset', limit: 2 } }))).toEqual([1, 2, 3, 4, 5]);
    seen.length = 0;
    expect(ids(await httpConnector.load({ url: `${base}/cursor`, recordsPath: 'items', pagination: { type: 'cursor', cursorPath: 'next' } }))).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual(['/cursor', '/cursor?cursor=2', '/cursor?cursor=4']);
  });

  it('retries after a 503 and succeeds', async () => {
    const t = await httpConnector.load({ url: `${base}/flaky`, retries: 2, retryDelayMs: 10 });
    expect(flaky).toBe(2);
    expect(t.columns[0]!.values).toEqual([true]);
  });

  it('retries a connection dropped mid-body, but not a request fetch cannot build', async () => {
    const t = await httpConnector.load({ url: `${base}/drop`, retries: 1, retryDelayMs: 5 });
    expect(dropped).toBe(2);
    expect(t.columns[0]!.values).toEqual([2]);
    seen.length = 0;
    const bad = await failure(httpConnector.load({ url: `${base}/items`, headers: { 'X-Note': 'two\nlines' }, retries: 3, retryDelayMs: 60_000 }));
    expect(bad.code).toBe('CONNECTOR_CONFIG');
    expect(bad.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/items: the request cannot be sent: Headers\.append: "two\nlines" is an invalid header value\.$/);
    expect(seen).toEqual([]);
  });

  it('gives up after the retries on a persistent 503, with the status and body', async () => {
    const e = await failure(httpConnector.load({ url: `${base}/down`, retries: 1, retryDelayMs: 5 }));
    expect(e.code).toBe('SOURCE_ERROR');
    expect(e.message).toMatch(/HTTP 503 .*after 2 attempts: maintenance/);
  });

  it('names a 404, a non-JSON body, a timeout and an unreachable host', async () => {
    const notFound = await failure(httpConnector.load({ url: `${base}/nope` }));
    expect(notFound.code).toBe('SOURCE_NOT_FOUND');
    expect(notFound.message).toBe(`GET ${base}/nope: 404 Not Found`);
    const html = await failure(httpConnector.load({ url: `${base}/html` }));
    expect(html.code).toBe('SOURCE_FORMAT');
    expect(html.message).toMatch(/body is not JSON \(text\/html\): "<html><body>Login/);
    const slow = await failure(httpConnector.load({ url: `${base}/slow`, timeoutMs: 200, retries: 0 }));
    expect(slow.code).toBe('SOURCE_TIMEOUT');
    expect(slow.message).toMatch(/within 200 ms/);
    const port = await closedPort();
    const down = await failure(httpConnector.test({ url: `http://127.0.0.1:${port}/x`, retries: 0 }));
    expect(down.code).toBe('SOURCE_UNREACHABLE');
    expect(down.message).toBe(`GET http://127.0.0.1:${port}/x: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('sends a header from a secret, keeps big ids exact, and reports 401 as bad credentials', async () => {
    const secrets = new MapSecretSource({ token: 'Bearer s3cret', wrong: 'Bearer nope' });
    const t = await httpConnector.load({ url: `${base}/auth`, headers: { authorization: { secret: 'token' } } }, { secrets });
    expect(t.columns[0]!.values).toEqual(['9007199254740993']);
    const e = await failure(httpConnector.load({ url: `${base}/auth`, headers: { authorization: { secret: 'wrong' } } }, { secrets }));
    expect(e.code).toBe('SOURCE_AUTH');
  });
});

const ids = (t: { columns: Array<{ values: unknown[] }> }): unknown[] => t.columns[0]!.values;
const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('http connector: redirects', () => {
  const secrets = new MapSecretSource({ key: 'k-777', token: 'Bearer s3cret' });

  it('follows a redirect to another host without any configured header, and says so in the notes', async () => {
    otherSeen.length = 0;
    const t = await httpConnector.load({ url: `${base}/redirect`, headers: { 'X-Api-Key': { secret: 'key' }, Authorization: { secret: 'token' }, 'X-Client': 'stratum' } }, { secrets });
    expect(ids(t)).toEqual([1]);
    expect(otherSeen.map((r) => r.path)).toEqual(['/plain']);
    const got = otherSeen[0]!.headers;
    expect([got['x-api-key'], got['authorization'], got['x-client']]).toEqual([undefined, undefined, undefined]);
    expect(got['accept']).toBe('application/json');
    const otherHost = otherBase.slice('http://'.length);
    expect((t as HttpTable).notes).toEqual([`${base}/redirect redirected from ${base.slice('http://'.length)} to another host, ${otherHost}; the configured headers (X-Api-Key, Authorization, X-Client) were not sent there`]);
  });

  it('keeps the headers on a same-origin redirect', async () => {
    const t = await httpConnector.load({ url: `${base}/moved`, headers: { authorization: { secret: 'token' } } }, { secrets });
    expect(ids(t)).toEqual(['9007199254740993']);
    expect((t as HttpTable).notes).toBeUndefined();
  });

  it('explains a 401 from the other host: the credentials were not sent there', async () => {
    const e = await failure(httpConnector.load({ url: `${base}/redirect-auth`, headers: { Authorization: { secret: 'token' } } }, { secrets }));
    expect(e.code).toBe('SOURCE_AUTH');
    const otherHost = otherBase.slice('http://'.length);
    expect(e.message).toBe(`GET ${base}/redirect-auth (redirected to ${otherBase}/needs-auth): 401 Unauthorized (credentials missing: the redirect went to another host, ${otherHost}, where the configured headers are not sent)`);
  });

  it('stops a redirect loop after MAX_REDIRECTS hops', async () => {
    seen.length = 0;
    const e = await failure(httpConnector.load({ url: `${base}/loop`, retries: 0 }));
    expect(e.code).toBe('SOURCE_ERROR');
    expect(e.message).toBe(`GET ${base}/loop: more than ${MAX_REDIRECTS} redirects (last at ${base}/loop)`);
    expect(seen).toEqual(Array.from({ length: MAX_REDIRECTS + 1 }, () => '/loop'));
  });
});

describe('http connector: pagination that does not advance, and where it ends', () => {
  it('refuses a server that ignores the page parameter instead of repeating its first page', async () => {
    seen.length = 0;
    const e = await failure(httpConnector.load({ url: `${base}/people-ignore-page`, recordsPath: 'data', pagination: { type: 'page', size: 10 } }));
    expect(e.code).toBe('CONNECTOR_CONFIG');
    expect(e.detail.field).toBe('pagination.param');
    expect(e.message).toBe(`GET ${base}/people-ignore-page?page=2: page 2 has the same 10 records as page 1: the server seems to ignore the "page" parameter, and paging on would repeat them up to maxPages times`);
    expect(seen).toHaveLength(2);
  });

  it('ends page paging where a short last page comes again (page numbers clamped by the server)', async () => {
    seen.length = 0;
    const t = await httpConnector.load({ url: `${base}/people-page-clamped`, recordsPath: 'data', pagination: { type: 'page', size: 10 } });
    // 23 people in pages of 10, 10, 3; page 4 repeats page 3 (3 < size 10): the end, no duplicates.
    expect(t.rowCount).toBe(23);
    expect(seen).toHaveLength(4);
  });

  it('refuses a cursor that repeats', async () => {
    const e = await failure(httpConnector.load({ url: `${base}/people-same-cursor`, recordsPath: 'data', pagination: { type: 'cursor', cursorPath: 'meta.next' } }));
    expect(e.code).toBe('SOURCE_ERROR');
    expect(e.message).toMatch(/the cursor at "meta\.next" repeats \("abc", already followed to get page 2\)/);
  });

  it('names the keys present when cursorPath is not in the first response', async () => {
    seen.length = 0;
    const e = await failure(httpConnector.load({ url: `${base}/people-cursor`, recordsPath: 'data', pagination: { type: 'cursor', cursorPath: 'meta.nxt' } }));
    expect(e.code).toBe('CONNECTOR_CONFIG');
    expect(e.detail.field).toBe('pagination.cursorPath');
    expect(e.message).toBe(`GET ${base}/people-cursor: pagination.cursorPath "meta.nxt" is not in the first response (no key at meta; keys there: next, total)`);
    expect(seen).toHaveLength(1);
    const t = await httpConnector.load({ url: `${base}/people-cursor`, recordsPath: 'data', pagination: { type: 'cursor', cursorPath: 'meta.next' } });
    expect(ids(t)).toEqual(oneTo(23));
  });

  it('offset paging: a server capping limit loses no rows; an empty page (or totalPath) ends it', async () => {
    seen.length = 0;
    const t = await httpConnector.load({ url: `${base}/people-offset-capped`, recordsPath: 'data', pagination: { type: 'offset', limit: 10 } });
    expect(ids(t)).toEqual(oneTo(23));
    expect(seen).toEqual([0, 5, 10, 15, 20, 23].map((o) => `/people-offset-capped?offset=${o}&limit=10`));
    seen.length = 0;
    const withTotal = await httpConnector.load({ url: `${base}/people-offset-capped`, recordsPath: 'data', pagination: { type: 'offset', limit: 10, totalPath: 'meta.total' } });
    expect(ids(withTotal)).toEqual(oneTo(23));
    expect(seen).toHaveLength(5);
    const badTotal = await failure(httpConnector.load({ url: `${base}/people-offset-capped`, recordsPath: 'data', pagination: { type: 'offset', limit: 10, totalPath: 'meta.count' } }));
    expect(badTotal.message).toMatch(/pagination\.totalPath "meta\.count" is not in the first response \(no key at meta; keys there: total\)$/);
  });

  it('notes when paging ends short of the announced total (a 0-based page API read from page 1)', async () => {
    seen.length = 0;
    const fromOne = await httpConnector.load({ url: `${base}/people-page0`, recordsPath: 'data', pagination: { type: 'page', totalPath: 'meta.total' } });
    // Pages 1, 2 (records 11-23), then the empty page 3: page 0 (records 1-10) was never asked for.
    expect(ids(fromOne)).toEqual(oneTo(23).slice(10));
    expect(seen).toEqual([1, 2, 3].map((k) => `/people-page0?page=${k}`));
    expect((fromOne as HttpTable).notes).toEqual(['read 13 of 23 records announced at meta.total: check pagination.start (the first page\'s number, now 1; 0 for an API whose pages start at 0)']);
    const fromZero = await httpConnector.load({ url: `${base}/people-page0`, recordsPath: 'data', pagination: { type: 'page', start: 0, totalPath: 'meta.total' } });
    expect(ids(fromZero)).toEqual(oneTo(23));
    expect((fromZero as HttpTable).notes).toBeUndefined();
    // Without totalPath nothing tells the connector that page 0 exists.
    const unknown = await httpConnector.load({ url: `${base}/people-page0`, recordsPath: 'data', pagination: { type: 'page' } });
    expect(ids(unknown)).toEqual(oneTo(23).slice(10));
    // A limit below the total is not a shortfall.
    const preview = await httpConnector.preview({ url: `${base}/people-page0`, recordsPath: 'data', pagination: { type: 'page', start: 0, totalPath: 'meta.total' } }, 5);
    expect((preview as HttpTable).notes).toBeUndefined();
  });

  it('names a NaN or Infinity in the body and where it is', async () => {
    const nan = await failure(httpConnector.load({ url: `${base}/nan`, recordsPath: 'rows' }));
    expect(nan.code).toBe('SOURCE_FORMAT');
    expect(nan.message).toBe(`GET ${base}/nan: the body is not valid JSON: NaN at line 2, column 9 (JSON has no NaN; Python's json.dumps writes it for a float NaN or infinity)`);
    expect(nan.detail).toMatchObject({ token: 'NaN', line: 2, column: 9 });
    const inf = await failure(httpConnector.load({ url: `${base}/infinity` }));
    expect(inf.message).toMatch(/: -Infinity at line 1, column 8 \(JSON has no -Infinity;/);
  });

  it('page paging: a 404 past the last page ends it (Django REST framework)', async () => {
    seen.length = 0;
    const t = await httpConnector.load({ url: `${base}/people-page`, recordsPath: 'data', pagination: { type: 'page', size: 10 } });
    expect(ids(t)).toEqual(oneTo(23));
    expect(seen).toEqual([1, 2, 3, 4].map((k) => `/people-page?page=${k}`));
    const first = await failure(httpConnector.load({ url: `${base}/people-page`, recordsPath: 'data', pagination: { type: 'page', start: 9 } }));
    expect(first.code).toBe('SOURCE_NOT_FOUND');
  });

  it('notes that maxPages stopped the paging, in load() and in the last batch', async () => {
    const config = { url: `${base}/people-page`, recordsPath: 'data', pagination: { type: 'page' as const }, maxPages: 2 };
    const t: HttpTable = await httpConnector.load(config);
    expect(ids(t)).toEqual(oneTo(20));
    expect(t.notes).toEqual(['stopped at maxPages=2; more data may exist']);
    const batches: HttpTable[] = [];
    for await (const b of httpConnector.batches!(config)) batches.push(b);
    expect(batches.map((b) => [b.rowCount, b.notes])).toEqual([[10, undefined], [10, ['stopped at maxPages=2; more data may exist']]]);
    // 3 pages read every row, but a short page does not prove the end: still noted.
    expect(((await httpConnector.load({ ...config, maxPages: 3 })) as HttpTable).notes).toEqual(['stopped at maxPages=3; more data may exist']);
    // The 4th request gets the 404 that ends the paging: nothing to note.
    const all: HttpTable = await httpConnector.load({ ...config, maxPages: 4 });
    expect(ids(all)).toEqual(oneTo(23));
    expect(all.notes).toBeUndefined();
  });
});

describe('http connector: secrets never leak', () => {
  const secrets = new MapSecretSource({ token: 'Bearer LEAKME-123', apikey: 'q/LEAK 42' });

  it('masks a token the server echoes in a 401 body, in the message, detail and hint', async () => {
    const e = await failure(httpConnector.load({ url: `${base}/echo-auth`, headers: { Authorization: { secret: 'token' } } }, { secrets }));
    expect(e.code).toBe('SOURCE_AUTH');
    expect(e.detail['body']).toBe('bad token *** (token ***)');
    expect(JSON.stringify(serializeError(e))).not.toMatch(/LEAKME/);
  });

  it('masks a query secret echoed in an error body (raw and URL-encoded)', async () => {
    const e = await failure(httpConnector.load({ url: `${base}/echo-query`, query: { key: { secret: 'apikey' } }, retries: 0 }, { secrets }));
    expect(e.code).toBe('SOURCE_ERROR');
    expect(e.message).toBe(`GET ${base}/echo-query?key=***: HTTP 500 Internal Server Error: failed for /echo-query?key=***`);
    expect(JSON.stringify(serializeError(e))).not.toMatch(/LEAK/);
  });

  it('refuses user:password in the URL up front, without echoing the password or sending a request', async () => {
    seen.length = 0;
    const e = await failure(httpConnector.load({ url: `http://user:pa55word@127.0.0.1:${base.split(':')[2]}/items` }));
    expect(e.code).toBe('CONNECTOR_CONFIG');
    expect(e.detail.field).toBe('url');
    expect(e.message).toMatch(/^url contains a user name and password \(http:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/items\)/);
    expect(e.hint).toMatch(/headers: \{ Authorization: \{ secret: 'NAME' \} \}/);
    expect(JSON.stringify(serializeError(e))).not.toMatch(/pa55word/);
    expect(seen).toEqual([]);
  });

  it('says "bad port" for ports fetch blocks, without retrying', async () => {
    for (const port of [1, 6000, 10080]) {
      // A retry would wait retryDelayMs (60 s) and time the test out.
      const e = await failure(httpConnector.load({ url: `http://127.0.0.1:${port}/x`, retries: 3, retryDelayMs: 60_000 }));
      expect(e.code).toBe('CONNECTOR_CONFIG');
      expect(e.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/x: port ${port} is blocked by fetch \\("bad port"`));
    }
  });
});
