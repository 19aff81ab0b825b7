/**
 * The descriptor checker: proves a descriptor can work before anything moves.
 *
 * Stages, in order (docs/descriptor.md lists every rule):
 * 1. **schema** — YAML syntax and the JSON Schema; later stages run only on a schema-valid document.
 * 2. **references** — bundles exist and their checksums match (`loadBundle`'s verification), registry
 *    references resolve to a registered version (whose stored bundle is verified the same way), connections join existing components,
 *    explicit nodes exist, names, addresses and ports are not duplicated, token files exist.
 * 3. **fit and placement** — each component's effective requirements (declared, raised to the bundle's
 *    footprint) against each allowed node's capabilities, then a first-fit-decreasing plan of all replicas.
 * 4. **QoS** — p95 latency and throughput targets against the bundle's measured latency on the node class.
 *
 * Every finding is collected; nothing stops at the first error.
 */
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isStratumError } from '../../errors.ts';
import { BUNDLE_FILES, loadBundle, type BundleManifest } from '../../serving/bundle.ts';
import { openTrackingStore, type TrackingStore } from '../../store/store.ts';
import { formatPath, readDescriptorSource, schemaFindings, type DescriptorInput, type DescriptorSource, type PathSegments } from '../descriptor/parse.ts';
import type { ApplicationDescriptor, CheckResult, ComponentSpec, Finding, Layer, NodeCapabilities, NodeSpec, PlacementPlan } from '../types.ts';
import { planPlacement, type PlacementItem } from './placement.ts';
import { effectiveRequirements, isValidRange, satisfiesRange, type EffectiveRequirements } from './requirements.ts';

/** Options of {@link checkDescriptor}. */
export interface CheckOptions {
  /**
   * Fetches a node's capabilities from its agent (GET /v1/capabilities). Returns `undefined` when
   * unknown; may throw when the agent is unreachable (reported as a warning, declared values are used).
   * Declared values win field by field over reported ones.
   */
  capabilities?: (node: NodeSpec) => Promise<NodeCapabilities | undefined>;
  /**
   * Skip the first-fit-decreasing plan and the QoS stage (used by `stratum render`, where a cluster
   * schedules). The fit stage still runs: a component whose requirements exceed every declared
   * node's capabilities (`fit.*`, `place.no-node`) is an error either way. A node with unknown
   * capabilities is then only a warning, since the rendered target does not deploy to it.
   */
  skipPlacement?: boolean;
}

/** A node with its capabilities resolved (declared over reported). */
export interface ResolvedNode {
  spec: NodeSpec;
  /** Index in `nodes`. */
  index: number;
  caps: Partial<NodeCapabilities>;
  layer: Layer;
  labels: Record<string, string>;
  latencyFactor: number;
}

/** A bundle read during the reference stage. */
export interface ResolvedBundle {
  /** Absolute folder. */
  dir: string;
  manifest: BundleManifest;
  manifestBytes: number;
}

/** Everything the stages share. */
interface Context {
  source: DescriptorSource;
  descriptor: ApplicationDescriptor;
  findings: Finding[];
  bundles: Map<string, ResolvedBundle>;
}

function add(ctx: Context, severity: Finding['severity'], rule: string, path: PathSegments, message: string, fix: string): void {
  const line = ctx.source.lineOf(path);
  ctx.findings.push({ severity, rule, path: formatPath(path), ...(line === undefined ? {} : { line }), message, fix });
}

/**
 * Checks a descriptor: schema, references, requirement-capability fit with a placement plan, and QoS.
 *
 * @example
 * ```ts
 * const { findings, plan } = await checkDescriptor({ path: 'examples/descriptors/seattle-weather.yaml' });
 * console.log(formatFindings(findings, { file: 'seattle-weather.yaml' }));
 * ```
 * @param input - `{ path }` of a YAML file, or `{ text, baseDir }` (relative paths resolve against baseDir)
 * @param options - capability source for nodes without declared capabilities
 * @returns the parsed descriptor (when the YAML parses), all findings in stage order, and the plan when every replica fits
 * @throws StratumError `FILE_NOT_FOUND` when the descriptor file does not exist
 */
export async function checkDescriptor(input: DescriptorInput, options: CheckOptions = {}): Promise<CheckResult & { bundles: Map<string, ResolvedBundle> }> {
  const source = await readDescriptorSource(input);
  const raw = source.value;
  const early = [...source.yamlFindings, ...schemaFindings(source)];
  const asDescriptor = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as ApplicationDescriptor) : undefined;
  if (early.length > 0) return { descriptor: asDescriptor, findings: early, bundles: new Map() };
  const descriptor = raw as ApplicationDescriptor;
  const ctx: Context = { source, descriptor, findings: [], bundles: new Map() };
  await checkReferences(ctx);
  const nodes = await resolveNodes(ctx, options);
  const fits = checkFit(ctx, nodes);
  if (options.skipPlacement) return { descriptor, findings: ctx.findings, bundles: ctx.bundles };
  const plan = place(ctx, nodes, fits);
  checkQos(ctx, nodes, fits, plan);
  return { descriptor, findings: ctx.findings, bundles: ctx.bundles, ...(plan ? { plan } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Stage 2: references

async function checkReferences(ctx: Context): Promise<void> {
  const { descriptor: d } = ctx;
  duplicates(ctx, d.components.map((c) => c.name), (i) => ['components', i, 'name'], 'component');
  duplicates(ctx, d.nodes.map((n) => n.name), (i) => ['nodes', i, 'name'], 'node');
  const addresses = new Map<string, number>();
  d.nodes.forEach((node, i) => {
    const first = addresses.get(node.address);
    if (first !== undefined) {
      add(ctx, 'error', 'dup.address', ['nodes', i, 'address'], `address ${node.address} is also the address of nodes[${first}] (${d.nodes[first]?.name})`, 'give each node its own agent address, or remove the duplicate node');
    } else addresses.set(node.address, i);
  });
  const names = new Set(d.components.map((c) => c.name));
  const nodeNames = new Set(d.nodes.map((n) => n.name));
  (d.connections ?? []).forEach((conn, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!names.has(conn[end])) {
        add(ctx, 'error', 'ref.connection', ['connections', i, end], `connection ${end} "${conn[end]}" is not a component (components: ${[...names].join(', ')})`, 'name an existing component or add the missing component');
      }
    }
  });
  const explicit = new Map<string, { port: number; index: number }[]>();
  for (const [i, c] of d.components.entries()) {
    if (c.placement?.node !== undefined && !nodeNames.has(c.placement.node)) {
      add(ctx, 'error', 'ref.node', ['components', i, 'placement', 'node'], `node "${c.placement.node}" is not declared (nodes: ${[...nodeNames].join(', ')})`, 'name a node from nodes[] or declare that node');
    }
    if (c.placement?.node !== undefined && c.port !== undefined) {
      const list = explicit.get(c.placement.node) ?? [];
      const clash = list.find((e) => e.port === c.port);
      if (clash) {
        add(ctx, 'error', 'dup.port', ['components', i, 'port'], `port ${c.port} on node ${c.placement.node} is already used by components[${clash.index}] (${d.components[clash.index]?.name})`, 'choose another port for one of them or place them on different nodes');
      }
      list.push({ port: c.port, index: i });
      explicit.set(c.placement.node, list);
    }
    if (c.kind !== 'model-service') continue;
    if (c.model !== undefined) await checkRegistryRef(ctx, c, i);
    if (c.bundle !== undefined) await checkBundle(ctx, c, i, resolve(ctx.source.baseDir, c.bundle), ['components', i, 'bundle']);
  }
  d.nodes.forEach((node, i) => {
    if (node.tokenFile === undefined && node.tokenEnv === undefined) {
      add(ctx, 'warning', 'ref.token', ['nodes', i], `node ${node.name} has no tokenFile or tokenEnv: deploy cannot authenticate to its agent`, 'add tokenFile: path/to/token (relative to the descriptor) or tokenEnv: VARIABLE');
    }
  });
  for (const [i, node] of d.nodes.entries()) {
    if (node.tokenFile === undefined) continue;
    const path = resolve(ctx.source.baseDir, node.tokenFile);
    try {
      await access(path);
    } catch {
      add(ctx, 'warning', 'ref.token', ['nodes', i, 'tokenFile'], `token file ${path} does not exist: deploy will fail to authenticate to ${node.name}`, 'create the file with the agent token (the one given to stratum agent --token-file)');
    }
  }
}

function duplicates(ctx: Context, values: string[], path: (i: number) => PathSegments, what: string): void {
  const first = new Map<string, number>();
  values.forEach((v, i) => {
    const j = first.get(v);
    if (j !== undefined) add(ctx, 'error', 'dup.name', path(i), `${what} name "${v}" is already used at index ${j}`, `rename one of the ${what}s: names must be unique`);
    else first.set(v, i);
  });
}

/**
 * Resolves `model: name@alias|version` in the registry of the descriptor's workspace
 * (`registry.workspace`, default the descriptor's folder) and checks the registered bundle copy
 * like a `bundle:` path.
 */
async function checkRegistryRef(ctx: Context, c: ComponentSpec, i: number): Promise<void> {
  const at: PathSegments = ['components', i, 'model'];
  const workspace = resolve(ctx.source.baseDir, ctx.descriptor.registry?.workspace ?? '.');
  const [name = '', ref = ''] = (c.model ?? '').split('@');
  let store: TrackingStore | undefined;
  try {
    store = openTrackingStore({ workspace, mustExist: true });
    const version = store.models.getVersion(name, ref);
    await checkBundle(ctx, c, i, version.bundlePath, at);
  } catch (error) {
    if (!isStratumError(error)) throw error;
    add(ctx, 'error', 'ref.registry', at, `registry reference ${c.model} cannot be resolved in ${workspace}: ${error.message}`, error.hint ?? 'register the model (stratum models register) or set registry.workspace to the folder that holds .stratum/tracking.db');
  } finally {
    store?.dispose();
  }
}

async function checkBundle(ctx: Context, c: ComponentSpec, i: number, dir: string, at: PathSegments): Promise<void> {
  try {
    const loaded = await loadBundle(dir);
    loaded.dispose();
    const manifestBytes = (await stat(join(dir, BUNDLE_FILES.manifest))).size;
    ctx.bundles.set(c.name, { dir, manifest: loaded.manifest, manifestBytes });
  } catch (error) {
    if (!isStratumError(error)) throw error;
    if (error.code === 'FILE_NOT_FOUND') {
      add(ctx, 'error', 'ref.bundle-missing', at, `no bundle at ${dir} (resolved from "${c.bundle ?? c.model}" relative to ${ctx.source.baseDir}): ${BUNDLE_FILES.manifest} not found`, 'export the model first (stratum.exportBundle in the notebook) or fix the path, which is relative to the descriptor file');
    } else if (error.code === 'BUNDLE_INVALID' && typeof error.detail.expectedSha256 === 'string') {
      add(ctx, 'error', 'ref.checksum', at, `bundle ${dir} is corrupted: ${error.message}`, error.hint ?? 'restore the bundle from a good copy or re-export it');
    } else {
      add(ctx, 'error', 'ref.bundle-invalid', at, `bundle ${dir} cannot be loaded: ${error.message}`, error.hint ?? 're-export the bundle');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Node capabilities

async function resolveNodes(ctx: Context, options: CheckOptions): Promise<ResolvedNode[]> {
  return Promise.all(
    ctx.descriptor.nodes.map(async (spec, index) => {
      let reported: NodeCapabilities | undefined;
      if (options.capabilities) {
        try {
          reported = await options.capabilities(spec);
        } catch (error) {
          add(ctx, 'warning', 'node.unreachable', ['nodes', index, 'address'], `capabilities of ${spec.name} could not be fetched from ${spec.address}: ${(error as Error).message}; using the declared ones`, 'start the agent (stratum agent) or check the address and token');
        }
      }
      const declared = spec.capabilities ?? {};
      const caps: Partial<NodeCapabilities> = { ...(reported ?? {}), ...declared };
      if (reported) {
        for (const key of ['cores', 'memoryMiB', 'diskMiB'] as const) {
          const have = reported[key];
          const said = declared[key];
          if (said !== undefined && have !== undefined && said > have) {
            add(ctx, 'warning', 'node.overdeclared', ['nodes', index, 'capabilities', key], `${spec.name} declares ${key} ${said} but its agent reports ${have}`, `declare at most ${have}, or remove the field to use the reported value`);
          }
        }
        if (declared.arch !== undefined && reported.arch !== undefined && declared.arch !== reported.arch) {
          // An architecture is a fact, not a budget: the agent's report wins, and the mismatch is an error.
          caps.arch = reported.arch;
          add(ctx, 'error', 'node.arch-mismatch', ['nodes', index, 'capabilities', 'arch'], `${spec.name} declares arch ${declared.arch} but its agent reports ${reported.arch}`, `declare arch: ${reported.arch}, remove the field to use the reported value, or check that ${spec.address} is the intended machine`);
        }
      }
      const missing = (['cores', 'memoryMiB'] as const).filter((k) => caps[k] === undefined);
      if (missing.length > 0) {
        add(ctx, options.skipPlacement ? 'warning' : 'error', 'node.capabilities', ['nodes', index], `capabilities of ${spec.name} are unknown (${missing.join(', ')}): it cannot host anything`, `declare capabilities.${missing.join(' and capabilities.')} or make its agent reachable at ${spec.address}`);
      }
      return { spec, index, caps, layer: spec.layer, labels: { ...(caps.labels ?? {}), ...(spec.labels ?? {}) }, latencyFactor: spec.latencyFactor ?? 1 };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Stage 3: fit

/** A component that takes part in placement, with its effective requirements and fitting nodes. */
interface ComponentFit {
  component: ComponentSpec;
  index: number;
  req: EffectiveRequirements;
  /** Nodes satisfying placement constraints and every requirement. */
  fitting: ResolvedNode[];
  /** Whether the component is placed at all (data sources without placement are external). */
  placed: boolean;
}

interface Dimension {
  rule: string;
  field: string;
  ok(node: ResolvedNode, req: EffectiveRequirements): boolean;
  /** "needs X" text. */
  need(req: EffectiveRequirements): string;
  /** What a node has, for the message. */
  have(node: ResolvedNode): string;
  /** Ranks nodes to name the "best" one in the message (higher is better). */
  rank?(node: ResolvedNode): number;
  fix(req: EffectiveRequirements): string;
}

const DIMENSIONS: Dimension[] = [
  {
    rule: 'fit.memory',
    field: 'memoryMiB',
    ok: (n, r) => n.caps.memoryMiB !== undefined && n.caps.memoryMiB >= r.memoryMiB,
    need: (r) => `needs ${r.memoryMiB} MiB per replica${r.derived ? ` (bundle footprint ${r.derived.memoryMiB} MiB)` : ''}`,
    have: (n) => `${n.caps.memoryMiB ?? 'unknown'} MiB`,
    rank: (n) => n.caps.memoryMiB ?? -1,
    fix: (r) => `lower requirements.memoryMiB${r.derived ? ` (not below the bundle's ${r.derived.memoryMiB} MiB)` : ''}, add a node with at least ${r.memoryMiB} MiB, or relax the placement`,
  },
  {
    rule: 'fit.cpu',
    field: 'cpu',
    ok: (n, r) => n.caps.cores !== undefined && n.caps.cores >= r.cpu,
    need: (r) => `needs ${r.cpu} cores per replica`,
    have: (n) => `${n.caps.cores ?? 'unknown'} cores`,
    rank: (n) => n.caps.cores ?? -1,
    fix: (r) => `lower requirements.cpu or add a node with at least ${r.cpu} cores`,
  },
  {
    rule: 'fit.disk',
    field: 'diskMiB',
    ok: (n, r) => n.caps.diskMiB === undefined || n.caps.diskMiB >= r.diskMiB,
    need: (r) => `needs ${r.diskMiB} MiB of disk`,
    have: (n) => `${n.caps.diskMiB ?? 'unknown'} MiB free`,
    rank: (n) => n.caps.diskMiB ?? -1,
    fix: (r) => `free disk on a node (at least ${r.diskMiB} MiB) or lower requirements.diskMiB`,
  },
  {
    rule: 'fit.arch',
    field: 'arch',
    ok: (n, r) => r.arch === undefined || (n.caps.arch !== undefined && r.arch.includes(n.caps.arch)),
    need: (r) => `needs arch ${(r.arch ?? []).join(' or ')}`,
    have: (n) => `${n.caps.arch ?? 'unknown arch'}`,
    fix: (r) => `add a node with arch ${(r.arch ?? []).join(' or ')}, or list the node's architecture in requirements.arch if the component runs there (Stratum services are pure JavaScript + wasm)`,
  },
  {
    rule: 'fit.runtime',
    field: 'runtime',
    ok: (n, r) => Object.entries(r.runtime).every(([name, range]) => n.caps.runtimes?.[name] !== undefined && satisfiesRange(n.caps.runtimes[name]!, range)),
    need: (r) => `needs runtime ${Object.entries(r.runtime).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    have: (n) => Object.entries(n.caps.runtimes ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'no runtimes reported',
    fix: () => 'upgrade the runtime on a node, or relax the semver range in requirements.runtime',
  },
  {
    rule: 'fit.accelerator',
    field: 'accelerator',
    ok: (n, r) => r.accelerator === undefined || (n.caps.accelerators ?? []).includes(r.accelerator),
    need: (r) => `needs accelerator ${r.accelerator}`,
    have: (n) => (n.caps.accelerators ?? []).join(', ') || 'no accelerator',
    fix: (r) => `add a node with a ${r.accelerator}, or remove requirements.accelerator (TF.js runs on CPU)`,
  },
];

function checkFit(ctx: Context, nodes: ResolvedNode[]): ComponentFit[] {
  const usable = nodes.filter((n) => n.caps.cores !== undefined && n.caps.memoryMiB !== undefined);
  const fits: ComponentFit[] = [];
  for (const [i, component] of ctx.descriptor.components.entries()) {
    const req = effectiveRequirements(component, ctx.bundles.get(component.name));
    const base: PathSegments = ['components', i];
    for (const [name, range] of Object.entries(req.runtime)) {
      if (!isValidRange(range)) add(ctx, 'error', 'req.runtime', [...base, 'requirements', 'runtime', name], `"${range}" is not a semver range`, 'write a range like ">=20", "^20.19" or ">=20.19 <21 || >=22"');
    }
    if (req.replicas.min > req.replicas.max) {
      add(ctx, 'error', 'req.replicas', [...base, 'requirements', 'replicas'], `replicas.min ${req.replicas.min} is greater than replicas.max ${req.replicas.max}`, 'make min <= max');
    }
    const declaredMemory = component.requirements?.memoryMiB;
    if (declaredMemory !== undefined && req.derived && declaredMemory < req.derived.memoryMiB) {
      add(ctx, 'warning', 'req.memory-below-bundle', [...base, 'requirements', 'memoryMiB'], `declares ${declaredMemory} MiB but the bundle needs about ${req.derived.memoryMiB} MiB (service base + 2 × weights); ${req.derived.memoryMiB} MiB is used`, `set memoryMiB to at least ${req.derived.memoryMiB}`);
    }
    const placed = component.kind === 'model-service' || component.placement !== undefined;
    if (!placed || (component.placement?.node !== undefined && !nodes.some((n) => n.spec.name === component.placement?.node))) {
      fits.push({ component, index: i, req, fitting: [], placed: false });
      continue;
    }
    const candidates = placementCandidates(ctx, component, i, usable);
    let fitting: ResolvedNode[] = [];
    if (candidates.length > 0) {
      const failed = DIMENSIONS.filter((dim) => !candidates.some((n) => dim.ok(n, req)));
      for (const dim of failed) {
        const best = dim.rank ? [...candidates].sort((a, b) => dim.rank!(b) - dim.rank!(a))[0]! : undefined;
        const where = best ? `the largest ${candidates.length === 1 ? 'allowed node' : 'of the allowed nodes'} ${best.spec.name} has ${dim.have(best)}` : `allowed nodes have ${candidates.map((n) => `${n.spec.name}: ${dim.have(n)}`).join('; ')}`;
        add(ctx, 'error', dim.rule, [...base, 'requirements', dim.field], `${component.name} ${dim.need(req)}; ${where}`, dim.fix(req));
      }
      fitting = candidates.filter((n) => DIMENSIONS.every((dim) => dim.ok(n, req)));
      if (failed.length === 0 && fitting.length === 0) {
        const why = candidates.map((n) => `${n.spec.name}: ${DIMENSIONS.filter((dim) => !dim.ok(n, req)).map((dim) => `${dim.rule} (${dim.have(n)})`).join(', ')}`).join('; ');
        add(ctx, 'error', 'place.no-node', [...base, 'requirements'], `no single node meets all requirements of ${component.name} (each requirement is met by some node, never all at once): ${why}`, 'relax one requirement or add a node that meets them all');
      }
    }
    fits.push({ component, index: i, req, fitting, placed: true });
  }
  return fits;
}

function placementCandidates(ctx: Context, c: ComponentSpec, i: number, usable: ResolvedNode[]): ResolvedNode[] {
  const p = c.placement ?? {};
  let nodes = usable;
  if (p.node !== undefined) nodes = nodes.filter((n) => n.spec.name === p.node);
  if (p.node !== undefined && nodes.length === 0) return [];
  if (p.layer !== undefined) {
    const inLayer = nodes.filter((n) => n.layer === p.layer);
    if (inLayer.length === 0) {
      const layers = [...new Set(nodes.map((n) => `${n.spec.name} (${n.layer})`))].join(', ');
      add(ctx, 'error', 'fit.layer', ['components', i, 'placement', 'layer'], `${c.name} must run on the ${p.layer} layer but no ${p.node ? 'such' : 'usable'} node is in it: ${layers || 'none'}`, `add a ${p.layer} node, or change placement.layer`);
      return [];
    }
    nodes = inLayer;
  }
  if (p.nodeSelector !== undefined) {
    const selector = Object.entries(p.nodeSelector);
    const matching = nodes.filter((n) => selector.every(([k, v]) => n.labels[k] === v));
    if (matching.length === 0) {
      add(ctx, 'error', 'fit.selector', ['components', i, 'placement', 'nodeSelector'], `no ${p.layer ? `${p.layer} ` : ''}node has the labels ${selector.map(([k, v]) => `${k}=${v}`).join(', ')}`, 'add the labels to a node (nodes[].labels) or change placement.nodeSelector');
      return [];
    }
    nodes = matching;
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Placement

function place(ctx: Context, nodes: ResolvedNode[], fits: ComponentFit[]): PlacementPlan | undefined {
  const active = fits.filter((f) => f.placed);
  const items: PlacementItem[] = active.map((f) => ({
    component: f.component.name,
    replicas: f.req.replicas.min,
    cpu: f.req.cpu,
    memoryMiB: f.req.memoryMiB,
    diskMiB: f.req.diskMiB,
    ...(f.component.port === undefined ? {} : { port: f.component.port }),
    candidates: f.fitting.map((n) => n.spec.name),
  }));
  const bins = nodes
    .filter((n) => n.caps.cores !== undefined && n.caps.memoryMiB !== undefined)
    .map((n) => ({ node: n.spec.name, cores: n.caps.cores!, memoryMiB: n.caps.memoryMiB!, diskMiB: n.caps.diskMiB ?? Number.POSITIVE_INFINITY }));
  const outcome = planPlacement(items, bins);
  const byComponent = new Map<string, number>();
  for (const u of outcome.unplaced) byComponent.set(u.component, (byComponent.get(u.component) ?? 0) + 1);
  for (const f of active) {
    const missing = byComponent.get(f.component.name) ?? 0;
    if (missing === 0 || f.fitting.length === 0) continue; // no fitting node was already reported by the fit stage
    if (ctx.findings.some((x) => x.rule === 'dup.port' && x.path === formatPath(['components', f.index, 'port']))) continue; // already explained
    const left = outcome.remaining
      .filter((b) => f.fitting.some((n) => n.spec.name === b.node))
      .map((b) => `${b.node}: ${round(b.cores)} cores, ${round(b.memoryMiB)} MiB free`)
      .join('; ');
    const portNote = f.component.port !== undefined && sharedPort(ctx, f.component) ? ` (port ${f.component.port} is also used by ${sharedPort(ctx, f.component)}, which cannot share a node with it)` : '';
    add(
      ctx,
      'error',
      'place.capacity',
      ['components', f.index, 'requirements', 'replicas'],
      `${missing} of ${f.req.replicas.min} replicas of ${f.component.name} (${f.req.cpu} cores, ${f.req.memoryMiB} MiB each) do not fit after first-fit-decreasing packing of all components${portNote}; left on its allowed nodes: ${left}`,
      'lower replicas.min or the per-replica cpu/memory, add capacity, or allow more nodes (placement)',
    );
  }
  if (outcome.unplaced.length > 0 || active.some((f) => f.fitting.length === 0 && f.req.replicas.min > 0)) return undefined;
  if (ctx.findings.some((f) => f.severity === 'error' && (f.rule.startsWith('fit.') || f.rule.startsWith('place.') || f.rule === 'node.capabilities' || f.rule === 'node.arch-mismatch'))) return undefined;
  const order = new Map(ctx.descriptor.components.map((c, i) => [c.name, i]));
  const replicas = [...outcome.plan.replicas].sort((a, b) => order.get(a.component)! - order.get(b.component)! || a.index - b.index);
  return { replicas };
}

function sharedPort(ctx: Context, c: ComponentSpec): string | undefined {
  return ctx.descriptor.components.find((o) => o !== c && o.port === c.port && (o.kind === 'model-service' || o.placement !== undefined))?.name;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Stage 4: QoS

/**
 * Requests per second one replica serves on a node: `min(cpu, 1) × 1000 / latencyMs`. A Stratum
 * service predicts on one JavaScript thread, so a replica uses at most one core; a fractional
 * `cpu` share scales its rate down proportionally.
 */
export function replicaThroughputRps(cpu: number, latencyMs: number): number {
  return (Math.min(cpu, 1) * 1000) / latencyMs;
}

function checkQos(ctx: Context, nodes: ResolvedNode[], fits: ComponentFit[], plan: PlacementPlan | undefined): void {
  for (const f of fits) {
    const { qos, derived } = f.req;
    if (qos.p95LatencyMs === undefined && qos.throughputRps === undefined) continue;
    const base: PathSegments = ['components', f.index, 'requirements', 'qos'];
    if (!derived) {
      if (f.component.kind === 'model-service' && f.component.bundle === undefined) {
        add(ctx, 'warning', 'qos.unmeasured', base, `${f.component.name} has QoS targets but no measured latency (its bundle could not be resolved)`, 'fix the bundle or model reference to have QoS checked');
      }
      continue;
    }
    const placedOn = plan ? plan.replicas.filter((r) => r.component === f.component.name).map((r) => nodes.find((n) => n.spec.name === r.node)!) : [];
    const pool = placedOn.length > 0 ? placedOn : f.fitting;
    if (pool.length === 0) continue;
    const latency = (n: ResolvedNode): number => derived.latencyP50Ms * n.latencyFactor;
    // Judge the slowest node that holds a replica; without a plan, the fastest node that could.
    const judged = placedOn.length > 0 ? pool.reduce((a, b) => (latency(b) > latency(a) ? b : a)) : pool.reduce((a, b) => (latency(b) < latency(a) ? b : a));
    const l = latency(judged);
    const scaled = judged.latencyFactor === 1 ? '' : ` (${derived.latencyP50Ms} ms measured at export × latencyFactor ${judged.latencyFactor})`;
    for (const n of pool) {
      const backends = n.caps.tfjsBackends;
      if (backends && backends.length > 0 && !backends.includes(derived.backend)) {
        add(ctx, 'warning', 'qos.backend', ['nodes', n.index, 'capabilities', 'tfjsBackends'], `${f.component.name}'s latency was measured on the ${derived.backend} backend, which ${n.spec.name} does not list (${backends.join(', ')}): its latency there may differ`, `install the ${derived.backend} backend on ${n.spec.name} or set its latencyFactor from a measurement`);
      }
    }
    if (qos.p95LatencyMs !== undefined) {
      if (qos.p95LatencyMs < l) {
        add(ctx, 'error', 'qos.latency', [...base, 'p95LatencyMs'], `p95 of ${qos.p95LatencyMs} ms is infeasible: the median single-record prediction takes ${round(l)} ms on ${judged.spec.name}${scaled}, and p95 is never below the median`, `set p95LatencyMs to at least ${Math.ceil(l * 2)} (2× the median leaves room for HTTP and queueing), place it on a faster node, or use a smaller model`);
      } else if (qos.p95LatencyMs < 2 * l) {
        add(ctx, 'warning', 'qos.latency', [...base, 'p95LatencyMs'], `p95 of ${qos.p95LatencyMs} ms leaves little headroom: the median single-record prediction takes ${round(l)} ms on ${judged.spec.name}${scaled}, before HTTP, JSON and queueing`, `allow at least ${Math.ceil(l * 2)} ms, or measure the service under load (bench) to confirm`);
      }
    }
    if (qos.throughputRps !== undefined) {
      const perReplica = (n: ResolvedNode): number => replicaThroughputRps(f.req.cpu, latency(n));
      const atMin = placedOn.length > 0 ? placedOn.reduce((s, n) => s + perReplica(n), 0) : f.req.replicas.min * perReplica(judged);
      const slowest = pool.reduce((a, b) => (latency(b) > latency(a) ? b : a));
      const needed = Math.ceil(qos.throughputRps / perReplica(slowest) - 1e-9);
      const rate = `${round(perReplica(slowest))} rps per replica on ${slowest.spec.name} (min(cpu ${f.req.cpu}, 1) × 1000 / ${round(latency(slowest))} ms)`;
      if (needed > f.req.replicas.max) {
        add(ctx, 'error', 'qos.throughput', [...base, 'throughputRps'], `${qos.throughputRps} rps needs ${needed} replicas at ${rate}, but replicas.max is ${f.req.replicas.max}`, `set requirements.replicas.max to at least ${needed} (and min too, to have it from the start), give each replica a full core, or lower throughputRps`);
      } else if (atMin < qos.throughputRps) {
        add(ctx, 'warning', 'qos.throughput', [...base, 'throughputRps'], `${f.req.replicas.min} replica(s) give about ${round(atMin)} rps, below the ${qos.throughputRps} rps target; ${needed} replicas are needed at ${rate} (the autoscaler may reach it, max ${f.req.replicas.max})`, `set requirements.replicas.min to ${needed} to meet the target without scaling`);
      }
    }
  }
}
