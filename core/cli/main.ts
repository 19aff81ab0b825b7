/**
 * The `stratum` command line: a first-class face of the workbench (DESIGN.md).
 *
 * - `stratum run NOTEBOOK [--out FILE]` executes a notebook headless, a progress line per cell.
 * - `stratum serve BUNDLE [--port N] [--host H]` serves an exported model bundle over REST.
 *
 * Argument parsing is commander's. Expected errors ({@link StratumError}) print their message and
 * hint and exit 1; anything else is a bug and prints its stack.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import path from 'node:path';
import { isStratumError } from '../errors.ts';
import { runNotebook, type RunEvent } from '../runner/run-notebook.ts';
import { renderOutputText } from '../runner/render-text.ts';
import { registerRunsCommands } from './runs.ts';
import { registerDescriptorCommands } from './descriptor.ts';
import { registerAgentCommand } from './agent.ts';
import { registerDeployCommands } from './deploy.ts';
import { registerOpenCommand } from './open.ts';
import { registerIpynbCommands } from './ipynb.ts';
import { registerSecretsCommands } from './secrets.ts';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected an integer port from 0 to 65535 (0 = any free port)');
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Default output path of `stratum run`: `name.stratum.json` -> `name.executed.stratum.json` beside it. */
export function defaultRunOutput(notebookPath: string): string {
  const dir = path.dirname(notebookPath);
  const base = path.basename(notebookPath).replace(/(\.stratum)?\.json$/, '');
  return path.join(dir, `${base}.executed.stratum.json`);
}

function progressPrinter(io: CliIo): (event: RunEvent) => void {
  return (event) => {
    if (event.kind === 'cell-start') {
      io.err(`[${event.index}/${event.total}] cell ${event.cell.id} (${event.label}) running\n`);
    } else if (event.kind === 'output') {
      io.out(renderOutputText(event.output));
    } else {
      io.err(`[${event.index}/${event.total}] cell ${event.cell.id} ${event.status} in ${seconds(event.durationMs)}\n`);
    }
  };
}

/** Builds the commander program; `io` receives all output. */
export function buildProgram(io: CliIo = defaultIo): Command {
  const program = new Command('stratum')
    .description('Stratum: notebook-style ML workbench — from a CSV to a model served over REST')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('run')
    .description('run every cell of a notebook headless, in order, and write the executed notebook')
    .argument('<notebook>', 'notebook file (.stratum.json)')
    .option('-o, --out <file>', 'where to write the executed notebook (default: NAME.executed.stratum.json beside it)')
    .option('--cell-timeout <seconds>', 'interrupt a cell that runs longer than this', parseSeconds)
    .action(async (notebook: string, opts: { out?: string; cellTimeout?: number }) => {
      const out = opts.out ?? defaultRunOutput(notebook);
      // First Ctrl+C: interrupt the running cell (its training records the run cancelled), write the
      // executed notebook, exit 130. A second one exits at once.
      const interrupt = new AbortController();
      const onSigint = (): void => {
        if (interrupt.signal.aborted) process.exit(130);
        io.err('\ninterrupting the running cell (Ctrl+C again to quit at once)...\n');
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      let result: Awaited<ReturnType<typeof runNotebook>>;
      try {
        result = await runNotebook({
          path: notebook,
          out,
          onEvent: progressPrinter(io),
          signal: interrupt.signal,
          ...(opts.cellTimeout ? { cellTimeoutMs: opts.cellTimeout * 1000 } : {}),
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      io.err(`executed notebook written to ${out} (${seconds(result.durationMs)})\n`);
      if (result.failed) {
        io.err(`error: cell ${result.failed.index + 1} (id ${result.failed.cellId})${result.failed.line === undefined ? '' : ` line ${result.failed.line}`} failed: ${result.failed.ename}: ${result.failed.evalue}\n`);
        process.exitCode = interrupt.signal.aborted ? 130 : 1;
      }
    });

  program
    .command('serve')
    .description('serve an exported model bundle: POST /predict, GET /health, /metadata, /openapi.json')
    .argument('<bundle>', 'bundle folder written by exportBundle')
    .option('-p, --port <port>', 'TCP port (0 = any free port)', parsePort, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (bundle: string, opts: { port: number; host: string }) => {
      const { serveBundle } = await import('../serving/server.ts');
      const service = await serveBundle(bundle, { port: opts.port, host: opts.host });
      io.out(`serving ${bundle} at ${service.url} (POST /predict, GET /health, /metadata, /openapi.json); Ctrl+C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void service.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  registerRunsCommands(program, io);
  registerDescriptorCommands(program, io);
  registerAgentCommand(program, io);
  registerDeployCommands(program, io);
  registerOpenCommand(program, io);
  registerIpynbCommands(program, io);
  registerSecretsCommands(program, io);
  return program;
}

/**
 * A user-facing sentence for the errors a server gets from `listen()` (busy port, address not on
 * this machine, privileged port); `undefined` for anything else.
 */
export function describeListenError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.syscall !== 'listen') return undefined;
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port} on ${e.address} is already in use (${where}); pass another --port, or 0 for any free port`;
    case 'EADDRNOTAVAIL':
      return `address ${e.address} is not an address of this machine (${where}); pass a local --host such as 127.0.0.1 or 0.0.0.0`;
    case 'EACCES':
      return `not allowed to listen on ${where} (ports below 1024 need privileges); pass a --port above 1023`;
    default:
      return `cannot listen on ${where}: ${e.message}`;
  }
}

/**
 * Runs the CLI with `argv` (as `process.argv`) and returns the exit code.
 * Never throws: expected errors are printed with their hint, bugs with their stack.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isStratumError(error)) {
      io.err(`error [${error.code}]: ${error.describe()}\n`);
      return 1;
    }
    const network = describeListenError(error);
    if (network) {
      io.err(`error: ${network}\n`);
      return 1;
    }
    io.err(`internal error (a bug, please report it): ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
