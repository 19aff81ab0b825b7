/**
 * The runs and registered models of a workspace, for the workbench API (`runs.*`, `models.*`):
 * reads and writes the workspace's tracking store (`<root>/.stratum/tracking.db`, where the
 * workbench's kernels record their runs; core/store, docs/tracking.md) and converts its records to
 * the contract's plain shapes, with paths made workspace-relative.
 *
 * The store is opened on the first call that finds the database file (nothing is created by
 * merely looking: before the first training, lists are empty) and kept open until
 * {@link TrackingApi.dispose}. Reads see a consistent snapshot while a kernel writes (WAL).
 */
import path from 'node:path';
import { isStratumError, StratumError } from '../errors.ts';
import { findSearchRun, refitRunOf, searchRunSummary, trialOf } from '../store/search-runs.ts';
import { openTrackingStore, type TrackingStore } from '../store/store.ts';
import type { ModelVersion, RegisteredModel, Run, RunComparison, RunDetail } from '../store/types.ts';
import type { ApiHandlers, ModelInfo, ModelVersionInfo, RunComparisonInfo, RunInfo, RunSummary } from '../api/contract.ts';
import { isInside, resolveInside } from './paths.ts';

/** The API methods {@link trackingApi} implements. */
export type TrackingMethod = 'runs.list' | 'runs.get' | 'runs.compare' | 'models.list' | 'models.register' | 'models.setAlias';

/** Handlers of the tracking methods and the store they hold. */
export interface TrackingApi {
  /** Implementations of {@link TrackingMethod}s (requests already validated by core/api/validate.ts). */
  readonly handlers: Pick<ApiHandlers, TrackingMethod>;
  /** Closes the store if it was opened. Safe to call twice. */
  dispose(): void;
}

/** Default `runs.list` limit (the schema allows up to 1000). */
const DEFAULT_LIMIT = 200;

/** Every top-level number of an evaluation report (the headline metrics). */
export function headlineMetrics(evaluation: Record<string, unknown> | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(evaluation ?? {})) if (typeof value === 'number') out[name] = value;
  return out;
}

/**
 * Serves the tracking store of the workspace at `root`.
 *
 * @param root - the workspace folder, already `realpath`-resolved (as core/workspace/workspace.ts holds it)
 * @example
 * ```ts
 * const tracking = trackingApi('/home/ada/project');
 * const runs = await tracking.handlers['runs.list']({ limit: 10 });
 * tracking.dispose();
 * ```
 */
export function trackingApi(root: string): TrackingApi {
  let store: TrackingStore | undefined;
  let disposed = false;

  /** The open store, or `undefined` when no run was ever recorded in this workspace. */
  const existing = (): TrackingStore | undefined => {
    if (store || disposed) return store;
    try {
      store = openTrackingStore({ workspace: root, mustExist: true });
    } catch (error) {
      if (isStratumError(error, 'FILE_NOT_FOUND')) return undefined;
      throw error;
    }
    return store;
  };
  /** The store; without one, nothing can be found: `code` names what (`RUN_UNKNOWN`, `MODEL_UNKNOWN`). */
  const required = (code: 'RUN_UNKNOWN' | 'MODEL_UNKNOWN', what: string): TrackingStore => {
    const open = existing();
    if (open) return open;
    throw new StratumError(code, `unknown ${what}: no run was recorded in this workspace yet`, {
      detail: { field: code === 'RUN_UNKNOWN' ? 'runId' : 'name' },
      hint: 'Train a model in a notebook of this workspace first (template cells record their runs).',
    });
  };

  const shown = (file: string): string => (isInside(root, file) ? path.relative(root, file).split(path.sep).join('/') : file);

  const summary = (run: Run): RunSummary => ({
    id: run.id,
    experiment: run.experiment,
    status: run.status,
    templateId: run.templateId,
    notebook: run.notebook ? { ...run.notebook, path: shown(run.notebook.path) } : null,
    data: run.data,
    backend: run.backend,
    seed: run.seed,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.durationMs,
    metrics: headlineMetrics(run.evaluation),
    error: run.error,
  });

  const version = (v: ModelVersion): ModelVersionInfo => ({
    model: v.model,
    version: v.version,
    runId: v.runId,
    bundlePath: shown(v.bundlePath),
    manifestSha256: v.manifestSha256,
    description: v.description,
    createdAt: v.createdAt,
    aliases: [...v.aliases],
  });

  const model = (m: RegisteredModel): ModelInfo => ({ name: m.name, description: m.description, createdAt: m.createdAt, versions: m.versions.map(version), aliases: { ...m.aliases } });

  const info = (run: RunDetail, models: RegisteredModel[]): RunInfo => ({
    ...summary(run),
    params: run.params,
    evaluation: run.evaluation,
    epochs: run.metrics.map((m) => ({ name: m.name, epoch: m.epoch, value: m.value, stepMs: m.stepMs })),
    artifacts: run.artifacts.map((a) => ({ ...a, path: shown(a.path) })),
    versions: models.flatMap((m) => m.versions.filter((v) => v.runId === run.id).map((v) => ({ model: v.model, version: v.version, aliases: [...v.aliases] }))),
    ...searchExtras(run),
  });

  /** The search summary of a search run, or which search a trial run belongs to (core/store/search-runs.ts). */
  const searchExtras = (run: RunDetail): Pick<RunInfo, 'search' | 'trialOf'> => {
    const open = existing();
    if (!open) return {};
    const search = searchRunSummary(open.runs, run);
    if (search) return { search: { ...search, trialRuns: search.trialRuns.map((t) => ({ ...t })) } };
    const trial = trialOf(run);
    if (!trial) return {};
    const searchRun = findSearchRun(open.runs, trial.searchId);
    return { trialOf: { trial: trial.trial, searchRunId: searchRun?.id ?? null, refitRunId: searchRun ? refitRunOf(searchRun) : null } };
  };

  const comparison = (cmp: RunComparison): RunComparisonInfo => ({
    runs: cmp.runs.map(summary),
    paramsDiff: cmp.paramsDiff.map((d) => ({ name: d.name, values: d.values.map((v) => (v === undefined ? null : v)), absent: d.values.map((v) => v === undefined) })),
    paramsSame: cmp.paramsSame,
    metrics: cmp.metrics.map((m) => ({ ...m, ...(cmp.directions[m.name] ? { better: cmp.directions[m.name] } : {}) })),
    curves: cmp.curves,
  });

  const handlers: Pick<ApiHandlers, TrackingMethod> = {
    'runs.list': async ({ experiment, template, status, notebook, limit }) => {
      const notebookPath = notebook === undefined ? undefined : await resolveInside(root, notebook);
      const open = existing();
      if (!open) return [];
      return open.runs.list({ experiment, templateId: template, status, notebookPath, limit: limit ?? DEFAULT_LIMIT }).map(summary);
    },
    'runs.get': async ({ id }) => {
      const open = required('RUN_UNKNOWN', `run ${JSON.stringify(id)}`);
      return info(open.runs.get(id), open.models.listModels());
    },
    'runs.compare': async ({ ids }) => comparison(required('RUN_UNKNOWN', `run ${JSON.stringify(ids[0])}`).runs.compare(ids)),
    'models.list': async () => existing()?.models.listModels().map(model) ?? [],
    'models.register': async ({ runId, name, aliases, description }) => {
      const v = required('RUN_UNKNOWN', `run ${JSON.stringify(runId)}`).models.registerVersion({ model: name, runId, ...(aliases ? { aliases } : {}), ...(description ? { description } : {}) });
      // Registering the same run twice is allowed; the warning says the new version holds the same model.
      return { ...version(v), ...(v.warnings.length > 0 ? { warnings: v.warnings } : {}) };
    },
    'models.setAlias': async ({ name, alias, version: ref }) => version(required('MODEL_UNKNOWN', `model ${JSON.stringify(name)}`).models.setAlias(name, alias, ref)),
  };

  return {
    handlers,
    dispose() {
      disposed = true;
      store?.dispose();
      store = undefined;
    },
  };
}
