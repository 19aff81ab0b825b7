/**
 * `stratum deploy | status | undeploy DESCRIPTOR`: check the descriptor against the nodes' live
 * capabilities, then push each model service's bundle to its planned nodes, deploy it with the
 * planned replica count, wait for health and prove it with one real prediction.
 *
 * Nothing is pushed while the checker reports an error. Nodes are handled in parallel; a node that
 * fails its deploy keeps its previous version (the agent rolls back) and the others are not undone:
 * the report says which node runs what.
 *
 * Measured: bytes moved (request bodies of the uploads: the compressed tarballs) and the time from
 * the start of the command to the first successful prediction through each node's endpoint.
 */
import { dirname, resolve } from 'node:path';
import { StratumError } from '../../errors.ts';
import { checkDescriptor } from '../checker/check.ts';
import { formatFindings } from '../checker/format.ts';
import { validateDescriptor } from '../descriptor/parse.ts';
import type { ServiceStatus } from '../agent/protocol.ts';
import type { ApplicationDescriptor, ComponentSpec, Finding, NodeSpec } from '../types.ts';
import { AgentClient, resolveToken } from './client.ts';
import { packBundle, type PackedBundle } from './pack.ts';

/** Options shared by deploy, status and undeploy. */
export interface PushOptions {
  /** Descriptor YAML file. */
  path: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Timeout of uploads and deploys per node, ms (default 180,000). */
  longTimeoutMs?: number;
}

/** One component running on one node after a deploy. */
export interface DeployedService {
  component: string;
  node: string;
  /** The node agent's URL. */
  agent: string;
  /** Stable endpoint: `POST {endpoint}/predict`. */
  endpoint: string;
  /** Version on the agent (`<bundle version>+<manifest hash>`). */
  version: string;
  replicas: number;
  /** Bytes of the upload request body (tar.gz). */
  uploadBytes: number;
  /** `stored` or `unchanged` (the node already had these bytes). */
  upload: 'stored' | 'unchanged';
  /** Upload + deploy + health wait on this node, ms. */
  deployMs: number;
  /** From the start of the deploy command to this node's first successful prediction, ms. */
  firstPredictionMs: number;
  /** That prediction (on the bundle's example record). */
  prediction: unknown;
}

/** What {@link deploy} did. */
export interface DeployReport {
  application: string;
  /** Checker findings (warnings only, or deploy would not have run). */
  findings: Finding[];
  services: DeployedService[];
  /** Sum of upload bodies, bytes. */
  bytesMoved: number;
  /** Sum of the uncompressed bundle files uploaded, bytes. */
  rawBytes: number;
  /** Check time, ms. */
  checkMs: number;
  /** From start to the last node's first successful prediction, ms. */
  totalMs: number;
}

interface NodeHandle {
  spec: NodeSpec;
  client: AgentClient;
}

async function nodeClients(descriptor: ApplicationDescriptor, baseDir: string, longTimeoutMs: number | undefined): Promise<Map<string, NodeHandle>> {
  const map = new Map<string, NodeHandle>();
  for (const spec of descriptor.nodes) {
    const token = await resolveToken({ ...spec, name: spec.name }, baseDir);
    map.set(spec.name, { spec, client: new AgentClient({ address: spec.address, token, node: spec.name, ...(longTimeoutMs !== undefined ? { longTimeoutMs } : {}) }) });
  }
  return map;
}

function deployable(component: ComponentSpec): boolean {
  return component.kind === 'model-service';
}

/**
 * Checks and deploys a descriptor (see the module doc).
 *
 * @example
 * ```ts
 * const report = await deploy({ path: 'app.yaml', log: console.log });
 * for (const s of report.services) console.log(s.component, s.node, s.endpoint);
 * ```
 * @throws StratumError `DEPLOY_FAILED` with `detail.findings` when the checker reports an error (nothing was pushed),
 *   or with `detail.failures` (node, component, message) and `detail.deployed` when some node failed;
 *   `USAGE`/`FILE_NOT_FOUND` for a token that cannot be read
 */
export async function deploy(options: PushOptions): Promise<DeployReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const baseDir = dirname(resolve(options.path));
  const parsed = await validateDescriptor({ path: options.path });
  if (!parsed.descriptor || parsed.findings.some((f) => f.severity === 'error')) throw checkFailed(parsed.findings, options.path);
  const clients = await nodeClients(parsed.descriptor, baseDir, options.longTimeoutMs);
  log(`checking ${options.path} against ${clients.size} node(s)`);
  const result = await checkDescriptor({ path: options.path }, {
    capabilities: (node) => {
      const handle = clients.get(node.name);
      return handle ? handle.client.capabilities() : Promise.resolve(undefined);
    },
  });
  const checkMs = performance.now() - started;
  // A node whose agent does not answer (down, wrong address, wrong token) blocks the whole deploy:
  // pushing to the other nodes first would leave the application half-deployed.
  const findings = result.findings.map((f): Finding => (f.rule === 'node.unreachable' ? { ...f, severity: 'error' } : f));
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0 || !result.descriptor) throw checkFailed(findings, options.path);
  if (!result.plan) throw new StratumError('DEPLOY_FAILED', `${options.path}: the checker found no placement plan; nothing was pushed`, { detail: { path: options.path, findings: result.findings } });
  const descriptor = result.descriptor;

  // Replica counts per (component, node), in plan order.
  const counts = new Map<string, Map<string, number>>();
  for (const r of result.plan.replicas) {
    const perNode = counts.get(r.component) ?? new Map<string, number>();
    perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
    counts.set(r.component, perNode);
  }
  const packed = new Map<string, PackedBundle>();
  for (const component of descriptor.components) {
    if (!deployable(component) || !counts.has(component.name)) continue;
    const bundle = result.bundles.get(component.name);
    if (!bundle) {
      throw new StratumError('DEPLOY_FAILED', `component ${component.name} has no resolved bundle to push`, { detail: { field: `components.${component.name}` }, hint: 'Give the component a bundle: path to an exported bundle folder, or a model: name@alias registered in the workspace registry.' });
    }
    packed.set(component.name, await packBundle(bundle.dir));
  }
  for (const component of descriptor.components) {
    if (!deployable(component)) log(`${component.name}: ${component.kind} components are not pushed to agents (yet); skipped`);
  }

  const jobs: Array<Promise<DeployedService>> = [];
  const jobInfo: Array<{ component: string; node: string }> = [];
  for (const [component, perNode] of counts) {
    const pack = packed.get(component);
    const spec = descriptor.components.find((c) => c.name === component);
    if (!pack || !spec) continue;
    for (const [node, replicas] of perNode) {
      const handle = clients.get(node);
      if (!handle) continue;
      jobInfo.push({ component, node });
      jobs.push(deployOne(handle, spec, pack, replicas, started, log));
    }
  }
  const settled = await Promise.allSettled(jobs);
  const services: DeployedService[] = [];
  const failures: Array<{ component: string; node: string; message: string }> = [];
  settled.forEach((s, i) => {
    const info = jobInfo[i] ?? { component: '?', node: '?' };
    if (s.status === 'fulfilled') services.push(s.value);
    else failures.push({ ...info, message: (s.reason as Error).message });
  });
  const bytesMoved = services.reduce((sum, s) => sum + s.uploadBytes, 0);
  if (failures.length > 0) {
    throw new StratumError('DEPLOY_FAILED', `deploy of ${descriptor.metadata.name} failed on ${failures.length} of ${jobs.length} node placement(s): ${failures.map((f) => `${f.component} on ${f.node}: ${f.message}`).join('; ')}`, {
      detail: { failures, deployed: services.map((s) => ({ component: s.component, node: s.node, endpoint: s.endpoint, version: s.version })) },
      hint: 'Failed nodes keep their previous version (automatic rollback); fix the cause and run stratum deploy again.',
    });
  }
  return {
    application: descriptor.metadata.name,
    findings: result.findings,
    services,
    bytesMoved,
    rawBytes: services.reduce((sum, s) => sum + (packed.get(s.component)?.rawBytes ?? 0), 0),
    checkMs,
    totalMs: Math.max(checkMs, ...services.map((s) => s.firstPredictionMs)),
  };
}

async function deployOne(handle: NodeHandle, component: ComponentSpec, pack: PackedBundle, replicas: number, started: number, log: (line: string) => void): Promise<DeployedService> {
  const t0 = performance.now();
  const { client } = handle;
  const upload = await client.upload(component.name, pack.agentVersion, pack.data);
  log(`${component.name} -> ${handle.spec.name}: uploaded ${pack.data.byteLength} bytes (${upload.result}, ${upload.filesVerified} files verified)`);
  const status = await client.deploy(component.name, { version: pack.agentVersion, replicas, ...(component.port !== undefined ? { port: component.port } : {}) });
  const deployMs = performance.now() - t0;
  log(`${component.name} -> ${handle.spec.name}: ${pack.agentVersion} x${replicas} healthy at ${status.endpoint} (${Math.round(deployMs)} ms)`);
  const prediction = await firstPrediction(status, pack.manifest.example, handle.spec.name);
  return {
    component: component.name,
    node: handle.spec.name,
    agent: client.url,
    endpoint: status.endpoint,
    version: status.version,
    replicas,
    uploadBytes: pack.data.byteLength,
    upload: upload.result,
    deployMs,
    firstPredictionMs: performance.now() - started,
    prediction,
  };
}

/** POSTs the bundle's example record until a 200 (up to 10 s: the endpoint is already healthy, this proves the path end to end). */
async function firstPrediction(status: ServiceStatus, example: Record<string, unknown>, node: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${status.endpoint}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example), signal: AbortSignal.timeout(5000) });
      const text = await response.text();
      if (response.ok) return JSON.parse(text) as unknown;
      last = `HTTP ${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new StratumError('AGENT_UNREACHABLE', `${status.name} on ${node} is healthy but ${status.endpoint}/predict did not answer a prediction: ${last}`, {
    detail: { host: status.endpoint, node },
    hint: 'The endpoint may be bound to an address this machine cannot reach: start the agent with --host set to an address clients can reach.',
  });
}

function checkFailed(findings: Finding[], path: string): StratumError {
  const errors = findings.filter((f) => f.severity === 'error');
  return new StratumError('DEPLOY_FAILED', `${path}: ${errors.length} error(s); nothing was pushed\n${formatFindings(errors, { file: path }).trimEnd()}`, {
    detail: { path, findings },
    hint: `Fix them (stratum check ${path} lists each with its YAML path and a fix) and deploy again.`,
  });
}

/** One component on one node, as {@link status} reports it. */
export interface PlacementStatus {
  component: string;
  node: string;
  /** `absent` when the node does not run it; `unreachable` when its agent did not answer. */
  state: ServiceStatus['state'] | 'absent' | 'unreachable';
  service?: ServiceStatus;
  /** The error when unreachable. */
  error?: string;
}

/**
 * What runs where: every model-service component on every node of the descriptor.
 *
 * @throws StratumError `DEPLOY_FAILED` when the descriptor is invalid; `USAGE`/`FILE_NOT_FOUND` for tokens
 */
export async function status(options: PushOptions): Promise<PlacementStatus[]> {
  const { descriptor, clients } = await openDescriptor(options);
  const out: PlacementStatus[] = [];
  await Promise.all(
    [...clients.values()].map(async ({ spec, client }) => {
      let services: ServiceStatus[];
      try {
        services = (await client.status()).services;
      } catch (error) {
        for (const c of descriptor.components.filter(deployable)) out.push({ component: c.name, node: spec.name, state: 'unreachable', error: (error as Error).message });
        return;
      }
      for (const c of descriptor.components.filter(deployable)) {
        const service = services.find((s) => s.name === c.name);
        out.push(service ? { component: c.name, node: spec.name, state: service.state, service } : { component: c.name, node: spec.name, state: 'absent' });
      }
    }),
  );
  return out.sort((a, b) => a.component.localeCompare(b.component) || a.node.localeCompare(b.node));
}

/** What {@link undeploy} did on one node. */
export interface UndeployResult {
  component: string;
  node: string;
  result: 'removed' | 'absent' | 'unreachable';
  error?: string;
}

/**
 * Stops and removes every model-service component of the descriptor from every node.
 *
 * @throws StratumError `DEPLOY_FAILED` when the descriptor is invalid; `USAGE`/`FILE_NOT_FOUND` for tokens
 */
export async function undeploy(options: PushOptions): Promise<UndeployResult[]> {
  const { descriptor, clients } = await openDescriptor(options);
  const out: UndeployResult[] = [];
  await Promise.all(
    [...clients.values()].map(async ({ spec, client }) => {
      for (const c of descriptor.components.filter(deployable)) {
        try {
          out.push({ component: c.name, node: spec.name, result: (await client.remove(c.name)) ? 'removed' : 'absent' });
        } catch (error) {
          out.push({ component: c.name, node: spec.name, result: 'unreachable', error: (error as Error).message });
        }
      }
    }),
  );
  return out.sort((a, b) => a.component.localeCompare(b.component) || a.node.localeCompare(b.node));
}

async function openDescriptor(options: PushOptions): Promise<{ descriptor: ApplicationDescriptor; clients: Map<string, NodeHandle> }> {
  const parsed = await validateDescriptor({ path: options.path });
  if (!parsed.descriptor || parsed.findings.some((f) => f.severity === 'error')) throw checkFailed(parsed.findings, options.path);
  const clients = await nodeClients(parsed.descriptor, dirname(resolve(options.path)), options.longTimeoutMs);
  return { descriptor: parsed.descriptor, clients };
}
