/**
 * Browser mode of the workbench: a Fastify server on 127.0.0.1 that serves the built renderer
 * (`dist/renderer`, from `vite build`) and the {@link WorkbenchApi} of one workspace:
 *
 * - `POST /api/<method>` with the JSON request as body -> `200` with the response, or an
 *   {@link ApiErrorBody} with 400 (invalid request), 404, 409 (`SAVE_CONFLICT`), 422, 500;
 * - `GET /api/events?token=...` upgraded to a WebSocket: every {@link WorkbenchEvent} as a JSON text frame.
 *
 * Like Jupyter, the server trusts only callers that present the random per-session token (header
 * `x-stratum-token` for requests, `token` query parameter for the WebSocket, which browsers cannot
 * give headers), so other local users and web pages cannot drive it. The `Host` header must name
 * the loopback address (no DNS rebinding) and WebSocket `Origin`, when sent, must be this server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { MAX_REQUEST_BYTES, TOKEN_HEADER, type ApiErrorBody } from './contract.ts';
import { dispatch } from './validate.ts';
import type { Workspace } from '../workspace/workspace.ts';

/** Options of {@link startWorkbenchServer}. */
export interface WorkbenchServerOptions {
  /** The open workspace whose API is served (the server does not dispose it). */
  workspace: Workspace;
  /** TCP port; 0 (default) = any free port. */
  port?: number;
  /** Folder of the built renderer; default `dist/renderer` of this repository. */
  rendererDir?: string;
  /** Session token; default 24 random bytes as hex. */
  token?: string;
}

/** A running workbench server. */
export interface WorkbenchServer {
  /** Base URL, e.g. `http://127.0.0.1:43125`. */
  readonly url: string;
  /** URL to open in a browser: base URL with `?token=...`. */
  readonly openUrl: string;
  /** The session token. */
  readonly token: string;
  readonly port: number;
  /** Stops accepting requests and closes WebSockets (the workspace stays open). Safe to call twice. */
  close(): Promise<void>;
}

/** Default folder of the built renderer: `<repo>/dist/renderer`. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

function sameToken(expected: Buffer, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const buffer = Buffer.from(given, 'utf8');
  return buffer.length === expected.length && timingSafeEqual(buffer, expected);
}

/**
 * Starts the browser-mode server on 127.0.0.1.
 *
 * @throws Error when the port is taken (Fastify's `EADDRINUSE`)
 * @example
 * ```ts
 * const workspace = await openWorkspace({ root: '.' });
 * const server = await startWorkbenchServer({ workspace });
 * console.log(server.openUrl);
 * ```
 */
export async function startWorkbenchServer(options: WorkbenchServerOptions): Promise<WorkbenchServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const tokenBytes = Buffer.from(token, 'utf8');
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const app = Fastify({ logger: false, bodyLimit: MAX_REQUEST_BYTES });
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  const deny = (reply: FastifyReply, status: number, message: string): FastifyReply => {
    const body: ApiErrorBody = { error: { ename: 'StratumError', evalue: message, traceback: [], code: 'REQUEST_INVALID' } };
    return reply.code(status).send(body);
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!allowedHosts().includes(request.headers.host ?? '')) return deny(reply, 403, 'Host header must be the loopback address of this server');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return undefined;
  });

  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 } });

  const sockets = new Set<{ close: () => void }>();
  app.get('/api/events', { websocket: true }, (socket, request: FastifyRequest) => {
    const query = request.query as Record<string, unknown>;
    const origin = request.headers.origin;
    if (!sameToken(tokenBytes, query.token) || (origin !== undefined && !allowedOrigins().includes(origin))) {
      socket.close(1008, 'invalid token or origin');
      return;
    }
    const unsubscribe = options.workspace.onEvent((event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    });
    const handle = { close: () => socket.close(1001, 'server closing') };
    sockets.add(handle);
    socket.on('close', () => {
      unsubscribe();
      sockets.delete(handle);
    });
    socket.on('message', () => socket.close(1008, 'the event socket is one-way'));
    socket.send(JSON.stringify({ type: 'hello' }));
  });

  app.post('/api/:method', async (request, reply) => {
    if (!sameToken(tokenBytes, request.headers[TOKEN_HEADER])) return deny(reply, 401, `missing or wrong ${TOKEN_HEADER} header (open the URL printed by stratum open)`);
    const { method } = request.params as { method: string };
    const result = await dispatch(options.workspace.handlers, method, request.body ?? {});
    if (result.ok) return reply.code(200).send(result.value);
    const body: ApiErrorBody = { error: result.error };
    return reply.code(result.status).send(body);
  });

  if (existsSync(path.join(rendererDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: rendererDir, index: ['index.html'], wildcard: true });
  } else {
    app.get('/', async (_request, reply) => reply.code(503).type('text/plain').send(`The workbench UI is not built: run \`npm run build:renderer\` (expected ${rendererDir}/index.html).\n`));
  }

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    openUrl: `${url}/?token=${token}`,
    token,
    port,
    close() {
      closing ??= (async () => {
        for (const socket of sockets) socket.close();
        await app.close();
      })();
      return closing;
    },
  };
}
