/**
 * Receiving a bundle upload safely: a streaming tar(.gz) is extracted into a fresh staging folder
 * with limits enforced while it streams, every entry's path is checked before anything is written,
 * and the result is verified against the bundle manifest's SHA-256 checksums before it is moved
 * into `<data-dir>/services/<name>/versions/<version>/`.
 *
 * Rules (each refusal names the entry or file):
 * - body larger than `maxUploadBytes` (by `Content-Length`, or counted while streaming) -> 413;
 * - extracted size larger than `maxExtractedBytes`, or more than `maxEntries` entries -> 413;
 * - an entry whose path is absolute, has a drive letter or backslash, or contains `..` -> 400;
 * - any entry that is not a regular file or a directory (symlinks, hard links, devices, FIFOs) -> 400:
 *   a bundle never needs links, so none are accepted, escaping or not;
 * - a malformed archive -> 400;
 * - no `manifest.json`, a file missing, a size or SHA-256 different from the manifest, or a file the
 *   manifest does not list -> 422.
 * After a refusal the staging folder is removed; nothing was written outside it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extract, type ReadEntry } from 'tar';
import type { BundleManifest } from '../../serving/bundle.ts';

/** An HTTP answer the agent gives for an expected problem (turned into an {@link AgentErrorBody} by the agent). */
export class AgentHttpError extends Error {
  /**
   * @param status - HTTP status
   * @param code - stable machine-readable code, e.g. `UPLOAD_TOO_LARGE`
   * @param message - what went wrong, naming the entry/file/field
   * @param hint - what the caller can do
   * @param detail - structured detail
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AgentHttpError';
  }
}

/** Limits of one upload. */
export interface UploadLimits {
  /** Most bytes of request body (the compressed tarball). */
  maxUploadBytes: number;
  /** Most bytes of extracted file content. */
  maxExtractedBytes: number;
  /** Most tar entries (files + folders). */
  maxEntries: number;
}

/** Defaults: 256 MiB upload, 1 GiB extracted, 10,000 entries. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxUploadBytes: 256 * 1024 * 1024, maxExtractedBytes: 1024 * 1024 * 1024, maxEntries: 10_000 };

/** What {@link receiveBundle} stored. */
export interface ReceivedBundle {
  result: 'stored' | 'unchanged';
  receivedBytes: number;
  extractedBytes: number;
  filesVerified: number;
}

/** Options of {@link receiveBundle}. */
export interface ReceiveOptions {
  /** The request body. */
  body: Readable;
  /** `Content-Length` when the client sent one. */
  contentLength?: number;
  /** Folder for staging (same filesystem as `target`). */
  stagingRoot: string;
  /** Final folder of the version, e.g. `<data>/services/<name>/versions/<version>`. */
  target: string;
  limits: UploadLimits;
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why a tar entry path is unsafe, or undefined when it is fine. */
export function unsafeEntryPath(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute';
  if (path.split('/').includes('..')) return 'contains ".."';
  return undefined;
}

/**
 * Extracts, verifies and stores one uploaded bundle (rules in the module doc).
 *
 * @returns what was stored; `unchanged` when `target` already holds the same `manifest.json` bytes
 * @throws AgentHttpError 400/409/413/422 as listed in the module doc
 */
export async function receiveBundle(options: ReceiveOptions): Promise<ReceivedBundle> {
  const { limits, body } = options;
  if (options.contentLength !== undefined && options.contentLength > limits.maxUploadBytes) {
    throw tooLarge(`upload is ${options.contentLength} bytes; this agent accepts at most ${limits.maxUploadBytes} bytes per bundle`);
  }
  const staging = join(options.stagingRoot, `upload-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  try {
    let received = 0;
    let extracted = 0;
    let entries = 0;
    let refusal: AgentHttpError | undefined;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        received += chunk.byteLength;
        if (received > limits.maxUploadBytes) {
          refusal ??= tooLarge(`upload exceeds ${limits.maxUploadBytes} bytes; this agent accepts at most that per bundle`);
          callback(); // keep draining the client's body, store nothing more
          return;
        }
        callback(null, chunk);
      },
    });
    const unpack = extract({
      cwd: staging,
      strict: true,
      preservePaths: false,
      noChmod: true,
      filter: (path: string, entry: unknown) => {
        if (refusal) return false;
        const readEntry = entry as ReadEntry;
        entries += 1;
        const why = unsafeEntryPath(path);
        if (why !== undefined) {
          refusal = new AgentHttpError(400, 'UPLOAD_UNSAFE_PATH', `tar entry ${JSON.stringify(path)} ${why}; refused, nothing was stored`, 'Upload a tarball of the bundle folder with relative paths only (stratum deploy builds one).', { entry: path });
          return false;
        }
        if (!ALLOWED_TYPES.has(readEntry.type)) {
          refusal = new AgentHttpError(400, 'UPLOAD_UNSAFE_ENTRY', `tar entry ${JSON.stringify(path)} is a ${readEntry.type}; only regular files and folders are accepted`, 'Bundles contain no links or special files: re-create the tarball from the exported bundle folder.', { entry: path, type: readEntry.type });
          return false;
        }
        extracted += readEntry.size ?? 0;
        if (extracted > limits.maxExtractedBytes) {
          refusal = tooLarge(`bundle expands to more than ${limits.maxExtractedBytes} bytes (at entry ${JSON.stringify(path)})`);
          return false;
        }
        if (entries > limits.maxEntries) {
          refusal = tooLarge(`bundle has more than ${limits.maxEntries} entries`);
          return false;
        }
        return true;
      },
    });
    try {
      await pipeline(body, counter, unpack);
    } catch (error) {
      if (refusal) throw refusal;
      throw new AgentHttpError(400, 'UPLOAD_MALFORMED', `upload is not a readable tar or tar.gz archive: ${(error as Error).message}`, 'Send the bundle folder as a tar or gzip-compressed tar (stratum deploy builds one).');
    }
    if (refusal) throw refusal;
    const filesVerified = await verifyStagedBundle(staging);
    const result = await moveIntoPlace(staging, options.target);
    return { result, receivedBytes: received, extractedBytes: extracted, filesVerified };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function tooLarge(message: string): AgentHttpError {
  return new AgentHttpError(413, 'UPLOAD_TOO_LARGE', message, 'Check that you are uploading a bundle folder, or start the agent with a larger --max-upload-mib.');
}

function notBundle(message: string, detail: Record<string, unknown> = {}): AgentHttpError {
  return new AgentHttpError(422, 'BUNDLE_INVALID', message, 'Re-export the bundle, or copy it again from a good source, and upload it anew.', detail);
}

/**
 * Verifies a staged bundle: `manifest.json` parses and says `format: "stratum-bundle"`, every
 * listed file exists with the listed size and SHA-256, and no unlisted file is present.
 * The format version is left to `stratum serve` (`loadBundle`), which is the one that must
 * understand it.
 *
 * @returns the number of files verified
 * @throws AgentHttpError 422 naming the file
 */
export async function verifyStagedBundle(dir: string): Promise<number> {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  } catch (error) {
    throw notBundle(`upload holds no readable manifest.json at its root (${(error as Error).message.split('\n')[0]})`);
  }
  if (manifest.format !== 'stratum-bundle' || typeof manifest.files !== 'object' || manifest.files === null) {
    throw notBundle('manifest.json is not a Stratum bundle manifest (format must be "stratum-bundle" with a files map)');
  }
  const listed = new Set<string>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (unsafeEntryPath(name) !== undefined) throw notBundle(`manifest.json lists a file outside the bundle: ${name}`, { file: name });
    listed.add(name);
    let actual: { sha256: string; bytes: number };
    try {
      actual = await hashFile(join(dir, ...name.split('/')));
    } catch {
      throw notBundle(`bundle file ${name} is listed in manifest.json but missing from the upload`, { file: name });
    }
    if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) {
      throw notBundle(`bundle file ${name} does not match its checksum in manifest.json (expected ${entry.bytes} bytes sha256 ${entry.sha256}, got ${actual.bytes} bytes sha256 ${actual.sha256})`, {
        file: name,
        expectedSha256: entry.sha256,
        actualSha256: actual.sha256,
      });
    }
  }
  for (const file of await listFiles(dir)) {
    if (file !== 'manifest.json' && !listed.has(file)) throw notBundle(`upload holds ${file}, which manifest.json does not list`, { file });
  }
  return listed.size;
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Relative POSIX paths of every regular file under `dir`. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** Renames the verified staging folder to `target`; same manifest bytes already there -> `unchanged`; other bytes -> 409. */
async function moveIntoPlace(staging: string, target: string): Promise<'stored' | 'unchanged'> {
  const incoming = await readFile(join(staging, 'manifest.json'));
  let existing: Buffer | undefined;
  try {
    existing = await readFile(join(target, 'manifest.json'));
  } catch {
    existing = undefined;
  }
  if (existing !== undefined) {
    if (existing.equals(incoming)) return 'unchanged';
    throw new AgentHttpError(409, 'VERSION_EXISTS', `version already stored with different content at ${target}`, 'Upload under a new version (versions are immutable once stored), or DELETE the service first.');
  }
  await rm(target, { recursive: true, force: true }); // a half-moved leftover without manifest
  await mkdir(join(target, '..'), { recursive: true });
  await rename(staging, target);
  return 'stored';
}
