/**
 * The prediction service of a bundle (Fastify): `POST /predict`, `GET /health`, `GET /metadata`,
 * `GET /openapi.json`.
 *
 * The service distrusts its callers: every request body is parsed as JSON, shape-checked and
 * validated with Ajv against the bundle's input schema (all errors, each naming the field and,
 * for batches, the record index, e.g. `records[3].temp_max must be number`) before any tensor is
 * created. Expected problems get a 4xx `{ error: { code, message, field }, errors }`; anything else
 * a 500 with an id, logged with its stack. Predictions go through `predictTabular`, the same
 * function used in-process, so served and in-process predictions agree by construction; the
 * answer per record follows the bundle's task: `{label, probabilities}` (classification),
 * `{value}` (regression), `{cluster}` (clustering) or `{score, anomaly}` (anomaly, flagged above the bundle's `threshold`).
 * A forecasting bundle takes `{history: [numbers]}` and answers `{forecast: [horizon numbers]}`; a bad
 * value is named by its index, e.g. `records[0].history[7] must be number`.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { fastify, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { StratumError, isStratumError } from '../errors.ts';
import { predictTabular, type TaskPrediction } from '../ml/predict.ts';
import { listCategories } from '../ml/preprocess.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { loadBundle, type LoadedBundle } from './bundle.ts';
import { SERVICE_LIMITS } from './openapi.ts';

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** TCP port; 0 (default) picks a free port. */
  port?: number;
  /** Interface to bind; default `127.0.0.1` (pass `0.0.0.0` to accept remote clients). */
  host?: string;
  /**
   * Called for every unexpected error (a bug), which the client sees as a 500 with `id`.
   * Default: print `id` and the stack to stderr.
   */
  onInternalError?: (error: unknown, id: string) => void;
}

/** A running service. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Port actually bound. */
  port: number;
  /** Stops accepting connections, finishes in-flight requests and frees the port; safe to call twice. */
  close(): Promise<void>;
}

/** One validation problem in a request. */
export interface RequestProblem {
  /** Offending field, e.g. `temp_max` (single record) or `records[3].temp_max` (batch). */
  field: string;
  /** What is wrong, starting with the field. */
  message: string;
  /** 0-based record index in a batch. */
  record?: number;
}

/** Body of every 4xx/5xx response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; id?: string };
  errors?: RequestProblem[];
}

/** Answer sent as a 4xx: thrown by request checks, turned into {@link ErrorBody} by the error handler. */
class RequestRejected extends Error {
  constructor(
    readonly status: number,
    readonly problems: RequestProblem[],
    readonly code = 'REQUEST_INVALID',
  ) {
    super(problems[0]?.message ?? 'invalid request');
  }
}

/**
 * Starts the prediction service of a loaded bundle. The caller keeps ownership of `bundle`
 * (dispose it after `close()`); see {@link serveBundle} for the owning variant.
 *
 * @example
 * ```ts
 * const service = await startService(await loadBundle('bundles/weather'), { port: 0 });
 * const res = await fetch(`${service.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ precipitation: 0, temp_max: 12.8, temp_min: 5, wind: 4.7 }) });
 * // -> { label: 'sun', probabilities: { drizzle: 0.05, fog: 0.02, rain: 0.1, snow: 0.01, sun: 0.82 } }
 * await service.close();
 * ```
 * @param bundle - from `loadBundle`
 * @param options - port (0 = free), host (default 127.0.0.1)
 * @throws Error when the port cannot be bound (e.g. `EADDRINUSE`)
 */
export async function startService(bundle: LoadedBundle, options: ServiceOptions = {}): Promise<RunningService> {
  const app = buildApp(bundle, options.onInternalError ?? defaultInternalErrorLog);
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected server address ${String(address)}`);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

/**
 * Loads a bundle and serves it (what `stratum serve BUNDLE --port N` runs). `close()` also frees the model.
 *
 * @param dir - bundle folder
 * @param options - as {@link startService}
 * @throws StratumError from `loadBundle` (`FILE_NOT_FOUND`, `BUNDLE_INVALID`); Error when the port cannot be bound
 */
export async function serveBundle(dir: string, options: ServiceOptions = {}): Promise<RunningService & { bundle: LoadedBundle }> {
  const bundle = await loadBundle(dir);
  let service: RunningService;
  try {
    service = await startService(bundle, options);
  } catch (error) {
    bundle.dispose();
    throw error;
  }
  return {
    ...service,
    bundle,
    async close() {
      await service.close();
      bundle.dispose();
    },
  };
}

function defaultInternalErrorLog(error: unknown, id: string): void {
  console.error(`[stratum serve] internal error ${id}:`, error instanceof Error ? error.stack : error);
}

function buildApp(bundle: LoadedBundle, onInternalError: (error: unknown, id: string) => void): FastifyInstance {
  const startedAt = Date.now();
  const validate = compileValidator(bundle.inputSchema);
  const { files: _files, ...manifestWithoutFiles } = bundle.manifest;
  const metadata = { ...manifestWithoutFiles, inputSchema: bundle.inputSchema, limits: SERVICE_LIMITS };
  const model = { adapter: bundle.adapter, preprocessor: bundle.preprocessor, labels: bundle.labels };

  const app = fastify({ logger: false, bodyLimit: SERVICE_LIMITS.bodyLimitBytes, requestTimeout: 30_000, return503OnClosing: true });
  // Only JSON bodies: drop the text/plain parser (-> 415), and parse JSON ourselves for a message with the position.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new RequestRejected(400, [{ field: 'body', message: 'request body is empty: send one JSON record or an array of records' }]), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new RequestRejected(400, [{ field: 'body', message: `request body is not valid JSON: ${(error as Error).message}` }]), undefined);
    }
  });

  app.setErrorHandler((error: unknown, _request, reply) => sendError(reply, error, onInternalError));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}; see GET /openapi.json` } } satisfies ErrorBody);
  });

  app.get('/health', async () => ({ status: 'ok', name: bundle.manifest.name, version: bundle.manifest.version, uptimeSeconds: (Date.now() - startedAt) / 1000 }));
  app.get('/metadata', async () => metadata);
  app.get('/openapi.json', async () => bundle.openapi);
  app.post('/predict', async (request): Promise<TaskPrediction | TaskPrediction[]> => {
    const body: unknown = request.body;
    if (Array.isArray(body)) {
      const records = checkBatch(body, validate);
      return predictTabular(model, records, { missing: 'error' });
    }
    const record = checkRecord(body, validate);
    const [prediction] = predictTabular(model, [record], { missing: 'error' });
    if (!prediction) throw new Error('predictTabular returned no prediction for one record');
    return prediction;
  });
  return app;
}

function sendError(reply: FastifyReply, error: unknown, onInternalError: (error: unknown, id: string) => void): FastifyReply {
  if (error instanceof RequestRejected) {
    const [first] = error.problems;
    return reply.code(error.status).send({
      error: { code: error.code, message: error.message, ...(first?.field ? { field: first.field } : {}) },
      errors: error.problems,
    } satisfies ErrorBody);
  }
  // Errors Fastify raises before the handler: unsupported media type (415), body too large (413), bad headers (400).
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const message =
      fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Content-Type must be application/json'
        : fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body is larger than ${SERVICE_LIMITS.bodyLimitBytes} bytes; split the batch`
          : (fastifyError.message ?? 'invalid request');
    return reply.code(fastifyError.statusCode).send({ error: { code: 'REQUEST_INVALID', message } } satisfies ErrorBody);
  }
  // A preprocessing error on a record the schema let through is still the client's record, not a bug.
  if (isStratumError(error, 'REQUEST_INVALID') || isStratumError(error, 'DATA_INVALID')) {
    const field = typeof error.detail.field === 'string' ? error.detail.field : undefined;
    return reply.code(400).send({ error: { code: 'REQUEST_INVALID', message: error.message, ...(field ? { field } : {}) } } satisfies ErrorBody);
  }
  const id = randomUUID();
  onInternalError(error, id);
  return reply.code(500).send({ error: { code: 'INTERNAL', message: `internal error ${id}; the server log has the details`, id } } satisfies ErrorBody);
}

function compileValidator(schema: Record<string, unknown>): ValidateFunction {
  // strict: false tolerates annotation keywords; strictNumbers rejects non-finite numbers (JSON `1e400` parses to Infinity).
  const ajv = new Ajv2020({ allErrors: true, strict: false, strictNumbers: true });
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `input.schema.json is not a valid JSON Schema: ${(error as Error).message}`, { detail: { field: 'input.schema.json' }, hint: 'Re-export the bundle.', cause: error });
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function isPlainRecord(value: unknown): value is FeatureRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRecord(body: unknown, validate: ValidateFunction): FeatureRecord {
  if (body === undefined) {
    throw new RequestRejected(400, [{ field: 'body', message: 'request body is empty: send one JSON record or an array of records' }]);
  }
  if (!isPlainRecord(body)) {
    throw new RequestRejected(400, [{ field: 'body', message: `body must be one record (a JSON object) or an array of records (got ${describeType(body)})` }]);
  }
  const problems = recordProblems(body, validate, undefined);
  if (problems.length > 0) throw new RequestRejected(400, problems);
  return body;
}

function checkBatch(body: unknown[], validate: ValidateFunction): FeatureRecord[] {
  if (body.length === 0) throw new RequestRejected(400, [{ field: 'records', message: 'records must not be empty: send at least one record' }]);
  if (body.length > SERVICE_LIMITS.maxBatch) {
    throw new RequestRejected(413, [{ field: 'records', message: `records has ${body.length} items; at most ${SERVICE_LIMITS.maxBatch} per request: split the batch` }]);
  }
  const problems: RequestProblem[] = [];
  for (let i = 0; i < body.length && problems.length < SERVICE_LIMITS.maxErrorsListed; i += 1) {
    const record = body[i];
    if (!isPlainRecord(record)) {
      problems.push({ field: `records[${i}]`, message: `records[${i}] must be an object (got ${describeType(record)})`, record: i });
      continue;
    }
    problems.push(...recordProblems(record, validate, i));
  }
  if (problems.length > 0) throw new RequestRejected(400, problems.slice(0, SERVICE_LIMITS.maxErrorsListed));
  return body as FeatureRecord[];
}

/**
 * Ajv errors of one record, as problems naming the field (`temp_max` or `records[3].temp_max`);
 * one problem per field (a `null` category fails both `type` and `enum`: the first, `type`, is kept).
 */
function recordProblems(record: FeatureRecord, validate: ValidateFunction, index: number | undefined): RequestProblem[] {
  if (validate(record)) return [];
  const byField = new Map<string, RequestProblem>();
  for (const e of validate.errors ?? []) {
    const problem = describeAjvError(e, record, index);
    if (!byField.has(problem.field)) byField.set(problem.field, index === undefined ? problem : { ...problem, record: index });
  }
  return [...byField.values()];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `records[3].temp_max`, `records[3]["Beak Length (mm)"]`, or for a single record `temp_max` / `Beak Length (mm)`;
 * an index into an array of `record` (forecasting's `history`) as `records[3].history[7]`.
 */
function fieldPath(index: number | undefined, segments: string[], record?: unknown): string {
  let path = index === undefined ? '' : `records[${index}]`;
  segments.forEach((segment, i) => {
    if (path === '') path = segment;
    else if (/^\d+$/.test(segment) && Array.isArray(valueAt(record, segments.slice(0, i)))) path += `[${segment}]`;
    else path += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  });
  return path === '' ? 'body' : path;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(record: unknown, segments: string[]): unknown {
  let value: unknown = record;
  for (const segment of segments) value = (isPlainRecord(value) || Array.isArray(value)) && Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

function describeAjvError(error: ErrorObject, record: FeatureRecord, index: number | undefined): RequestProblem {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = fieldPath(index, [...segments, String(params.missingProperty)]);
      return { field, message: `${field} is required` };
    }
    case 'type': {
      const field = fieldPath(index, segments, record);
      const value = valueAt(record, segments);
      const expected = params.type === 'number' && typeof value === 'number' ? 'a finite number' : String(params.type);
      return { field, message: `${field} must be ${expected} (got ${describeType(value)})` };
    }
    case 'enum': {
      const field = fieldPath(index, segments);
      const allowed = Array.isArray(params.allowedValues) ? listCategories(params.allowedValues) : '';
      return { field, message: `${field} must be one of ${allowed} (got ${describeType(valueAt(record, segments))}: a category not seen in training)` };
    }
    case 'additionalProperties': {
      const field = fieldPath(index, [...segments, String(params.additionalProperty)]);
      return { field, message: `${field} is not an input field of this model` };
    }
    case 'minItems': {
      const field = fieldPath(index, segments, record);
      const value = valueAt(record, segments);
      return { field, message: `${field} has ${Array.isArray(value) ? value.length : 0} values; the model needs at least ${String(params.limit)}` };
    }
    default: {
      const field = fieldPath(index, segments, record);
      return { field, message: `${field} ${error.message ?? 'is invalid'}` };
    }
  }
}
