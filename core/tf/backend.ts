/**
 * Chooses and initializes the TensorFlow.js backend, backend-agnostically.
 *
 * Order of preference in Node:
 * 1. `tensorflow` (from `@tensorflow/tfjs-node`, native libtensorflow) when a real tfjs-node is
 *    installed: the optional fast path for machines that can download libtensorflow.
 * 2. `wasm` (`@tensorflow/tfjs-backend-wasm`, SIMD): measured on the team's 2-core machine at
 *    about 3.5x the pure-JS `cpu` backend for MLP training (74k vs 21k samples/s, issue #2).
 *    Its transposed matrix products (every backward pass) are routed to XNNPACK
 *    (./wasm-matmul.ts), which makes it ~5.5x `cpu` (docs/benchmarks.md).
 * 3. `cpu` (pure JS), always available.
 * `STRATUM_TF_BACKEND=cpu|wasm|tensorflow` forces a choice.
 *
 * Note: this repo's package.json maps the `@tensorflow/tfjs-node` name to plain `@tensorflow/tfjs`
 * (npm `overrides`, so `danfojs-node` installs offline); importing that name then registers no
 * `tensorflow` backend and we fall through to wasm. Detection is by registered backend, never by name.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { installWasmTransposedMatMul } from './wasm-matmul.ts';

/** Backends Stratum knows how to use, fastest first. */
export const BACKEND_PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;

/** Name of a TF.js backend. */
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

/** What {@link initBackend} chose and why. */
export interface BackendInfo {
  /** Backend now active (`tf.getBackend()`). */
  name: string;
  /** TF.js version. */
  tfjsVersion: string;
  /** Extra facts: SIMD/threads for wasm. */
  features: Record<string, boolean>;
  /** Backends that could not be initialized, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
}

let initialized: Promise<BackendInfo> | undefined;

function tryLoadTfjsNode(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    require('@tensorflow/tfjs-node');
    return tf.findBackendFactory('tensorflow') ? undefined : 'the installed @tensorflow/tfjs-node is the offline alias of @tensorflow/tfjs (no native binding)';
  } catch (error) {
    return `@tensorflow/tfjs-node is not installed (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * Initializes the fastest working backend once per process and returns what was chosen.
 * Safe to call many times (memoized).
 *
 * @param preferred - force a backend (also read from `STRATUM_TF_BACKEND`)
 * @throws Error when a forced backend cannot be initialized
 */
export function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  initialized ??= doInit(preferred ?? (process.env.STRATUM_TF_BACKEND as BackendName | undefined));
  return initialized;
}

async function doInit(preferred: BackendName | undefined): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];
  const nodeReason = tryLoadTfjsNode();
  if (nodeReason) skipped.push({ name: 'tensorflow', reason: nodeReason });
  const candidates = preferred ? [preferred] : BACKEND_PREFERENCE;
  for (const name of candidates) {
    if (!tf.findBackendFactory(name)) {
      if (name !== 'tensorflow') skipped.push({ name, reason: 'not registered' });
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        const features: Record<string, boolean> = {};
        if (name === 'wasm') {
          features.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
          features.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
          // Transposed products (every backward pass) on XNNPACK instead of a scalar loop; see
          // wasm-matmul.ts. STRATUM_WASM_TRANSPOSED_MATMUL=0 keeps the package's own kernels.
          if (process.env.STRATUM_WASM_TRANSPOSED_MATMUL !== '0') installWasmTransposedMatMul();
        }
        return { name: tf.getBackend(), tfjsVersion: tf.version.tfjs, features, skipped };
      }
      skipped.push({ name, reason: 'setBackend returned false' });
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
    }
  }
  if (preferred) throw new Error(`TF.js backend "${preferred}" could not be initialized: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  throw new Error('No TF.js backend could be initialized');
}

/** One-line description, e.g. `wasm (simd) tfjs 4.22.0`. */
export function describeBackend(info: BackendInfo): string {
  const on = Object.entries(info.features).filter(([, v]) => v).map(([k]) => k);
  return `${info.name}${on.length ? ` (${on.join(', ')})` : ''} tfjs ${info.tfjsVersion}`;
}
