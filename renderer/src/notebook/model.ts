/**
 * The notebook editor's state and its pure reducer: every edit, selection change and run event is
 * an action (data), so the behaviour is testable without rendering (Excalidraw's "actions as data").
 */
import type { Cell, CellOutput, CellRunState, CellType, ExecuteResponse, KernelState, Notebook, Revision } from '../../../core/api/contract.ts';

/** Run state of a cell in this window (`idle` = not run in this session). */
export interface CellRun {
  state: CellRunState | 'idle';
  runId?: string;
  /** `performance.now()` when it started running. */
  startedAt?: number;
  durationMs?: number;
}

/** A cell plus its UI state. */
export interface CellView {
  cell: Cell;
  run: CellRun;
  /** Its inputs changed since it ran (it or an upstream cell was edited). */
  stale: boolean;
  /** Names the last run defined / used. */
  defines: string[];
  uses: string[];
  /** Markdown cell shown as source (edit mode). */
  editing: boolean;
  /** Template cell shows its generated code. */
  showCode: boolean;
}

/** JupyterLab's two modes: command (keys act on cells) and edit (keys go to the editor). */
export type Mode = 'command' | 'edit';

/** State of one open notebook. */
export interface NotebookState {
  path: string;
  revision: Revision | null;
  metadata: Notebook['metadata'];
  cells: CellView[];
  active: number;
  mode: Mode;
  dirty: boolean;
  kernel: KernelState;
  /** Cell ids deleted last (for undo), newest last. */
  trash: Array<{ index: number; view: CellView }>;
}

/** Every change to the state. */
export type Action =
  | { type: 'load'; path: string; notebook: Notebook; revision: Revision; dirty?: boolean }
  | { type: 'select'; index: number; mode?: Mode }
  | { type: 'mode'; mode: Mode }
  | { type: 'source'; id: string; source: string }
  | { type: 'params'; id: string; params: Record<string, unknown> }
  | { type: 'insert'; at: number; cell: Cell }
  | { type: 'delete'; index: number }
  | { type: 'undo-delete' }
  | { type: 'move'; index: number; by: -1 | 1 }
  | { type: 'change-type'; index: number; to: Exclude<CellType, 'template'> }
  | { type: 'convert-to-code'; id: string; code: string }
  | { type: 'toggle-editing'; id: string; editing: boolean }
  | { type: 'toggle-code'; id: string }
  | { type: 'run-state'; id: string; runId: string; state: CellRunState; at?: number; executionCount?: number | null; durationMs?: number }
  | { type: 'run-start'; id: string; runId: string }
  | { type: 'output'; id: string; runId: string; output: CellOutput }
  | { type: 'run-end'; id: string; runId: string; response: ExecuteResponse }
  | { type: 'clear-queued' }
  | { type: 'kernel'; state: KernelState }
  | { type: 'saved'; revision: Revision; notebook: Notebook };

/** A new random cell id (8 chars of `a-z0-9`, like core's `newCellId`). */
export function newCellId(taken: Iterable<string> = []): string {
  const avoid = new Set(taken);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const id = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    if (!avoid.has(id)) return id;
  }
}

function view(cell: Cell): CellView {
  return { cell, run: { state: 'idle' }, stale: false, defines: [], uses: [], editing: cell.type === 'markdown' && cell.source.trim() === '', showCode: false };
}

/** An empty cell of a type. */
export function emptyCell(type: Exclude<CellType, 'template'>, taken: Iterable<string>): Cell {
  return type === 'code'
    ? { id: newCellId(taken), type: 'code', language: 'typescript', source: '', outputs: [], executionCount: null }
    : { id: newCellId(taken), type: 'markdown', source: '', outputs: [], executionCount: null };
}

/** Initial state for a notebook. */
export function initialState(path: string, notebook: Notebook, revision: Revision | null): NotebookState {
  return { path, revision, metadata: notebook.metadata, cells: notebook.cells.map(view), active: 0, mode: 'command', dirty: false, kernel: 'stopped', trash: [] };
}

/** The notebook document the state stands for (what is saved). */
export function toNotebook(state: NotebookState): Notebook {
  return { schemaVersion: 1, metadata: state.metadata, cells: state.cells.map((v) => v.cell) };
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(index, length - 1));
}

function updateCell(state: NotebookState, id: string, f: (v: CellView) => CellView): NotebookState {
  let changed = false;
  const cells = state.cells.map((v) => {
    if (v.cell.id !== id) return v;
    changed = true;
    return f(v);
  });
  return changed ? { ...state, cells } : state;
}

/** Marks the edited cell and every cell using a name it defines as stale (only cells that ran). */
function markStale(cells: CellView[], id: string): CellView[] {
  const edited = cells.find((v) => v.cell.id === id);
  if (!edited) return cells;
  const defines = new Set(edited.defines);
  return cells.map((v) => {
    if (v.run.state === 'idle' && v.cell.executionCount === null) return v;
    if (v.cell.id === id || v.uses.some((name) => defines.has(name))) return v.stale ? v : { ...v, stale: true };
    return v;
  });
}

/** The reducer: returns a new state for an action (never mutates). */
export function reduce(state: NotebookState, action: Action): NotebookState {
  switch (action.type) {
    case 'load':
      return { ...initialState(action.path, action.notebook, action.revision), dirty: action.dirty ?? false, kernel: state.path === action.path ? state.kernel : 'stopped' };
    case 'select':
      return { ...state, active: clamp(action.index, state.cells.length), mode: action.mode ?? state.mode };
    case 'mode':
      return state.mode === action.mode ? state : { ...state, mode: action.mode };
    case 'source': {
      const next = updateCell(state, action.id, (v) => (v.cell.source === action.source ? v : { ...v, cell: { ...v.cell, source: action.source } }));
      if (next === state) return state;
      return { ...next, dirty: true, cells: markStale(next.cells, action.id) };
    }
    case 'params': {
      const next = updateCell(state, action.id, (v) => (v.cell.template ? { ...v, cell: { ...v.cell, template: { ...v.cell.template, params: action.params } } } : v));
      return { ...next, dirty: true, cells: markStale(next.cells, action.id) };
    }
    case 'insert': {
      const cells = [...state.cells];
      const at = Math.max(0, Math.min(action.at, cells.length));
      cells.splice(at, 0, view(action.cell));
      return { ...state, cells, active: at, dirty: true };
    }
    case 'delete': {
      if (state.cells.length === 0) return state;
      const cells = [...state.cells];
      const [removed] = cells.splice(action.index, 1);
      const trash = removed ? [...state.trash.slice(-19), { index: action.index, view: removed }] : state.trash;
      return { ...state, cells, trash, active: clamp(action.index, cells.length), dirty: true };
    }
    case 'undo-delete': {
      const last = state.trash[state.trash.length - 1];
      if (!last) return state;
      const cells = [...state.cells];
      const at = Math.min(last.index, cells.length);
      cells.splice(at, 0, last.view);
      return { ...state, cells, trash: state.trash.slice(0, -1), active: at, dirty: true };
    }
    case 'move': {
      const to = action.index + action.by;
      if (to < 0 || to >= state.cells.length) return state;
      const cells = [...state.cells];
      const [moved] = cells.splice(action.index, 1);
      if (moved) cells.splice(to, 0, moved);
      return { ...state, cells, active: to, dirty: true };
    }
    case 'change-type': {
      const current = state.cells[action.index];
      if (!current || current.cell.type === action.to) return state;
      if (current.cell.type === 'template') return state;
      const cell: Cell = action.to === 'code'
        ? { id: current.cell.id, type: 'code', language: 'typescript', source: current.cell.source, outputs: [], executionCount: null, ...(current.cell.metadata ? { metadata: current.cell.metadata } : {}) }
        : { id: current.cell.id, type: 'markdown', source: current.cell.source, outputs: [], executionCount: null, ...(current.cell.metadata ? { metadata: current.cell.metadata } : {}) };
      const cells = [...state.cells];
      cells[action.index] = { ...view(cell), editing: false };
      return { ...state, cells, dirty: true };
    }
    case 'convert-to-code':
      return {
        ...updateCell(state, action.id, (v) => {
          const { template, ...rest } = v.cell;
          return { ...v, showCode: false, cell: { ...rest, type: 'code', language: 'typescript', source: action.code, metadata: { ...v.cell.metadata, convertedFrom: template } } };
        }),
        dirty: true,
      };
    case 'toggle-editing':
      return updateCell(state, action.id, (v) => (v.editing === action.editing ? v : { ...v, editing: action.editing }));
    case 'toggle-code':
      return updateCell(state, action.id, (v) => ({ ...v, showCode: !v.showCode }));
    case 'run-start':
      return updateCell(state, action.id, (v) => ({ ...v, run: { state: 'queued', runId: action.runId }, cell: { ...v.cell, outputs: [] } }));
    case 'run-state':
      return updateCell(state, action.id, (v) => {
        if (v.run.runId !== action.runId) return v;
        const run: CellRun = { ...v.run, state: action.state };
        if (action.state === 'running') run.startedAt = action.at ?? performance.now();
        if (action.durationMs !== undefined) run.durationMs = action.durationMs;
        return { ...v, run };
      });
    case 'output':
      return updateCell(state, action.id, (v) => {
        if (v.run.runId !== action.runId) return v;
        const outputs = [...v.cell.outputs];
        const last = outputs[outputs.length - 1];
        const o = action.output;
        if (o.type === 'stream' && last?.type === 'stream' && last.name === o.name) outputs[outputs.length - 1] = { ...last, text: last.text + o.text };
        else outputs.push(o);
        return { ...v, cell: { ...v.cell, outputs } };
      });
    case 'run-end':
      return {
        ...updateCell(state, action.id, (v) => {
          if (v.run.runId !== action.runId) return v;
          const r = action.response;
          const runState: CellRunState = r.status === 'ok' ? 'done' : r.status;
          return {
            ...v,
            stale: false,
            defines: r.defines,
            uses: r.uses,
            // The run id is dropped: events of this run that arrive after its response (the
            // WebSocket and the HTTP response are separate connections) must not append again.
            run: { state: runState, durationMs: r.durationMs, ...(v.run.startedAt !== undefined ? { startedAt: v.run.startedAt } : {}) },
            cell: { ...v.cell, outputs: r.outputs, executionCount: r.executionCount },
          };
        }),
        dirty: true,
      };
    case 'clear-queued':
      return { ...state, cells: state.cells.map((v) => (v.run.state === 'queued' ? { ...v, run: { state: 'idle' } } : v)) };
    case 'kernel':
      return { ...state, kernel: action.state };
    case 'saved': {
      const saved = action.notebook.cells;
      // Dirty again if cells changed while the save was in flight.
      const same = saved.length === state.cells.length && saved.every((c, i) => c === state.cells[i]?.cell) && action.notebook.metadata === state.metadata;
      return { ...state, revision: action.revision, dirty: !same };
    }
  }
}
