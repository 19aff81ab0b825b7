/**
 * Side-by-side comparison of runs: which params differ, a metric table, and per-epoch curves to
 * overlay. A pure computation over {@link RunDetail}s (no database), shared by
 * `RunStore.compare` — hence `stratum runs compare` — and the workbench API's `runs.compare`.
 */
import { StratumError } from '../errors.ts';
import { canonicalJson } from './fingerprint.ts';
import type { MetricDirection, ParamDiff, RunComparison, RunDetail } from './types.ts';

/**
 * Which way is better for the metrics Stratum records, by name (a `last.` prefix is ignored).
 * Scores follow scikit-learn's convention that higher is better (accuracy, balanced accuracy, F1,
 * precision, recall, ROC AUC, average precision, R², silhouette: https://scikit-learn.org/1.2/modules/model_evaluation.html); losses and
 * errors (log loss, MAE, RMSE, MSE, MAPE, k-means inertia, training loss) are better lower.
 */
const DIRECTIONS: Readonly<Record<string, MetricDirection>> = {
  accuracy: 'higher',
  valAccuracy: 'higher',
  balancedAccuracy: 'higher',
  macroF1: 'higher',
  weightedF1: 'higher',
  microF1: 'higher',
  rocAuc: 'higher',
  r2: 'higher',
  silhouette: 'higher',
  loss: 'lower',
  valLoss: 'lower',
  logLoss: 'lower',
  mae: 'lower',
  rmse: 'lower',
  mse: 'lower',
  mape: 'lower',
  inertia: 'lower',
  // Forecasting (core/ml/forecast.ts): model MAE / naive last-value MAE, and 1 - that ratio.
  maeRatio: 'lower',
  skill: 'higher',
  // Anomaly detection against known labels (core/ml/anomaly.ts): scikit-learn scores, higher is better.
  precision: 'higher',
  recall: 'higher',
  f1: 'higher',
  averagePrecision: 'higher',
};

/**
 * Which way is better for a metric, or `undefined` when Stratum does not know the metric (then no
 * value is marked best).
 *
 * @param name - metric name as in a comparison's table, e.g. `accuracy`, `last.valLoss`
 * @example
 * ```ts
 * metricDirection('last.loss'); // 'lower'
 * ```
 */
export function metricDirection(name: string): MetricDirection | undefined {
  return DIRECTIONS[name.startsWith('last.') ? name.slice('last.'.length) : name];
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Compares runs side by side, in the order given.
 *
 * - **params**: a parameter differs when its canonical JSON (`canonicalJson`: key order ignored)
 *   differs between any two runs, or it is absent from some; the others are listed once as equal.
 * - **metrics**: one row per name, one value per run (`null` where a run lacks it): every
 *   top-level number of the run's `evaluation` (`accuracy`, `macroF1`, `r2`, `n`...) and the last
 *   logged value of every per-epoch metric as `last.NAME`; rows sorted by name.
 * - **curves**: per-epoch metric -> run id -> points in epoch order.
 * - **directions**: for the metric rows with a known direction ({@link metricDirection}).
 *
 * @param runs - two or more distinct runs with their metrics (from `RunStore.get`)
 * @throws StratumError `USAGE` for fewer than 2 runs or a run given twice
 * @example
 * ```ts
 * const cmp = compareRuns([store.runs.get(a), store.runs.get(b)]);
 * cmp.paramsDiff; // [{ name: 'learningRate', values: [0.01, 0.1] }]
 * ```
 */
export function compareRuns(runs: readonly RunDetail[]): RunComparison {
  if (runs.length < 2) throw new StratumError('USAGE', `compare needs at least 2 run ids, got ${runs.length}`, { detail: { field: 'runIds' } });
  const seen = new Set<string>();
  for (const r of runs) {
    if (seen.has(r.id)) throw new StratumError('USAGE', `run ${r.id} is listed twice; compare distinct runs`, { detail: { field: 'runIds', runId: r.id } });
    seen.add(r.id);
  }
  const names = [...new Set(runs.flatMap((d) => Object.keys(d.params)))].sort();
  const paramsDiff: ParamDiff[] = [];
  const paramsSame: Record<string, unknown> = {};
  for (const name of names) {
    const values = runs.map((d) => d.params[name]);
    const keys = new Set(values.map((v) => (v === undefined ? '\u0000absent' : canonicalJson(v))));
    if (keys.size === 1) paramsSame[name] = values[0];
    else paramsDiff.push({ name, values });
  }
  const table = new Map<string, Array<number | null>>();
  const put = (name: string, i: number, value: number | null): void => {
    const row = table.get(name) ?? runs.map((): number | null => null);
    row[i] = value;
    table.set(name, row);
  };
  const curves: RunComparison['curves'] = {};
  runs.forEach((d, i) => {
    for (const [k, v] of Object.entries(d.evaluation ?? {})) if (typeof v === 'number') put(k, i, v);
    const mine = new Map<string, Array<{ epoch: number; value: number | null }>>();
    for (const m of [...d.metrics].sort((a, b) => a.epoch - b.epoch)) {
      const points = mine.get(m.name) ?? [];
      points.push({ epoch: m.epoch, value: m.value });
      mine.set(m.name, points);
    }
    for (const [name, points] of mine) {
      (curves[name] ??= {})[d.id] = points;
      put(`last.${name}`, i, points[points.length - 1].value);
    }
  });
  const metrics = [...table.entries()].map(([name, values]) => ({ name, values })).sort(byName);
  const directions: Record<string, MetricDirection> = {};
  for (const { name } of metrics) {
    const direction = metricDirection(name);
    if (direction) directions[name] = direction;
  }
  return { runs: runs.map(({ metrics: _m, artifacts: _a, ...run }) => run), paramsDiff, paramsSame, metrics, curves, directions };
}
