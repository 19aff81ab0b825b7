/**
 * `stratum secrets` as a user runs it: a real `node bin/stratum.mjs` process, the value piped on
 * stdin, the store in a temp file named by STRATUM_SECRETS_FILE (the file the connectors read).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../secrets/secrets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-cli-secrets-'));
const file = path.join(dir, 'secrets.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stratum(stdin: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(root, 'bin/stratum.mjs'), ...args], { cwd: dir, timeout: 90_000, env: { ...process.env, STRATUM_SECRETS_FILE: file } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

describe('stratum secrets (process)', () => {
  it('stores a piped value where the connectors read it (one process start: ~4 s of CPU)', async () => {
    const set = await stratum('tok-123\n', 'secrets', 'set', 'api-key');
    expect([set.code, set.stdout]).toEqual([0, `stored secret "api-key" in ${file}; use it in a connection config as { "secret": "api-key" }\n`]);
    expect(await new FileSecretStore(file).get('api-key')).toBe('tok-123');
  });
});
