/**
 * Pure helpers of the Runs and Models views (no React): which metric columns to show, sorting,
 * number formatting, the best value of a compared metric, and the Plotly figures of overlaid
 * per-epoch curves. Tested in runs-model.test.ts.
 */
import type { RunComparisonInfo, RunInfo, RunSummary } from '../../../core/api/contract.ts';
import type { PlotlyFigure } from '../outputs/PlotlyOutput.tsx';

/** Evaluation metrics shown as table columns, in this order, when any listed run has them (then any other metric, up to {@link MAX_METRIC_COLUMNS}). */
export const HEADLINE_METRICS = ['accuracy', 'macroF1', 'balancedAccuracy', 'rocAuc', 'r2', 'rmse', 'mae', 'silhouette', 'mape'] as const;

/** Largest number of metric columns in the runs table. */
export const MAX_METRIC_COLUMNS = 4;

/** Evaluation numbers that are not quality metrics (sizes, counts): never a column. */
const NOT_METRICS = new Set(['n', 'k']);

/**
 * The metric columns of the runs table: the {@link HEADLINE_METRICS} that any run has, in that
 * order, then other metrics alphabetically, at most {@link MAX_METRIC_COLUMNS}.
 */
export function metricColumns(runs: readonly RunSummary[]): string[] {
  const present = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  const known = HEADLINE_METRICS.filter((m) => present.has(m));
  const others = [...present].filter((m) => !NOT_METRICS.has(m) && !(HEADLINE_METRICS as readonly string[]).includes(m)).sort();
  return [...known, ...others].slice(0, MAX_METRIC_COLUMNS);
}

/** A sortable column of the runs table: a fixed one or `metric:<name>`. */
export type SortKey = 'started' | 'duration' | 'rows' | 'template' | 'status' | 'notebook' | `metric:${string}`;

/** Sort order of the runs table. */
export interface RunSort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

function sortValue(run: RunSummary, key: SortKey): string | number | null {
  switch (key) {
    case 'started':
      return run.startedAt;
    case 'duration':
      return run.durationMs;
    case 'rows':
      return run.data?.rowCount ?? null;
    case 'template':
      return run.templateId;
    case 'status':
      return run.status;
    case 'notebook':
      return run.notebook?.path ?? null;
    default:
      return run.metrics[key.slice('metric:'.length)] ?? null;
  }
}

/** The runs sorted by `sort` (stable; runs without the value last in either direction). */
export function sortRuns(runs: readonly RunSummary[], sort: RunSort): RunSummary[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return runs
    .map((run, index) => ({ run, index, value: sortValue(run, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      const cmp = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value));
      return cmp === 0 ? a.index - b.index : sign * cmp;
    })
    .map((x) => x.run);
}

/** Clicking a column header: the same column flips direction; a new one starts descending for numbers and time, ascending for text. */
export function nextSort(current: RunSort, key: SortKey): RunSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'template' || key === 'status' || key === 'notebook' ? 'asc' : 'desc' };
}

/**
 * A metric value for display: integers as integers (`292`), else 4 significant decimals for
 * scores (`0.8390`), 1 decimal from 1000 (`12345.7`), exponent notation for extremes; `–` when missing.
 */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(3);
  return value.toFixed(abs >= 1000 ? 1 : 4);
}

/** Milliseconds as `850 ms`, `12.3 s`, `4 min 05 s`; `–` while running. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A param value as compact JSON (`0.01`, `[64,64]`, `"weather"`); `(absent)` when the run lacks it. */
export function formatParam(value: unknown, absent = false): string {
  if (absent) return '(absent)';
  return JSON.stringify(value) ?? String(value);
}

/** Index of the best value of a compared metric row (`better` known, at least two values, not all equal), else -1. */
export function bestIndex(values: ReadonlyArray<number | null>, better: 'higher' | 'lower' | undefined): number {
  if (!better) return -1;
  const present = values.map((v, i) => ({ v, i })).filter((x): x is { v: number; i: number } => x.v !== null);
  if (present.length < 2 || present.every((x) => x.v === present[0].v)) return -1;
  return present.reduce((best, x) => ((better === 'higher' ? x.v > best.v : x.v < best.v) ? x : best)).i;
}

/** Plotly's default colour sequence ("D3 category10"), one colour per compared run. */
export const RUN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/** Colour of the i-th compared run. */
export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length] as string;
}

/** The per-epoch metric a curve belongs to, without the validation prefix: `valLoss` -> `loss`. */
function baseMetric(name: string): string {
  const m = /^val([A-Z].*)$/.exec(name);
  return m ? (m[1] as string).charAt(0).toLowerCase() + (m[1] as string).slice(1) : name;
}

/** A short label of a run: the first 8 characters of its id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * Overlaid per-epoch curves of compared runs: one figure per metric (`loss` with `valLoss`,
 * `accuracy` with `valAccuracy`, any other alone), one colour per run (in the order of
 * `cmp.runs`), training solid and validation dashed. Metrics with no value at all are left out.
 */
export function curveFigures(cmp: RunComparisonInfo): Array<{ metric: string; figure: PlotlyFigure }> {
  const groups = new Map<string, string[]>();
  for (const name of Object.keys(cmp.curves).sort()) {
    const points = Object.values(cmp.curves[name] ?? {}).flat();
    if (!points.some((p) => p.value !== null)) continue;
    const base = baseMetric(name);
    groups.set(base, [...(groups.get(base) ?? []), name]);
  }
  const order = (a: string, b: string): number => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b));
  return [...groups.keys()].sort(order).map((base) => {
    const names = (groups.get(base) ?? []).sort((a, b) => Number(a !== base) - Number(b !== base));
    const data = names.flatMap((name) => cmp.runs.flatMap((run, i) => {
      const points = cmp.curves[name]?.[run.id];
      if (!points || points.length === 0) return [];
      const validation = name !== base;
      return [{
        type: 'scatter',
        mode: points.length === 1 ? 'markers' : 'lines',
        name: `${shortId(run.id)} ${validation ? 'validation' : 'training'}`,
        legendgroup: run.id,
        x: points.map((p) => p.epoch),
        y: points.map((p) => p.value),
        line: { color: runColor(i), dash: validation ? 'dash' : 'solid', width: 2 },
        marker: { color: runColor(i) },
      }];
    }));
    return {
      metric: base,
      figure: {
        data,
        layout: {
          // The x axis is the epoch (said in the title); the legend sits under it without an axis title to collide with.
          title: { text: `${base} per epoch`, font: { size: 13 } },
          xaxis: { tickformat: 'd', automargin: true },
          yaxis: { automargin: true },
          legend: { orientation: 'h', x: 0, y: -0.12, yanchor: 'top', font: { size: 11 } },
          margin: { l: 50, r: 15, t: 35, b: 10 },
        },
      },
    };
  });
}

/** A registered model's name, as the registry accepts it (core/store/ids.ts). */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The model name offered when registering a run: its notebook's file name (`seattle.stratum.json` -> `seattle`), else its template's (`mlp-classifier`). */
export function suggestedModelName(run: Pick<RunInfo, 'notebook' | 'templateId'>): string {
  const base = run.notebook?.path.split('/').pop()?.replace(/\.stratum\.json$/, '') ?? run.templateId?.replace(/^tabular\./, '') ?? 'model';
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return MODEL_NAME.test(clean) ? clean : 'model';
}
