/**
 * One run in full: where it came from (notebook, cell, data), params, evaluation, per-epoch
 * curves, artifacts, the model versions registered from it, and *Register*: name + aliases ->
 * `models.register`, which registers the model bundle the run logged, then shows the new version.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ModelVersionInfo, RunComparisonInfo, RunInfo, WorkbenchApi } from '../../../core/api/contract.ts';
import { PlotlyOutput } from '../outputs/PlotlyOutput.tsx';
import { curveFigures, formatDuration, formatNamedMetric, formatParam, formatTime, METRIC_INFO, MODEL_NAME, orderComparedMetrics, suggestedModelName } from './runs-model.ts';

/** Same rule as the registry (core/store/ids.ts). */
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Aliases typed as `champion, challenger` or `champion challenger`. */
function parseAliases(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

function RegisterForm({ api, run, onDone }: { api: WorkbenchApi; run: RunInfo; onDone(version: ModelVersionInfo): void }) {
  const [name, setName] = useState(() => suggestedModelName(run));
  const [aliases, setAliases] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const list = parseAliases(aliases);
  const invalid = !MODEL_NAME.test(name)
    ? 'Name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.'
    : list.find((a) => !ALIAS_NAME.test(a))
      ? `Alias "${list.find((a) => !ALIAS_NAME.test(a)) ?? ''}": lowercase letters, digits, "_" or "-", starting with a letter.`
      : undefined;
  const submit = (): void => {
    if (invalid || busy) return;
    setBusy(true);
    setError(undefined);
    api.models.register({ runId: run.id, name, ...(list.length ? { aliases: list } : {}), ...(description.trim() ? { description: description.trim() } : {}) }).then(
      (v) => {
        setBusy(false);
        onDone(v);
      },
      (e: unknown) => {
        setBusy(false);
        setError(message(e));
      },
    );
  };
  return (
    <form className="register-form" data-testid="register-form" onSubmit={(e) => { e.preventDefault(); submit(); }} onKeyDown={(e) => e.stopPropagation()}>
      <label>Model name <input aria-label="model name" value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label>Aliases <input aria-label="aliases" placeholder="champion, challenger" value={aliases} onChange={(e) => setAliases(e.target.value)} /></label>
      <label className="wide">Description <input aria-label="description" placeholder="optional" value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      <button type="submit" className="primary" disabled={busy || invalid !== undefined}>{busy ? 'Registering…' : 'Register'}</button>
      {invalid && name ? <div className="param-error">{invalid}</div> : null}
      {error ? <div className="param-error" role="alert">{error}</div> : null}
    </form>
  );
}

/** Props of {@link RunDetail}. */
export interface RunDetailProps {
  api: WorkbenchApi;
  id: string;
  onClose(): void;
  /** After a registration, with a one-line summary for the status bar. */
  onRegistered(summary: string): void;
  /** Filters the runs table by an experiment (a search's runs share `search-<id>`). */
  onFilterExperiment?(experiment: string): void;
  /** Opens another run (a search's refit or best trial). */
  onOpenRun?(id: string): void;
}

/** What a search run's evaluation says about the search (core/store/search-tracking.ts writes it), read defensively. */
interface SearchFacts {
  strategy?: string;
  metric?: string;
  direction?: string;
  folds?: number;
  trials?: number;
  failedTrials?: number;
  stopReason?: string;
  stopDetail?: string;
  bestTrial?: number;
  bestParams?: Record<string, unknown>;
  bestRunId?: string;
  refitRunId?: string;
}

function searchFacts(evaluation: Record<string, unknown> | null): SearchFacts | undefined {
  const s = evaluation?.search;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
  const r = s as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof r[k] === 'string' ? r[k] : undefined);
  const num = (k: string): number | undefined => (typeof r[k] === 'number' ? r[k] : undefined);
  const best = r.bestParams;
  return {
    strategy: str('strategy'), metric: str('metric'), direction: str('direction'), folds: num('folds'), trials: num('trials'), failedTrials: num('failedTrials'),
    stopReason: str('stopReason'), stopDetail: str('stopDetail'), bestTrial: num('bestTrial'), bestRunId: str('bestRunId'), refitRunId: str('refitRunId'),
    ...(typeof best === 'object' && best !== null && !Array.isArray(best) ? { bestParams: best as Record<string, unknown> } : {}),
  };
}

/**
 * A param's value: compact JSON, at most 3 lines (long values are cut with an ellipsis and shown in
 * full, indented, on hover; a click expands or folds them in place).
 */
function ParamValue({ value }: { value: unknown }) {
  const [expanded, setExpanded] = useState(false);
  const text = formatParam(value);
  const long = text.length > 60;
  return (
    <td className="mono param-value">
      <div
        className={long ? (expanded ? 'long' : 'long clamped') : undefined}
        title={long ? `${JSON.stringify(value, null, 2)}\n\n(click to ${expanded ? 'fold' : 'show in full'})` : undefined}
        onClick={long ? () => setExpanded((x) => !x) : undefined}
      >{text}</div>
    </td>
  );
}

/** The detail panel of one run. */
export function RunDetail({ api, id, onClose, onRegistered, onFilterExperiment, onOpenRun }: RunDetailProps) {
  const [run, setRun] = useState<RunInfo>();
  const [error, setError] = useState<string>();
  const [registered, setRegistered] = useState<ModelVersionInfo>();
  const [registering, setRegistering] = useState(false);
  const load = useCallback(() => api.runs.get({ id }).then(setRun, (e: unknown) => setError(message(e))), [api, id]);
  useEffect(() => {
    void load();
  }, [load]);

  const figures = useMemo(() => {
    if (!run) return [];
    const curves: RunComparisonInfo['curves'] = {};
    for (const p of run.epochs) ((curves[p.name] ??= {})[run.id] ??= []).push({ epoch: p.epoch, value: p.value });
    return curveFigures({ runs: [run], paramsDiff: [], paramsSame: {}, metrics: [], curves });
  }, [run]);

  if (error) return <section className="run-panel"><div className="output-error" role="alert">{error}</div></section>;
  if (!run) return <section className="run-panel muted">loading run {id}…</section>;
  const bundle = run.artifacts.find((a) => a.kind === 'bundle' && a.name === 'bundle') ?? run.artifacts.find((a) => a.kind === 'bundle');
  const numbers = orderComparedMetrics(Object.entries(run.metrics).map(([name, value]) => ({ name, value })), [run]);
  const warnings = Array.isArray(run.evaluation?.warnings) ? (run.evaluation.warnings as unknown[]).filter((w): w is string => typeof w === 'string') : [];
  const sizes = run.evaluation?.sizes as { train?: number; test?: number } | undefined;
  const search = searchFacts(run.evaluation);
  const runLink = (target: string) => (onOpenRun ? <button type="button" className="link mono" onClick={() => onOpenRun(target)} title="Open this run">{target}</button> : <span className="mono">{target}</span>);

  return (
    <section className="run-panel" data-testid="run-detail" aria-label={`run ${run.id}`}>
      <header className="panel-head">
        <h2>Run <span className="mono">{run.id}</span> <span className={`run-status status-${run.status}`}>{run.status}</span></h2>
        <span className="spacer" />
        {bundle && !registering ? <button type="button" className="primary" onClick={() => setRegistering(true)} data-testid="register-button">Register…</button> : null}
        <button type="button" onClick={onClose} aria-label="close run detail">✕</button>
      </header>
      <dl className="facts">
        <dt>template</dt><dd>{run.templateId ?? '–'}</dd>
        <dt>notebook</dt><dd>{run.notebook ? `${run.notebook.path}${run.notebook.cellId ? ` · cell ${run.notebook.cellId}` : ''}` : '–'}</dd>
        <dt>data</dt><dd>{run.data ? <>{run.data.source}, {run.data.rowCount.toLocaleString()} rows{sizes?.train !== undefined ? ` (${sizes.train} train / ${sizes.test ?? '?'} test)` : ''} · <span className="mono" title={run.data.sha256}>sha256 {run.data.sha256.slice(0, 12)}…</span></> : '–'}</dd>
        <dt>started</dt><dd>{formatTime(run.startedAt)} · {formatDuration(run.durationMs)}</dd>
        <dt>backend</dt><dd>{run.backend ?? '–'}{run.seed !== null ? ` · seed ${run.seed}` : ''} · experiment {onFilterExperiment && run.experiment !== 'default' ? <button type="button" className="link" onClick={() => onFilterExperiment(run.experiment)} title="List only this experiment's runs">{run.experiment}</button> : run.experiment}</dd>
        {run.versions.length ? <><dt>registered</dt><dd data-testid="run-versions">{run.versions.map((v) => <span key={`${v.model}@${v.version}`} className="chip">{v.model} v{v.version}{v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}</span>)}</dd></> : null}
      </dl>
      {run.error ? <div className="output-error">{run.error.code}: {run.error.message}</div> : null}
      {warnings.length ? <ul className="warnings">{warnings.map((w) => <li key={w}>{w}</li>)}</ul> : null}
      {registering ? (
        <RegisterForm api={api} run={run} onDone={(v) => {
          setRegistering(false);
          setRegistered(v);
          onRegistered(`registered ${v.model} v${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''} from run ${run.id}`);
          void load();
        }} />
      ) : null}
      {registered ? (
        <div className="registered" role="status" data-testid="registered">
          Registered <strong>{registered.model} v{registered.version}</strong>{registered.aliases.length ? <> with alias {registered.aliases.map((a) => <span key={a} className="chip alias">{a}</span>)}</> : null} · bundle {registered.bundlePath}
        </div>
      ) : null}
      {search ? (
        <dl className="facts" data-testid="run-search">
          <dt>search</dt><dd>{search.strategy ?? '?'} search, {search.trials ?? '?'} trials{search.failedTrials ? ` (${search.failedTrials} failed)` : ''}{search.folds ? `, ${search.folds}-fold CV` : ''}{search.metric ? `, ${search.metric} (${search.direction === 'minimize' ? 'lower' : 'higher'} is better)` : ''}</dd>
          {search.stopReason ? <><dt>stopped</dt><dd>{search.stopDetail ?? search.stopReason}</dd></> : null}
          {search.bestParams ? <><dt>best</dt><dd>trial {search.bestTrial ?? '?'} <span className="mono">{formatParam(search.bestParams)}</span>{search.bestRunId ? <> · run {runLink(search.bestRunId)}</> : null}</dd></> : null}
          {search.refitRunId ? <><dt>refit</dt><dd>{runLink(search.refitRunId)} <span className="muted">(the best params trained on all training rows: register this one)</span></dd></> : null}
        </dl>
      ) : null}
      {!bundle && run.status === 'finished' ? (
        <p className="muted">
          {search
            ? `A search has no model of its own: register its refit run${search.refitRunId ? ' (above)' : ` (this search recorded none; it would be a run of experiment ${run.experiment})`}.`
            : `This run has no model bundle to register${warnings.length ? ' (see its warnings)' : ''}.`}
        </p>
      ) : null}
      <div className="panel-grid">
        <div>
          <h3>Params</h3>
          <table className="kv params" data-testid="run-params"><tbody>{Object.entries(run.params).map(([k, v]) => <tr key={k}><th>{k}</th><ParamValue value={v} /></tr>)}</tbody></table>
        </div>
        <div>
          <h3>Evaluation</h3>
          {numbers.length ? <table className="kv" data-testid="run-evaluation"><tbody>{numbers.map(({ name, value }) => <tr key={name}><th title={METRIC_INFO[name]}>{name}</th><td className="num">{formatNamedMetric(name, value)}</td></tr>)}</tbody></table> : <p className="muted">none</p>}
          <h3>Artifacts</h3>
          {run.artifacts.length ? <ul className="artifacts">{run.artifacts.map((a) => <li key={a.name} title={`sha256 ${a.sha256}`}><span className="mono">{a.name}</span> <span className="muted">{a.kind}, {(a.bytes / 1024).toFixed(1)} KiB · {a.path}</span></li>)}</ul> : <p className="muted">none</p>}
        </div>
      </div>
      {figures.length ? <div className="curve-grid">{figures.map((f) => <PlotlyOutput key={f.metric} figure={f.figure} height={260} />)}</div> : null}
    </section>
  );
}
