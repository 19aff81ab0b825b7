// Integration tests of the HTTP JSON connector against a real node:http server on 127.0.0.1.
// Expected records are the ones the server below serves.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MapSecretSource } from '../../core/secrets/secrets.ts';
import { StratumError } from '../../core/errors.ts';
import { httpConnector } from './http.ts';

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `n${i + 1}` }));
let server: Server;
let base = '';
let flaky = 0;
const seen: string[] = [];

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
    default:
      return send(res, 404, '{"error":"not found"}');
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
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
    const down = await failure(httpConnector.test({ url: 'http://127.0.0.1:1/x', retries: 0 }));
    expect(down.code).toBe('SOURCE_UNREACHABLE');
    expect(down.message).toMatch(/127\.0\.0\.1:1/);
  });

  it('sends a header from a secret, keeps big ids exact, and reports 401 as bad credentials', async () => {
    const secrets = new MapSecretSource({ token: 'Bearer s3cret', wrong: 'Bearer nope' });
    const t = await httpConnector.load({ url: `${base}/auth`, headers: { authorization: { secret: 'token' } } }, { secrets });
    expect(t.columns[0]!.values).toEqual(['9007199254740993']);
    const e = await failure(httpConnector.load({ url: `${base}/auth`, headers: { authorization: { secret: 'wrong' } } }, { secrets }));
    expect(e.code).toBe('SOURCE_AUTH');
  });
});
