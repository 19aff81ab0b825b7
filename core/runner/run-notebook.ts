/**
 * Headless notebook execution (like papermill): load a notebook, run every cell in order in a
 * fresh kernel process, collect outputs into the cells, write the executed notebook.
 *
 * Template cells are rendered to code first (one execution path: the kernel only runs code).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { StratumError, serializeError } from '../errors.ts';
import { loadNotebook, saveNotebook } from '../notebook/document.ts';
import type { Cell, CellOutput, Notebook } from '../notebook/types.ts';
import { Kernel } from '../kernel/kernel.ts';
import { renderTemplateCode } from '../../templates/index.ts';

/** Progress events emitted while a notebook runs. */
export type RunEvent =
  | { kind: 'cell-start'; index: number; total: number; cell: Cell; label: string }
  | { kind: 'output'; index: number; cell: Cell; output: CellOutput }
  | { kind: 'cell-end'; index: number; total: number; cell: Cell; status: 'ok' | 'error' | 'interrupted' | 'skipped'; durationMs: number };

/** Options of {@link runNotebook}. */
export interface RunNotebookOptions {
  /** Notebook file to run. */
  path: string;
  /** Where to write the executed notebook; omitted = do not write. */
  out?: string;
  /** Receives progress and outputs as they happen. */
  onEvent?: (event: RunEvent) => void;
  /** Per-cell time limit in milliseconds (default: none); a cell over it is interrupted. */
  cellTimeoutMs?: number;
  /**
   * Aborting interrupts the running cell (as the workbench's Interrupt does: a training in it stops
   * and records its run `cancelled`), runs no further cell, and still writes `out`. The CLI aborts
   * it on the first Ctrl+C.
   */
  signal?: AbortSignal;
}

/** Result of {@link runNotebook}. */
export interface RunNotebookResult {
  /** The executed notebook (outputs and execution counts filled in). */
  notebook: Notebook;
  /** `ok` when every cell ran; otherwise the first failing cell. */
  status: 'ok' | 'error';
  /** 0-based index and id of the failing cell, when status is `error`; `line` is the 1-based cell line the traceback points at, when known. */
  failed?: { index: number; cellId: string; ename: string; evalue: string; line?: number };
  /** Wall time of the whole run, ms. */
  durationMs: number;
}

/** 1-based line of the innermost `cell[<id>]:<line>` frame of a traceback. */
function cellLine(traceback: string[], cellId: string): number | undefined {
  const frame = new RegExp(`cell\\[${cellId.replace(/[^\w-]/g, '')}\\]:(\\d+)`);
  for (const line of traceback) {
    const m = frame.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Fails before any cell runs when the executed notebook could not be written to `out`
 * (missing folder, a folder in the way, no permission), so a long run is never lost at the end.
 *
 * @throws StratumError `NOTEBOOK_IO` naming the path and what to do
 */
async function assertWritable(out: string): Promise<void> {
  const target = path.resolve(out);
  const dir = path.dirname(target);
  const fail = (why: string, hint: string): never => {
    throw new StratumError('NOTEBOOK_IO', `cannot write the executed notebook to ${target}: ${why}`, { detail: { path: target, field: 'out' }, hint });
  };
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) fail(`folder ${dir} does not exist`, 'Create the folder or pass another --out.');
  if (!dirStat!.isDirectory()) fail(`${dir} is not a folder`, 'Pass another --out.');
  const outStat = await stat(target).catch(() => undefined);
  if (outStat?.isDirectory()) fail('it is a folder', 'Pass a file name, e.g. --out run.executed.stratum.json.');
  await access(dir, constants.W_OK).catch(() => fail(`folder ${dir} is not writable`, 'Pass --out in a folder you can write to.'));
}

/** Short human label of a cell, e.g. `code`, `template tabular.mlp-classifier`. */
export function cellLabel(cell: Cell): string {
  if (cell.type === 'template') return `template ${cell.template?.id ?? '?'}`;
  return cell.type;
}

/**
 * The code a cell stands for: a code cell's source, a template cell's rendered code.
 *
 * @throws StratumError `TEMPLATE_UNKNOWN` / `TEMPLATE_PARAMS` for a template cell with a bad id or params
 */
export function cellCode(cell: Cell): string {
  if (cell.type === 'template') {
    if (!cell.template) throw new StratumError('NOTEBOOK_INVALID', `template cell ${cell.id} has no template`, { detail: { cellId: cell.id, field: 'template' } });
    return renderTemplateCode(cell.template.id, cell.template.params);
  }
  return cell.source;
}

/**
 * Runs every code and template cell of a notebook in order in a new kernel; stops at the first error.
 * The executed notebook is written (atomically) to `options.out` even when a cell fails, so the
 * outputs up to the failure can be inspected.
 *
 * @throws StratumError `NOTEBOOK_INVALID`/`FILE_NOT_FOUND` when the notebook cannot be loaded
 */
export async function runNotebook(options: RunNotebookOptions): Promise<RunNotebookResult> {
  const started = performance.now();
  const notebook = await loadNotebook(options.path);
  if (options.out) await assertWritable(options.out);
  const emit = options.onEvent ?? (() => {});
  const runnable = notebook.cells.filter((c) => c.type !== 'markdown');
  const total = runnable.length;
  let failed: RunNotebookResult['failed'];
  const notebookPath = path.resolve(options.path);
  const revision = createHash('sha256').update(await readFile(notebookPath)).digest('hex');
  const kernel = await Kernel.start({
    cwd: path.dirname(notebookPath),
    env: { STRATUM_NOTEBOOK_PATH: notebookPath, STRATUM_NOTEBOOK_REVISION: revision },
  });
  try {
    let index = 0;
    for (const cell of runnable) {
      index += 1;
      emit({ kind: 'cell-start', index, total, cell, label: cellLabel(cell) });
      const cellStarted = performance.now();
      cell.outputs = [];
      let code: string;
      try {
        code = cellCode(cell);
      } catch (error) {
        const e = serializeError(error);
        const output: CellOutput = { type: 'error', ename: e.ename, evalue: e.evalue, traceback: [] };
        cell.outputs.push(output);
        emit({ kind: 'output', index, cell, output });
        emit({ kind: 'cell-end', index, total, cell, status: 'error', durationMs: performance.now() - cellStarted });
        failed = { index: notebook.cells.indexOf(cell), cellId: cell.id, ename: e.ename, evalue: e.evalue };
        break;
      }
      if (options.signal?.aborted) {
        emit({ kind: 'cell-end', index, total, cell, status: 'skipped', durationMs: 0 });
        failed = { index: notebook.cells.indexOf(cell), cellId: cell.id, ename: 'KernelInterrupted', evalue: 'interrupted (Ctrl+C) before this cell ran' };
        break;
      }
      let timedOut = false;
      const onAbort = (): void => void kernel.interrupt();
      options.signal?.addEventListener('abort', onAbort);
      const timer = options.cellTimeoutMs
        ? setTimeout(() => {
            timedOut = true;
            void kernel.interrupt();
          }, options.cellTimeoutMs)
        : undefined;
      const result = await kernel.execute({ id: cell.id, source: code, language: cell.language ?? 'typescript' }, (output) => {
        emit({ kind: 'output', index, cell, output });
      });
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      cell.outputs = result.outputs;
      cell.executionCount = result.executionCount;
      emit({ kind: 'cell-end', index, total, cell, status: result.status, durationMs: result.durationMs });
      if (result.status !== 'ok') {
        const err = result.outputs.find((o) => o.type === 'error');
        const line = err?.type === 'error' ? cellLine(err.traceback, cell.id) : undefined;
        failed = {
          index: notebook.cells.indexOf(cell),
          cellId: cell.id,
          ename: err?.type === 'error' ? err.ename : result.status,
          evalue: timedOut
            ? `the cell ran longer than the ${options.cellTimeoutMs! / 1000} s cell timeout and was interrupted`
            : options.signal?.aborted ? 'interrupted (Ctrl+C)'
            : err?.type === 'error' ? err.evalue : `cell ${result.status}`,
          ...(line === undefined ? {} : { line }),
        };
        break;
      }
    }
  } finally {
    await kernel.dispose();
  }
  if (options.out) await saveNotebook(options.out, notebook);
  return { notebook, status: failed ? 'error' : 'ok', ...(failed ? { failed } : {}), durationMs: performance.now() - started };
}
