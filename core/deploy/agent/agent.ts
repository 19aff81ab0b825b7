/**
 * The node agent (`stratum agent`): an authenticated HTTP API (Fastify) on each node that reports
 * capabilities and status, accepts bundle uploads, and runs model services as supervised
 * `stratum serve` processes with health checks, automatic rollback and restart on boot.
 * Routes and shapes: protocol.ts. Uploads: upload.ts. Processes: supervisor.ts.
 *
 * Data folder layout:
 * ```
 * <data-dir>/state.json                               desired state + replica pids (atomic writes)
 * <data-dir>/staging/upload-<uuid>/                   uploads being extracted (removed after)
 * <data-dir>/services/<name>/versions/<version>/      verified bundles
 * <data-dir>/services/<name>/logs/<version>-r<i>.log  replica output
 * ```
 *
 * Security: every route (404s included) needs `Authorization: Bearer <token>`; the comparison is
 * constant-time (`crypto.timingSafeEqual` over SHA-256 digests, so lengths never leak). A refused
 * request changes nothing. TLS is used when a certificate and key are given; without TLS the token
 * crosses the network in clear, so bind to a private interface.
 */
import { fastify, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { NodeCapabilities } from '../types.ts';
import { measureCapabilities, mergeCapabilities, stratumVersion } from './capabilities.ts';
import { AGENT_MAX_REPLICAS, AGENT_NAME_PATTERN, type AgentErrorBody, type AgentStatus, type DeployRequest, type UploadResult } from './protocol.ts';
import { Supervisor } from './supervisor.ts';
import { AgentHttpError, DEFAULT_UPLOAD_LIMITS, receiveBundle, type UploadLimits } from './upload.ts';

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** TCP port of the agent API (0 = any free port). */
  port: number;
  /** Address to bind (default `127.0.0.1`); replicas and service endpoints bind to it too. */
  host?: string;
  /** The bearer token clients must present (non-empty; read it from a file, never from argv). */
  token: string;
  /** Data folder (created with mode 0700 if missing). */
  dataDir: string;
  /** Declared capabilities merged over the measured ones (see capabilities.ts). */
  declaredCapabilities?: Partial<NodeCapabilities>;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Upload limits; defaults {@link DEFAULT_UPLOAD_LIMITS}. */
  limits?: Partial<UploadLimits>;
  /** Time a new replica has to become healthy, ms; default 60,000. */
  healthTimeoutMs?: number;
  /** Path of `bin/stratum.mjs` used to start replicas; default this repository's. */
  stratumBin?: string;
  /** One-line log messages (default: stderr with a `[stratum agent]` prefix). */
  log?: (line: string) => void;
}

/** A running agent. */
export interface RunningAgent {
  /** Base URL of the API, e.g. `http://127.0.0.2:7070`. */
  url: string;
  /** Port bound. */
  port: number;
  /** Settles when the services recorded in state.json have been restored (each healthy or given up). */
  ready: Promise<void>;
  /** Stops the API, every replica and endpoint; the desired state stays on disk. Safe to call twice. */
  close(): Promise<void>;
}

/** Default path of `bin/stratum.mjs` (this repository's). */
export const DEFAULT_STRATUM_BIN = fileURLToPath(new URL('../../../bin/stratum.mjs', import.meta.url));

const TAR_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar', 'application/octet-stream'];

/**
 * Starts a node agent: binds the API, then restores the recorded services in the background (`ready`).
 *
 * @example
 * ```ts
 * const agent = await startAgent({ port: 7070, host: '127.0.0.2', token: 's3cret', dataDir: '/var/lib/stratum' });
 * // curl -H 'authorization: Bearer s3cret' http://127.0.0.2:7070/v1/capabilities
 * await agent.close();
 * ```
 * @throws StratumError-free: Error when the port cannot be bound or the data dir cannot be created;
 *   Error when `token` is empty
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  if (options.token.trim() === '') throw new Error('the agent token is empty: put a long random secret in the token file');
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stagingRoot = resolve(dataDir, 'staging');
  await rm(stagingRoot, { recursive: true, force: true }); // leftovers of an interrupted upload
  await mkdir(stagingRoot, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`[stratum agent] ${line}\n`));
  const limits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...(options.limits ?? {}) };
  const supervisor = new Supervisor({ dataDir, host, healthTimeoutMs: options.healthTimeoutMs ?? 60_000, stratumBin: options.stratumBin ?? DEFAULT_STRATUM_BIN, log });
  const startedAt = new Date().toISOString();
  const expected = digest(options.token);

  const app = (options.tls ? fastify({ logger: false, https: { cert: options.tls.cert, key: options.tls.key } }) : fastify({ logger: false })) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const ok = timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
    if (!ok) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="stratum-agent"')
        .header('connection', 'close')
        .send(errorBody(new AgentHttpError(401, 'UNAUTHORIZED', match ? 'wrong bearer token' : 'missing bearer token: send Authorization: Bearer <token>', 'Use the token in the agent\'s --token-file (descriptor: nodes[].tokenFile or tokenEnv).')));
    }
    return undefined;
  });
  // Uploads stream: the route reads request.raw itself, with its own limits.
  app.addContentTypeParser(TAR_TYPES, (_request, _payload, done) => done(null, undefined));
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof AgentHttpError) return reply.code(error.status).send(errorBody(error));
    const fastifyError = error as Partial<FastifyError>;
    if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return reply.code(fastifyError.statusCode).send({ error: { code: fastifyError.code ?? 'BAD_REQUEST', message: fastifyError.message ?? 'bad request' } } satisfies AgentErrorBody);
    }
    log(`internal error: ${(error as Error).stack ?? String(error)}`);
    return reply.code(500).send({ error: { code: 'INTERNAL', message: `internal agent error: ${(error as Error).message}` } } satisfies AgentErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } } satisfies AgentErrorBody);
  });

  app.get('/v1/capabilities', async () => mergeCapabilities(await measureCapabilities(dataDir), options.declaredCapabilities ?? {}));

  app.get('/v1/status', async (): Promise<AgentStatus> => ({
    agent: { version: stratumVersion(), pid: process.pid, startedAt, dataDir },
    services: await supervisor.statusAll(),
  }));

  app.get('/v1/services/:name', async (request) => supervisor.serviceStatus(serviceName(request)));

  app.put('/v1/services/:name/bundle', async (request, reply): Promise<UploadResult> => {
    const name = serviceName(request);
    const version = versionParam((request.query as Record<string, unknown>).version, 'version');
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!TAR_TYPES.includes(contentType)) {
      throw new AgentHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `upload Content-Type must be one of ${TAR_TYPES.join(', ')} (got ${JSON.stringify(contentType)})`, 'Send the bundle as application/gzip.');
    }
    const length = request.headers['content-length'];
    try {
      const received = await receiveBundle({
        body: request.raw,
        ...(length !== undefined ? { contentLength: Number(length) } : {}),
        stagingRoot,
        target: supervisor.versionDir(name, version),
        limits,
      });
      log(`${name}@${version}: upload ${received.result} (${received.receivedBytes} bytes received, ${received.filesVerified} files verified)`);
      return { service: name, version, ...received };
    } catch (error) {
      // The body may be partly unread: answer, then close the connection so it is not reused.
      void reply.header('connection', 'close');
      throw error;
    }
  });

  app.post('/v1/services/:name/deploy', async (request) => {
    const name = serviceName(request);
    const body = requestObject(request.body);
    const deploy: DeployRequest = { version: versionParam(body.version, 'version'), replicas: integerParam(body.replicas, 'replicas', 1, AGENT_MAX_REPLICAS) };
    if (body.port !== undefined) deploy.port = integerParam(body.port, 'port', 1, 65535);
    const status = await supervisor.deploy(name, deploy);
    log(`${name}: ${deploy.version} x${deploy.replicas} healthy at ${status.endpoint}`);
    return status;
  });

  app.post('/v1/services/:name/scale', async (request) => {
    const name = serviceName(request);
    const body = requestObject(request.body);
    return supervisor.scale(name, integerParam(body.replicas, 'replicas', 0, AGENT_MAX_REPLICAS));
  });

  app.delete('/v1/services/:name', async (request) => {
    const name = serviceName(request);
    await supervisor.remove(name);
    log(`${name}: removed`);
    return { removed: name };
  });

  try {
    await app.listen({ port: options.port, host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected agent address ${String(address)}`);
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const ready = supervisor.boot().catch((error: unknown) => log(`restoring services failed: ${(error as Error).stack ?? String(error)}`));
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    ready,
    close() {
      closing ??= (async () => {
        await app.close();
        await ready;
        await supervisor.close();
      })();
      return closing;
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function errorBody(error: AgentHttpError): AgentErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.detail ? { detail: error.detail } : {}) } };
}

function serviceName(request: FastifyRequest): string {
  const name = (request.params as Record<string, string>).name ?? '';
  if (!AGENT_NAME_PATTERN.test(name)) {
    throw new AgentHttpError(400, 'BAD_REQUEST', `service name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, ".", "_", "+" or "-", starting with a letter or digit`, undefined, { field: 'name' });
  }
  return name;
}

function versionParam(value: unknown, field: string): string {
  if (typeof value !== 'string' || !AGENT_NAME_PATTERN.test(value) || value === '.' || value === '..') {
    throw new AgentHttpError(400, 'BAD_REQUEST', `${field} ${JSON.stringify(value)} is invalid: use 1-64 letters, digits, ".", "_", "+" or "-", starting with a letter or digit`, undefined, { field });
  }
  return value;
}

function integerParam(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AgentHttpError(400, 'BAD_REQUEST', `${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`, undefined, { field });
  }
  return value;
}

function requestObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AgentHttpError(400, 'BAD_REQUEST', 'request body must be a JSON object', 'Send Content-Type: application/json with e.g. {"version": "1.0.0", "replicas": 1}.', { field: 'body' });
  }
  return body as Record<string, unknown>;
}
