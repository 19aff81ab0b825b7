/**
 * `stratum open [FOLDER] [--port N] [--no-electron]`: opens a folder as a workspace and starts the
 * workbench. It builds nothing at run time: it serves the prebuilt renderer (`dist/renderer`, from
 * `npm run build:renderer`) with the API on 127.0.0.1 (core/api/server.ts), then opens the
 * Electron window when the Electron binary and the built shell (`dist/electron/main.cjs`) exist,
 * otherwise prints the URL (with its session token) to open in a browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from './main.ts';

/** Built Electron main process (`npm run build:electron`). */
export const ELECTRON_MAIN = fileURLToPath(new URL('../../dist/electron/main.cjs', import.meta.url));

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected an integer port from 0 to 65535 (0 = any free port)');
  return n;
}

/**
 * Path of the Electron executable, or why there is none. The `electron` package's `index.js`
 * returns the path of the downloaded binary (or of `ELECTRON_OVERRIDE_DIST_PATH`) and throws when
 * it was never downloaded.
 */
export function findElectron(): { path: string } | { missing: string } {
  try {
    const resolved = createRequire(import.meta.url)('electron') as unknown;
    if (typeof resolved === 'string' && existsSync(resolved)) return { path: resolved };
    return { missing: `the Electron binary is not installed (${String(resolved)} does not exist)` };
  } catch {
    // electron's index.js throws "Electron failed to install correctly" when its download was denied.
    return { missing: 'the Electron binary is not installed (on a connected machine run "node node_modules/electron/install.js", or set ELECTRON_OVERRIDE_DIST_PATH to an Electron folder; see docs/workbench.md)' };
  }
}

/** Options of the `open` action (commander's parsed flags). */
interface OpenFlags {
  port: number;
  electron: boolean;
}

/**
 * Adds `stratum open` to the program.
 *
 * @param program - the commander program of core/cli/main.ts
 * @param io - where messages go
 */
export function registerOpenCommand(program: Command, io: CliIo): void {
  program
    .command('open')
    .description('open a folder in the workbench: Electron when installed, else a browser URL on 127.0.0.1')
    .argument('[folder]', 'workspace folder', '.')
    .option('-p, --port <port>', 'TCP port of the browser-mode server (0 = any free port)', parsePort, 0)
    .option('--no-electron', 'do not open Electron; print the browser URL')
    .action(async (folder: string, flags: OpenFlags) => {
      const { openWorkspace } = await import('../workspace/workspace.ts');
      const { startWorkbenchServer, DEFAULT_RENDERER_DIR } = await import('../api/server.ts');
      const workspace = await openWorkspace({ root: folder });
      const server = await startWorkbenchServer({ workspace, port: flags.port });
      if (!existsSync(`${DEFAULT_RENDERER_DIR}/index.html`)) io.err(`warning: the UI is not built (${DEFAULT_RENDERER_DIR}); run \`npm run build:renderer\`\n`);
      let child: ChildProcess | undefined;
      const electron = flags.electron ? findElectron() : { missing: '--no-electron was given' };
      if ('path' in electron && existsSync(ELECTRON_MAIN)) {
        io.out(`opening Electron on workspace ${workspace.root}\n`);
        const env: NodeJS.ProcessEnv = { ...process.env, STRATUM_SERVER_URL: server.url, STRATUM_TOKEN: server.token };
        delete env.ELECTRON_RUN_AS_NODE;
        child = spawn(electron.path, [ELECTRON_MAIN], { stdio: 'inherit', env });
      } else {
        const why = 'missing' in electron ? electron.missing : `the Electron shell is not built (${ELECTRON_MAIN}; run \`npm run build:electron\`)`;
        io.out(`Stratum workbench for ${workspace.root}\n  open ${server.openUrl}\n  (${why}; Ctrl+C stops)\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        child?.once('exit', stop);
      });
      if (child && child.exitCode === null) child.kill();
      await server.close();
      await workspace.dispose();
    });
}
