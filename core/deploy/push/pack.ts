/**
 * Packing a bundle folder for upload: a gzip-compressed tar of exactly `manifest.json` and the
 * files the manifest lists (relative POSIX paths, portable headers, no owners), so what the agent
 * verifies is what was exported and nothing else rides along.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { c as createTar } from 'tar';
import { StratumError } from '../../errors.ts';
import type { BundleManifest } from '../../serving/bundle.ts';

/** A packed bundle. */
export interface PackedBundle {
  /** The tar.gz bytes. */
  data: Buffer;
  /** Bundle manifest. */
  manifest: BundleManifest;
  /**
   * Version used on the agent: `<manifest.version>+<first 8 hex of sha256(manifest.json)>` (the version
   * with characters other than letters, digits, `.`, `_`, `-` replaced by `-`), so a
   * re-export under the same version is a new agent version and an identical one is recognised.
   */
  agentVersion: string;
  /** Uncompressed bytes of the packed files. */
  rawBytes: number;
}

/**
 * Packs a bundle folder into a tar.gz held in memory (bundles are small: weights plus JSON).
 *
 * @param dir - bundle folder (holding manifest.json)
 * @throws StratumError `FILE_NOT_FOUND` when there is no manifest.json
 */
export async function packBundle(dir: string): Promise<PackedBundle> {
  const root = resolve(dir);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(join(root, 'manifest.json'));
  } catch (error) {
    throw new StratumError('FILE_NOT_FOUND', `no bundle at ${root}: manifest.json not readable (${(error as Error).message})`, { detail: { path: root }, hint: 'Export the model first, or fix the bundle path in the descriptor.' });
  }
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
  const files = ['manifest.json', ...Object.keys(manifest.files ?? {}).sort()];
  const rawBytes = manifestBytes.byteLength + Object.values(manifest.files ?? {}).reduce((sum, f) => sum + f.bytes, 0);
  const chunks: Buffer[] = [];
  const stream = createTar({ gzip: true, cwd: root, portable: true, noDirRecurse: true }, files);
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  const hash = createHash('sha256').update(manifestBytes).digest('hex').slice(0, 8);
  const base = String(manifest.version ?? 'v').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 50) || 'v';
  return { data: Buffer.concat(chunks), manifest, agentVersion: `${base}+${hash}`, rawBytes };
}
