/**
 * Pure helpers of the Runs and Models views (no React): which metric columns to show, sorting,
 * number formatting, the best value of a compared metric, and the Plotly figures of overlaid
 * per-epoch curves. Tested in runs-model.test.ts.
 */
import type { RunComparisonInfo, RunInfo, RunSummary } from '../../../core/api/contract.ts';
import type { PlotlyFigure } from '../outputs/PlotlyOutput.tsx';

/** The learning task of a run, as the Runs view groups its metric columns. */
export type RunTask = 'classification' | 'regression' | 'clustering' | 'forecasting' | 'anomaly';

/** Tasks in the order the Runs view lists them when they have as many runs. */
export const RUN_TASKS: readonly RunTask[] = ['classification', 'regression', 'clustering', 'forecasting', 'anomaly'];

/**
 * Headline evaluation metrics of each task, most telling first: the metric columns of the runs
 * table and the first rows of a comparison. The names are the top-level numbers of the
 * evaluations core/ml writes (`ClassificationReport`, the regression and clustering reports,
 * `ForecastEvaluation` in core/ml/forecast.ts, `AnomalyEvaluation` in core/ml/anomaly.ts).
 */
export const TASK_METRICS: Readonly<Record<RunTask, readonly string[]>> = {
  classification: ['accuracy', 'macroF1', 'balancedAccuracy', 'rocAuc', 'logLoss', 'weightedF1'],
  regression: ['r2', 'rmse', 'mae', 'mape'],
  clustering: ['silhouette', 'inertia'],
  forecasting: ['mae', 'rmse', 'mape', 'skill', 'maeRatio', 'baselineMae'],
  anomaly: ['f1', 'precision', 'recall', 'rocAuc', 'threshold', 'averagePrecision', 'flaggedShare'],
};

/** What each metric means, for column and row tooltips. */
export const METRIC_INFO: Readonly<Record<string, string>> = {
  loss: 'value of the loss function at the end of the epoch (valLoss: on the validation rows)',
  accuracy: 'share of rows predicted right (test rows; valAccuracy: validation rows)',
  macroF1: 'F1 score averaged over the classes, each class counting the same',
  weightedF1: 'F1 score averaged over the classes, weighted by their support',
  balancedAccuracy: 'recall averaged over the classes (accuracy that ignores class imbalance)',
  rocAuc: 'area under the ROC curve (one-vs-rest for more than two classes; for anomalies, of the score against the known labels)',
  logLoss: 'cross-entropy of the predicted probabilities',
  r2: 'coefficient of determination R² (1 = perfect, 0 = predicting the mean)',
  rmse: 'root mean squared error, in target units',
  mae: 'mean absolute error, in target units',
  mape: 'mean absolute percentage error, as a fraction (0.012 = 1.2 %)',
  silhouette: 'mean silhouette coefficient of the clusters (-1 to 1)',
  inertia: 'sum of squared distances of the rows to their cluster centre',
  skill: '1 - maeRatio: the share of the naive last-value forecast\'s error the model removes',
  maeRatio: 'model MAE / MAE of the naive last-value forecast (below 1 beats it)',
  baselineMae: 'MAE of the naive last-value forecast on the same test windows',
  f1: 'F1 score of the anomaly flags against the known labels',
  precision: 'share of the flagged rows that are known anomalies',
  recall: 'share of the known anomalies that are flagged',
  threshold: 'anomaly score above which a record is flagged',
  averagePrecision: 'average precision of the anomaly score against the known labels',
  flaggedShare: 'share of the validation rows flagged as anomalies',
};

/** Evaluation numbers that count rows, windows or clusters: printed as integers. */
const COUNTS = new Set(['n', 'k', 'lookback', 'horizon', 'labelled', 'anomalies', 'flagged', 'thresholdRows', 'excludedFromTraining']);

/** Evaluation numbers that are sizes, counts or settings, not quality metrics: never a column. */
const NOT_METRICS = new Set([...COUNTS, 'thresholdQuantile']);

/** Largest number of metric columns in the runs table (what fits beside the fixed columns in a 1400-pixel window). */
export const MAX_METRIC_COLUMNS = 5;

/**
 * The task of a run, read off the names of its evaluation numbers (the template id is not enough:
 * a search run's task is that of the template it searched, and hand-written cells call the
 * trainers directly): `maeRatio`/`baselineMae` forecasting, `threshold` + `flaggedShare`
 * anomaly detection, `silhouette`/`inertia` clustering, `accuracy`/`macroF1`/`logLoss`
 * classification, `r2`/`rmse`/`mae` regression; `undefined` for a run without an evaluation
 * (failed, running) or an unknown one.
 */
export function runTask(run: Pick<RunSummary, 'metrics'>): RunTask | undefined {
  const has = (name: string): boolean => typeof run.metrics[name] === 'number';
  if (has('maeRatio') || has('baselineMae')) return 'forecasting';
  if (has('threshold') && has('flaggedShare')) return 'anomaly';
  if (has('silhouette') || has('inertia')) return 'clustering';
  if (has('accuracy') || has('macroF1') || has('logLoss') || has('balancedAccuracy')) return 'classification';
  if (has('r2') || has('rmse') || has('mae')) return 'regression';
  return undefined;
}

/**
 * The metric columns of the runs table, task-aware: the tasks of the listed runs ({@link runTask})
 * by number of runs (ties in {@link RUN_TASKS} order) share at most {@link MAX_METRIC_COLUMNS}
 * columns — the first headline metric ({@link TASK_METRICS}) of each task, then the second of
 * each, and so on, counting only metrics a run of that task has; a metric two tasks share (`mae`,
 * `rmse`, `rocAuc`) is one column. Columns are grouped by task, headline order within a task.
 * Runs of no known task add their other numbers (not counts) alphabetically, if there is room.
 */
export function metricColumns(runs: readonly RunSummary[]): string[] {
  const byTask = new Map<RunTask | undefined, RunSummary[]>();
  for (const r of runs) {
    const task = runTask(r);
    byTask.set(task, [...(byTask.get(task) ?? []), r]);
  }
  const tasks = RUN_TASKS.filter((t) => byTask.has(t)).sort((x, y) => (byTask.get(y)?.length ?? 0) - (byTask.get(x)?.length ?? 0));
  const candidates = tasks.map((t) => {
    const present = new Set((byTask.get(t) ?? []).flatMap((r) => Object.keys(r.metrics)));
    return TASK_METRICS[t].filter((m) => present.has(m));
  });
  const picked = new Set<string>();
  const groups: string[][] = tasks.map(() => []);
  for (let round = 0; picked.size < MAX_METRIC_COLUMNS && candidates.some((c) => c.length > round); round++) {
    candidates.forEach((c, i) => {
      const m = c[round];
      if (m !== undefined && !picked.has(m) && picked.size < MAX_METRIC_COLUMNS) {
        picked.add(m);
        groups[i]?.push(m);
      }
    });
  }
  const known = groups.flat();
  const others = [...new Set((byTask.get(undefined) ?? []).flatMap((r) => Object.keys(r.metrics)))].filter((m) => !NOT_METRICS.has(m) && !picked.has(m)).sort();
  return [...known, ...others].slice(0, MAX_METRIC_COLUMNS);
}

/**
 * The metric rows of a comparison in reading order: the headline metrics of the compared runs'
 * tasks ({@link TASK_METRICS}, most common task first), then the other evaluation numbers, then
 * the sizes and settings (`n`, `lookback`...), then the last per-epoch values (`last.*`); the
 * order within each part is kept.
 */
export function orderComparedMetrics<M extends { name: string }>(metrics: readonly M[], runs: readonly RunSummary[]): M[] {
  const counts = new Map<RunTask, number>();
  for (const r of runs) {
    const task = runTask(r);
    if (task) counts.set(task, (counts.get(task) ?? 0) + 1);
  }
  const tasks = RUN_TASKS.filter((t) => counts.has(t)).sort((x, y) => (counts.get(y) ?? 0) - (counts.get(x) ?? 0));
  const headline = [...new Set(tasks.flatMap((t) => TASK_METRICS[t]))];
  const rank = (name: string): number => {
    const i = headline.indexOf(name);
    if (i >= 0) return i;
    if (name.startsWith('last.')) return headline.length + 2;
    return headline.length + (NOT_METRICS.has(name) ? 1 : 0);
  };
  return metrics.map((m, index) => ({ m, index, rank: rank(m.name) })).sort((x, y) => x.rank - y.rank || x.index - y.index).map((x) => x.m);
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
 * A metric value for display: counts as integers (`292`), else 4 decimals for scores (`0.8390`,
 * and `0.0000` for a score of exactly 0 when `count` is false), 1 decimal from 1000 (`12345.7`),
 * exponent notation for extremes; `–` when missing.
 *
 * @param count - print an integer value as an integer; default: whenever the value is an integer
 */
export function formatMetric(value: number | null | undefined, count = value !== null && value !== undefined && Number.isInteger(value)): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (count && Number.isInteger(value)) return String(value);
  if (value === 0) return (0).toFixed(4);
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(3);
  return value.toFixed(abs >= 1000 ? 1 : 4);
}

/**
 * An evaluation number by its name: counts (`n`, `lookback`...) as integers, the metrics Stratum
 * knows ({@link METRIC_INFO}) always with decimals (an F1 of 0 prints `0.0000`, like the others),
 * unknown names as {@link formatMetric} does.
 */
export function formatNamedMetric(name: string, value: number | null | undefined): string {
  const base = baseMetric(name.replace(/^last\./, ''));
  if (COUNTS.has(base)) return formatMetric(value, true);
  if (base in METRIC_INFO) return formatMetric(value, false);
  return formatMetric(value);
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
export function baseMetric(name: string): string {
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
  const maxEpoch = Math.max(0, ...Object.values(cmp.curves).flatMap((byRun) => Object.values(byRun).flat().map((p) => p.epoch)));
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
          // One tick per epoch up to 10 epochs (Plotly's automatic ticks would put 1.5 at "2" and repeat labels).
          xaxis: { tickformat: 'd', automargin: true, ...(maxEpoch <= 10 ? { dtick: 1 } : {}) },
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
