/**
 * One run in full: where it came from (notebook, cell, data), params, evaluation, per-epoch
 * curves, artifacts, the model versions registered from it, and *Register*: name + aliases ->
 * `models.register`, which registers the model bundle the run logged, then shows the new version.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ModelVersionInfo, RunComparisonInfo, RunInfo, WorkbenchApi } from '../../../core/api/contract.ts';
import { PlotlyOutput } from '../outputs/PlotlyOutput.tsx';
import { curveFigures, formatDuration, formatMetric, formatParam, formatTime, MODEL_NAME, suggestedModelName } from './runs-model.ts';

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
}

/** The detail panel of one run. */
export function RunDetail({ api, id, onClose, onRegistered }: RunDetailProps) {
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
  const numbers = Object.entries(run.metrics);
  const warnings = Array.isArray(run.evaluation?.warnings) ? (run.evaluation.warnings as unknown[]).filter((w): w is string => typeof w === 'string') : [];
  const sizes = run.evaluation?.sizes as { train?: number; test?: number } | undefined;

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
        <dt>backend</dt><dd>{run.backend ?? '–'}{run.seed !== null ? ` · seed ${run.seed}` : ''} · experiment {run.experiment}</dd>
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
      {!bundle && run.status === 'finished' ? <p className="muted">This run has no model bundle to register (see its warnings).</p> : null}
      <div className="panel-grid">
        <div>
          <h3>Params</h3>
          <table className="kv"><tbody>{Object.entries(run.params).map(([k, v]) => <tr key={k}><th>{k}</th><td className="mono">{formatParam(v)}</td></tr>)}</tbody></table>
        </div>
        <div>
          <h3>Evaluation</h3>
          {numbers.length ? <table className="kv"><tbody>{numbers.map(([k, v]) => <tr key={k}><th>{k}</th><td className="num">{formatMetric(v)}</td></tr>)}</tbody></table> : <p className="muted">none</p>}
          <h3>Artifacts</h3>
          {run.artifacts.length ? <ul className="artifacts">{run.artifacts.map((a) => <li key={a.name} title={`sha256 ${a.sha256}`}><span className="mono">{a.name}</span> <span className="muted">{a.kind}, {(a.bytes / 1024).toFixed(1)} KiB · {a.path}</span></li>)}</ul> : <p className="muted">none</p>}
        </div>
      </div>
      {figures.length ? <div className="curve-grid">{figures.map((f) => <PlotlyOutput key={f.metric} figure={f.figure} height={260} />)}</div> : null}
    </section>
  );
}
