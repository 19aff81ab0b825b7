/**
 * Headless notebook execution (like papermill): load a notebook, run every cell in order in a
 * fresh kernel process, collect outputs into the cells, write the executed notebook.
 *
 * Template cells are rendered to code first (one execution path: the kernel only runs code).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
}

/** Result of {@link runNotebook}. */
export interface RunNotebookResult {
  /** The executed notebook (outputs and execution counts filled in). */
  notebook: Notebook;
  /** `ok` when every cell ran; otherwise the first failing cell. */
  status: 'ok' | 'error';
  /** 0-based index and id of the failing cell, when status is `error`. */
  failed?: { index: number; cellId: string; ename: string; evalue: string };
  /** Wall time of the whole run, ms. */
  durationMs: number;
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
      const timer = options.cellTimeoutMs ? setTimeout(() => void kernel.interrupt(), options.cellTimeoutMs) : undefined;
      const result = await kernel.execute({ id: cell.id, source: code, language: cell.language ?? 'typescript' }, (output) => {
        emit({ kind: 'output', index, cell, output });
      });
      if (timer) clearTimeout(timer);
      cell.outputs = result.outputs;
      cell.executionCount = result.executionCount;
      emit({ kind: 'cell-end', index, total, cell, status: result.status, durationMs: result.durationMs });
      if (result.status !== 'ok') {
        const err = result.outputs.find((o) => o.type === 'error');
        failed = {
          index: notebook.cells.indexOf(cell),
          cellId: cell.id,
          ename: err?.type === 'error' ? err.ename : result.status,
          evalue: err?.type === 'error' ? err.evalue : `cell ${result.status}`,
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
