/**
 * The node agent's HTTP contract, declared once: used by the agent (core/deploy/agent/agent.ts)
 * and by the push client (core/deploy/push/client.ts).
 *
 * Every route needs `Authorization: Bearer <token>`.
 *
 * | route | body | answer |
 * | --- | --- | --- |
 * | `GET /v1/capabilities` | | {@link NodeCapabilities} |
 * | `GET /v1/status` | | {@link AgentStatus} |
 * | `GET /v1/services/:name` | | {@link ServiceStatus} (404 when unknown) |
 * | `PUT /v1/services/:name/bundle?version=V` | tar or tar.gz of a bundle folder | {@link UploadResult} |
 * | `POST /v1/services/:name/deploy` | {@link DeployRequest} | {@link ServiceStatus} |
 * | `POST /v1/services/:name/scale` | {@link ScaleRequest} | {@link ServiceStatus} |
 * | `DELETE /v1/services/:name` | | `{ removed: name }` |
 *
 * Errors: `{ error: { code, message, hint?, detail? } }` ({@link AgentErrorBody}) with 400 (bad
 * request, unsafe tar entry), 401 (token), 404 (unknown service/version), 409 (version exists with
 * other bytes), 413 (upload too large), 422 (checksum mismatch, not a bundle), 502 (the new
 * version failed its health check and was rolled back).
 */
import type { NodeCapabilities } from '../types.ts';

/** Service names and versions: 1-64 of letters, digits, `.`, `_`, `-`, `+`, starting with a letter or digit. */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** Body of `POST /v1/services/:name/deploy`. */
export interface DeployRequest {
  /** A version uploaded before with `PUT .../bundle?version=V`. */
  version: string;
  /** Replica processes to run, 1 to {@link AGENT_MAX_REPLICAS}. */
  replicas: number;
  /** Stable port of the service's endpoint on this node (kept across versions); default: the current one, else any free port. */
  port?: number;
}

/** Body of `POST /v1/services/:name/scale`. */
export interface ScaleRequest {
  /** Replica processes to run, 0 to {@link AGENT_MAX_REPLICAS}. */
  replicas: number;
}

/** Most replicas of one service on one node. */
export const AGENT_MAX_REPLICAS = 16;

/** Answer of a bundle upload. */
export interface UploadResult {
  service: string;
  version: string;
  /** `stored`: new version written; `unchanged`: the same bytes were already stored (idempotent re-upload). */
  result: 'stored' | 'unchanged';
  /** Bytes of the request body received (compressed size). */
  receivedBytes: number;
  /** Bytes of the files extracted. */
  extractedBytes: number;
  /** Number of files verified against the manifest's SHA-256 (manifest.json excluded). */
  filesVerified: number;
}

/** Live state of one replica process. */
export interface ReplicaStatus {
  index: number;
  pid: number;
  /** Port of this replica's own `stratum serve`. */
  port: number;
  /** `http://host:port` of the replica itself (bypassing the service endpoint). */
  url: string;
  version: string;
  /** From a `GET /health` with a 1 s timeout at the time of the status call; `exited` when the process is gone. */
  health: 'ok' | 'unhealthy' | 'exited';
  /** ISO 8601 start time. */
  startedAt: string;
  /** Times the agent restarted this replica after it exited on its own. */
  restarts: number;
}

/** State of one service on the node. */
export interface ServiceStatus {
  name: string;
  /** Version currently serving (the last one that passed its health check). */
  version: string;
  /** Version it replaced, kept on disk for rollback. */
  previousVersion?: string;
  /** Desired replica count. */
  replicas: number;
  /** Stable port of the service endpoint on this node. */
  port: number;
  /** Stable endpoint, e.g. `http://127.0.0.2:41000`: `POST {endpoint}/predict` goes to a healthy replica (round robin). */
  endpoint: string;
  /** `running`: all desired replicas healthy; `degraded`: some; `starting`: being (re)started; `failed`: none; `stopped`: scaled to 0. */
  state: 'running' | 'degraded' | 'starting' | 'failed' | 'stopped';
  /** Versions stored on disk, sorted. */
  versions: string[];
  instances: ReplicaStatus[];
  /** Last deploy/start failure, if any, in words. */
  lastError?: string;
}

/** Answer of `GET /v1/status`. */
export interface AgentStatus {
  agent: { version: string; pid: number; startedAt: string; dataDir: string };
  services: ServiceStatus[];
}

/** Body of every error answer. */
export interface AgentErrorBody {
  error: { code: string; message: string; hint?: string; detail?: Record<string, unknown> };
}

/** Capabilities answer (re-exported for clients). */
export type CapabilitiesResponse = NodeCapabilities;
