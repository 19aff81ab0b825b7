/**
 * What a node offers, as its agent reports it at `GET /v1/capabilities`: measured facts of this
 * machine (cores, memory, free disk of the data dir, arch, OS, runtimes, TF.js backends) with the
 * operator's declared overrides on top (e.g. an edge node that should only count 1 core and
 * 1 GiB, or the node's layer and labels).
 */
import { createRequire } from 'node:module';
import { statfs } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { StratumError } from '../../errors.ts';
import { LAYERS, type Layer, type NodeCapabilities } from '../types.ts';

const MIB = 1024 * 1024;

/** Stratum's own version, from the repository's package.json. */
export function stratumVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

/**
 * TF.js backends this installation can initialise, without initialising them (the agent process
 * never loads TF.js): `cpu` always; `wasm` when `@tensorflow/tfjs-backend-wasm` resolves;
 * `tensorflow` when a real `@tensorflow/tfjs-node` (one with a native binding) is installed.
 * The name `@tensorflow/tfjs-node` may be an alias of plain `@tensorflow/tfjs` (package.json
 * `overrides`), so the resolved package's own name decides.
 */
export function availableTfjsBackends(): string[] {
  const require = createRequire(import.meta.url);
  const backends: string[] = [];
  try {
    const pkg = require('@tensorflow/tfjs-node/package.json') as { name?: string };
    if (pkg.name === '@tensorflow/tfjs-node') backends.push('tensorflow');
  } catch {
    // not installed
  }
  try {
    require.resolve('@tensorflow/tfjs-backend-wasm');
    backends.push('wasm');
  } catch {
    // not installed
  }
  backends.push('cpu');
  return backends;
}

/**
 * Measures this machine's capabilities.
 *
 * @param dataDir - the agent's data folder; `diskMiB` is the space available there to an
 *   unprivileged user (`statfs` `bavail * bsize`), in MiB, rounded down
 * @returns cores (`os.availableParallelism()`), memoryMiB (`os.totalmem()` in MiB, rounded
 *   down), diskMiB, arch/os (`process.arch`/`process.platform`), runtimes `{ node, stratum }`,
 *   tfjsBackends ({@link availableTfjsBackends}), accelerators `[]` (none detected: Stratum uses
 *   no GPU backend in Node yet)
 */
export async function measureCapabilities(dataDir: string): Promise<NodeCapabilities> {
  const fs = await statfs(dataDir);
  return {
    cores: availableParallelism(),
    memoryMiB: Math.floor(totalmem() / MIB),
    diskMiB: Math.floor((Number(fs.bavail) * Number(fs.bsize)) / MIB),
    arch: process.arch,
    os: process.platform,
    runtimes: { node: process.versions.node, stratum: stratumVersion() },
    tfjsBackends: availableTfjsBackends(),
    accelerators: [],
  };
}

/** Declared overrides merged over measured capabilities: measured fields are replaced, `runtimes` and `labels` merged key by key. */
export function mergeCapabilities(measured: NodeCapabilities, declared: Partial<NodeCapabilities>): NodeCapabilities {
  return {
    ...measured,
    ...declared,
    runtimes: { ...measured.runtimes, ...(declared.runtimes ?? {}) },
    ...(declared.labels || measured.labels ? { labels: { ...(measured.labels ?? {}), ...(declared.labels ?? {}) } } : {}),
  };
}

const NUMBER_FIELDS = ['cores', 'memoryMiB', 'diskMiB'] as const;
const STRING_FIELDS = ['arch', 'os'] as const;
const LIST_FIELDS = ['tfjsBackends', 'accelerators'] as const;
const MAP_FIELDS = ['runtimes', 'labels'] as const;

/**
 * Checks a declared-capabilities object (from `--declare-capabilities`) field by field.
 *
 * @param value - parsed JSON
 * @param source - where it came from, for messages (a file path or `--declare-capabilities`)
 * @returns the same object, typed
 * @throws StratumError `USAGE` naming the first wrong or unknown field
 */
export function parseDeclaredCapabilities(value: unknown, source: string): Partial<NodeCapabilities> {
  const fail = (field: string, message: string): never => {
    throw new StratumError('USAGE', `${source}: ${field} ${message}`, {
      detail: { field, path: source },
      hint: 'Declare a JSON object like {"cores": 1, "memoryMiB": 1024, "layer": "edge", "labels": {"site": "plant-3"}}.',
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('(root)', 'must be a JSON object');
  const record = value as Record<string, unknown>;
  const known = new Set<string>([...NUMBER_FIELDS, ...STRING_FIELDS, ...LIST_FIELDS, ...MAP_FIELDS, 'layer']);
  for (const [key, v] of Object.entries(record)) {
    if (!known.has(key)) fail(key, `is not a capability (known: ${[...known].join(', ')})`);
    if ((NUMBER_FIELDS as readonly string[]).includes(key) && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) fail(key, `must be a non-negative number (got ${JSON.stringify(v)})`);
    if ((STRING_FIELDS as readonly string[]).includes(key) && typeof v !== 'string') fail(key, `must be a string (got ${JSON.stringify(v)})`);
    if ((LIST_FIELDS as readonly string[]).includes(key) && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) fail(key, 'must be an array of strings');
    if ((MAP_FIELDS as readonly string[]).includes(key) && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string'))) {
      fail(key, 'must be an object of string values');
    }
    if (key === 'layer' && !LAYERS.includes(v as Layer)) fail(key, `must be one of ${LAYERS.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return record as Partial<NodeCapabilities>;
}
