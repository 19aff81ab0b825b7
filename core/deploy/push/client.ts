/**
 * A typed client of one node agent (routes in core/deploy/agent/protocol.ts), over Node's `fetch`
 * with a bearer token and per-call timeouts. Every failure is a {@link StratumError} naming the
 * node and its address: `AGENT_UNREACHABLE` (refused, timed out, DNS, TLS) or `AGENT_REJECTED`
 * (the agent answered 4xx/5xx; `detail.status`, `detail.agentCode` and the agent's hint are kept).
 *
 * HTTPS agents with a private CA: start the client process with `NODE_EXTRA_CA_CERTS=ca.pem`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StratumError } from '../../errors.ts';
import type { AgentErrorBody, AgentStatus, DeployRequest, ServiceStatus, UploadResult } from '../agent/protocol.ts';
import type { NodeCapabilities, TokenRef } from '../types.ts';

/** Options of {@link AgentClient}. */
export interface AgentClientOptions {
  /** Agent address: `host:port` (HTTP) or a full `http(s)://host:port` URL. */
  address: string;
  /** The bearer token (see {@link resolveToken} to read it from a file or the environment). */
  token: string;
  /** Node name used in messages; default the address. */
  node?: string;
  /** Timeout of quick calls (capabilities, status, scale, remove), ms; default 15,000. */
  timeoutMs?: number;
  /** Timeout of uploads and deploys (which wait for health checks), ms; default 180,000. */
  longTimeoutMs?: number;
}

/**
 * Reads a node's token from `tokenFile` (relative to `baseDir`, first line, trimmed) or `tokenEnv`.
 *
 * @throws StratumError `USAGE` when neither is given, the variable is unset/empty or the file is empty;
 *   `FILE_NOT_FOUND` when the file cannot be read
 */
export async function resolveToken(ref: TokenRef & { name?: string }, baseDir: string): Promise<string> {
  const who = ref.name ? `node ${ref.name}` : 'the node';
  if (ref.tokenFile !== undefined) {
    const path = resolve(baseDir, ref.tokenFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new StratumError('FILE_NOT_FOUND', `cannot read the token file of ${who}: ${path} (${(error as Error).message})`, { detail: { path }, hint: 'Copy the token given to that node\'s `stratum agent --token-file` to this path (chmod 600).' });
    }
    const token = text.split('\n')[0]?.trim() ?? '';
    if (token === '') throw new StratumError('USAGE', `token file ${path} of ${who} is empty`, { detail: { path }, hint: 'Put the agent\'s token in it.' });
    return token;
  }
  if (ref.tokenEnv !== undefined) {
    const token = process.env[ref.tokenEnv]?.trim() ?? '';
    if (token === '') throw new StratumError('USAGE', `environment variable ${ref.tokenEnv} (token of ${who}) is not set or empty`, { detail: { field: ref.tokenEnv }, hint: `export ${ref.tokenEnv}=<the agent's token>` });
    return token;
  }
  throw new StratumError('USAGE', `${who} has neither tokenFile nor tokenEnv: cannot authenticate to its agent`, { hint: 'Add tokenFile: path/to/token (relative to the descriptor) or tokenEnv: VARIABLE to the node.' });
}

/** Turns `host:port` or a URL into a base URL without a trailing slash. */
export function agentBaseUrl(address: string): string {
  const withScheme = /^https?:\/\//i.test(address) ? address : `http://${address}`;
  return withScheme.replace(/\/+$/, '');
}

/** A client of one agent. Stateless; safe to share. */
export class AgentClient {
  /** Base URL, e.g. `http://127.0.0.2:7070`. */
  readonly url: string;
  /** Node name for messages. */
  readonly node: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #longTimeoutMs: number;

  /** @param options - see {@link AgentClientOptions} */
  constructor(options: AgentClientOptions) {
    this.url = agentBaseUrl(options.address);
    this.node = options.node ?? options.address;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#longTimeoutMs = options.longTimeoutMs ?? 180_000;
  }

  /** `GET /v1/capabilities`. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` */
  capabilities(): Promise<NodeCapabilities> {
    return this.#call<NodeCapabilities>('GET', '/v1/capabilities', 'read capabilities');
  }

  /** `GET /v1/status`. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` */
  status(): Promise<AgentStatus> {
    return this.#call<AgentStatus>('GET', '/v1/status', 'read status');
  }

  /** `GET /v1/services/:name`, or undefined when the node does not run it. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` */
  async service(name: string): Promise<ServiceStatus | undefined> {
    try {
      return await this.#call<ServiceStatus>('GET', `/v1/services/${encodeURIComponent(name)}`, `read status of ${name}`);
    } catch (error) {
      if (error instanceof StratumError && error.detail.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * `PUT /v1/services/:name/bundle?version=V` with a tar.gz body.
   * @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` (413 too large, 422 checksum, 400 unsafe entry, 409 version clash)
   */
  upload(name: string, version: string, tarball: Uint8Array): Promise<UploadResult> {
    return this.#call<UploadResult>('PUT', `/v1/services/${encodeURIComponent(name)}/bundle?version=${encodeURIComponent(version)}`, `upload ${name}@${version}`, {
      body: tarball,
      contentType: 'application/gzip',
      long: true,
    });
  }

  /** `POST /v1/services/:name/deploy`. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` (502 health check failed, rolled back) */
  deploy(name: string, request: DeployRequest): Promise<ServiceStatus> {
    return this.#call<ServiceStatus>('POST', `/v1/services/${encodeURIComponent(name)}/deploy`, `deploy ${name}@${request.version}`, { json: request, long: true });
  }

  /** `POST /v1/services/:name/scale`. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` */
  scale(name: string, replicas: number): Promise<ServiceStatus> {
    return this.#call<ServiceStatus>('POST', `/v1/services/${encodeURIComponent(name)}/scale`, `scale ${name}`, { json: { replicas }, long: true });
  }

  /** `DELETE /v1/services/:name`; resolves false when the node did not run it. @throws StratumError `AGENT_UNREACHABLE` | `AGENT_REJECTED` */
  async remove(name: string): Promise<boolean> {
    try {
      await this.#call<unknown>('DELETE', `/v1/services/${encodeURIComponent(name)}`, `remove ${name}`, { long: true });
      return true;
    } catch (error) {
      if (error instanceof StratumError && error.detail.status === 404 && error.detail.agentCode === 'SERVICE_UNKNOWN') return false;
      throw error;
    }
  }

  async #call<T>(method: string, path: string, what: string, options: { body?: Uint8Array; json?: unknown; contentType?: string; long?: boolean } = {}): Promise<T> {
    const timeout = options.long ? this.#longTimeoutMs : this.#timeoutMs;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    let body: Uint8Array | string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      body = options.body;
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(timeout) });
    } catch (error) {
      throw this.#unreachable(what, error, timeout);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let parsed: AgentErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as AgentErrorBody;
      } catch {
        parsed = undefined;
      }
      const agentError = parsed?.error;
      const hint = response.status === 401 ? `Use the token given to the agent of ${this.node} (--token-file); check nodes[].tokenFile / tokenEnv.` : agentError?.hint;
      throw new StratumError('AGENT_REJECTED', `node ${this.node} (${this.url}) refused to ${what}: HTTP ${response.status} ${agentError?.message ?? text.slice(0, 200)}`, {
        detail: { host: this.url, node: this.node, status: response.status, ...(agentError?.code ? { agentCode: agentError.code } : {}), ...(agentError?.detail ?? {}) },
        ...(hint ? { hint } : {}),
      });
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  #unreachable(what: string, error: unknown, timeout: number): StratumError {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    const reason = timedOut ? `no answer within ${timeout / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return new StratumError('AGENT_UNREACHABLE', `cannot reach the agent of node ${this.node} at ${this.url} to ${what}: ${reason}`, {
      detail: { host: this.url, node: this.node, reason },
      hint: timedOut
        ? 'The agent is slow or the network drops packets: check the node, or raise the timeout.'
        : `Start it on that host (stratum agent --host <address> --port <port> --token-file <file>), or fix nodes[].address; check firewalls${this.url.startsWith('https') ? ' and the TLS certificate (NODE_EXTRA_CA_CERTS for a private CA)' : ''}.`,
      cause: error,
    });
  }
}
