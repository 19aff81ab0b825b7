/**
 * Unit test of bundle upload reception (no processes, no TF.js): a fake bundle whose manifest
 * lists two files with their real SHA-256 (node:crypto), packed by the push client's packBundle,
 * then fed to receiveBundle as a stream. Unsafe archives are built header by header with tar's
 * Header so their paths stay unsafe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBundle } from '../push/pack.ts';
import { AgentHttpError, DEFAULT_UPLOAD_LIMITS, receiveBundle, unsafeEntryPath, type ReceiveOptions } from './upload.ts';

let root: string;
let bundle: string;
let staging: string;

async function writeBundle(dir: string, files: Record<string, Buffer>, version = '1.0.0'): Promise<void> {
  const listed: Record<string, { sha256: string; bytes: number }> = {};
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(dir, ...name.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(dir, ...name.split('/')), bytes);
    listed[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: 'stratum-bundle', formatVersion: 1, name: 'fake', version, files: listed }));
}

function rawTar(entries: Array<{ path: string; data?: Buffer; type?: 'File' | 'SymbolicLink' | 'Link' | 'FIFO'; linkpath?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const isFile = !entry.type || entry.type === 'File';
    const header = new Header({ path: entry.path, mode: 0o644, size: isFile ? data.byteLength : 0, mtime: new Date(0), type: entry.type ?? 'File', ...(entry.linkpath ? { linkpath: entry.linkpath } : {}) });
    header.encode();
    blocks.push(header.block as Buffer);
    if (isFile) blocks.push(data, Buffer.alloc((512 - (data.byteLength % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function options(body: Buffer, target: string, extra: Partial<ReceiveOptions> = {}): ReceiveOptions {
  return { body: Readable.from([body]), stagingRoot: staging, target, limits: DEFAULT_UPLOAD_LIMITS, ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<AgentHttpError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AgentHttpError);
  return error as AgentHttpError;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratum-upload-'));
  bundle = join(root, 'bundle');
  staging = join(root, 'data', 'staging');
  await mkdir(staging, { recursive: true });
  await writeBundle(bundle, { 'model/weights.bin': randomBytes(3000), 'preprocessor.json': Buffer.from('{"version":1}') });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('unsafeEntryPath', () => {
  it('accepts relative paths and names every unsafe kind', () => {
    expect(unsafeEntryPath('model/weights.bin')).toBeUndefined();
    expect(unsafeEntryPath('./manifest.json')).toBeUndefined();
    expect(unsafeEntryPath('a..b/c')).toBeUndefined(); // ".." only as a whole segment
    expect(unsafeEntryPath('../x')).toBe('contains ".."');
    expect(unsafeEntryPath('model/../../x')).toBe('contains ".."');
    expect(unsafeEntryPath('/etc/passwd')).toBe('is absolute');
    expect(unsafeEntryPath('C:/x')).toBe('is absolute');
    expect(unsafeEntryPath('model\\..\\x')).toBe('contains a backslash');
    expect(unsafeEntryPath('')).toBe('is empty');
  });
});

describe('receiveBundle', () => {
  it('stores a verified bundle, recognises the same bytes again, refuses other bytes under the same version', async () => {
    const packed = await packBundle(bundle);
    const target = join(root, 'data', 'services', 'fake', 'versions', '1');
    const stored = await receiveBundle(options(packed.data, target));
    expect(stored).toEqual({ result: 'stored', receivedBytes: packed.data.byteLength, extractedBytes: packed.rawBytes, filesVerified: 2 });
    expect(await readFile(join(target, 'model', 'weights.bin'))).toEqual(await readFile(join(bundle, 'model', 'weights.bin')));
    expect((await receiveBundle(options(packed.data, target))).result).toBe('unchanged');
    const other = join(root, 'other');
    await writeBundle(other, { 'model/weights.bin': randomBytes(10) });
    const clash = await refusal(receiveBundle(options((await packBundle(other)).data, target)));
    expect(clash.status).toBe(409);
    expect(await readdir(staging)).toEqual([]);
  });

  it('refuses unsafe entries with 400 before writing anything outside staging', async () => {
    const outside = join(root, 'data');
    const cases: Array<{ entries: Parameters<typeof rawTar>[0]; code: string; name: RegExp }> = [
      { entries: [{ path: '../../escaped.txt', data: Buffer.from('x') }], code: 'UPLOAD_UNSAFE_PATH', name: /"\.\.\/\.\.\/escaped\.txt" contains "\.\."/ },
      { entries: [{ path: `${root}/abs.txt`, data: Buffer.from('x') }], code: 'UPLOAD_UNSAFE_PATH', name: /is absolute/ },
      { entries: [{ path: 'model', type: 'SymbolicLink', linkpath: root }, { path: 'model/escaped.txt', data: Buffer.from('x') }], code: 'UPLOAD_UNSAFE_ENTRY', name: /"model" is a SymbolicLink/ },
      { entries: [{ path: 'ok', type: 'SymbolicLink', linkpath: 'inside' }], code: 'UPLOAD_UNSAFE_ENTRY', name: /SymbolicLink; only regular files and folders/ },
      { entries: [{ path: 'w.bin', type: 'Link', linkpath: '../../../etc/passwd' }], code: 'UPLOAD_UNSAFE_ENTRY', name: /is a Link/ },
      { entries: [{ path: 'pipe', type: 'FIFO' }], code: 'UPLOAD_UNSAFE_ENTRY', name: /is a FIFO/ },
    ];
    for (const c of cases) {
      for (const body of [rawTar(c.entries), gzipSync(rawTar(c.entries))]) {
        const error = await refusal(receiveBundle(options(body, join(outside, 'services', 'x', 'versions', '1'))));
        expect(error.status).toBe(400);
        expect(error.code).toBe(c.code);
        expect(error.message).toMatch(c.name);
      }
    }
    for (const path of [join(root, 'escaped.txt'), join(outside, 'escaped.txt'), join(root, 'abs.txt'), join(outside, 'services', 'x')]) await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect(await readdir(staging)).toEqual([]);
  });

  it('refuses too large uploads with 413: by Content-Length, while streaming, and by extracted size', async () => {
    const target = join(root, 'data', 'services', 'big', 'versions', '1');
    const small = { ...DEFAULT_UPLOAD_LIMITS, maxUploadBytes: 64 * 1024, maxExtractedBytes: 256 * 1024 };
    const random = gzipSync(rawTar([{ path: 'a.bin', data: randomBytes(100 * 1024) }]));
    expect((await refusal(receiveBundle(options(random, target, { limits: small, contentLength: random.byteLength })))).status).toBe(413);
    // Streamed in 8 KiB chunks without a length: counted as it arrives.
    const chunks = Array.from({ length: Math.ceil(random.byteLength / 8192) }, (_, i) => random.subarray(i * 8192, (i + 1) * 8192));
    const streamed = await refusal(receiveBundle({ body: Readable.from(chunks), stagingRoot: staging, target, limits: small }));
    expect(streamed.status).toBe(413);
    expect(streamed.code).toBe('UPLOAD_TOO_LARGE');
    // A gzip bomb: 1 MiB of zeros compresses to about 1 KiB, but expands past maxExtractedBytes.
    const bomb = gzipSync(rawTar([{ path: 'zeros.bin', data: Buffer.alloc(1024 * 1024) }]));
    expect(bomb.byteLength).toBeLessThan(small.maxUploadBytes);
    const exploded = await refusal(receiveBundle(options(bomb, target, { limits: small })));
    expect(exploded.status).toBe(413);
    expect(exploded.message).toMatch(/expands to more than 262144 bytes/);
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
    expect(await readdir(staging)).toEqual([]);
  });

  it('refuses with 422 a checksum mismatch, a missing file, an unlisted file, and a non-bundle', async () => {
    const target = join(root, 'data', 'services', 'bad', 'versions', '1');
    const manifest = await readFile(join(bundle, 'manifest.json'));
    const weights = await readFile(join(bundle, 'model', 'weights.bin'));
    const pre = await readFile(join(bundle, 'preprocessor.json'));
    const flipped = Buffer.from(weights);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const cases: Array<{ entries: Parameters<typeof rawTar>[0]; message: RegExp }> = [
      { entries: [{ path: 'manifest.json', data: manifest }, { path: 'model/weights.bin', data: flipped }, { path: 'preprocessor.json', data: pre }], message: /bundle file model\/weights\.bin does not match its checksum/ },
      { entries: [{ path: 'manifest.json', data: manifest }, { path: 'preprocessor.json', data: pre }], message: /model\/weights\.bin is listed in manifest\.json but missing/ },
      { entries: [{ path: 'manifest.json', data: manifest }, { path: 'model/weights.bin', data: weights }, { path: 'preprocessor.json', data: pre }, { path: 'extra.js', data: Buffer.from('1') }], message: /holds extra\.js, which manifest\.json does not list/ },
      { entries: [{ path: 'readme.txt', data: Buffer.from('hi') }], message: /no readable manifest\.json/ },
      { entries: [{ path: 'manifest.json', data: Buffer.from('{"format":"zip"}') }], message: /not a Stratum bundle manifest/ },
    ];
    for (const c of cases) {
      const error = await refusal(receiveBundle(options(gzipSync(rawTar(c.entries)), target)));
      expect(error.status).toBe(422);
      expect(error.message).toMatch(c.message);
    }
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a body that is not a tar archive with 400', async () => {
    const error = await refusal(receiveBundle(options(gzipSync(Buffer.from('definitely not a tar archive, just text')), join(root, 'data', 'services', 'm', 'versions', '1'))));
    expect(error.status).toBe(400);
    expect(error.code).toBe('UPLOAD_MALFORMED');
  });
});
