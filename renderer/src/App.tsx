/**
 * The workbench window: a file tree of the workspace (notebooks, data files, bundles), "New
 * notebook" from a starter, the open notebook (address `#/nb/<path>`, so a reload reopens it), a
 * help panel and a status line. "Export .ipynb" writes the open notebook's saved version for
 * Jupyter; clicking a `.ipynb` file in the tree imports it as a Stratum notebook and opens it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { FileEntry, TemplateInfo, WorkbenchApi, WorkspaceInfo } from '../../core/api/contract.ts';
import { FileTree } from './notebook/FileTree.tsx';
import { NotebookView } from './notebook/NotebookView.tsx';
import { ModelsView } from './runs/ModelsView.tsx';
import { RunsView } from './runs/RunsView.tsx';
import { ApiError } from './api/client.ts';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function currentNotebook(): string | undefined {
  const m = /^#\/nb\/(.+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

function NewNotebook({ info, onCreate, onCancel }: { info: WorkspaceInfo; onCreate(name: string, starter: string): void; onCancel(): void }) {
  const [name, setName] = useState('untitled');
  const [starter, setStarter] = useState(info.starters[0]?.id ?? 'blank');
  return (
    <form className="new-notebook" data-testid="new-notebook" onSubmit={(e) => { e.preventDefault(); onCreate(name, starter); }}>
      <label>Name <input aria-label="notebook name" value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
      <label>Starter
        <select aria-label="starter" value={starter} onChange={(e) => setStarter(e.target.value)}>
          {info.starters.map((s) => <option key={s.id} value={s.id} title={s.description}>{s.title}</option>)}
        </select>
      </label>
      <div className="row">
        <button type="submit">Create</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** The application. */
export function App({ api }: { api: WorkbenchApi }) {
  const [info, setInfo] = useState<WorkspaceInfo>();
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [open, setOpen] = useState<string | undefined>(currentNotebook());
  const [creating, setCreating] = useState(false);
  const [help, setHelp] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string>();
  // The main area shows the notebook, the Runs view or the Models view; each stays mounted once shown (state kept).
  const [view, setView] = useState<'notebook' | 'runs' | 'models'>('notebook');
  const [shown, setShown] = useState<{ runs: boolean; models: boolean }>({ runs: false, models: false });
  const [modelsGeneration, setModelsGeneration] = useState(0);
  const [runFocus, setRunFocus] = useState<{ runId: string; nonce: number }>();
  const show = (next: 'notebook' | 'runs' | 'models'): void => {
    setView(next);
    if (next !== 'notebook') setShown((s) => ({ ...s, [next]: true }));
  };

  const refresh = useCallback(() => void api.workspace.listFiles({}).then(setFiles, (e: unknown) => setError(String(e))), [api]);

  useEffect(() => {
    api.workspace.info({}).then((i) => {
      setInfo(i);
      document.title = `${i.name} — Stratum`;
    }, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    api.templates.list({}).then(setTemplates, () => {});
    refresh();
    const onHash = (): void => {
      setOpen(currentNotebook());
      setView('notebook');
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [api, refresh]);

  useEffect(() => api.events.subscribe((e) => {
    if (e.type === 'notebook-saved') refresh();
  }), [api, refresh]);

  const openNotebook = (path: string): void => {
    setView('notebook');
    window.location.hash = `#/nb/${encodeURIComponent(path)}`;
  };

  const create = (name: string, starter: string): void => {
    const clean = name.trim().replace(/\.stratum\.json$/, '') || 'untitled';
    const path = `${clean}.stratum.json`;
    api.workspace.createNotebook({ path, starter }).then(
      () => {
        setCreating(false);
        refresh();
        openNotebook(path);
      },
      (e: unknown) => setStatus(`cannot create ${path}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };

  const exportIpynb = (path: string): void => {
    api.workspace.exportIpynb({ path }).then(
      (r) => {
        setStatus(`exported ${r.path} (from the saved notebook)`);
        refresh();
      },
      (e: unknown) => setStatus(`cannot export ${path}: ${message(e)}`),
    );
  };

  /** Imports a .ipynb; when NAME.stratum.json exists, asks for another name (the same name overwrites). */
  const importIpynb = (path: string, out?: string, overwrite = false): void => {
    api.workspace.importIpynb({ path, ...(out ? { out } : {}), ...(overwrite ? { overwrite } : {}) }).then(
      (r) => {
        setStatus(`imported ${path} as ${r.path}`);
        refresh();
        openNotebook(r.path);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.code === 'SAVE_CONFLICT') {
          const target = out ?? path.replace(/\.ipynb$/i, '.stratum.json');
          const answer = window.prompt(`${target} already exists. Import as (the same name overwrites it):`, target.replace(/\.stratum\.json$/, '-imported.stratum.json'));
          if (!answer) return;
          const name = answer.trim().endsWith('.stratum.json') ? answer.trim() : `${answer.trim()}.stratum.json`;
          importIpynb(path, name, name === target);
          return;
        }
        setStatus(`cannot import ${path}: ${message(e)}`);
      },
    );
  };

  const onToggleHelp = useCallback(() => setHelp((h) => !h), []);

  if (error) return <div className="fatal" role="alert">Cannot reach the workbench engine: {error}</div>;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="workspace">
        <div className="ws-name">{info?.name ?? '…'}</div>
        <button type="button" className="new-button" onClick={() => setCreating(true)}>New notebook</button>
        {creating && info ? <NewNotebook info={info} onCreate={create} onCancel={() => setCreating(false)} /> : null}
        {open ? <button type="button" className="new-button" onClick={() => exportIpynb(open)} title="Write the saved notebook as NAME.ipynb for Jupyter">Export .ipynb</button> : null}
        <FileTree entries={files} open={open} onOpen={openNotebook} onImport={(p) => importIpynb(p)} />
      </nav>
      <main className="main">
        <div className="view-tabs" role="tablist" aria-label="views">
          <button type="button" role="tab" aria-selected={view === 'notebook'} onClick={() => show('notebook')}>Notebook</button>
          <button type="button" role="tab" aria-selected={view === 'runs'} onClick={() => show('runs')} title="Every tracked training run of this workspace: compare, register">Runs</button>
          <button type="button" role="tab" aria-selected={view === 'models'} onClick={() => show('models')} title="Registered models, versions and aliases">Models</button>
        </div>
        <div className="view-pane" hidden={view !== 'notebook'}>
          {open ? (
            <NotebookView key={open} api={api} path={open} templates={templates} showHelp={help} onToggleHelp={onToggleHelp} onStatus={setStatus} />
          ) : (
            <div className="welcome">
              <h1>Stratum</h1>
              <p>Open a notebook from the file tree, or create one from a starter with <em>New notebook</em>. Training runs appear under <em>Runs</em>.</p>
            </div>
          )}
        </div>
        {shown.runs ? (
          <div className="view-pane" hidden={view !== 'runs'}>
            <RunsView api={api} visible={view === 'runs'} focus={runFocus} onStatus={setStatus} onRegistered={() => setModelsGeneration((g) => g + 1)} />
          </div>
        ) : null}
        {shown.models ? (
          <div className="view-pane" hidden={view !== 'models'}>
            <ModelsView api={api} visible={view === 'models'} generation={modelsGeneration} onStatus={setStatus} onOpenRun={(runId) => {
              setRunFocus({ runId, nonce: Date.now() });
              show('runs');
            }} />
          </div>
        ) : null}
        <footer className="status" data-testid="status">{status}</footer>
      </main>
    </div>
  );
}
