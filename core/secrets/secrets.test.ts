// Tests of the file secret store: modes, atomic rewrite, refusal of a file others can read.
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import { FileSecretStore, MapSecretSource, isSecretRef, resolveSecret } from './secrets.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-secrets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('FileSecretStore', () => {
  it('creates the file with mode 0600, stores, lists and deletes secrets, leaving no temp files', async () => {
    const path = join(dir, 'sub', 'secrets.json');
    const store = new FileSecretStore(path);
    await store.set('pg-prod', 'hunter2');
    await store.set('api.key', 'abc');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await store.get('pg-prod')).toBe('hunter2');
    expect(await store.names()).toEqual(['api.key', 'pg-prod']);
    expect(await store.delete('api.key')).toBe(true);
    expect(await store.delete('api.key')).toBe(false);
    expect(await readdir(join(dir, 'sub'))).toEqual(['secrets.json']);
  });

  it('refuses a file readable by group or others, saying how to fix it', async () => {
    const path = join(dir, 'open.json');
    await writeFile(path, '{"a":"b"}');
    await chmod(path, 0o644);
    const e = await failure(new FileSecretStore(path).get('a'));
    expect(e.code).toBe('SECRET_FILE_INSECURE');
    expect(e.message).toMatch(/mode 644/);
    expect(e.hint).toBe(`Make it private: chmod 600 ${path}`);
  });

  it('names a missing secret and a missing file', async () => {
    const store = new FileSecretStore(join(dir, 'sub', 'secrets.json'));
    const e = await failure(store.get('nope'));
    expect(e.code).toBe('SECRET_MISSING');
    expect(e.message).toMatch(/no secret named "nope"/);
    expect((await failure(new FileSecretStore(join(dir, 'absent.json')).get('x'))).code).toBe('SECRET_MISSING');
  });

  it('rejects invalid names', async () => {
    expect((await failure(new FileSecretStore(join(dir, 'n.json')).set('a b', 'x'))).code).toBe('CONNECTOR_CONFIG');
  });
});

describe('references', () => {
  it('resolves { secret } and passes plain strings through', async () => {
    const source = new MapSecretSource({ k: 'v' });
    expect(isSecretRef({ secret: 'k' })).toBe(true);
    expect(isSecretRef({ secret: 'k', other: 1 })).toBe(false);
    expect(await resolveSecret({ secret: 'k' }, source)).toBe('v');
    expect(await resolveSecret('plain', source)).toBe('plain');
    expect((await failure(resolveSecret({ secret: 'x' }, source))).code).toBe('SECRET_MISSING');
  });
});
