/**
 * Reading tracked hyperparameter searches back from the store (written by search-tracking.ts):
 * which run is a search, which is one of its trials, and a search's summary with its trial table,
 * for `stratum runs show`, the workbench's `runs.get` and the registry's messages.
 *
 * Light on purpose (no core/ml import): the CLI and the workbench API read searches without
 * loading the trainers.
 */
import type { RunStore } from './runs.ts';
import type { Run } from './types.ts';

/** Template id recorded for the run of a search itself (the id of the `search.hyperparameters` template cell). */
export const SEARCH_TEMPLATE_ID = 'search.hyperparameters';

/** One trial of a tracked search, as its run records it. */
export interface SearchTrialRow {
  /** Id of the trial's run. */
  runId: string;
  /** 1-based trial number. */
  trial: number;
  status: Run['status'];
  /** The searched params of the trial (the search space's names only). */
  params: Record<string, unknown>;
  /** Cross-validated mean of the search metric; null when failed or not finished. */
  mean: number | null;
  /** Its population standard deviation over the folds. */
  std: number | null;
  /** Wall-clock duration of the trial, ms (null while running). */
  durationMs: number | null;
}

/** A tracked search as stored: its settings, outcome and trials (best first). */
export interface SearchRunSummary {
  /** The search's id (the `searchId` param of the search run and of each trial run). */
  searchId: string;
  /** Template whose params were searched. */
  templateId: string | null;
  strategy: string | null;
  /** Metric the trials are ranked by, e.g. `accuracy`. */
  metric: string | null;
  /** `maximize` or `minimize`; null while the search runs. */
  direction: string | null;
  folds: number | null;
  /** Names of the searched params (keys of the space), sorted. */
  searched: string[];
  /** Trials recorded by the search run's evaluation (null while it runs). */
  trials: number | null;
  failedTrials: number | null;
  /** `exhausted`, `trials` or `minutes`; null while running or when it did not finish. */
  stopReason: string | null;
  /** Why it stopped, in words. */
  stopDetail: string | null;
  bestTrial: number | null;
  bestParams: Record<string, unknown> | null;
  /** CV mean and std of the best trial. */
  bestMean: number | null;
  bestStd: number | null;
  /** Run of the best trial. */
  bestRunId: string | null;
  /**
   * Run of the refit of the best params (an ordinary training run with a logged model): the run
   * to register (`stratum models register NAME --run <refitRunId>`). Null when the search did not
   * refit (`refit: false`, cancelled, failed, still running).
   */
  refitRunId: string | null;
  /** Warnings of the search (e.g. a grid much larger than the trials budget). */
  warnings: string[];
  /** Every trial run, best first (finished by the metric's direction, then the others by trial number). */
  trialRuns: SearchTrialRow[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const numOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Whether `run` is the run of a hyperparameter search itself. */
export function isSearchRun(run: Pick<Run, 'templateId'>): boolean {
  return run.templateId === SEARCH_TEMPLATE_ID;
}

/** The search and trial number of a trial run (params `searchId` and `trial`), or undefined for any other run. */
export function trialOf(run: Pick<Run, 'templateId' | 'params'>): { searchId: string; trial: number } | undefined {
  const { searchId, trial } = run.params;
  if (isSearchRun(run) || typeof searchId !== 'string' || typeof trial !== 'number' || !Number.isInteger(trial)) return undefined;
  return { searchId, trial };
}

/** The refit run a finished search run records (`evaluation.search.refitRunId`), or null. */
export function refitRunOf(searchRun: Run): string | null {
  const search = searchRun.evaluation?.search;
  return isObject(search) ? str(search.refitRunId) : null;
}

/** The run of search `searchId`, if it is in the store. */
export function findSearchRun(runs: RunStore, searchId: string): Run | undefined {
  return runs.list({ templateId: SEARCH_TEMPLATE_ID, params: { searchId }, limit: 1 })[0];
}

/**
 * The summary of a search run: its settings (params), outcome (`evaluation.search`) and trial
 * runs (the runs with its `searchId` and a `trial` number), best first.
 *
 * @returns undefined when `run` is not a search run
 */
export function searchRunSummary(runs: RunStore, run: Run): SearchRunSummary | undefined {
  if (!isSearchRun(run)) return undefined;
  const p = run.params;
  const searchId = str(p.searchId) ?? '';
  const s = isObject(run.evaluation?.search) ? run.evaluation.search : {};
  const metric = str(s.metric) ?? str(p.metric);
  const direction = str(s.direction);
  const searched = isObject(p.space) ? Object.keys(p.space).sort() : [];
  const trialRuns: SearchTrialRow[] = [];
  if (searchId !== '') {
    for (const t of runs.list({ params: { searchId }, order: 'oldest', limit: 1_000_000 })) {
      const of = trialOf(t);
      if (!of) continue;
      const e = t.evaluation ?? {};
      trialRuns.push({
        runId: t.id,
        trial: of.trial,
        status: t.status,
        params: Object.fromEntries(searched.filter((n) => Object.hasOwn(t.params, n)).map((n) => [n, t.params[n]])),
        mean: metric === null ? null : numOrNull(e[metric]),
        std: metric === null ? null : numOrNull(e[`${metric}Std`]),
        durationMs: t.durationMs,
      });
    }
  }
  const sign = direction === 'minimize' ? 1 : -1;
  trialRuns.sort((a, b) => {
    if (a.mean !== null && b.mean !== null) return a.mean === b.mean ? a.trial - b.trial : sign * (a.mean - b.mean);
    if (a.mean !== null || b.mean !== null) return a.mean === null ? 1 : -1;
    return a.trial - b.trial;
  });
  return {
    searchId,
    templateId: str(p.templateId),
    strategy: str(s.strategy) ?? str(p.strategy),
    metric,
    direction,
    folds: numOrNull(s.folds) ?? numOrNull(p.folds),
    searched,
    trials: numOrNull(s.trials),
    failedTrials: numOrNull(s.failedTrials),
    stopReason: str(s.stopReason),
    stopDetail: str(s.stopDetail),
    bestTrial: numOrNull(s.bestTrial),
    bestParams: isObject(s.bestParams) ? s.bestParams : null,
    bestMean: metric === null ? null : numOrNull(run.evaluation?.[metric]),
    bestStd: metric === null ? null : numOrNull(run.evaluation?.[`${metric}Std`]),
    bestRunId: str(s.bestRunId),
    refitRunId: refitRunOf(run),
    warnings: Array.isArray(run.evaluation?.warnings) ? run.evaluation.warnings.filter((w): w is string => typeof w === 'string') : [],
    trialRuns,
  };
}
