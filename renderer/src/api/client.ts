/**
 * The renderer's {@link WorkbenchApi}: in Electron the preload exposes it as `window.stratum`
 * (IPC); in a browser it is built here over HTTP (`POST /api/<method>`) and a WebSocket for events.
 * The UI only ever sees the typed contract.
 */
import { API_METHODS, TOKEN_HEADER, type ApiErrorBody, type ApiMethod, type ApiRequest, type ApiResponse, type ApiResult, type SerializedError, type WorkbenchApi, type WorkbenchBridge, type WorkbenchEvent } from '../../../core/api/contract.ts';

/** An API call that failed: carries the engine's serialized error (code, message, detail, hint). */
export class ApiError extends Error {
  readonly error: SerializedError;
  constructor(error: SerializedError) {
    super(error.evalue);
    this.name = 'ApiError';
    this.error = error;
  }
  /** Stable error code, e.g. `SAVE_CONFLICT`. */
  get code(): string | undefined {
    return this.error.code;
  }
}

declare global {
  interface Window {
    /** Set by the Electron preload. */
    stratum?: WorkbenchBridge;
  }
}

type Call = <M extends ApiMethod>(method: M, request: ApiRequest<M>) => Promise<ApiResponse<M>>;

/** Builds the grouped API object from one `call` function and an event subscription. */
export function groupApi(call: Call, subscribe: WorkbenchApi['events']['subscribe']): WorkbenchApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const method of API_METHODS) {
    const [group, name] = method.split('.') as [string, string];
    (api[group] ??= {})[name] = (request: ApiRequest<typeof method>) => call(method, request ?? {});
  }
  return { ...(api as unknown as Omit<WorkbenchApi, 'events'>), events: { subscribe } };
}

/** Session token from `?token=` (kept in sessionStorage so a reload keeps working, then removed from the address bar). */
function sessionToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('stratum.token', fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem('stratum.token') ?? '';
}

/** The API over HTTP + WebSocket (browser mode). */
export function httpApi(base = window.location.origin): WorkbenchApi {
  const token = sessionToken();
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  let socket: WebSocket | undefined;
  let retry = 250;
  const connect = (): void => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      retry = 250;
    };
    ws.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as WorkbenchEvent | { type: 'hello' };
      if (event.type === 'hello') return;
      for (const listener of listeners) listener(event);
    };
    ws.onclose = (close) => {
      if (socket !== ws || close.code === 1008) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  connect();
  const call: Call = async (method, request) => {
    const response = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as unknown;
    if (!response.ok) throw new ApiError((body as ApiErrorBody).error);
    return body as never;
  };
  return groupApi(call, (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  });
}

/** Wraps the preload's API so rejected IPC calls become {@link ApiError}s too. */
function electronApi(raw: WorkbenchBridge): WorkbenchApi {
  const call: Call = async (method, request) => {
    const [group, name] = method.split('.') as [keyof Omit<WorkbenchBridge, 'events'>, string];
    const fn = (raw[group] as unknown as Record<string, (r: unknown) => Promise<ApiResult<unknown>>>)[name];
    if (!fn) throw new ApiError({ ename: 'Error', evalue: `method ${method} is not exposed`, traceback: [] });
    const result = await fn(request);
    if (!result.ok) throw new ApiError(result.error);
    return result.value as never;
  };
  return groupApi(call, (listener) => raw.events.subscribe(listener));
}

/** The API for this window: Electron's preload when present, else HTTP. */
export function createApi(): WorkbenchApi {
  return window.stratum ? electronApi(window.stratum) : httpApi();
}
