/**
 * Runs side by side (`runs.compare`): the params that differ (highlighted; the equal ones on
 * request), the metric table with the best value of each known metric marked, and the per-epoch
 * curves overlaid (one colour per run, validation dashed).
 */
import { useEffect, useMemo, useState } from 'react';
import type { RunComparisonInfo, WorkbenchApi } from '../../../core/api/contract.ts';
import { PlotlyOutput } from '../outputs/PlotlyOutput.tsx';
import { baseMetric, bestIndex, curveFigures, formatDuration, formatNamedMetric, formatParam, METRIC_INFO, orderComparedMetrics, runColor, shortId } from './runs-model.ts';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Props of {@link CompareView}. */
export interface CompareViewProps {
  api: WorkbenchApi;
  /** 2-20 run ids, in column order. */
  ids: string[];
  onClose(): void;
  onOpenRun(id: string): void;
}

/** The comparison panel. */
export function CompareView({ api, ids, onClose, onOpenRun }: CompareViewProps) {
  const [cmp, setCmp] = useState<RunComparisonInfo>();
  const [error, setError] = useState<string>();
  const [allParams, setAllParams] = useState(false);
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    setCmp(undefined);
    api.runs.compare({ ids: key.split(',') }).then((c) => live && setCmp(c), (e: unknown) => live && setError(message(e)));
    return () => {
      live = false;
    };
  }, [api, key]);
  const figures = useMemo(() => (cmp ? curveFigures(cmp) : []), [cmp]);
  // A per-epoch metric no compared run ever had a value of (accuracy of a forecaster) is left out.
  const metrics = useMemo(() => (cmp ? orderComparedMetrics(cmp.metrics.filter((m) => m.values.some((v) => v !== null)), cmp.runs) : []), [cmp]);

  if (error) return <section className="run-panel"><div className="output-error" role="alert">{error}</div></section>;
  if (!cmp) return <section className="run-panel muted">comparing {ids.length} runs…</section>;
  const same = Object.entries(cmp.paramsSame);
  const templates = cmp.runs.map((r) => r.templateId ?? '–');
  const data = cmp.runs.map((r) => (r.data ? `${r.data.source} · ${r.data.rowCount} rows · ${r.data.sha256.slice(0, 8)}` : '–'));
  const differs = (xs: string[]): boolean => new Set(xs).size > 1;

  return (
    <section className="run-panel compare" data-testid="compare-view" aria-label="run comparison">
      <header className="panel-head">
        <h2>Comparing {cmp.runs.length} runs</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose} aria-label="close comparison">✕</button>
      </header>
      <table className="compare-table" data-testid="compare-params">
        <thead>
          <tr>
            <th />
            {cmp.runs.map((r, i) => (
              <th key={r.id} className="run-head">
                <span className="swatch" style={{ background: runColor(i) }} />
                <button type="button" className="link mono" onClick={() => onOpenRun(r.id)} title="Open this run">{shortId(r.id)}</button>
                <div className="muted">{r.notebook?.path.split('/').pop() ?? ''}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr className="group"><th colSpan={cmp.runs.length + 1}>Params {cmp.paramsDiff.length ? `— ${cmp.paramsDiff.length} differ` : '— identical'}</th></tr>
          {differs(templates) ? <tr className="diff"><th>template</th>{templates.map((t, i) => <td key={i}>{t}</td>)}</tr> : null}
          {differs(data) ? <tr className="diff"><th>data</th>{data.map((d, i) => <td key={i} className="mono">{d}</td>)}</tr> : null}
          {cmp.paramsDiff.map((d) => (
            <tr key={d.name} className="diff" data-testid="param-diff">
              <th>{d.name}</th>
              {d.values.map((v, i) => <td key={i} className="mono">{formatParam(v, d.absent[i])}</td>)}
            </tr>
          ))}
          {allParams ? same.map(([k, v]) => (
            <tr key={k} className="same"><th>{k}</th>{cmp.runs.map((r) => <td key={r.id} className="mono">{formatParam(v)}</td>)}</tr>
          )) : null}
          {same.length ? (
            <tr className="toggle"><td colSpan={cmp.runs.length + 1}>
              <button type="button" className="link" onClick={() => setAllParams((x) => !x)}>{allParams ? 'hide' : 'show'} the {same.length} equal params</button>
            </td></tr>
          ) : null}
          <tr className="group"><th colSpan={cmp.runs.length + 1}>Metrics <span className="muted">(held-out rows; the runs' headline metrics first; last.* = last epoch; best in bold)</span></th></tr>
          {metrics.map((m) => {
            const best = bestIndex(m.values, m.better);
            const info = METRIC_INFO[baseMetric(m.name.replace(/^last\./, ''))];
            return (
              <tr key={m.name} data-testid="metric-row">
                <th title={[info, m.better ? `${m.better} is better` : ''].filter(Boolean).join('; ') || undefined}>{m.name}{m.better ? <span className="muted"> {m.better === 'higher' ? '↑' : '↓'}</span> : null}</th>
                {m.values.map((v, i) => <td key={i} className={`num${i === best ? ' best' : ''}`}>{formatNamedMetric(m.name, v)}</td>)}
              </tr>
            );
          })}
          <tr><th>duration</th>{cmp.runs.map((r) => <td key={r.id} className="num">{formatDuration(r.durationMs)}</td>)}</tr>
        </tbody>
      </table>
      {figures.length ? (
        <>
          <h3>Per-epoch curves <span className="muted">(solid: training, dashed: validation)</span></h3>
          <div className="curve-grid" data-testid="compare-curves">{figures.map((f) => <PlotlyOutput key={f.metric} figure={f.figure} height={300} />)}</div>
        </>
      ) : <p className="muted">No per-epoch metrics to overlay (these templates do not train in epochs).</p>}
    </section>
  );
}
