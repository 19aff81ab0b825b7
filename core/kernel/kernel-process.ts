/**
 * The kernel process: forked by {@link Kernel} (kernel.ts) with `--import tsx`, one per notebook
 * run. It runs cells one at a time in its own global scope (the main `vm` context: libraries such
 * as danfojs and TF.js check `instanceof Array`/`Float32Array`, which would fail across realms),
 * captures console output per cell, and reports outputs and completion over the IPC channel
 * (messages in protocol.ts). Cells arrive already transformed by the parent (transform.ts), so
 * this process never loads the TypeScript compiler (seconds of startup); tracebacks leave here with
 * script positions and the parent maps them to the cell's columns.
 *
 * Interrupts arrive as SIGINT: a cell's synchronous part runs with `breakOnSigint`, so a
 * `while (true) {}` throws ERR_SCRIPT_EXECUTION_INTERRUPTED; a cell that is awaiting is abandoned
 * by the SIGINT handler. Code stuck synchronously after an `await` cannot be reached this way;
 * the parent kills and restarts the process after a grace period.
 */
import { Console } from 'node:console';
import { dirname, resolve as resolvePath } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { types } from 'node:util';
import vm from 'node:vm';
import { StratumError, serializeError } from '../errors.ts';
import { describeBackend, initBackend } from '../tf/backend.ts';
import type { CellOutput, ErrorOutput } from '../notebook/types.ts';
import type { ChildMessage, ExecuteRequest, KernelProcessConfig, ParentMessage } from './protocol.ts';
import { toMimeBundles } from './display.ts';
import { installScope, scopeNames } from './scope.ts';
import { settlePendingWork } from '../runtime/pending-work.ts';

const KERNEL_DIR = dirname(fileURLToPath(import.meta.url));
const realProcess = process;
const sendRaw = process.send?.bind(process);
const originalStderrWrite = process.stderr.write.bind(process.stderr);

function send(message: ChildMessage): void {
  if (!sendRaw || !realProcess.connected) return;
  try {
    sendRaw(message);
  } catch (error) {
    originalStderrWrite(`stratum kernel: cannot send ${message.type}: ${(error as Error).message}\n`);
  }
}

interface Running {
  request: ExecuteRequest;
  /** Resolves when the cell is abandoned by SIGINT while awaiting. */
  abandon: (reason: Error) => void;
  /** Aborted on SIGINT, so helpers still working for the abandoned cell (training) stop too. */
  controller: AbortController;
}

let running: Running | undefined;
let lastExecId = 0;

function emit(output: CellOutput): void {
  if (running) send({ type: 'output', execId: running.request.execId, output });
  else if (lastExecId > 0) send({ type: 'output', execId: lastExecId, output, late: true });
}

function streamWriter(name: 'stdout' | 'stderr'): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      emit({ type: 'stream', name, text: typeof chunk === 'string' ? chunk : chunk.toString('utf8') });
      callback();
    },
  });
}

const CELL_FRAME = /cell\[([A-Za-z0-9_-]+)\]:(\d+):(\d+)/;

function isInternalFrame(frame: string): boolean {
  return /\(node:|^at node:/.test(frame) || frame.includes(KERNEL_DIR) || frame.includes(pathToFileURL(KERNEL_DIR).href) || frame.includes('/tsx/dist/');
}

/** Stratum's install root (`core/kernel/../..`), holding its own code and `node_modules`. */
const STRATUM_ROOT = dirname(dirname(KERNEL_DIR));

/** A frame in Stratum's own code or its dependencies (not in a cell, not in the user's modules). */
function isStratumFrame(frame: string): boolean {
  return frame.includes(`${STRATUM_ROOT}/`) || frame.includes(`${pathToFileURL(STRATUM_ROOT).href}/`);
}

/**
 * The frames of a V8 stack (lines starting with `at`), kernel frames dropped (the parent maps cell
 * positions). For an expected error (`expected`: a StratumError, whose message already says what
 * is wrong) Stratum's own frames are dropped too, so the traceback points at the cell line that
 * made the call; for any other error (possibly a bug) they are kept.
 */
function cleanTraceback(stack: string | undefined, expected = false): string[] {
  const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
  const out: string[] = [];
  for (const frame of frames) if (!isInternalFrame(frame) && !(expected && isStratumFrame(frame) && !CELL_FRAME.test(frame))) out.push(frame);
  return out;
}

/** An error output for anything a cell threw, from this realm or not. */
function errorOutput(error: unknown): ErrorOutput {
  if (error instanceof StratumError) {
    const s = serializeError(error);
    return { type: 'error', ename: s.ename, evalue: s.evalue, traceback: cleanTraceback(error.stack, true), code: error.code, detail: error.detail, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (types.isNativeError(error) || (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string')) {
    const e = error as Error;
    return { type: 'error', ename: typeof e.name === 'string' ? e.name : 'Error', evalue: e.message, traceback: cleanTraceback(e.stack) };
  }
  const s = serializeError(error);
  return { type: 'error', ename: 'Error', evalue: `Uncaught ${s.evalue}`, traceback: [] };
}

/** 1-based cell line of the innermost frame of the running cell on the current stack (script lines are cell lines). */
function callerLine(): number | undefined {
  if (!running) return undefined;
  const id = running.request.cellId;
  for (const frame of (new Error().stack ?? '').split('\n')) {
    const m = CELL_FRAME.exec(frame);
    if (m && m[1] === id) return Number(m[2]);
  }
  return undefined;
}

async function execute(request: ExecuteRequest): Promise<void> {
  const { execId, cellId, code } = request;
  lastExecId = execId;
  let abandon: (reason: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => {
    abandon = reject;
  });
  running = { request, abandon, controller: new AbortController() };
  let status: 'ok' | 'error' | 'interrupted' = 'ok';
  try {
    let script: vm.Script;
    try {
      script = new vm.Script(code, { filename: `cell[${cellId}]`, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    } catch (error) {
      const line = /^cell\[[^\]]+\]:(\d+)/.exec(String((error as Error).stack ?? ''))?.[1] ?? '1';
      emit({ type: 'error', ename: 'SyntaxError', evalue: (error as Error).message, traceback: [`at cell[${cellId}]:${line}:1`] });
      status = 'error';
      return;
    }
    try {
      const completion = script.runInThisContext({ breakOnSigint: true, displayErrors: false }) as Promise<unknown>;
      const value = await Promise.race([completion, abandoned]);
      if (value !== undefined) {
        // A value with several outputs (e.g. a profile: table, distributions, heatmap) shows the first as the result, the rest as displays.
        const [first, ...rest] = toMimeBundles(value);
        if (first) emit({ type: 'result', data: first });
        for (const data of rest) emit({ type: 'display', data });
      }
    } catch (error) {
      if (isInterrupt(error)) {
        running?.controller.abort();
        status = 'interrupted';
        emit({ type: 'error', ename: 'KernelInterrupted', evalue: 'Interrupted: the cell was stopped (kernel state kept)', traceback: [], code: 'KERNEL_INTERRUPTED' });
      } else {
        status = 'error';
        emit(errorOutput(error));
      }
    }
  } catch (error) {
    status = 'error';
    emit(errorOutput(error));
  } finally {
    running = undefined;
    send({ type: 'done', execId, status });
  }
}

class AbandonedError extends Error {}

/** Longest wait at shutdown for interrupted tracked work to record its run, ms (an epoch or a worker's termination takes well under this). */
const SETTLE_ON_SHUTDOWN_MS = 10_000;

/** Exits once tracked work (training, search) has settled, or after {@link SETTLE_ON_SHUTDOWN_MS}; see core/runtime/pending-work.ts. */
async function exitWhenSettled(): Promise<void> {
  await settlePendingWork(SETTLE_ON_SHUTDOWN_MS);
  realProcess.exit(0);
}

function isInterrupt(error: unknown): boolean {
  return error instanceof AbandonedError || (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED');
}

async function main(): Promise<void> {
  const config = JSON.parse(realProcess.argv[2] ?? '{}') as Partial<KernelProcessConfig>;
  const notebookDir = resolvePath(config.notebookDir ?? realProcess.cwd());
  // SIGINT while a cell awaits: abandon it. (During a cell's synchronous part, vm's breakOnSigint
  // takes precedence and this listener is not called.)
  realProcess.on('SIGINT', () => {
    running?.controller.abort();
    running?.abandon(new AbandonedError('interrupted'));
  });
  const backend = await initBackend();
  // The wasm backend's Emscripten runtime installs handlers that rethrow (exit code 7): an error in a
  // cell's timer must become an output, not kill the kernel.
  realProcess.removeAllListeners('uncaughtException');
  realProcess.removeAllListeners('unhandledRejection');
  realProcess.on('uncaughtException', (error) => emit(errorOutput(error)));
  realProcess.on('unhandledRejection', (reason) => emit(errorOutput(reason)));
  for (const module of config.preload ?? []) await import(module.includes(':') ? module : pathToFileURL(module).href);
  installScope(globalThis, { notebookDir, emit, callerLine, cellId: () => running?.request.cellId, signal: () => running?.controller.signal });
  const cellConsole = new Console({ stdout: streamWriter('stdout'), stderr: streamWriter('stderr') });
  Object.defineProperty(globalThis, 'console', { value: cellConsole, writable: true, configurable: true, enumerable: false });
  const redirect = (name: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      emit({ type: 'stream', name, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  realProcess.stdout.write = redirect('stdout');
  realProcess.stderr.write = redirect('stderr');
  realProcess.on('message', (message: ParentMessage) => {
    if (message.type === 'execute') void execute(message);
    else if (message.type === 'shutdown') void exitWhenSettled();
  });
  realProcess.on('disconnect', () => void exitWhenSettled());
  send({ type: 'ready', info: { pid: realProcess.pid, nodeVersion: realProcess.version, tfBackend: describeBackend(backend), scope: scopeNames() } });
}

main().catch((error: unknown) => {
  const e = error as Error;
  send({ type: 'startup-failed', message: e?.message ?? String(error), stack: e?.stack ?? '' });
  realProcess.exitCode = 1;
  setTimeout(() => realProcess.exit(1), 100);
});
