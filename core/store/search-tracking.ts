/**
 * Tracked hyperparameter searches: {@link searchAndTrack} runs `hyperparameterSearch`
 * (core/ml/search.ts) and records it in the tracking store, with no schema change:
 *
 * - the search itself is a run with template id {@link SEARCH_TEMPLATE_ID}, created `running` when
 *   the search starts (after its options are validated; data: all the records) (params: template,
 *   strategy, space, budget, folds, metric, seed, base params; evaluation: the best trial's score,
 *   why it stopped, the best and refit run ids, and `warnings` such as a grid cut short by the
 *   budget); search-runs.ts reads it back;
 * - each trial is a run of the searched template, params = the trainer's params plus `searchId`
 *   and `trial` (its number), per-fold metrics logged as steps (`fold.accuracy`... at epoch =
 *   fold), evaluation = the cross-validated means (`accuracy`...), the search metric's std
 *   (`accuracyStd`) and the fold scores; a failed trial is a `failed` run with its error; its data
 *   fingerprint is of the rows it cross-validated (the template's training split, not the
 *   held-out rows); its start and end are the trial's own: with worker threads trials run side by
 *   side and their runs are written when reported (in trial order, by this process alone), with
 *   the times the trial really started and ended;
 * - the refit of the best params is an ordinary tracked training run of the template (held-out
 *   evaluation, per-epoch metrics, the model logged as its `bundle` artifact), so
 *   `stratum models register NAME --run <refit run id>` registers it.
 *
 * All of them share one experiment, by default `search-<searchId>` (so `stratum runs --experiment
 * search-<searchId>` lists exactly the search), or the caller's. A cancelled or failed search marks
 * the trial in progress and the search run `cancelled` (kernel interrupt) or `failed`; finished
 * trials stay recorded.
 */
import { DEFAULT_FOLDS, resolveMetric, templateTrainer, type TabularTrainer } from '../ml/cv.ts';
import type { TrainedModel } from '../ml/model.ts';
import type { MlpClassifierParams } from '../ml/mlp.ts';
import { hyperparameterSearch, type HyperparameterSearchOptions, type SearchResult, type SearchTrial } from '../ml/search.ts';
import type { FeatureRecord } from '../ml/types.ts';
import { initBackend } from '../tf/backend.ts';
import { fingerprintRecords } from './fingerprint.ts';
import { newRunId } from './ids.ts';
import type { TrackingStore } from './store.ts';
import { MLP_TEMPLATE_ID, recordFailure, trainAndTrack, trainModelAndTrack, type TrackContext } from './tracker.ts';
import type { RunId } from './types.ts';
import { SEARCH_TEMPLATE_ID } from './search-runs.ts';

export { SEARCH_TEMPLATE_ID } from './search-runs.ts';

/** A JSON copy (the store keeps JSON; `undefined` fields are dropped). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function trialEvaluation(trial: SearchTrial, metric: string, folds: number): Record<string, unknown> {
  const means = Object.fromEntries(Object.entries(trial.metrics).map(([name, s]) => [name, s.mean]));
  return {
    ...means,
    [`${metric}Std`]: trial.std,
    crossValidation: { metric, folds, mean: trial.mean, std: trial.std, foldScores: trial.foldScores, stds: Object.fromEntries(Object.entries(trial.metrics).map(([name, s]) => [name, s.std])) },
  };
}

/**
 * Runs a hyperparameter search and records it in `store` (see the module doc for what is recorded).
 *
 * @param store - open tracking store (owned by the caller)
 * @param options - the search (see `hyperparameterSearch`); `refitTrainer` is replaced by the tracked refit
 * @param context - notebook, data source, experiment (default `search-<searchId>`)
 * @returns the search result, with `searchId`, `searchRunId`, `experiment`, `refitRunId` and each trial's `runId`
 * @throws whatever the search throws, after recording the open trial and the search run as
 *   `cancelled` (`KERNEL_INTERRUPTED`) or `failed`; a search rejected before its first trial (bad
 *   space, params...) records nothing
 * @example
 * ```ts
 * const result = await searchAndTrack(store, { templateId: 'tabular.decision-tree', records, baseParams, space: { maxDepth: [2, 4] }, strategy: 'grid', folds: 3 }, { dataSource: 'penguins.json' });
 * console.log(result.refitRunId); // stratum models register penguins --run <id>
 * ```
 */
export async function searchAndTrack(store: TrackingStore, options: HyperparameterSearchOptions, context: TrackContext = {}): Promise<SearchResult> {
  const searchId = newRunId() as string;
  const experiment = context.experiment ?? `search-${searchId}`;
  const entry = options.templateId === undefined ? undefined : templateTrainer(options.templateId);
  const templateId = options.templateId ?? context.templateId ?? 'custom';
  const task = options.task ?? entry?.task;
  // Resolved here (as the search would) so that each trial's run names its metric and fold count.
  const metric = resolveMetric(options.metric, task === 'regression' ? 'regression' : 'classification');
  const folds = options.folds ?? DEFAULT_FOLDS;
  const backend = entry?.backend === 'js' ? 'js' : (await initBackend()).name;
  const records = options.records;
  let data: ReturnType<typeof fingerprintRecords> | undefined;
  const fingerprint = (): ReturnType<typeof fingerprintRecords> => (data ??= fingerprintRecords(Array.isArray(records) ? records : [], context.dataSource ?? 'records'));
  // What each trial cross-validated (the template's training side), known once the search starts.
  let trialData: ReturnType<typeof fingerprintRecords> | undefined;
  const common = { experiment, ...(context.notebook ? { notebook: context.notebook } : {}), backend };
  let searchRun: RunId | undefined;
  let open: RunId | undefined;
  const runIds = new Map<number, RunId>();
  const openSearchRun = (): RunId => {
    searchRun ??= store.runs.create({
      ...common,
      templateId: SEARCH_TEMPLATE_ID,
      params: jsonCopy({ searchId, templateId, strategy: options.strategy, space: options.space, budget: options.budget ?? {}, folds, metric, seed: options.seed, baseParams: options.baseParams }),
      data: fingerprint(),
      ...(typeof options.seed === 'number' ? { seed: options.seed } : {}),
    }).id;
    return searchRun;
  };
  const refitTrainer: TabularTrainer = async (recs, params, hooks) => {
    const track = { ...context, ...common, templateId, hooks: hooks ?? {} };
    if (templateId === MLP_TEMPLATE_ID && !options.train) {
      const { run, trained } = await trainAndTrack(store, recs, params as unknown as MlpClassifierParams, track);
      refitRunId = run.id;
      return trained;
    }
    const raw = options.train ?? (await (entry as { load(): Promise<TabularTrainer> }).load());
    const { run, trained } = await trainModelAndTrack(store, recs, params, raw as (r: FeatureRecord[], p: Record<string, unknown>, h?: typeof hooks) => Promise<TrainedModel>, track);
    refitRunId = run.id;
    return trained;
  };
  let refitRunId: RunId | undefined;
  let result: SearchResult;
  try {
    result = await hyperparameterSearch({
      ...options,
      metric,
      folds,
      refitTrainer,
      onSearchStart: (info) => {
        // The search run exists (running) from here; trials with workers are recorded as they are reported.
        openSearchRun();
        trialData = fingerprintRecords(info.searchRecords, context.dataSource ?? 'records');
        options.onSearchStart?.(info);
      },
      onTrialStart: (info) => {
        openSearchRun();
        open = store.runs.create({
          ...common,
          templateId,
          params: jsonCopy({ ...info.trainParams, searchId, trial: info.index }),
          data: trialData ?? fingerprint(),
          startedAt: new Date(info.startedAt),
          ...(typeof info.trainParams.seed === 'number' ? { seed: info.trainParams.seed } : {}),
        }).id;
        runIds.set(info.index, open);
        options.onTrialStart?.(info);
      },
      onFold: (info) => {
        if (open) store.runs.logEpoch(open, { epoch: info.fold.fold, values: Object.fromEntries(Object.entries(info.fold.metrics).map(([k, v]) => [`fold.${k}`, v ?? Number.NaN])), stepMs: info.fold.trainMs });
        options.onFold?.(info);
      },
      onTrial: (trial, progress) => {
        const id = runIds.get(trial.index);
        if (id) {
          const endedAt = trial.endedAt === undefined ? {} : { endedAt: new Date(trial.endedAt) };
          if (trial.status === 'finished') store.runs.finish(id, { evaluation: jsonCopy(trialEvaluation(trial, metric, folds)), ...endedAt });
          else store.runs.finish(id, { status: 'failed', ...(trial.error ? { error: trial.error } : {}), ...endedAt });
          trial.runId = id;
        }
        open = undefined;
        options.onTrial?.(trial, progress);
      },
    });
  } catch (error) {
    if (open) recordFailure(store, open, error);
    if (searchRun) recordFailure(store, searchRun, error);
    throw error;
  }
  const bestRunId = runIds.get(result.best.trial);
  if (bestRunId) result.best.runId = bestRunId;
  const failed = result.trials.filter((t) => t.status === 'failed').length;
  store.runs.finish(openSearchRun(), {
    evaluation: jsonCopy({
      [result.metric]: result.best.mean,
      [`${result.metric}Std`]: result.best.std,
      search: {
        strategy: result.strategy, metric: result.metric, direction: result.direction, folds: result.folds, trials: result.trials.length, failedTrials: failed,
        stopReason: result.stopReason, stopDetail: result.stopDetail, bestTrial: result.best.trial, bestParams: result.best.params, bestRunId, refitRunId, rows: result.rows,
      },
      ...(result.warnings?.length ? { warnings: result.warnings } : {}),
    }),
  });
  return { ...result, searchId, searchRunId: searchRun, experiment, ...(refitRunId ? { refitRunId } : {}) };
}
