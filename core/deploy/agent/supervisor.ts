/**
 * The agent's process supervisor: runs each service's replicas as `stratum serve` child
 * processes, health-checks them, switches the service's stable endpoint (a proxy, see proxy.ts)
 * only to healthy replicas, rolls back, scales, and persists the desired state.
 *
 * Why child processes rather than `serveBundle` in the agent: a crashing or leaking model (TF.js
 * memory, a wasm abort, an infinite loop in a request) takes down one replica, never the agent
 * that must roll it back; replicas use separate cores; and `kill -9` semantics stay simple.
 *
 * Deploy is blue/green: the new version's replicas start beside the old ones, and traffic moves
 * only when every new replica answers `GET /health` with `status: "ok"`. If one fails (exits, or
 * no healthy answer within the timeout), the new replicas are stopped and the old ones — never
 * stopped — keep serving: that is the automatic rollback. Costs twice the memory during a deploy.
 *
 * Restart: `<data-dir>/state.json` (atomic write, fsync) holds per service the desired version,
 * the previous version, replicas, endpoint port and the pids of the replicas. On boot the agent
 * stops stale replicas left by a crashed agent (only processes whose command line is
 * `stratum serve <data-dir>/services/<name>/versions/...`, so a reused pid is never killed) and
 * starts fresh ones: a crashed agent took the endpoint proxy down anyway, and fresh children are
 * again owned (exit events, logs) by the new agent. If the recorded version no longer starts, the
 * previous version is tried.
 *
 * A replica that exits on its own is restarted after a back-off (1 s, 2 s, 4 s ... 30 s); after 5
 * consecutive failures (a run longer than 60 s resets the count) it is left down and the service
 * shows `degraded`/`failed`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, open } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import writeFileAtomic from 'write-file-atomic';
import type { DeployRequest, ReplicaStatus, ServiceStatus } from './protocol.ts';
import { startProxy, type ServiceProxy } from './proxy.ts';
import { AgentHttpError } from './upload.ts';

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Absolute data folder. */
  dataDir: string;
  /** Address replicas and service endpoints bind to (the agent's host). */
  host: string;
  /** How long a new replica has to answer `GET /health`, in ms. */
  healthTimeoutMs: number;
  /** Path of `bin/stratum.mjs`, run with `process.execPath`. */
  stratumBin: string;
  /** Where the supervisor writes one-line log messages. */
  log: (line: string) => void;
}

/** One replica as recorded in state.json. */
export interface PersistedReplica {
  index: number;
  pid: number;
  port: number;
  version: string;
}

/** One service as recorded in state.json. */
export interface PersistedService {
  version: string;
  previousVersion?: string;
  replicas: number;
  port: number;
  pids: PersistedReplica[];
}

/** Content of `<data-dir>/state.json`. */
export interface PersistedState {
  formatVersion: 1;
  services: Record<string, PersistedService>;
}

interface Replica {
  index: number;
  version: string;
  port: number;
  pid: number;
  child: ChildProcess;
  startedAt: string;
  restarts: number;
  logPath: string;
  stopping: boolean;
  exited?: { code: number | null; signal: NodeJS.Signals | null };
  exitedPromise: Promise<void>;
}

interface Service {
  name: string;
  version: string;
  previousVersion?: string;
  replicas: number;
  port: number;
  proxy: ServiceProxy;
  instances: Replica[];
  busy: boolean;
  lastError?: string;
  queue: Promise<unknown>;
  removed: boolean;
}

const MAX_RESTARTS = 5;
const STOP_GRACE_MS = 5000;
const STABLE_AFTER_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Owns every replica process and service endpoint of one agent. */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #services = new Map<string, Service>();
  #persisting: Promise<void> = Promise.resolve();
  #closed = false;

  /** @param options - see {@link SupervisorOptions} */
  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** `<data-dir>/services/<name>/versions/<version>`. */
  versionDir(name: string, version: string): string {
    return join(this.#options.dataDir, 'services', name, 'versions', version);
  }

  get #statePath(): string {
    return join(this.#options.dataDir, 'state.json');
  }

  /**
   * Restores the services recorded in state.json: stops stale replicas of a previous agent, then
   * starts the recorded version (or, if it fails, the previous one). Never throws for one service's failure.
   */
  async boot(): Promise<void> {
    const state = await this.#readState();
    for (const [name, saved] of Object.entries(state.services)) {
      for (const stale of saved.pids) await this.#stopStale(name, stale);
      let proxy: ServiceProxy;
      try {
        proxy = await startProxy(name, this.#options.host, saved.port);
      } catch (error) {
        this.#options.log(`service ${name}: endpoint port ${saved.port} is taken (${(error as Error).message}); using a free port`);
        proxy = await startProxy(name, this.#options.host, 0);
      }
      const service: Service = { name, version: saved.version, replicas: saved.replicas, port: proxy.port, proxy, instances: [], busy: true, queue: Promise.resolve(), removed: false };
      if (saved.previousVersion !== undefined) service.previousVersion = saved.previousVersion;
      this.#services.set(name, service);
      await this.#locked(service, async () => {
        try {
          const fresh = await this.#startHealthy(service, saved.version, range(saved.replicas));
          this.#switch(service, fresh);
          this.#options.log(`service ${name}: restored ${saved.version} x${saved.replicas} at ${this.#endpoint(service)}`);
        } catch (error) {
          service.lastError = (error as Error).message;
          this.#options.log(`service ${name}: ${saved.version} did not come back: ${service.lastError}`);
          if (saved.previousVersion !== undefined && saved.previousVersion !== saved.version) {
            try {
              const fresh = await this.#startHealthy(service, saved.previousVersion, range(saved.replicas));
              service.previousVersion = service.version;
              service.version = saved.previousVersion;
              this.#switch(service, fresh);
              this.#options.log(`service ${name}: rolled back to ${saved.previousVersion}`);
            } catch (again) {
              this.#options.log(`service ${name}: previous version ${saved.previousVersion} failed too: ${(again as Error).message}`);
            }
          }
        }
      });
    }
    await this.#persist();
  }

  /**
   * Deploys `version` with `replicas` replicas (blue/green, see the module doc).
   *
   * @throws AgentHttpError 404 when the version was not uploaded; 409 when the port is taken;
   *   502 `HEALTH_CHECK_FAILED` naming the replica and the reason when the new version does not
   *   become healthy (the old version keeps serving)
   */
  async deploy(name: string, request: DeployRequest): Promise<ServiceStatus> {
    await this.#requireVersion(name, request.version);
    let service = this.#services.get(name);
    const isNew = service === undefined;
    if (!service) {
      let proxy: ServiceProxy;
      try {
        proxy = await startProxy(name, this.#options.host, request.port ?? 0);
      } catch (error) {
        throw new AgentHttpError(409, 'PORT_IN_USE', `cannot open the endpoint of ${name} on ${this.#options.host}:${request.port ?? 0}: ${(error as Error).message}`, 'Choose another port for the component, or free that one.');
      }
      service = { name, version: request.version, replicas: 0, port: proxy.port, proxy, instances: [], busy: false, queue: Promise.resolve(), removed: false };
      this.#services.set(name, service);
    }
    const svc = service;
    return this.#locked(svc, async () => {
      const fresh = await this.#startHealthy(svc, request.version, range(request.replicas)).catch(async (error: unknown) => {
        svc.lastError = (error as Error).message;
        if (isNew) {
          // A first deploy that failed: nothing to keep.
          this.#services.delete(svc.name);
          await svc.proxy.close();
        }
        throw new AgentHttpError(
          502,
          'HEALTH_CHECK_FAILED',
          `${name}@${request.version} failed its health check: ${(error as Error).message}` + (svc.instances.length > 0 ? `; rolled back: ${svc.version} keeps serving` : '; nothing was running before, so nothing serves'),
          'Read the replica log named in the message, fix the bundle, and deploy a new version.',
          { service: name, version: request.version, ...(svc.instances.length > 0 ? { serving: svc.version } : {}) },
        );
      });
      if (request.port !== undefined && request.port !== svc.port) await this.#moveEndpoint(svc, request.port, fresh);
      const old = svc.instances;
      if (svc.version !== request.version && old.length > 0) svc.previousVersion = svc.version;
      svc.version = request.version;
      svc.replicas = request.replicas;
      delete svc.lastError;
      this.#switch(svc, fresh);
      await this.#persist();
      await Promise.all(old.map((r) => this.#stop(r)));
      return this.#status(svc, false);
    });
  }

  /**
   * Sets the replica count of a deployed service (0 stops all but keeps the service).
   *
   * @throws AgentHttpError 404 for an unknown service; 502 when added replicas do not become healthy (existing ones keep serving)
   */
  async scale(name: string, replicas: number): Promise<ServiceStatus> {
    const svc = this.#require(name);
    return this.#locked(svc, async () => {
      const current = svc.instances;
      if (replicas > current.length) {
        const taken = new Set(current.map((r) => r.index));
        const indexes = range(replicas * 2).filter((i) => !taken.has(i)).slice(0, replicas - current.length);
        const added = await this.#startHealthy(svc, svc.version, indexes).catch((error: unknown) => {
          throw new AgentHttpError(502, 'HEALTH_CHECK_FAILED', `scaling ${name} to ${replicas}: a new replica failed its health check: ${(error as Error).message}; the ${current.length} running replica(s) keep serving`, 'Check the node has memory and cores for more replicas.');
        });
        svc.replicas = replicas;
        this.#switch(svc, [...current, ...added]);
        await this.#persist();
      } else {
        const keep = current.slice(0, replicas);
        const drop = current.slice(replicas);
        svc.replicas = replicas;
        this.#switch(svc, keep);
        await this.#persist();
        await Promise.all(drop.map((r) => this.#stop(r)));
      }
      return this.#status(svc, false);
    });
  }

  /** Stops a service, closes its endpoint and deletes its files. @throws AgentHttpError 404 for an unknown service */
  async remove(name: string): Promise<void> {
    const svc = this.#require(name);
    await this.#locked(svc, async () => {
      svc.removed = true;
      this.#services.delete(name);
      const instances = svc.instances;
      svc.instances = [];
      svc.proxy.setTargets([]);
      await this.#persist();
      await Promise.all(instances.map((r) => this.#stop(r)));
      await svc.proxy.close();
      await rm(join(this.#options.dataDir, 'services', name), { recursive: true, force: true });
    });
  }

  /** Status of one service with live health checks. @throws AgentHttpError 404 for an unknown service */
  async serviceStatus(name: string): Promise<ServiceStatus> {
    const svc = this.#require(name);
    return this.#status(svc, svc.busy);
  }

  /** Status of every service with live health checks, sorted by name. */
  async statusAll(): Promise<ServiceStatus[]> {
    const names = [...this.#services.keys()].sort();
    return Promise.all(names.map((n) => this.serviceStatus(n)));
  }

  /** Stops every replica and endpoint; the desired state stays on disk for the next boot. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const services = [...this.#services.values()];
    await Promise.all(services.map(async (svc) => {
      svc.proxy.setTargets([]);
      await Promise.all(svc.instances.map((r) => this.#stop(r)));
      await svc.proxy.close();
    }));
    await this.#persisting;
    // Record that no replica is running, keeping the desired state.
    await this.#persist(true);
  }

  // --- internals ---------------------------------------------------------------------------

  #require(name: string): Service {
    const svc = this.#services.get(name);
    if (!svc) throw new AgentHttpError(404, 'SERVICE_UNKNOWN', `no service ${name} on this node`, 'Deploy it first (stratum deploy).', { service: name });
    return svc;
  }

  async #requireVersion(name: string, version: string): Promise<void> {
    try {
      await stat(join(this.versionDir(name, version), 'manifest.json'));
    } catch {
      throw new AgentHttpError(404, 'VERSION_UNKNOWN', `version ${version} of ${name} was not uploaded to this node`, `Upload it first: PUT /v1/services/${name}/bundle?version=${version}.`, { service: name, version });
    }
  }

  /** Runs `work` after every earlier operation on `svc`, marking it busy meanwhile. */
  #locked<T>(svc: Service, work: () => Promise<T>): Promise<T> {
    const run = svc.queue.then(async () => {
      svc.busy = true;
      try {
        return await work();
      } finally {
        svc.busy = false;
      }
    });
    svc.queue = run.catch(() => undefined);
    return run;
  }

  #endpoint(svc: Service): string {
    return `http://${urlHost(this.#options.host)}:${svc.port}`;
  }

  #switch(svc: Service, instances: Replica[]): void {
    svc.instances = instances;
    svc.proxy.setTargets(instances.filter((r) => !r.exited).map((r) => ({ host: this.#options.host, port: r.port })));
  }

  async #moveEndpoint(svc: Service, port: number, fresh: Replica[]): Promise<void> {
    let proxy: ServiceProxy;
    try {
      proxy = await startProxy(svc.name, this.#options.host, port);
    } catch (error) {
      await Promise.all(fresh.map((r) => this.#stop(r)));
      throw new AgentHttpError(409, 'PORT_IN_USE', `cannot move the endpoint of ${svc.name} to port ${port}: ${(error as Error).message}`, 'Choose another port, or free that one.');
    }
    const old = svc.proxy;
    svc.proxy = proxy;
    svc.port = proxy.port;
    await old.close();
  }

  /** Starts replicas `indexes` of `version` and waits until all are healthy; on any failure stops them all and throws. */
  async #startHealthy(svc: Service, version: string, indexes: number[]): Promise<Replica[]> {
    const started: Replica[] = [];
    try {
      for (const index of indexes) started.push(await this.#spawn(svc, version, index, 0));
      await Promise.all(started.map((r) => this.#waitHealthy(svc, r)));
      return started;
    } catch (error) {
      await Promise.all(started.map((r) => this.#stop(r)));
      throw error;
    }
  }

  async #spawn(svc: Service, version: string, index: number, restarts: number): Promise<Replica> {
    const dir = this.versionDir(svc.name, version);
    const port = await freePort(this.#options.host);
    const logDir = join(this.#options.dataDir, 'services', svc.name, 'logs');
    await mkdir(logDir, { recursive: true });
    const logPath = join(logDir, `${version}-r${index}.log`);
    const fd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [this.#options.stratumBin, 'serve', dir, '--port', String(port), '--host', this.#options.host], { stdio: ['ignore', fd, fd], env: process.env });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      await new Promise((resolve) => child.once('error', resolve));
      throw new Error(`could not start replica ${index} of ${svc.name}@${version}: spawn failed`);
    }
    let markExited: () => void = () => undefined;
    const replica: Replica = {
      index,
      version,
      port,
      pid: child.pid,
      child,
      startedAt: new Date().toISOString(),
      restarts,
      logPath,
      stopping: false,
      exitedPromise: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
    };
    child.once('exit', (code, signal) => {
      replica.exited = { code, signal };
      markExited();
      if (!replica.stopping) this.#onUnexpectedExit(svc, replica);
    });
    return replica;
  }

  async #waitHealthy(svc: Service, replica: Replica): Promise<void> {
    const deadline = Date.now() + this.#options.healthTimeoutMs;
    const url = `http://${urlHost(this.#options.host)}:${replica.port}/health`;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (replica.exited) {
        throw new Error(`replica ${replica.index} (pid ${replica.pid}) exited with ${replica.exited.signal ?? `code ${replica.exited.code}`} before answering /health: ${await logTail(replica.logPath)} (log: ${replica.logPath})`);
      }
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        const body = (await response.json().catch(() => ({}))) as { status?: string };
        if (response.ok && body.status === 'ok') return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await Promise.race([sleep(250), replica.exitedPromise]);
    }
    throw new Error(`replica ${replica.index} (pid ${replica.pid}) of ${svc.name} gave no healthy answer at ${url} within ${this.#options.healthTimeoutMs} ms (last: ${last}; log: ${replica.logPath})`);
  }

  async #stop(replica: Replica): Promise<void> {
    replica.stopping = true;
    if (replica.exited) return;
    replica.child.kill('SIGTERM');
    const timer = setTimeout(() => replica.child.kill('SIGKILL'), STOP_GRACE_MS);
    await replica.exitedPromise;
    clearTimeout(timer);
  }

  #onUnexpectedExit(svc: Service, replica: Replica): void {
    if (this.#closed || svc.removed || !svc.instances.includes(replica)) return;
    const how = replica.exited?.signal ?? `code ${replica.exited?.code}`;
    this.#switch(svc, svc.instances); // drop it from the endpoint
    // A replica that ran for a while before exiting starts a fresh back-off series.
    if (Date.now() - Date.parse(replica.startedAt) > STABLE_AFTER_MS) replica.restarts = 0;
    if (replica.restarts >= MAX_RESTARTS) {
      svc.lastError = `replica ${replica.index} exited (${how}) ${replica.restarts + 1} times; left down (log: ${replica.logPath})`;
      this.#options.log(`service ${svc.name}: ${svc.lastError}`);
      return;
    }
    const delay = Math.min(30_000, 1000 * 2 ** replica.restarts);
    this.#options.log(`service ${svc.name}: replica ${replica.index} exited (${how}); restarting in ${delay} ms`);
    setTimeout(() => {
      void this.#locked(svc, async () => {
        if (this.#closed || svc.removed || !svc.instances.includes(replica)) return;
        try {
          const fresh = await this.#spawn(svc, replica.version, replica.index, replica.restarts + 1);
          this.#switch(svc, svc.instances.map((r) => (r === replica ? fresh : r)));
          await this.#persist();
          await this.#waitHealthy(svc, fresh).catch((error: unknown) => {
            svc.lastError = (error as Error).message;
          });
          this.#switch(svc, svc.instances);
        } catch (error) {
          svc.lastError = (error as Error).message;
        }
      });
    }, delay).unref();
  }

  async #status(svc: Service, busy: boolean): Promise<ServiceStatus> {
    const host = urlHost(this.#options.host);
    const instances: ReplicaStatus[] = await Promise.all(
      svc.instances.map(async (r): Promise<ReplicaStatus> => {
        let health: ReplicaStatus['health'] = 'exited';
        if (!r.exited) {
          try {
            const response = await fetch(`http://${host}:${r.port}/health`, { signal: AbortSignal.timeout(1000) });
            await response.body?.cancel();
            health = response.ok ? 'ok' : 'unhealthy';
          } catch {
            health = 'unhealthy';
          }
        }
        return { index: r.index, pid: r.pid, port: r.port, url: `http://${host}:${r.port}`, version: r.version, health, startedAt: r.startedAt, restarts: r.restarts };
      }),
    );
    const healthy = instances.filter((i) => i.health === 'ok').length;
    const state: ServiceStatus['state'] = busy ? 'starting' : svc.replicas === 0 ? 'stopped' : healthy >= svc.replicas ? 'running' : healthy > 0 ? 'degraded' : 'failed';
    let versions: string[] = [];
    try {
      versions = (await readdir(join(this.#options.dataDir, 'services', svc.name, 'versions'))).sort();
    } catch {
      versions = [];
    }
    return {
      name: svc.name,
      version: svc.version,
      ...(svc.previousVersion !== undefined ? { previousVersion: svc.previousVersion } : {}),
      replicas: svc.replicas,
      port: svc.port,
      endpoint: this.#endpoint(svc),
      state,
      versions,
      instances,
      ...(svc.lastError !== undefined ? { lastError: svc.lastError } : {}),
    };
  }

  async #readState(): Promise<PersistedState> {
    let text: string;
    try {
      text = await readFile(this.#statePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { formatVersion: 1, services: {} };
      throw error;
    }
    try {
      const state = JSON.parse(text) as PersistedState;
      if (state.formatVersion !== 1 || typeof state.services !== 'object' || state.services === null) throw new Error(`unknown formatVersion ${String(state.formatVersion)}`);
      return state;
    } catch (error) {
      const aside = `${this.#statePath}.unreadable-${Date.now()}`;
      await rename(this.#statePath, aside);
      this.#options.log(`state.json could not be read (${(error as Error).message}); moved to ${aside}, starting with no services`);
      return { formatVersion: 1, services: {} };
    }
  }

  /** Writes state.json atomically; writes are serialized in call order. `stopped` records no pids. */
  #persist(stopped = false): Promise<void> {
    const services: Record<string, PersistedService> = {};
    for (const svc of this.#services.values()) {
      services[svc.name] = {
        version: svc.version,
        ...(svc.previousVersion !== undefined ? { previousVersion: svc.previousVersion } : {}),
        replicas: svc.replicas,
        port: svc.port,
        pids: stopped ? [] : svc.instances.filter((r) => !r.exited).map((r) => ({ index: r.index, pid: r.pid, port: r.port, version: r.version })),
      };
    }
    const state: PersistedState = { formatVersion: 1, services };
    this.#persisting = this.#persisting.then(() => writeFileAtomic(this.#statePath, `${JSON.stringify(state, null, 2)}\n`, { encoding: 'utf8', fsync: true, mode: 0o600 }));
    return this.#persisting;
  }

  /** Stops a replica left by a previous agent, if that pid still runs `stratum serve` from this data dir. */
  async #stopStale(name: string, stale: PersistedReplica): Promise<void> {
    const args = await commandLine(stale.pid);
    const marker = join(this.#options.dataDir, 'services', name, 'versions');
    if (args === undefined) return; // gone
    if (!args.includes('serve') || !args.some((a) => a.startsWith(marker))) {
      this.#options.log(`service ${name}: pid ${stale.pid} is no longer a replica of ours (pid reused?); left alone`);
      return;
    }
    this.#options.log(`service ${name}: stopping stale replica pid ${stale.pid} left by a previous agent`);
    signal(stale.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (Date.now() < deadline && (await commandLine(stale.pid)) !== undefined) await sleep(100);
    if ((await commandLine(stale.pid)) !== undefined) signal(stale.pid, 'SIGKILL');
    while ((await commandLine(stale.pid)) !== undefined && Date.now() < deadline + 2000) await sleep(50);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** A free TCP port on `host` (bound and released; the tiny race with other binders is accepted). */
export async function freePort(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const execFileAsync = promisify(execFile);

/** Arguments of process `pid` (Linux `/proc`, else `ps`), or undefined when it does not run (zombies count as gone). */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  if (process.platform === 'linux') {
    try {
      const status = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(status)) return undefined;
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      return raw.split('\0').filter((s) => s.length > 0);
    } catch {
      return undefined;
    }
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)]);
    const line = stdout.trim();
    return line === '' ? undefined : line.split(/\s+/);
  } catch {
    return undefined;
  }
}

/** Last lines of a replica log, squeezed to one line (at most ~600 characters). */
async function logTail(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 4096);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const lines = buffer.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
      const errorAt = lines.findIndex((l) => l.startsWith('error'));
      const text = (errorAt >= 0 ? lines.slice(errorAt) : lines.slice(-6)).join(' | ');
      return text.length > 600 ? `${text.slice(0, 600)}...` : text || '(empty log)';
    } finally {
      await handle.close();
    }
  } catch {
    return '(no log)';
  }
}
