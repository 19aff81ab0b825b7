/**
 * Content hashes for the tracking store: the data fingerprint of a training set and the checksum
 * of an artifact file or folder.
 */
import { createHash, type Hash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { StratumError } from '../errors.ts';
import type { DataFingerprint } from './types.ts';

/**
 * Canonical JSON of one value: object keys sorted (so column order does not matter), missing values
 * (`null`, `undefined`, `NaN` — all "missing" to Stratum's preprocessing) as `null`, `±Infinity`
 * as `{"$num":"Infinity"}` / `{"$num":"-Infinity"}`, `Date` as its ISO string, `bigint` as
 * `{"$bigint":"123"}`. Everything else as `JSON.stringify` writes it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'null';
    if (!Number.isFinite(value)) return `{"$num":"${value > 0 ? 'Infinity' : '-Infinity'}"}`;
    return JSON.stringify(value);
  }
  if (typeof value === 'bigint') return `{"$bigint":"${value.toString()}"}`;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(String(value));
}

/**
 * Fingerprints a training set: SHA-256 of the records' canonical JSON ({@link canonicalJson}),
 * one record per line, each line ending in `\n`. Row order matters (it drives the seeded split);
 * key order does not. Deterministic across processes and machines.
 *
 * @param records - the records as given to training
 * @param source - where they came from (file path, variable name, connector URI)
 * @returns `{ source, rowCount, sha256 }`
 * @example
 * ```ts
 * fingerprintRecords([{ a: 1 }], 'inline').sha256 // sha256 of '{"a":1}\n'
 * ```
 */
export function fingerprintRecords(records: readonly unknown[], source: string): DataFingerprint {
  const hash = createHash('sha256');
  // Fast path for the common case (plain records sharing one key order): sort and encode the keys once.
  let keys: string[] = [];
  let sorted: Array<{ key: string; prefix: string }> = [];
  let chunk = '';
  for (const record of records) {
    if (typeof record === 'object' && record !== null && !Array.isArray(record) && !(record instanceof Date)) {
      const own = Object.keys(record);
      if (own.length !== keys.length || own.some((k, i) => k !== keys[i])) {
        keys = own;
        sorted = [...own].sort().map((key, i) => ({ key, prefix: `${i === 0 ? '' : ','}${JSON.stringify(key)}:` }));
      }
      let line = '{';
      for (const { key, prefix } of sorted) line += prefix + canonicalJson((record as Record<string, unknown>)[key]);
      chunk += `${line}}\n`;
    } else {
      chunk += `${canonicalJson(record)}\n`;
    }
    if (chunk.length > 65536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return { source, rowCount: records.length, sha256: hash.digest('hex') };
}

/** Lowercase hex SHA-256 of a file's bytes. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function walk(root: string, dir: string, out: Array<{ rel: string; abs: string }>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, abs, out);
    else if (entry.isFile()) out.push({ rel: relative(root, abs).split(sep).join('/'), abs });
  }
}

/**
 * Checksum and size of an artifact: for a file, SHA-256 of its bytes; for a folder, SHA-256 of the
 * lines `relative/posix/path\0<sha256 of the file>\n` of every file below it, sorted by path
 * (a content hash independent of timestamps), and the sum of the file sizes.
 *
 * @param path - file or folder
 * @throws StratumError `FILE_NOT_FOUND` when `path` does not exist
 */
export function hashPath(path: string): { sha256: string; bytes: number } {
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new StratumError('FILE_NOT_FOUND', `artifact ${path} does not exist`, { detail: { path }, hint: 'Write the file before recording it as an artifact.' });
  }
  if (!info.isDirectory()) return { sha256: sha256File(path), bytes: info.size };
  const files: Array<{ rel: string; abs: string }> = [];
  walk(path, path, files);
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const hash: Hash = createHash('sha256');
  let bytes = 0;
  for (const f of files) {
    hash.update(`${f.rel}\0${sha256File(f.abs)}\n`);
    bytes += statSync(f.abs).size;
  }
  return { sha256: hash.digest('hex'), bytes };
}
