// Tests of `stratum secrets set|list|rm` in-process, against a temp secrets file; the value comes
// from a stand-in stdin (a pipe, or a fake terminal for the hidden prompt).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../secrets/secrets.ts';
import { rejection } from '../testing.ts';
import { registerSecretsCommands } from './secrets.ts';
import type { SecretInput } from './secrets.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-cli-secrets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Ran {
  out: string;
  err: string;
}

/** Runs `stratum secrets ...args` with `input` as stdin and the store at `file`. */
async function secrets(file: string, input: SecretInput, ...args: string[]): Promise<Ran> {
  const ran = { out: '', err: '' };
  const io = { out: (t: string) => void (ran.out += t), err: (t: string) => void (ran.err += t) };
  const program = new Command('stratum').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerSecretsCommands(program, io, { input, store: () => new FileSecretStore(file) });
  await program.parseAsync(['node', 'stratum', 'secrets', ...args]);
  return ran;
}

function piped(text: string): SecretInput {
  const s = new PassThrough();
  s.end(text);
  return s;
}

describe('stratum secrets', () => {
  it('set reads a piped value (dropping the trailing newline), list shows names only, rm removes', async () => {
    const file = join(dir, 'a', 'secrets.json');
    const set = await secrets(file, piped('Bearer abc123\n'), 'set', 'github-token');
    expect(set.out).toBe(`stored secret "github-token" in ${file}; use it in a connection config as { "secret": "github-token" }\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await new FileSecretStore(file).get('github-token')).toBe('Bearer abc123');
    expect((await secrets(file, piped('x\r\n'), 'set', 'api.key')).out).toMatch(/^stored secret "api.key"/);
    expect((await secrets(file, piped('new\n'), 'set', 'api.key')).out).toMatch(/^replaced secret "api.key"/);
    expect(await new FileSecretStore(file).get('api.key')).toBe('new');
    const list = await secrets(file, piped(''), 'list');
    expect(list.out).toBe('api.key\ngithub-token\n');
    expect(list.out + list.err).not.toMatch(/abc123|new/);
    expect((await secrets(file, piped(''), 'rm', 'api.key')).out).toBe(`removed secret "api.key" from ${file}\n`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'github-token': 'Bearer abc123' });
  });

  it('list on a missing file says there are none', async () => {
    const r = await secrets(join(dir, 'none.json'), piped(''), 'list');
    expect([r.out, r.err]).toEqual(['', `no secrets stored in ${join(dir, 'none.json')}\n`]);
  });

  it('reads from a terminal at a prompt that does not echo the value', async () => {
    const file = join(dir, 'tty.json');
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const done = secrets(file, tty, 'set', 'pg-prod');
    tty.write('hunter2\r');
    const r = await done;
    expect(r.err).toBe('value of secret "pg-prod" (typing is hidden; Enter ends): \n');
    expect(r.out).not.toMatch(/hunter2/);
    expect(await new FileSecretStore(file).get('pg-prod')).toBe('hunter2');
  });

  it('cancels the prompt at end of input (Ctrl+D) without storing anything', async () => {
    const file = join(dir, 'eof.json');
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const done = secrets(file, tty, 'set', 'k');
    tty.end('half');
    const e = await rejection(done);
    expect([e.code, e.message]).toEqual(['USAGE', 'cancelled: no secret stored']);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a value on the command line, an empty value, a bad name and an unknown name', async () => {
    const file = join(dir, 'refuse.json');
    const argv = await rejection(secrets(file, piped('x'), 'set', 'k', 'hunter2'));
    expect(argv.code).toBe('USAGE');
    expect(argv.message).toMatch(/would stay in the shell history/);
    expect(argv.message + (argv.hint ?? '')).not.toMatch(/hunter2/);
    const empty = await rejection(secrets(file, piped('\n'), 'set', 'k'));
    expect(empty.message).toBe('empty value: secret "k" not stored');
    expect((await rejection(secrets(file, piped('x'), 'set', 'a b'))).code).toBe('USAGE');
    const missing = await rejection(secrets(file, piped(''), 'rm', 'nope'));
    expect(missing.code).toBe('SECRET_MISSING');
    expect(missing.hint).toBe('stratum secrets list shows the stored names.');
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});
