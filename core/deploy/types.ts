/**
 * Shared types of the deployment layer: the parsed application descriptor (the DSML, see
 * docs/descriptor.md), node capabilities (declared or reported by a node agent), checker findings
 * and the placement plan. Imported by the checker, the renderers, the node agent and push.
 */

/** The tier of the compute continuum a node belongs to. */
export type Layer = 'cloud' | 'fog' | 'edge';

/** The layers in order, from the data centre to the device. */
export const LAYERS: readonly Layer[] = ['cloud', 'fog', 'edge'];

/** The `apiVersion` this code reads and writes. */
export const DESCRIPTOR_API_VERSION = 'stratum.dev/v1';

/** The only `kind` of descriptor document so far. */
export const DESCRIPTOR_KIND = 'Application';

/** What a node offers, declared in the descriptor or reported by its agent at GET /v1/capabilities. */
export interface NodeCapabilities {
  /** Logical CPU cores usable by services (integer or fractional, e.g. 0.5). */
  cores: number;
  /** Memory available to services, in MiB (1 MiB = 1,048,576 bytes). */
  memoryMiB: number;
  /** Free disk for bundles, in MiB. */
  diskMiB: number;
  /** CPU architecture as Node's `process.arch` spells it: `x64`, `arm64`, `arm`, ... */
  arch: string;
  /** Operating system as Node's `process.platform` spells it: `linux`, `darwin`, `win32`. */
  os: string;
  /** Installed runtimes and their versions, e.g. `{ node: '20.20.2', stratum: '0.1.0' }`. */
  runtimes: Record<string, string>;
  /** TF.js backends that initialise on the node, e.g. `['cpu', 'wasm']`. */
  tfjsBackends: string[];
  /** Accelerators present, e.g. `['gpu']`, `['tpu']`; empty when none. */
  accelerators: string[];
  /** The layer the node belongs to (the descriptor's `nodes[].layer` wins when both are given). */
  layer?: Layer;
  /** Free-form labels matched by `placement.nodeSelector`. */
  labels?: Record<string, string>;
}

/** One replica of one component assigned to one node. */
export interface PlannedReplica {
  /** Component name (`components[].name`). */
  component: string;
  /** Node name (`nodes[].name`). */
  node: string;
  /** Replica index within the component, 0-based. */
  index: number;
}

/** Where every replica goes; produced by the checker only when all replicas fit. */
export interface PlacementPlan {
  /** Every replica of every placed component (`replicas.min` of each), in placement order. */
  replicas: PlannedReplica[];
}

/** One problem found in a descriptor, printed like a compiler diagnostic. */
export interface Finding {
  /** `error` blocks deploy; `warning` is informative. */
  severity: 'error' | 'warning';
  /** Rule id, e.g. `schema`, `ref.bundle-missing`, `fit.memory`, `qos.latency`. */
  rule: string;
  /** YAML path like `components[0].requirements.memoryMiB` (empty string for the document root). */
  path: string;
  /** 1-based line in the descriptor file, when the path exists in the text. */
  line?: number;
  /** Why: what is wrong, with the numbers. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** Inclusive replica bounds. `min` replicas are placed; `max` bounds autoscaling. */
export interface ReplicaRange {
  min: number;
  max: number;
}

/** Quality-of-service targets of a model service. */
export interface QosRequirements {
  /** Target 95th percentile latency of one single-record prediction, in milliseconds. */
  p95LatencyMs?: number;
  /** Target sustained throughput across all replicas, in requests per second. */
  throughputRps?: number;
}

/** What a component needs from a node (per replica). */
export interface ComponentRequirements {
  /** CPU cores per replica (default 1 for model services, 0.25 for data sources). */
  cpu?: number;
  /** Memory per replica in MiB; raised to the bundle's measured footprint when lower. */
  memoryMiB?: number;
  /** Disk per replica in MiB; raised to the bundle's size on disk when lower. */
  diskMiB?: number;
  /** Acceptable CPU architectures (`process.arch` names); any when absent. */
  arch?: string[];
  /** Runtime name to semver range, e.g. `{ node: '>=20' }`. */
  runtime?: Record<string, string>;
  /** Accelerator the component needs (e.g. `gpu`); none when absent. */
  accelerator?: string;
  /** Replica bounds (default `{ min: 1, max: 1 }`). */
  replicas?: ReplicaRange;
  /** QoS targets. */
  qos?: QosRequirements;
}

/** Where a component may be placed. All given constraints must hold. */
export interface PlacementSpec {
  /** Only nodes of this layer. */
  layer?: Layer;
  /** Only nodes whose labels include all these key/value pairs. */
  nodeSelector?: Record<string, string>;
  /** Exactly this node (by `nodes[].name`). */
  node?: string;
}

/** The kinds of component a descriptor can declare. */
export type ComponentKind = 'model-service' | 'data-source';

/** One component of the application. */
export interface ComponentSpec {
  /** Unique name (DNS-1123 label: lowercase letters, digits, `-`). */
  name: string;
  kind: ComponentKind;
  /** Model-service source: bundle folder, relative to the descriptor file. Exactly one of `bundle`/`model`. */
  bundle?: string;
  /** Model-service source: registry reference `name@alias` or `name@version`. */
  model?: string;
  /** Data-source connector, e.g. `csv`, `postgres` (data-source only). */
  source?: string;
  /** Connector settings (data-source only); free-form. */
  config?: Record<string, unknown>;
  /** TCP port the service listens on, on its node. */
  port?: number;
  requirements?: ComponentRequirements;
  placement?: PlacementSpec;
}

/** A directed data flow between two components. */
export interface ConnectionSpec {
  /** Producing component name. */
  from: string;
  /** Consuming component name. */
  to: string;
}

/** How the agent's bearer token is obtained: never the token itself. */
export interface TokenRef {
  /** Path of a file holding the token, relative to the descriptor file. */
  tokenFile?: string;
  /** Name of an environment variable holding the token. */
  tokenEnv?: string;
}

/** A node of the fleet, running a Stratum agent. */
export interface NodeSpec extends TokenRef {
  /** Unique name (DNS-1123 label). */
  name: string;
  /** `host:port` of the node's agent. */
  address: string;
  layer: Layer;
  /** Declared capabilities; when absent (or partial) the agent's report fills in. */
  capabilities?: Partial<NodeCapabilities>;
  /**
   * Latency scale of this node relative to the machine that exported the bundle (1 = same speed,
   * 3 = three times slower). Multiplies the bundle's measured latency in QoS checks. Default 1.
   */
  latencyFactor?: number;
  /** Labels matched by `placement.nodeSelector` (merged over `capabilities.labels`). */
  labels?: Record<string, string>;
}

/** The parsed descriptor document (`kind: Application`). */
export interface ApplicationDescriptor {
  apiVersion: typeof DESCRIPTOR_API_VERSION;
  kind: typeof DESCRIPTOR_KIND;
  metadata: { name: string; description?: string; labels?: Record<string, string> };
  /** Where `model:` references resolve: the workspace whose `.stratum/tracking.db` holds the registry (relative to the descriptor). */
  registry?: { workspace?: string };
  components: ComponentSpec[];
  connections?: ConnectionSpec[];
  nodes: NodeSpec[];
}

/** Result of `checkDescriptor`. */
export interface CheckResult {
  /** The parsed document; `undefined` only when the YAML itself does not parse to an object. */
  descriptor: ApplicationDescriptor | undefined;
  /** Every finding, errors and warnings, in rule order. */
  findings: Finding[];
  /** The placement plan, when every replica fits (it may exist with non-placement errors). */
  plan?: PlacementPlan;
}
