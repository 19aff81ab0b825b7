import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection } from '../testing.ts';
import { MIN_TOKEN_LENGTH, readTokenFile } from './agent.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratum-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokenFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

describe('readTokenFile', () => {
  it('returns the first line, trimmed', async () => {
    expect(await readTokenFile(tokenFile('ok', '  0123456789abcdef0123  \nsecond line\n'))).toBe('0123456789abcdef0123');
  });

  it('refuses a weak token, naming the file, its length and how to make a strong one', async () => {
    const file = tokenFile('weak', 'secret\n');
    const error = await rejection(readTokenFile(file));
    expect(error).toMatchObject({ code: 'USAGE', detail: { path: file, length: 6 } });
    expect((error as Error).message).toContain(`has 6 characters; an agent token needs at least ${MIN_TOKEN_LENGTH}`);
    expect((error as { hint?: string }).hint).toContain('openssl rand -hex 32');
  });

  it('accepts a token of exactly the minimum length and refuses one character less', async () => {
    expect(await readTokenFile(tokenFile('min', 'a'.repeat(16)))).toHaveLength(16);
    expect(await rejection(readTokenFile(tokenFile('short', 'a'.repeat(15))))).toMatchObject({ code: 'USAGE' });
  });

  it('refuses an empty or missing file', async () => {
    expect(await rejection(readTokenFile(tokenFile('empty', '\n')))).toMatchObject({ code: 'USAGE' });
    expect(await rejection(readTokenFile(join(dir, 'absent')))).toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
