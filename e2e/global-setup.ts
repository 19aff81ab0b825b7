/**
 * Starts `stratum open --no-electron` on a temp copy of a workspace (an empty folder plus a small
 * CSV; the tests create their notebook from the Seattle weather starter through the UI) and hands
 * the URL with its token to the tests in `STRATUM_E2E_URL`. The returned function stops it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Playwright global setup: returns the teardown. */
export async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(repo, 'dist/renderer/index.html'))) throw new Error('dist/renderer is not built: run `npm run build:renderer` before the e2e tests');
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'stratum-e2e-'));
  await writeFile(path.join(workspace, 'tiny.csv'), 'x,y\n1,2\n3,4\n');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'e2e/stratum-open.ts'), 'open', workspace, '--no-electron', '--port', '0'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stratum open did not print its URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`stratum open exited with ${String(code)}:\n${output}`)));
  });
  process.env.STRATUM_E2E_URL = url;
  process.env.STRATUM_E2E_WORKSPACE = workspace;
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(workspace, { recursive: true, force: true });
  };
}

// Playwright reads the default export.
// eslint-disable-next-line no-restricted-syntax
export default globalSetup;
