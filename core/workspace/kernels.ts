/**
 * Kernel lifecycle of an open workspace: one kernel process per open notebook (started on first
 * run, working directory = the notebook's folder), executions serialized per notebook, state and
 * outputs reported as {@link WorkbenchEvent}s. {@link KernelSessions.dispose} stops them all.
 */
import path from 'node:path';
import { serializeError } from '../errors.ts';
import { Kernel, type KernelOptions } from '../kernel/kernel.ts';
import type { Cell, CellOutput } from '../notebook/types.ts';
import { cellCode } from '../runner/run-notebook.ts';
import type { ExecuteCellRequest, ExecuteResponse, KernelState, WorkbenchEvent } from '../api/contract.ts';

/** Options of {@link KernelSessions}. */
export interface KernelSessionsOptions {
  /** Receives kernel-state, cell-state and cell-output events. */
  emit: (event: WorkbenchEvent) => void;
  /** Extra options for every kernel (tests shorten grace periods). */
  kernelOptions?: Omit<KernelOptions, 'cwd' | 'onLateOutput'>;
}

interface Session {
  /** Workspace-relative path (events carry it). */
  path: string;
  kernel: Promise<Kernel>;
  /** Tail of the per-notebook execution chain. */
  chain: Promise<unknown>;
  /** Bumped by interrupt/restart: queued runs of an older generation are cancelled. */
  generation: number;
  state: KernelState;
  /** Cell id of the latest run, for late outputs. */
  lastRun?: { cellId: string; runId: string };
}

/** Owner of the kernels of one workspace. */
export class KernelSessions {
  private readonly sessions = new Map<string, Session>();
  private disposed = false;

  constructor(private readonly options: KernelSessionsOptions) {}

  private setState(session: Session, state: KernelState, detail?: string): void {
    session.state = state;
    this.options.emit({ type: 'kernel-state', path: session.path, state, ...(detail ? { detail } : {}) });
  }

  private session(absolute: string, relative: string): Session {
    const session = this.sessions.get(absolute);
    if (session) return session;
    const created: Session = { path: relative, kernel: Promise.resolve(undefined as unknown as Kernel), chain: Promise.resolve(), generation: 0, state: 'starting' };
    created.kernel = this.startKernel(created, absolute);
    this.sessions.set(absolute, created);
    return created;
  }

  private async startKernel(session: Session, absolute: string): Promise<Kernel> {
    this.setState(session, 'starting');
    try {
      const kernel = await Kernel.start({
        ...this.options.kernelOptions,
        cwd: path.dirname(absolute),
        // Run tracking records which notebook trained (core/runtime/stratum-scope.ts).
        env: { ...this.options.kernelOptions?.env, STRATUM_NOTEBOOK_PATH: absolute },
        onLateOutput: (cellId, output) => {
          const runId = session.lastRun?.cellId === cellId ? session.lastRun.runId : 'late';
          this.options.emit({ type: 'cell-output', path: session.path, cellId, runId, output });
        },
      });
      this.setState(session, 'idle');
      return kernel;
    } catch (error) {
      this.setState(session, 'dead', serializeError(error).evalue);
      this.sessions.delete(absolute);
      throw error;
    }
  }

  /**
   * Runs one cell in the notebook's kernel (starting it if needed). Runs of the same notebook are
   * queued in call order; each reports `queued`, `running`, then `done`/`error`/`interrupted`.
   *
   * @param absolute - notebook file (already checked to be inside the workspace)
   * @param relative - its workspace-relative path, used in events
   */
  execute(absolute: string, relative: string, runId: string, cell: ExecuteCellRequest): Promise<ExecuteResponse> {
    if (this.disposed) return Promise.resolve(errorResponse('the workspace is closed'));
    const session = this.session(absolute, relative);
    const generation = session.generation;
    const emitState = (state: 'queued' | 'running' | 'done' | 'error' | 'interrupted', extra: { executionCount?: number | null; durationMs?: number } = {}): void => {
      this.options.emit({ type: 'cell-state', path: relative, cellId: cell.id, runId, state, ...extra });
    };
    emitState('queued');
    const run = async (): Promise<ExecuteResponse> => {
      if (session.generation !== generation) {
        emitState('interrupted', { executionCount: null });
        return { ...errorResponse(`Cell ${cell.id} did not run: interrupted`), status: 'interrupted' };
      }
      let code: string;
      try {
        code = cellCode({ ...cell, outputs: [], executionCount: null } as Cell);
      } catch (error) {
        const e = serializeError(error);
        const output: CellOutput = { type: 'error', ename: e.ename, evalue: e.evalue, traceback: [], ...(e.code ? { code: e.code } : {}), ...(e.hint ? { hint: e.hint } : {}) };
        this.options.emit({ type: 'cell-output', path: relative, cellId: cell.id, runId, output });
        emitState('error', { executionCount: null, durationMs: 0 });
        return { status: 'error', outputs: [output], durationMs: 0, executionCount: null, defines: [], uses: [] };
      }
      let kernel: Kernel;
      try {
        kernel = await session.kernel;
      } catch (error) {
        const e = serializeError(error);
        const output: CellOutput = { type: 'error', ename: e.ename, evalue: e.evalue, traceback: e.traceback, ...(e.code ? { code: e.code } : {}) };
        this.options.emit({ type: 'cell-output', path: relative, cellId: cell.id, runId, output });
        emitState('error', { executionCount: null, durationMs: 0 });
        return { status: 'error', outputs: [output], durationMs: 0, executionCount: null, defines: [], uses: [] };
      }
      session.lastRun = { cellId: cell.id, runId };
      emitState('running');
      if (session.state !== 'busy') this.setState(session, 'busy');
      const result = await kernel.execute({ id: cell.id, source: code, language: cell.language ?? 'typescript' }, (output) => {
        this.options.emit({ type: 'cell-output', path: relative, cellId: cell.id, runId, output });
      });
      const state = result.status === 'ok' ? 'done' : result.status;
      emitState(state, { executionCount: result.executionCount, durationMs: result.durationMs });
      this.setState(session, kernel.status === 'dead' ? 'dead' : 'idle');
      return { status: result.status, outputs: result.outputs, durationMs: result.durationMs, executionCount: result.executionCount, defines: result.defines, uses: result.uses };
    };
    const result = session.chain.then(run, run);
    session.chain = result.catch(() => undefined);
    return result;
  }

  /** Stops the running cell and cancels queued ones; `stopped` when the notebook has no kernel. */
  async interrupt(absolute: string): Promise<KernelState> {
    const session = this.sessions.get(absolute);
    if (!session) return 'stopped';
    session.generation += 1;
    const kernel = await session.kernel;
    await kernel.interrupt();
    return session.state;
  }

  /** Restarts the notebook's kernel (starts one when none runs). */
  async restart(absolute: string, relative: string): Promise<KernelState> {
    const session = this.sessions.get(absolute);
    if (!session) {
      await this.session(absolute, relative).kernel;
      return 'idle';
    }
    session.generation += 1;
    const kernel = await session.kernel;
    this.setState(session, 'restarting');
    await kernel.restart();
    this.setState(session, 'idle');
    return 'idle';
  }

  /** Stops the notebook's kernel. */
  async shutdown(absolute: string): Promise<KernelState> {
    const session = this.sessions.get(absolute);
    if (!session) return 'stopped';
    this.sessions.delete(absolute);
    session.generation += 1;
    try {
      await (await session.kernel).dispose();
    } catch {
      // it never started: nothing to stop
    }
    this.setState(session, 'stopped');
    return 'stopped';
  }

  /** State of the notebook's kernel. */
  status(absolute: string): KernelState {
    return this.sessions.get(absolute)?.state ?? 'stopped';
  }

  /** Number of kernels started and not shut down. */
  get size(): number {
    return this.sessions.size;
  }

  /** Stops every kernel. Safe to call twice. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.sessions.keys()].map((key) => this.shutdown(key)));
  }
}

function errorResponse(message: string): ExecuteResponse {
  return { status: 'error', outputs: [{ type: 'error', ename: 'StratumError', evalue: message, traceback: [], code: 'KERNEL_DIED' }], durationMs: 0, executionCount: null, defines: [], uses: [] };
}
