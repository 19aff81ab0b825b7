/**
 * The notebook editor: loads a notebook, renders its cells, runs them through the API (outputs
 * stream in as events), handles JupyterLab's keyboard habits, saves explicitly (Ctrl+S) and
 * automatically, keeps a local draft of unsaved edits for crash recovery, and reports save conflicts.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { ExecuteResponse, Notebook, Revision, TemplateInfo, WorkbenchApi } from '../../../core/api/contract.ts';
import { ApiError } from '../api/client.ts';
import { CellView, type CellHandlers } from './CellView.tsx';
import { COMMANDS, findCommand, type CommandContext } from './commands.ts';
import { emptyCell, initialState, reduce, toNotebook, type Mode, type NotebookState } from './model.ts';

/** Autosave interval, ms. */
export const AUTOSAVE_MS = 30_000;

interface Draft {
  baseRevision: Revision | null;
  savedAt: string;
  notebook: Notebook;
}

const draftKey = (path: string): string => `stratum.draft:${path}`;

function readDraft(path: string): Draft | undefined {
  try {
    const text = localStorage.getItem(draftKey(path));
    return text ? (JSON.parse(text) as Draft) : undefined;
  } catch {
    return undefined;
  }
}

/** Stores the cells without their outputs (outputs can be re-run; a big table would blow the storage quota). */
function writeDraft(path: string, draft: Draft): void {
  const light: Draft = { ...draft, notebook: { ...draft.notebook, cells: draft.notebook.cells.map((c) => ({ ...c, outputs: [], executionCount: null })) } };
  try {
    localStorage.setItem(draftKey(path), JSON.stringify(light));
  } catch {
    // storage full or disabled: no draft
  }
}

/** Whether a draft differs from the file in what a draft keeps (cells without outputs). */
function draftDiffers(draft: Draft, notebook: Notebook): boolean {
  const key = (cells: Notebook['cells']): string => JSON.stringify(cells.map((c) => [c.id, c.type, c.source, c.template ?? null]));
  return key(draft.notebook.cells) !== key(notebook.cells);
}

function runId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function failure(error: unknown): ExecuteResponse {
  const e = error instanceof ApiError ? error.error : { ename: 'Error', evalue: String(error), traceback: [] };
  return { status: 'error', outputs: [{ type: 'error', ename: e.ename, evalue: e.evalue, traceback: e.traceback, ...(e.code ? { code: e.code } : {}) }], durationMs: 0, executionCount: null, defines: [], uses: [] };
}

/** Props of {@link NotebookView}. */
export interface NotebookViewProps {
  api: WorkbenchApi;
  path: string;
  templates: TemplateInfo[];
  showHelp: boolean;
  onToggleHelp(): void;
  onStatus(message: string): void;
}

/** The editor of one notebook. */
export function NotebookView({ api, path, templates, showHelp, onToggleHelp, onStatus }: NotebookViewProps) {
  const [state, dispatch] = useReducer(reduce, undefined, () => initialState(path, { schemaVersion: 1, metadata: {}, cells: [] }, null));
  const [loadError, setLoadError] = useState<string>();
  const [loaded, setLoaded] = useState(false);
  const [conflict, setConflict] = useState<string>();
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const stateRef = useRef<NotebookState>(state);
  stateRef.current = state;
  const container = useRef<HTMLDivElement>(null);
  const abortRun = useRef(0);
  const lastKey = useRef<{ key: string; at: number } | undefined>(undefined);
  const savingRef = useRef(false);
  const monacoSync = useRef<((cells: ReadonlyArray<{ id: string; source: string; language?: string }>) => void) | undefined>(undefined);
  const [monacoReady, setMonacoReady] = useState(false);

  // Load the notebook (and offer a draft of unsaved edits left by a crash or a killed window).
  useEffect(() => {
    let live = true;
    setLoaded(false);
    api.workspace.readNotebook({ path }).then(
      (file) => {
        if (!live) return;
        dispatch({ type: 'load', path, notebook: file.notebook, revision: file.revision });
        const found = readDraft(path);
        if (found && draftDiffers(found, file.notebook)) setDraft(found);
        setLoaded(true);
        void api.kernel.status({ path }).then((s) => live && dispatch({ type: 'kernel', state: s.state }));
      },
      (error: unknown) => live && setLoadError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [api, path]);

  // Engine events for this notebook.
  useEffect(
    () =>
      api.events.subscribe((event) => {
        if (event.path !== path) return;
        if (event.type === 'cell-state') dispatch({ type: 'run-state', id: event.cellId, runId: event.runId, state: event.state, at: performance.now(), ...(event.durationMs !== undefined ? { durationMs: event.durationMs } : {}) });
        else if (event.type === 'cell-output') dispatch({ type: 'output', id: event.cellId, runId: event.runId, output: event.output });
        else if (event.type === 'kernel-state') dispatch({ type: 'kernel', state: event.state });
        else if (event.type === 'notebook-saved' && !savingRef.current && event.revision !== stateRef.current.revision) {
          setConflict('This notebook was saved from another window.');
        }
      }),
    [api, path],
  );

  // Monaco models for every code cell (loaded after first paint, in its own chunk).
  useEffect(() => {
    let live = true;
    const idle = setTimeout(() => {
      void import('./monaco-setup.ts').then((m) => {
        if (!live) return;
        monacoSync.current = m.syncModels;
        setMonacoReady(true);
      });
    }, 50);
    return () => {
      live = false;
      clearTimeout(idle);
      void import('./monaco-setup.ts').then((m) => m.disposeModels());
    };
  }, [path]);
  const codeCells = useMemo(() => state.cells.filter((v) => v.cell.type === 'code').map((v) => ({ id: v.cell.id, source: v.cell.source, ...(v.cell.language ? { language: v.cell.language } : {}) })), [state.cells]);
  useEffect(() => {
    if (monacoReady) monacoSync.current?.(codeCells);
  }, [monacoReady, codeCells]);

  // Draft of unsaved edits, for recovery after a crash (debounced).
  useEffect(() => {
    if (!loaded || !state.dirty) return undefined;
    const timer = setTimeout(() => writeDraft(path, { baseRevision: state.revision, savedAt: new Date().toISOString(), notebook: toNotebook(state) }), 500);
    return () => clearTimeout(timer);
  }, [loaded, path, state]);

  const save = useCallback(async (overwrite = false): Promise<void> => {
    if (savingRef.current) return;
    const s = stateRef.current;
    const notebook = toNotebook(s);
    savingRef.current = true;
    setSaving(true);
    try {
      let base = s.revision;
      if (overwrite) base = (await api.workspace.readNotebook({ path }).catch(() => undefined))?.revision ?? null;
      const { revision } = await api.workspace.saveNotebook({ path, notebook, baseRevision: base });
      dispatch({ type: 'saved', revision, notebook });
      localStorage.removeItem(draftKey(path));
      setConflict(undefined);
      onStatus(`saved ${path}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SAVE_CONFLICT') setConflict(error.message);
      else onStatus(`save failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  }, [api, path, onStatus]);

  // Autosave.
  useEffect(() => {
    const timer = setInterval(() => {
      const s = stateRef.current;
      if (s.dirty && !savingRef.current && !conflict && s.revision !== null) void save();
    }, AUTOSAVE_MS);
    return () => clearInterval(timer);
  }, [save, conflict]);

  const focusContainer = useCallback(() => {
    const focus = (): void => {
      const active = document.activeElement;
      if (active instanceof HTMLElement && active !== container.current && container.current?.contains(active)) active.blur();
      container.current?.focus({ preventScroll: true });
    };
    focus();
    requestAnimationFrame(focus);
  }, []);

  const runIndex = useCallback(async (index: number): Promise<boolean> => {
    const v = stateRef.current.cells[index];
    if (!v) return true;
    if (v.cell.type === 'markdown') {
      dispatch({ type: 'toggle-editing', id: v.cell.id, editing: false });
      return true;
    }
    const id = runId();
    dispatch({ type: 'run-start', id: v.cell.id, runId: id });
    const cell = v.cell.type === 'template' && v.cell.template
      ? { id: v.cell.id, type: 'template' as const, source: '', template: v.cell.template }
      : { id: v.cell.id, type: 'code' as const, source: v.cell.source, ...(v.cell.language ? { language: v.cell.language } : {}) };
    let response: ExecuteResponse;
    try {
      response = await api.kernel.execute({ path, runId: id, cell });
    } catch (error) {
      response = failure(error);
    }
    dispatch({ type: 'run-end', id: v.cell.id, runId: id, response });
    return response.status === 'ok';
  }, [api, path]);

  const runRange = useCallback(async (from: number, to: number): Promise<void> => {
    const token = ++abortRun.current;
    const cells = stateRef.current.cells.slice(from, to);
    const ids = cells.filter((v) => v.cell.type !== 'markdown').map((v) => v.cell.id);
    for (const v of cells) if (v.cell.type !== 'markdown') dispatch({ type: 'run-start', id: v.cell.id, runId: `pending-${token}` });
    for (const cellId of ids) {
      if (abortRun.current !== token) break;
      const index = stateRef.current.cells.findIndex((v) => v.cell.id === cellId);
      if (index < 0) continue;
      if (!(await runIndex(index))) break;
    }
    dispatch({ type: 'clear-queued' });
  }, [runIndex]);

  const interrupt = useCallback(() => {
    abortRun.current += 1;
    dispatch({ type: 'clear-queued' });
    void api.kernel.interrupt({ path });
  }, [api, path]);

  const restart = useCallback(() => {
    abortRun.current += 1;
    dispatch({ type: 'clear-queued' });
    void api.kernel.restart({ path });
  }, [api, path]);

  const insert = useCallback((at: number, type: 'code' | 'markdown' = 'code', mode: Mode = 'command') => {
    dispatch({ type: 'insert', at, cell: emptyCell(type, stateRef.current.cells.map((v) => v.cell.id)) });
    if (mode === 'edit') dispatch({ type: 'mode', mode: 'edit' });
  }, []);

  const runActive = useCallback((advance: 'stay' | 'next' | 'insert') => {
    const s = stateRef.current;
    const index = s.active;
    void runIndex(index);
    if (advance === 'next') {
      if (index >= s.cells.length - 1) insert(s.cells.length);
      else dispatch({ type: 'select', index: index + 1, mode: 'command' });
      focusContainer();
    } else if (advance === 'insert') {
      insert(index + 1, 'code', 'edit');
    } else {
      dispatch({ type: 'mode', mode: 'command' });
      focusContainer();
    }
  }, [runIndex, insert, focusContainer]);

  const ctx: CommandContext = useMemo(() => ({
    runActive,
    runAll: () => void runRange(0, stateRef.current.cells.length),
    runAbove: () => void runRange(0, stateRef.current.active),
    interrupt,
    restart,
    save: () => void save(),
    edit: () => {
      const v = stateRef.current.cells[stateRef.current.active];
      if (v?.cell.type === 'markdown') dispatch({ type: 'toggle-editing', id: v.cell.id, editing: true });
      dispatch({ type: 'mode', mode: 'edit' });
      if (v?.cell.type === 'template') requestAnimationFrame(() => container.current?.querySelector<HTMLElement>('.cell.active .template-form input, .cell.active .template-form select')?.focus());
    },
    select: (delta) => dispatch({ type: 'select', index: stateRef.current.active + delta, mode: 'command' }),
    insert: (where) => insert(where === 'above' ? stateRef.current.active : stateRef.current.active + 1),
    deleteActive: () => dispatch({ type: 'delete', index: stateRef.current.active }),
    undoDelete: () => dispatch({ type: 'undo-delete' }),
    changeType: (to) => dispatch({ type: 'change-type', index: stateRef.current.active, to }),
    move: (by) => dispatch({ type: 'move', index: stateRef.current.active, by }),
    toggleHelp: onToggleHelp,
  }), [runActive, runRange, interrupt, restart, save, insert, onToggleHelp]);

  const handlers: CellHandlers = useMemo(() => ({
    select: (index, mode) => dispatch({ type: 'select', index, mode }),
    setSource: (id, source) => dispatch({ type: 'source', id, source }),
    setParams: (id, params) => dispatch({ type: 'params', id, params }),
    setEditing: (id, editing) => dispatch({ type: 'toggle-editing', id, editing }),
    toggleCode: (id) => dispatch({ type: 'toggle-code', id }),
    convertToCode: (id) => {
      const v = stateRef.current.cells.find((c) => c.cell.id === id);
      if (!v?.cell.template) return;
      api.templates.renderCode({ id: v.cell.template.id, params: v.cell.template.params }).then(
        ({ code }) => dispatch({ type: 'convert-to-code', id, code }),
        (error: unknown) => onStatus(`cannot convert: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
    renderCode: async (id) => {
      const v = stateRef.current.cells.find((c) => c.cell.id === id);
      if (!v?.cell.template) return '';
      return (await api.templates.renderCode({ id: v.cell.template.id, params: v.cell.template.params })).code;
    },
    run: (index) => void runIndex(index),
    remove: (index) => dispatch({ type: 'delete', index }),
    move: (index, by) => dispatch({ type: 'move', index, by }),
    keys: {
      runAndAdvance: () => ctx.runActive('next'),
      run: () => ctx.runActive('stay'),
      runAndInsert: () => ctx.runActive('insert'),
      commandMode: () => {
        dispatch({ type: 'mode', mode: 'command' });
        focusContainer();
      },
      save: () => ctx.save(),
    },
  }), [api, ctx, runIndex, focusContainer, onStatus]);

  // Ctrl+S anywhere in the window (also inside form fields).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key.toLowerCase() === 's' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  // Keep the active cell in view.
  useEffect(() => {
    container.current?.querySelector('.cell.active')?.scrollIntoView({ block: 'nearest' });
  }, [state.active]);

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>): void => {
    if (state.mode !== 'command' || e.target !== e.currentTarget) return;
    const now = performance.now();
    const found = findCommand(e.nativeEvent, lastKey.current, now);
    lastKey.current = { key: e.key.toLowerCase(), at: now };
    if (found === undefined) return;
    e.preventDefault();
    if (found === 'pending') return;
    lastKey.current = undefined;
    found.perform(ctx);
  };

  // Return focus to the notebook when leaving edit mode.
  useEffect(() => {
    if (state.mode === 'command' && document.activeElement?.closest('.cell') && !document.activeElement.closest('.template-form')) focusContainer();
  }, [state.mode, focusContainer]);

  const templateById = useMemo(() => new Map(templates.map((t) => [t.id, t])), [templates]);
  const running = state.cells.some((v) => v.run.state === 'running' || v.run.state === 'queued');

  if (loadError) return <div className="notebook-error" role="alert">{loadError}</div>;

  return (
    <div className="notebook-pane">
      <div className="notebook-toolbar" role="toolbar" onMouseDown={keepFocus}>
        <span className="nb-title" data-testid="notebook-title">{path}{state.dirty ? ' •' : ''}</span>
        <button type="button" onClick={() => void save()} disabled={saving} title="Save (Ctrl+S)">Save</button>
        <button type="button" onClick={() => ctx.runAll()} title="Run all cells">Run all</button>
        <button type="button" onClick={() => ctx.runAbove()} title="Run the cells above the selected one">Run above</button>
        <button type="button" onClick={() => ctx.runActive('stay')} title="Run the selected cell (Ctrl+Enter)">Run cell</button>
        <button type="button" onClick={interrupt} title="Interrupt (I, I)">Interrupt</button>
        <button type="button" onClick={restart} title="Restart the kernel (0, 0)">Restart</button>
        <button type="button" onClick={() => insert(state.active + 1, 'code')}>+ Code</button>
        <button type="button" onClick={() => insert(state.active + 1, 'markdown')}>+ Markdown</button>
        <button type="button" onClick={onToggleHelp} title="Keyboard shortcuts (H)">Help</button>
        <span className="spacer" />
        <span className={`kernel-state kernel-${state.kernel}`} data-testid="kernel-state">kernel: {state.kernel}{running ? ' (running)' : ''}</span>
        <span className="mode" data-testid="mode">{state.mode} mode</span>
      </div>
      {conflict ? (
        <div className="banner conflict" role="alert" data-testid="conflict">
          {conflict}
          <button type="button" onClick={() => void api.workspace.readNotebook({ path }).then((f) => { dispatch({ type: 'load', path, notebook: f.notebook, revision: f.revision }); setConflict(undefined); })}>Reload from disk</button>
          <button type="button" onClick={() => void save(true)}>Overwrite with mine</button>
        </div>
      ) : null}
      {draft ? (
        <div className="banner draft" role="alert" data-testid="draft">
          Unsaved edits from {new Date(draft.savedAt).toLocaleString()} were found{draft.baseRevision !== state.revision ? ' (made on an older version of the file)' : ''}.
          <button type="button" onClick={() => { dispatch({ type: 'load', path, notebook: draft.notebook, revision: state.revision ?? '', dirty: true }); setDraft(undefined); }}>Restore</button>
          <button type="button" onClick={() => { localStorage.removeItem(draftKey(path)); setDraft(undefined); }}>Discard</button>
        </div>
      ) : null}
      <div className="notebook-body">
        <div className="cells" ref={container} tabIndex={0} onKeyDown={onKeyDown} data-testid="notebook" aria-label="notebook cells">
          {!loaded ? <div className="loading">loading…</div> : null}
          {state.cells.map((v, i) => (
            <CellView key={v.cell.id} view={v} index={i} active={i === state.active} mode={state.mode} template={v.cell.template ? templateById.get(v.cell.template.id) : undefined} handlers={handlers} />
          ))}
          {loaded && state.cells.length === 0 ? <button type="button" className="add-first" onClick={() => insert(0)}>Add a cell (B)</button> : null}
        </div>
        {showHelp ? <HelpPanel onClose={onToggleHelp} /> : null}
      </div>
    </div>
  );
}

/** Toolbar buttons do not take the focus, so notebook keys keep working after a click (as in JupyterLab). */
function keepFocus(e: React.MouseEvent): void {
  if ((e.target as HTMLElement).closest('button')) e.preventDefault();
}

/** The keyboard shortcuts, from the command table. */
export function HelpPanel({ onClose }: { onClose(): void }) {
  return (
    <aside className="help-panel" data-testid="help-panel" aria-label="keyboard shortcuts">
      <div className="help-head">
        <strong>Keyboard shortcuts</strong>
        <button type="button" onClick={onClose}>×</button>
      </div>
      <p>Command mode (blue bar): keys act on cells. Edit mode (green bar): keys go to the editor. Enter edits, Esc leaves.</p>
      <table>
        <tbody>
          {COMMANDS.map((c) => (
            <tr key={c.id}>
              <td><kbd>{c.keysLabel}</kbd></td>
              <td>{c.label}</td>
              <td className="muted">{c.modes.join(' / ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
