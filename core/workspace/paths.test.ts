import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStratumError } from '../errors.ts';
import { isInside, resolveInside, toRelative } from './paths.ts';

describe('resolveInside', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'stratum-ws-')));
    outside = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'stratum-out-')));
    await mkdir(path.join(root, 'nb'));
    await symlink(outside, path.join(root, 'escape'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('resolves relative paths inside the root, existing or not', async () => {
    expect(await resolveInside(root, 'nb/a.stratum.json')).toBe(path.join(root, 'nb', 'a.stratum.json'));
    expect(await resolveInside(root, 'new/dir/b.stratum.json')).toBe(path.join(root, 'new', 'dir', 'b.stratum.json'));
    expect(await resolveInside(root, './c.stratum.json')).toBe(path.join(root, 'c.stratum.json'));
  });

  it.each([
    ['../x.stratum.json', 'parent segment'],
    ['nb/../../x', 'parent segment inside'],
    ['/etc/passwd', 'absolute POSIX'],
    ['C:/x', 'drive letter'],
    ['nb\\..\\..\\x', 'backslashes'],
    ['nb//x', 'empty segment'],
    ['a\0b', 'NUL'],
    ['escape/x.stratum.json', 'symlink to a folder outside'],
  ])('rejects %j (%s) with REQUEST_INVALID on field path', async (input) => {
    const error = await resolveInside(root, input).then(() => undefined, (e: unknown) => e);
    expect(isStratumError(error, 'REQUEST_INVALID')).toBe(true);
    expect((error as { detail: { field: string } }).detail.field).toBe('path');
  });

  it('isInside and toRelative', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(toRelative('/a/b', '/a/b/c/d.json')).toBe('c/d.json');
  });
});
