/**
 * The Runs view: every tracked training run of the workspace as a sortable table (template,
 * status, start, duration, data rows, the headline metrics of the listed runs' tasks), filtered by
 * notebook, template, task, experiment and status; a run's detail (with *Register*) or, for 2+
 * selected runs, the comparison. The list refreshes when a cell finishes (the kernel records its
 * runs as it trains) and on *Refresh*.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunStatusName, RunSummary, WorkbenchApi } from '../../../core/api/contract.ts';
import { CompareView } from './CompareView.tsx';
import { RunDetail } from './RunDetail.tsx';
import { formatDuration, formatNamedMetric, formatTime, METRIC_INFO, metricColumns, nextSort, RUN_TASKS, runTask, shortId, sortRuns, type RunSort, type RunTask, type SortKey } from './runs-model.ts';
import './runs.css';

/** Most runs listed at once. */
const LIST_LIMIT = 500;
/** Most runs compared at once (the API's limit). */
const MAX_COMPARE = 20;

interface Filters {
  notebook?: string;
  template?: string;
  status?: RunStatusName;
  experiment?: string;
}

/** Props of {@link RunsView}. */
export interface RunsViewProps {
  api: WorkbenchApi;
  /** Whether the view is on screen (it refreshes when shown). */
  visible: boolean;
  /** Opens a run's detail when set (e.g. from the Models view); `nonce` re-opens the same run. */
  focus?: { runId: string; nonce: number };
  onStatus(message: string): void;
  /** Called after a registration, so the Models view reloads. */
  onRegistered(): void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function notebookName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The Runs view. */
export function RunsView({ api, visible, focus, onStatus, onRegistered }: RunsViewProps) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [options, setOptions] = useState<{ notebooks: string[]; templates: string[]; experiments: string[] }>({ notebooks: [], templates: [], experiments: [] });
  const [filters, setFilters] = useState<Filters>({});
  // The task is read off each run's metrics (runs-model.ts runTask), so it filters here, not in runs.list.
  const [task, setTask] = useState<RunTask | ''>('');
  const [sort, setSort] = useState<RunSort>({ key: 'started', dir: 'desc' });
  const [selected, setSelected] = useState<string[]>([]);
  const [panel, setPanel] = useState<{ kind: 'detail'; id: string } | { kind: 'compare'; ids: string[] } | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (!visible) return undefined;
    let live = true;
    setLoading(true);
    const filtered = api.runs.list({ ...filters, limit: LIST_LIMIT });
    const everything = Object.keys(filters).length > 0 ? api.runs.list({ limit: LIST_LIMIT }) : filtered;
    Promise.all([filtered, everything]).then(
      ([list, all]) => {
        if (!live) return;
        setRuns(list);
        const unique = (xs: Array<string | null | undefined>): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string'))].sort();
        setOptions({ notebooks: unique(all.map((r) => r.notebook?.path)), templates: unique(all.map((r) => r.templateId)), experiments: unique(all.map((r) => r.experiment)) });
        setSelected((s) => s.filter((id) => list.some((r) => r.id === id)));
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(message(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [api, filters, generation, visible]);

  // A finished cell may have recorded runs: refresh (debounced; a "Run all" finishes many cells).
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const unsubscribe = api.events.subscribe((event) => {
      if (event.type !== 'cell-state' || (event.state !== 'done' && event.state !== 'error' && event.state !== 'interrupted')) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(refresh, 300);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer.current);
    };
  }, [api, refresh]);

  useEffect(() => {
    if (focus) setPanel({ kind: 'detail', id: focus.runId });
  }, [focus]);

  const tasks = useMemo(() => RUN_TASKS.filter((t) => runs.some((r) => runTask(r) === t)), [runs]);
  const shown = useMemo(() => (task ? runs.filter((r) => runTask(r) === task) : runs), [runs, task]);
  const columns = useMemo(() => metricColumns(shown), [shown]);
  // One notebook (or a notebook filter): the column would repeat it on every row; the detail names it.
  const notebookColumn = useMemo(() => new Set(shown.map((r) => r.notebook?.path ?? '')).size > 1, [shown]);
  const sorted = useMemo(() => sortRuns(shown, sort), [shown, sort]);
  // A run opened from the table or the Models view comes into sight (the panel sits under the table).
  const panelRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = panelRef.current;
    const box = el?.parentElement?.getBoundingClientRect();
    if (panel && el && box && el.getBoundingClientRect().top > box.bottom - 60) el.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [panel]);
  const toggle = (id: string): void => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length >= MAX_COMPARE ? s : [...s, id]));
  const header = (key: SortKey, label: string, title?: string) => (
    <th aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={key.startsWith('metric:') || key === 'duration' || key === 'rows' ? 'num' : undefined}>
      <button type="button" className="sort" onClick={() => setSort((s) => nextSort(s, key))} title={title ?? `Sort by ${label}`}>
        {label}{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  const setFilter = <K extends keyof Filters>(key: K, value: string): void => setFilters((f) => {
    const next = { ...f };
    if (value) next[key] = value as Filters[K];
    else delete next[key];
    return next;
  });
  const compareIds = sorted.filter((r) => selected.includes(r.id)).map((r) => r.id);

  return (
    <div className="runs-view" data-testid="runs-view">
      <div className="runs-toolbar" role="toolbar" aria-label="runs">
        <span className="view-title">Runs</span>
        <label>Notebook
          <select aria-label="filter by notebook" value={filters.notebook ?? ''} onChange={(e) => setFilter('notebook', e.target.value)}>
            <option value="">all</option>
            {options.notebooks.filter((p) => p.endsWith('.stratum.json')).map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label>Template
          <select aria-label="filter by template" value={filters.template ?? ''} onChange={(e) => setFilter('template', e.target.value)}>
            <option value="">all</option>
            {options.templates.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label title="The task is read off each run's evaluation (its metric names)">Task
          <select aria-label="filter by task" value={task} onChange={(e) => setTask(e.target.value as RunTask | '')}>
            <option value="">all</option>
            {(task && !tasks.includes(task) ? [...tasks, task] : tasks).map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label title="A hyperparameter search records its own run, its trials and its refit under one experiment, search-<id>">Experiment
          <select aria-label="filter by experiment" value={filters.experiment ?? ''} onChange={(e) => setFilter('experiment', e.target.value)}>
            <option value="">all</option>
            {options.experiments.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <label>Status
          <select aria-label="filter by status" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">all</option>
            {(['finished', 'running', 'failed', 'cancelled'] as const).map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <button type="button" onClick={refresh} title="Reload the runs from the workspace's tracking store">Refresh</button>
        <span className="spacer" />
        <span className="muted" data-testid="runs-count">{loading ? 'loading…' : `${shown.length} run${shown.length === 1 ? '' : 's'}`}{compareIds.length ? ` · ${compareIds.length} selected` : ''}</span>
        <button type="button" className="primary" disabled={compareIds.length < 2} onClick={() => setPanel({ kind: 'compare', ids: compareIds })} title="Select two or more runs with the checkboxes">
          Compare{compareIds.length >= 2 ? ` ${compareIds.length}` : ''}
        </button>
      </div>
      {error ? <div className="output-error" role="alert">{error}</div> : null}
      <div className="runs-scroll">
        {shown.length === 0 && !loading ? (
          <p className="runs-empty" data-testid="runs-empty">No runs{Object.keys(filters).length || task ? ' match these filters' : ' yet: train a model in a notebook (template cells and stratum.train* calls record their runs here)'}.</p>
        ) : (
          <table className="runs-table" data-testid="runs-table">
            <thead>
              <tr>
                <th className="check"><span className="sr-only">select</span></th>
                <th>Run</th>
                {notebookColumn ? header('notebook', 'Notebook') : null}
                {header('template', 'Template')}
                {header('status', 'Status')}
                {header('started', 'Started')}
                {header('duration', 'Duration')}
                {header('rows', 'Rows', 'Sort by the number of data rows')}
                {columns.map((m) => header(`metric:${m}`, m, `${m}${METRIC_INFO[m] ? `: ${METRIC_INFO[m]}` : ''} (held-out rows). Sort by ${m}`))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => {
                const open = panel?.kind === 'detail' && panel.id === r.id;
                return (
                  <tr key={r.id} data-testid="run-row" data-run-id={r.id} className={`${open ? 'open' : ''}${selected.includes(r.id) ? ' selected' : ''}`} onClick={() => setPanel({ kind: 'detail', id: r.id })}>
                    <td className="check" onClick={(e) => e.stopPropagation()}>
                      <input type="checkbox" aria-label={`select run ${r.id}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />
                    </td>
                    <td className="mono" title={r.id}>{shortId(r.id)}</td>
                    {notebookColumn ? <td title={r.notebook ? `${r.notebook.path}${r.notebook.cellId ? `, cell ${r.notebook.cellId}` : ''}` : undefined}>{r.notebook ? notebookName(r.notebook.path) : '–'}</td> : null}
                    <td title={r.templateId ?? undefined}>{r.templateId?.replace(/^(tabular|timeseries)\./, '') ?? '–'}</td>
                    <td><span className={`run-status status-${r.status}`} title={r.error ? `${r.error.code}: ${r.error.message}` : undefined}>{r.status}</span></td>
                    <td className="time">{formatTime(r.startedAt)}</td>
                    <td className="num">{formatDuration(r.durationMs)}</td>
                    <td className="num">{r.data ? r.data.rowCount.toLocaleString() : '–'}</td>
                    {columns.map((m) => <td key={m} className="num">{formatNamedMetric(m, r.metrics[m])}</td>)}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <div ref={panelRef}>
        {panel?.kind === 'compare' ? (
          <CompareView api={api} ids={panel.ids} onClose={() => setPanel(undefined)} onOpenRun={(id) => setPanel({ kind: 'detail', id })} />
        ) : panel?.kind === 'detail' ? (
          <RunDetail
            key={panel.id}
            api={api}
            id={panel.id}
            onClose={() => setPanel(undefined)}
            onRegistered={(text) => {
              onStatus(text);
              onRegistered();
            }}
            onFilterExperiment={(experiment) => setFilter('experiment', experiment)}
            onOpenRun={(runId) => setPanel({ kind: 'detail', id: runId })}
          />
        ) : null}
        </div>
      </div>
    </div>
  );
}
