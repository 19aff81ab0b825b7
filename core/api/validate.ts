/**
 * Request validation and dispatch shared by every edge (HTTP server, Electron main): the caller is
 * distrusted, so the method name must be known and the payload must match the method's schema in
 * {@link REQUEST_SCHEMAS} before a handler sees it.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { StratumError, serializeError, type SerializedError } from '../errors.ts';
import { NOTEBOOK_SCHEMA } from '../notebook/schema.ts';
import { API_METHODS, type ApiHandlers, type ApiMethod, type ApiRequest, type ApiResponse } from './contract.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';

let ajv: Ajv | undefined;
const compiled = new Map<ApiMethod, ValidateFunction>();

function validatorFor(method: ApiMethod): ValidateFunction {
  let validate = compiled.get(method);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: false, useDefaults: true, strict: true, strictRequired: false, strictTypes: false }).addSchema(NOTEBOOK_SCHEMA);
    validate = ajv.compile(REQUEST_SCHEMAS[method]);
    compiled.set(method, validate);
  }
  return validate;
}

/** True when `name` is a method of the API (the allow-list). */
export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) parts.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) parts.push(params.additionalProperty);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(request)';
}

/**
 * Checks a request against its method's schema.
 *
 * @param method - the method name (untrusted)
 * @param payload - the request body (untrusted)
 * @returns the payload, typed
 * @throws StratumError `REQUEST_INVALID` naming the unknown method or the bad field (`detail.field`, e.g. `cell.id`)
 */
export function validateRequest<M extends ApiMethod>(method: M | string, payload: unknown): ApiRequest<M> {
  if (!isApiMethod(method)) {
    throw new StratumError('REQUEST_INVALID', `unknown API method ${JSON.stringify(String(method).slice(0, 80))}`, { detail: { field: 'method' } });
  }
  const validate = validatorFor(method);
  if (!validate(payload)) {
    const error = (validate.errors ?? []).find((e) => e.keyword !== 'if') ?? validate.errors?.[0];
    const field = error ? fieldOf(error) : '(request)';
    const reason = error?.keyword === 'additionalProperties' ? 'is not a known field' : error?.keyword === 'required' ? 'is required' : (error?.message ?? 'is invalid');
    throw new StratumError('REQUEST_INVALID', `${method}: ${field} ${reason}`, { detail: { field, method } });
  }
  return payload as ApiRequest<M>;
}

/** Result of {@link dispatch}: the response, or the serialized error and the HTTP status that fits it. */
export type DispatchResult<M extends ApiMethod = ApiMethod> = { ok: true; value: ApiResponse<M> } | { ok: false; status: number; error: SerializedError };

/** HTTP status for an error: 400 bad request, 404 missing file, run, model, version or alias, 409 conflict, 422 other expected errors, 500 bugs. */
export function statusOf(error: SerializedError): number {
  switch (error.code) {
    case 'REQUEST_INVALID':
      return 400;
    case 'FILE_NOT_FOUND':
    case 'RUN_UNKNOWN':
    case 'MODEL_UNKNOWN':
    case 'MODEL_VERSION_UNKNOWN':
    case 'ALIAS_UNKNOWN':
      return 404;
    case 'SAVE_CONFLICT':
      return 409;
    case undefined:
      return 500;
    default:
      return 422;
  }
}

/**
 * Validates a request and runs its handler; never throws. Expected errors come back serialized
 * (traceback dropped: callers need the code, message and detail, not engine stack frames); bugs
 * are passed to `onBug` with their stack and answered with status 500.
 *
 * @param handlers - the engine's implementation (core/workspace)
 * @param method - untrusted method name
 * @param payload - untrusted request
 * @param onBug - receives unexpected errors (default: `console.error`)
 */
export async function dispatch(handlers: ApiHandlers, method: string, payload: unknown, onBug: (error: unknown) => void = (e) => console.error(e)): Promise<DispatchResult> {
  try {
    const request = validateRequest(method, payload);
    const handler = handlers[method as ApiMethod] as (r: unknown) => Promise<ApiResponse<ApiMethod>>;
    return { ok: true, value: await handler(request) };
  } catch (error) {
    const serialized = serializeError(error);
    if (serialized.code === undefined) onBug(error);
    const status = statusOf(serialized);
    return { ok: false, status, error: { ...serialized, traceback: [] } };
  }
}
