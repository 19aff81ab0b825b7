/**
 * The kernel controller: owns one kernel process (kernel-process.ts, a forked Node process per
 * notebook run, for crash and memory isolation like a Jupyter kernel), queues cell executions,
 * interrupts, restarts and disposes it.
 *
 * Cell lifecycle: queued -> running -> ok | error | interrupted. Interrupting stops the running cell
 * (SIGINT; if the process does not answer within `interruptGraceMs` it is killed and restarted,
 * losing state) and cancels the queued ones. If the process dies (`process.exit`, out of memory),
 * the running cell ends with a `KERNEL_DIED` error and the kernel stays dead until {@link Kernel.restart}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StratumError } from '../errors.ts';
import type { CellLanguage, CellOutput, ErrorOutput } from '../notebook/types.ts';
import type { ChildMessage, KernelInfo, KernelProcessConfig, ParentMessage } from './protocol.ts';
import { CellSyntaxError, transformCell, type TransformResult } from './transform.ts';

export type { KernelInfo } from './protocol.ts';

/** Options of {@link Kernel.start}. */
export interface KernelOptions {
  /** The notebook's folder: working directory of the kernel process; `require` and relative imports resolve from it. Default `process.cwd()`. */
  cwd?: string;
  /** Extra environment variables for the kernel process (merged over `process.env`). */
  env?: Record<string, string>;
  /** How long an interrupted cell may take to stop before the process is killed and restarted, ms. Default 3000. */
  interruptGraceMs?: number;
  /** How long the process may take to start (TF.js backend included), ms. Default 60000. */
  startTimeoutMs?: number;
  /** V8 old-space limit of the kernel process in MiB (`--max-old-space-size`); default: Node's. */
  maxOldSpaceMb?: number;
  /** Modules (absolute paths or URLs) the kernel process imports at startup after {@link STRATUM_SCOPE_MODULE}, e.g. to `registerScope` more names. */
  preload?: string[];
  /** Receives outputs produced after their cell finished (timers, unawaited promises), with that cell's id. */
  onLateOutput?: (cellId: string, output: CellOutput) => void;
}

/** A cell to execute: template cells are rendered to code before they get here. */
export interface ExecuteCell {
  /** Cell id (appears in tracebacks as `cell[<id>]`). */
  id: string;
  /** Code. */
  source: string;
  /** Default `typescript`. */
  language?: CellLanguage;
}

/** Outcome of one cell execution. */
export interface ExecuteResult {
  status: 'ok' | 'error' | 'interrupted';
  /** Outputs in order; adjacent stream chunks of the same stream are merged. */
  outputs: CellOutput[];
  /** Wall time from the start of execution (not queueing) to completion, ms. */
  durationMs: number;
  /** 1-based count of executions in this kernel session (reset by restart). */
  executionCount: number;
  /** Names the cell defines at top level (empty when it did not run). */
  defines: string[];
  /** Free names the cell uses. */
  uses: string[];
}

/** State of the kernel as a whole. */
export type KernelStatus = 'starting' | 'idle' | 'busy' | 'dead' | 'disposed';

interface Pending {
  execId: number;
  cell: ExecuteCell;
  onOutput: ((output: CellOutput) => void) | undefined;
  outputs: CellOutput[];
  started: number;
  executionCount: number;
  defines: string[];
  uses: string[];
  resolve: (result: ExecuteResult) => void;
}

const CELL_FRAME = /cell\[([A-Za-z0-9_-]+)\]:(\d+):(\d+)/;

const KERNEL_PROCESS = fileURLToPath(new URL('./kernel-process.ts', import.meta.url));

/** Module every kernel preloads: Stratum's helpers (`readCsv`, `stratum.*`) in the cells' scope. */
export const STRATUM_SCOPE_MODULE = new URL('../runtime/stratum-scope.ts', import.meta.url).href;

/** Longest wait for an idle kernel to exit after a shutdown request before it is killed, ms (its own wait for interrupted work is 10 s). */
const SHUTDOWN_GRACE_MS = 12_000;

/**
 * glibc malloc tunable every kernel process runs with: `glibc.malloc.hugetlb=1` makes malloc back
 * its large blocks with transparent huge pages (`madvise`), so the first touch of a big buffer
 * (nodejs-polars' columns, typed arrays, Danfo's arrays) faults once per 2 MiB instead of once per
 * 4 KiB page. Measured on the bench VM (glibc 2.36, THP in `madvise` mode, ~13 us per fault): the
 * first profile of a 1M x 10 CSV went from ~25k page faults to ~2.5k (see docs/benchmarks.md).
 * glibc before 2.35 ignores it, other C libraries (macOS, Windows, musl) never read it.
 * Source: https://www.gnu.org/software/libc/manual/html_node/Memory-Allocation-Tunables.html
 */
export const KERNEL_GLIBC_TUNABLES = 'glibc.malloc.hugetlb=1';

/**
 * `env` with {@link KERNEL_GLIBC_TUNABLES} added to its `GLIBC_TUNABLES` (kept as it is when it
 * already sets `glibc.malloc.hugetlb`): the environment of a kernel process, and of the benchmark
 * workers that measure kernel code (bench/run.ts), so their numbers are the kernel's.
 */
export function kernelEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes('glibc.malloc.hugetlb=')) return env;
  return { ...env, GLIBC_TUNABLES: tunables === '' ? KERNEL_GLIBC_TUNABLES : `${tunables}:${KERNEL_GLIBC_TUNABLES}` };
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function appendOutput(outputs: CellOutput[], output: CellOutput): void {
  const last = outputs[outputs.length - 1];
  if (output.type === 'stream' && last?.type === 'stream' && last.name === output.name) outputs[outputs.length - 1] = { ...last, text: last.text + output.text };
  else outputs.push(output);
}

function kernelError(code: 'KERNEL_DIED' | 'KERNEL_INTERRUPTED', evalue: string, traceback: string[] = [], hint?: string): ErrorOutput {
  return { type: 'error', ename: 'StratumError', evalue, traceback, code, ...(hint ? { hint } : {}) };
}

/**
 * Controller of one kernel process. Create with {@link Kernel.start}; always {@link Kernel.dispose}.
 *
 * @example
 * ```ts
 * const kernel = await Kernel.start({ cwd: path.dirname(notebookPath) });
 * try {
 *   const r = await kernel.execute({ id: 'a1', source: 'const x = 40\nx + 2' });
 *   r.outputs; // [{ type: 'result', data: { 'text/plain': '42' } }]
 * } finally {
 *   await kernel.dispose();
 * }
 * ```
 */
export class Kernel {
  private child: ChildProcess | undefined;
  private kernelInfo: KernelInfo | undefined;
  private state: KernelStatus = 'starting';
  private queue: Pending[] = [];
  private running: Pending | undefined;
  private nextExecId = 1;
  private executionCount = 0;
  private stderrTail = '';
  /** Set when we kill the process on purpose: the reason reported to the running cell. */
  private killReason: { status: 'interrupted'; message: string } | undefined;
  private disposing: Promise<void> | undefined;
  private readonly lastCellOf = new Map<number, string>();
  /** Position mappers of the cells run in this session (latest version per cell id), for tracebacks. */
  private readonly cellMaps = new Map<string, TransformResult['mapPosition']>();

  private constructor(private readonly options: KernelOptions) {}

  /**
   * Starts a kernel process and waits until it is ready (TF.js backend initialized).
   *
   * @throws StratumError `KERNEL_DIED` when the process exits or times out during startup (message carries its stderr)
   */
  static async start(options: KernelOptions = {}): Promise<Kernel> {
    const kernel = new Kernel(options);
    await kernel.spawn();
    return kernel;
  }

  /** Current state. */
  get status(): KernelStatus {
    return this.state;
  }

  /** Facts about the running process (pid, Node version, TF.js backend, scope names); `undefined` while starting or dead. */
  get info(): KernelInfo | undefined {
    return this.kernelInfo;
  }

  private async spawn(): Promise<void> {
    this.state = 'starting';
    this.kernelInfo = undefined;
    this.stderrTail = '';
    const cwd = resolvePath(this.options.cwd ?? process.cwd());
    const config: KernelProcessConfig = { notebookDir: cwd, preload: [STRATUM_SCOPE_MODULE, ...(this.options.preload ?? [])] };
    // --disable-warning: vm's USE_MAIN_CONTEXT_DEFAULT_LOADER (dynamic import() in cells) is experimental in Node 20.
    const execArgv = ['--import', tsxLoaderUrl(), '--disable-warning=ExperimentalWarning', ...(this.options.maxOldSpaceMb ? [`--max-old-space-size=${this.options.maxOldSpaceMb}`] : [])];
    const child = fork(KERNEL_PROCESS, [JSON.stringify(config)], {
      cwd,
      env: kernelEnv({ ...process.env, ...this.options.env }),
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    const keepTail = (chunk: Buffer): void => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.startTimeoutMs ?? 60_000;
      const fail = (message: string): void => {
        cleanup();
        child.kill('SIGKILL');
        this.state = 'dead';
        reject(new StratumError('KERNEL_DIED', message, { detail: { stderr: this.stderrTail.trim() }, hint: 'See the kernel output above; run `node --import tsx core/kernel/kernel-process.ts` to reproduce.' }));
      };
      const timer = setTimeout(() => fail(`kernel process did not start within ${timeoutMs} ms`), timeoutMs);
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') {
          cleanup();
          this.kernelInfo = message.info;
          this.state = 'idle';
          resolve();
        } else if (message.type === 'startup-failed') fail(`kernel process failed to start: ${message.message}`);
      };
      const onExit = (code: number | null, signal: string | null): void => fail(`kernel process exited during startup (${signal ?? `code ${code}`}): ${this.stderrTail.trim().split('\n').slice(-5).join(' | ')}`);
      const onError = (error: Error): void => fail(`cannot start kernel process: ${error.message}`);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    child.on('message', (message: ChildMessage) => this.onMessage(message));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(message: ChildMessage): void {
    if (message.type === 'output') {
      const output = message.output.type === 'error' ? { ...message.output, traceback: this.mapTraceback(message.output.traceback) } : message.output;
      const pending = this.running;
      if (pending && pending.execId === message.execId && !message.late) {
        appendOutput(pending.outputs, output);
        pending.onOutput?.(output);
      } else {
        const cellId = this.lastCellOf.get(message.execId);
        if (cellId !== undefined) this.options.onLateOutput?.(cellId, output);
      }
    } else if (message.type === 'done') {
      const pending = this.running;
      if (!pending || pending.execId !== message.execId) return;
      this.finish(pending, message.status);
    }
  }

  /** Rewrites `cell[id]:L:C` frames to the cell's own positions; drops frames inside the wrapper the transform added. */
  private mapTraceback(traceback: string[]): string[] {
    const out: string[] = [];
    for (const frame of traceback) {
      const m = CELL_FRAME.exec(frame);
      if (!m) {
        out.push(frame);
        continue;
      }
      const mapped = this.cellMaps.get(m[1] as string)?.({ line: Number(m[2]), column: Number(m[3]) });
      if (mapped) out.push(frame.replace(CELL_FRAME, `cell[${m[1] as string}]:${mapped.line}:${mapped.column}`));
    }
    return out;
  }

  private finish(pending: Pending, status: ExecuteResult['status']): void {
    if (this.running === pending) this.running = undefined;
    pending.resolve({
      status,
      outputs: pending.outputs,
      durationMs: pending.started ? performance.now() - pending.started : 0,
      executionCount: pending.executionCount,
      defines: pending.defines,
      uses: pending.uses,
    });
    if (this.state === 'busy') this.state = 'idle';
    this.pump();
  }

  private fail(pending: Pending, status: ExecuteResult['status'], output: ErrorOutput): void {
    appendOutput(pending.outputs, output);
    pending.onOutput?.(output);
    this.finish(pending, status);
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.kernelInfo = undefined;
    const reason = this.killReason;
    this.killReason = undefined;
    if (this.state !== 'disposed') this.state = 'dead';
    const running = this.running;
    const queued = this.queue.splice(0);
    if (running) {
      if (reason) this.fail(running, reason.status, kernelError('KERNEL_INTERRUPTED', reason.message));
      else {
        const tail = this.stderrTail.trim().split('\n').filter((l) => l.trim().length > 0 && l.length <= 500).slice(-8);
        this.fail(
          running,
          'error',
          kernelError('KERNEL_DIED', `The kernel died while running cell ${running.cell.id} (${signal ? `signal ${signal}` : `exit code ${code}`}); its state is lost`, tail, 'Restart the kernel and run the cells again; if memory ran out, work on a sample or raise maxOldSpaceMb.'),
        );
      }
    }
    for (const pending of queued) this.fail(pending, reason ? 'interrupted' : 'error', kernelError(reason ? 'KERNEL_INTERRUPTED' : 'KERNEL_DIED', `Cell ${pending.cell.id} did not run: the kernel ${reason ? 'was restarted' : 'died'} first`));
  }

  private pump(): void {
    while (!this.running && this.state === 'idle' && this.child) {
      const next = this.queue.shift();
      if (!next) return;
      this.executionCount += 1;
      next.executionCount = this.executionCount;
      next.started = performance.now();
      let transformed: TransformResult;
      try {
        transformed = transformCell(next.cell.source, { language: next.cell.language ?? 'typescript' });
      } catch (error) {
        const e = error instanceof CellSyntaxError ? error : new CellSyntaxError(String((error as Error).message ?? error), { line: 1, column: 1 });
        const line = next.cell.source.split('\n')[e.line - 1] ?? '';
        const output: ErrorOutput = { type: 'error', ename: 'SyntaxError', evalue: e.message, traceback: [`at cell[${next.cell.id}]:${e.line}:${e.column}`, line, `${' '.repeat(Math.max(0, e.column - 1))}^`] };
        appendOutput(next.outputs, output);
        next.onOutput?.(output);
        next.resolve({ status: 'error', outputs: next.outputs, durationMs: performance.now() - next.started, executionCount: next.executionCount, defines: [], uses: [] });
        continue;
      }
      next.defines = transformed.defines;
      next.uses = transformed.uses;
      this.cellMaps.set(next.cell.id, transformed.mapPosition);
      this.running = next;
      this.state = 'busy';
      this.lastCellOf.clear();
      this.lastCellOf.set(next.execId, next.cell.id);
      const message: ParentMessage = { type: 'execute', execId: next.execId, cellId: next.cell.id, code: transformed.code };
      this.child.send(message);
    }
  }

  /**
   * Queues a cell for execution and resolves when it finished. Never rejects for cell errors: they
   * are `error` outputs (`KERNEL_DIED` when the process died, also when the kernel is dead or disposed).
   *
   * @param cell - id, code and language
   * @param onOutput - receives each output as it arrives (stream chunks unmerged)
   */
  execute(cell: ExecuteCell, onOutput?: (output: CellOutput) => void): Promise<ExecuteResult> {
    return new Promise<ExecuteResult>((resolve) => {
      const pending: Pending = { execId: this.nextExecId++, cell, onOutput, outputs: [], started: 0, executionCount: 0, defines: [], uses: [], resolve };
      if (this.state === 'dead' || this.state === 'disposed') {
        this.fail(pending, 'error', kernelError('KERNEL_DIED', `Cell ${cell.id} did not run: the kernel is ${this.state === 'dead' ? 'dead (restart it)' : 'disposed'}`));
        return;
      }
      this.queue.push(pending);
      this.pump();
    });
  }

  /**
   * Stops the running cell and cancels the queued ones. The running cell ends `interrupted`; the
   * kernel keeps its state when the cell stops within `interruptGraceMs`, otherwise the process is
   * killed and restarted (state lost, said in the cell's error output). Resolves when the kernel is
   * idle again. No-op when nothing runs.
   */
  async interrupt(): Promise<void> {
    for (const pending of this.queue.splice(0)) this.fail(pending, 'interrupted', kernelError('KERNEL_INTERRUPTED', `Cell ${pending.cell.id} did not run: interrupted`));
    const running = this.running;
    const child = this.child;
    if (!running || !child) return;
    const done = new Promise<boolean>((resolve) => {
      const original = running.resolve;
      running.resolve = (result) => {
        original(result);
        resolve(true);
      };
      setTimeout(() => resolve(false), this.options.interruptGraceMs ?? 3000).unref();
    });
    child.kill('SIGINT');
    if (await done) return;
    if (this.running !== running) return;
    const graceMs = this.options.interruptGraceMs ?? 3000;
    this.killReason = { status: 'interrupted', message: `Interrupted: the cell did not stop within ${graceMs} ms, so the kernel was restarted and its state was lost` };
    await this.kill(child);
    if (this.state !== 'disposed') await this.spawn();
  }

  /** Stops the process (running and queued cells end `interrupted`) and starts a fresh one: all state is cleared, the execution count restarts at 1. */
  async restart(): Promise<void> {
    if (this.state === 'disposed') throw new StratumError('KERNEL_DIED', 'cannot restart a disposed kernel');
    const child = this.child;
    if (child) {
      this.killReason = { status: 'interrupted', message: 'Interrupted: the kernel was restarted' };
      await this.kill(child);
    }
    this.executionCount = 0;
    this.cellMaps.clear();
    await this.spawn();
  }

  private kill(child: ChildProcess): Promise<void> {
    return new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.onExit(child, child.exitCode, child.signalCode);
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /**
   * Stops the process; pending cells end `interrupted`. Safe to call more than once. An idle kernel
   * is asked to shut down and given up to {@link SHUTDOWN_GRACE_MS} to let interrupted work settle
   * (an interrupted training records its run `cancelled` after its epoch or worker ends); a busy
   * or unresponsive one is killed.
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      const child = this.child;
      this.state = 'disposed';
      if (child) {
        this.killReason = { status: 'interrupted', message: 'Interrupted: the kernel was shut down' };
        if (this.running === undefined && this.queue.length === 0 && child.connected && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
          let timer: NodeJS.Timeout | undefined;
          const request: ParentMessage = { type: 'shutdown' };
          try {
            child.send(request);
            await Promise.race([exited, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS)))]);
          } catch {
            // The channel closed meanwhile: kill below.
          }
          clearTimeout(timer);
        }
        await this.kill(child);
      }
      for (const pending of this.queue.splice(0)) this.fail(pending, 'interrupted', kernelError('KERNEL_INTERRUPTED', `Cell ${pending.cell.id} did not run: the kernel was shut down`));
    })();
    return this.disposing;
  }
}
