/**
 * Effective requirements of a component: what the descriptor declares, raised to what the model
 * bundle's manifest says it needs (memory footprint, disk size), with documented defaults.
 */
import semver from 'semver';
import type { BundleManifest } from '../../serving/bundle.ts';
import type { ComponentSpec, QosRequirements, ReplicaRange } from '../types.ts';

/**
 * Resident memory of an idle `stratum serve` process before any model is loaded, MiB: Node 20,
 * the tsx loader, TF.js with the wasm backend and Fastify. Measured here (RSS 187 MiB on Linux
 * x64, Node 20) and rounded up.
 */
export const SERVICE_BASE_MIB = 192;

/**
 * Copies of the weights a loaded model keeps in memory: the weight file buffer read at load and
 * the backend's tensors (float32). Per-request tensors of a single record are negligible.
 */
export const WEIGHT_MEMORY_FACTOR = 2;

/** Default CPU cores per replica of a model service. */
export const DEFAULT_MODEL_CPU = 0.5;
/** Default CPU cores per replica of a placed data source. */
export const DEFAULT_SOURCE_CPU = 0.1;
/** Default memory per replica of a placed data source, MiB. */
export const DEFAULT_SOURCE_MEMORY_MIB = 64;
/** Bytes per MiB. */
export const MIB = 1024 * 1024;

/** Requirements after defaults and bundle-derived minimums, per replica. */
export interface EffectiveRequirements {
  cpu: number;
  memoryMiB: number;
  /** Disk per node hosting the component, MiB. */
  diskMiB: number;
  arch?: string[];
  runtime: Record<string, string>;
  accelerator?: string;
  replicas: ReplicaRange;
  qos: QosRequirements;
  /** What the bundle manifest implies, when a bundle was read. */
  derived?: {
    /** {@link SERVICE_BASE_MIB} + {@link WEIGHT_MEMORY_FACTOR} × weights, rounded up, MiB. */
    memoryMiB: number;
    /** Sum of the bundle's file sizes (manifest included), rounded up, MiB. */
    diskMiB: number;
    /** Median single-record latency measured at export, ms. */
    latencyP50Ms: number;
    /** TF.js backend the latency was measured on. */
    backend: string;
  };
}

/**
 * Memory one replica of a bundle needs, MiB: `SERVICE_BASE_MIB + ceil(WEIGHT_MEMORY_FACTOR × modelWeightBytes / 2^20)`.
 */
export function bundleMemoryMiB(manifest: BundleManifest): number {
  return SERVICE_BASE_MIB + Math.ceil((WEIGHT_MEMORY_FACTOR * manifest.measured.modelWeightBytes) / MIB);
}

/** Disk a bundle takes, MiB: its files plus `manifestBytes`, rounded up. */
export function bundleDiskMiB(manifest: BundleManifest, manifestBytes: number): number {
  const bytes = Object.values(manifest.files).reduce((sum, f) => sum + f.bytes, manifestBytes);
  return Math.ceil(bytes / MIB);
}

/**
 * Merges a component's declared requirements with defaults and its bundle's needs (declared
 * memory and disk are raised to the bundle-derived values when lower).
 *
 * @param component - the component as declared
 * @param bundle - its manifest and the manifest file's size in bytes, when the component has a readable bundle
 */
export function effectiveRequirements(component: ComponentSpec, bundle?: { manifest: BundleManifest; manifestBytes: number }): EffectiveRequirements {
  const req = component.requirements ?? {};
  const model = component.kind === 'model-service';
  const derived = bundle
    ? {
        memoryMiB: bundleMemoryMiB(bundle.manifest),
        diskMiB: bundleDiskMiB(bundle.manifest, bundle.manifestBytes),
        latencyP50Ms: bundle.manifest.measured.predictLatencyP50Ms,
        backend: bundle.manifest.measured.backend,
      }
    : undefined;
  const baseMemory = model ? SERVICE_BASE_MIB : DEFAULT_SOURCE_MEMORY_MIB;
  return {
    cpu: req.cpu ?? (model ? DEFAULT_MODEL_CPU : DEFAULT_SOURCE_CPU),
    memoryMiB: Math.max(req.memoryMiB ?? baseMemory, derived?.memoryMiB ?? 0),
    diskMiB: Math.max(req.diskMiB ?? 0, derived?.diskMiB ?? 0),
    ...(req.arch ? { arch: req.arch } : {}),
    runtime: req.runtime ?? {},
    ...(req.accelerator ? { accelerator: req.accelerator } : {}),
    replicas: req.replicas ?? { min: 1, max: 1 },
    qos: req.qos ?? {},
    ...(derived ? { derived } : {}),
  };
}

/** True when `range` is a valid semver range (`>=20`, `^20.1 || >=22`). */
export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/** True when `version` (e.g. `20.20.2`, `v20.20.2`) satisfies `range`; false for an unparseable version. */
export function satisfiesRange(version: string, range: string): boolean {
  const clean = semver.valid(version.replace(/^v/, ''));
  return clean !== null && semver.satisfies(clean, range);
}
