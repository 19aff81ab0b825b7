/**
 * The workbench API contract: the one typed boundary between the UI (renderer/) and the engine
 * (core/). Declared once here and used by every transport:
 *
 * - browser mode: `POST /api/<method>` with a JSON body, events over a WebSocket (core/api/server.ts);
 * - Electron: `ipcRenderer.invoke('stratum:<method>', request)` through the preload's allow-list,
 *   events on the `stratum:event` channel (electron/);
 * - tests call the same methods directly on {@link ApiHandlers}.
 *
 * This file holds types and plain constants only (no Node, no imports with side effects), so the
 * renderer can import it. Requests are validated at every edge by core/api/validate.ts against the
 * JSON Schemas in core/api/schemas.ts (one schema per method, keyed like {@link ApiMethods}).
 *
 * Paths in requests are workspace-relative POSIX paths (`notebooks/a.stratum.json`); a path that
 * leaves the workspace folder is rejected with `REQUEST_INVALID`.
 */
import type { CellOutput, Notebook, TemplateRef, CellLanguage, CellType } from '../notebook/types.ts';
import type { SerializedError } from '../errors.ts';

export type { Cell, CellOutput, CellType, CellLanguage, Notebook, MimeBundle, TemplateRef, ErrorOutput, DisplayOutput, StreamOutput, ResultOutput } from '../notebook/types.ts';
export type { SerializedError, ErrorCode } from '../errors.ts';

/** Kind of a workspace entry, as shown in the file tree. */
export type FileKind = 'directory' | 'notebook' | 'data' | 'bundle' | 'other';

/** One entry of the workspace file tree. */
export interface FileEntry {
  /** Workspace-relative POSIX path, e.g. `data/weather.csv`. */
  path: string;
  /** Last path segment. */
  name: string;
  kind: FileKind;
  /** Size in bytes (files only). */
  size?: number;
  /** Children (directories only; bundles are not expanded). */
  children?: FileEntry[];
}

/** Facts about the open workspace. */
export interface WorkspaceInfo {
  /** Folder name (not the absolute path: the renderer does not need it). */
  name: string;
  /** Starter notebooks `workspace.createNotebook` accepts. */
  starters: StarterInfo[];
}

/** A starter notebook a new notebook can be created from. */
export interface StarterInfo {
  /** Stable id, e.g. `seattle-weather`, `blank`. */
  id: string;
  title: string;
  description: string;
}

/**
 * Opaque revision of a notebook file (a hash of its bytes). Saving with a `baseRevision` that no
 * longer matches the file fails with `SAVE_CONFLICT` instead of overwriting another window's save.
 */
export type Revision = string;

/** A notebook as read from disk. */
export interface NotebookFile {
  path: string;
  notebook: Notebook;
  revision: Revision;
}

/** A template as listed for the picker and the form renderer. */
export interface TemplateInfo {
  id: string;
  title: string;
  task: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the params: `title`, `description`, `default` per property. */
  paramsSchema: Record<string, unknown>;
}

/** The part of a cell the kernel needs: template cells are rendered to code on the engine side. */
export interface ExecuteCellRequest {
  id: string;
  type: Exclude<CellType, 'markdown'>;
  source: string;
  language?: CellLanguage;
  template?: TemplateRef;
}

/** Outcome of one cell run (outputs were also streamed as `cell-output` events). */
export interface ExecuteResponse {
  status: 'ok' | 'error' | 'interrupted';
  outputs: CellOutput[];
  /** Wall time of the execution (not queueing), ms. */
  durationMs: number;
  /** 1-based execution count in the kernel session; `null` when the cell never reached the kernel (template error). */
  executionCount: number | null;
  /** Top-level names the cell defines / free names it uses (for stale marking). */
  defines: string[];
  uses: string[];
}

/** State of a notebook's kernel. */
export type KernelState = 'starting' | 'idle' | 'busy' | 'restarting' | 'dead' | 'stopped';

/** State of one cell run. */
export type CellRunState = 'queued' | 'running' | 'done' | 'error' | 'interrupted';

/** Events pushed from the engine to every connected window. */
export type WorkbenchEvent =
  | { type: 'kernel-state'; path: string; state: KernelState; detail?: string }
  | { type: 'cell-state'; path: string; cellId: string; runId: string; state: CellRunState; executionCount?: number | null; durationMs?: number }
  | { type: 'cell-output'; path: string; cellId: string; runId: string; output: CellOutput }
  | { type: 'notebook-saved'; path: string; revision: Revision };

/** Lifecycle of a tracked training run. */
export type RunStatusName = 'running' | 'finished' | 'failed' | 'cancelled';

/**
 * A tracked training run as listed (the workspace's `.stratum/tracking.db`; docs/tracking.md).
 * Times are ISO 8601 UTC strings, durations milliseconds.
 */
export interface RunSummary {
  /** 12 lowercase hex characters. */
  id: string;
  experiment: string;
  status: RunStatusName;
  /** Template id, e.g. `tabular.mlp-classifier`. */
  templateId: string | null;
  /** Notebook that trained: `path` workspace-relative when inside the workspace (else as recorded), the cell, the notebook revision. */
  notebook: { path: string; cellId?: string; revision?: string } | null;
  /** What the run trained on: source, row count, SHA-256 of the records. */
  data: { source: string; rowCount: number; sha256: string } | null;
  backend: string | null;
  seed: number | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Every top-level number of the run's evaluation: `accuracy`, `macroF1`, `r2`, `rmse`, `silhouette`, `n` (test rows)... */
  metrics: Record<string, number>;
  /** Why the run failed or was cancelled. */
  error: { code: string; message: string } | null;
}

/** A file or folder a run produced (its model bundle, plots). */
export interface RunArtifactInfo {
  /** Unique within the run: `bundle` is the model logged at training time, `export:<dir>` a bundle the notebook exported. */
  name: string;
  kind: 'model' | 'plot' | 'bundle';
  /** Workspace-relative POSIX path when inside the workspace, else absolute. */
  path: string;
  sha256: string;
  bytes: number;
  createdAt: string;
}

/** One run in full (`runs.get`). */
export interface RunInfo extends RunSummary {
  /** Template/model params as training used them. */
  params: Record<string, unknown>;
  /** The evaluation report (JSON): metrics, confusion matrix, per-class report, `sizes`, `warnings`... */
  evaluation: Record<string, unknown> | null;
  /** Per-epoch metrics (`loss`, `accuracy`, `valLoss`, `valAccuracy`...), ordered by name then epoch; `value` null where it was NaN. */
  epochs: Array<{ name: string; epoch: number; value: number | null; stepMs: number | null }>;
  artifacts: RunArtifactInfo[];
  /** Model versions registered from this run. */
  versions: Array<{ model: string; version: number; aliases: string[] }>;
  /** Present for the run of a hyperparameter search (template `search.hyperparameters`): its outcome, refit run and trials. */
  search?: SearchRunInfo;
  /** Present for a trial run of a search: trials keep no model; the search's model is its refit run (null when there is none, or the search run is missing). */
  trialOf?: { trial: number; searchRunId: string | null; refitRunId: string | null };
}

/** A hyperparameter search as its run records it (`runs.get` of a search run). */
export interface SearchRunInfo {
  /** The `searchId` param shared by the search run and its trial runs. */
  searchId: string;
  /** Template whose params were searched. */
  templateId: string | null;
  /** `grid` or `random`. */
  strategy: string | null;
  /** Metric the trials are ranked by (`accuracy`, `r2`, `logLoss`...). */
  metric: string | null;
  /** `maximize` or `minimize` (null while running). */
  direction: string | null;
  folds: number | null;
  /** Names of the searched params, sorted (the columns of the trial table). */
  searched: string[];
  trials: number | null;
  failedTrials: number | null;
  /** `exhausted`, `trials` or `minutes`, and in words. */
  stopReason: string | null;
  stopDetail: string | null;
  bestTrial: number | null;
  bestParams: Record<string, unknown> | null;
  /** CV mean and std of the best trial's metric. */
  bestMean: number | null;
  bestStd: number | null;
  bestRunId: string | null;
  /** The run that refitted the best params (the search's model: register this run); null when the search did not refit. */
  refitRunId: string | null;
  /** E.g. a grid the budget stopped long before its end. */
  warnings: string[];
  /** Every trial, best first: finished by the metric's direction, then the rest by trial number; `params` = the searched params only. */
  trialRuns: Array<{ runId: string; trial: number; status: RunStatusName; params: Record<string, unknown>; mean: number | null; std: number | null; durationMs: number | null }>;
}

/** Runs side by side (`runs.compare`), in the order requested. */
export interface RunComparisonInfo {
  runs: RunSummary[];
  /** Params whose values differ (by canonical JSON), sorted by name; `values[i]` is `null` where `absent[i]`. */
  paramsDiff: Array<{ name: string; values: unknown[]; absent: boolean[] }>;
  /** Params equal in every run. */
  paramsSame: Record<string, unknown>;
  /**
   * One row per metric, one value per run (`null` where a run lacks it): evaluation numbers and the
   * last value of every per-epoch metric (`last.loss`); `better` when the direction is known.
   */
  metrics: Array<{ name: string; values: Array<number | null>; better?: 'higher' | 'lower' }>;
  /** Per-epoch metric -> run id -> points in epoch order, for overlaid curves. */
  curves: Record<string, Record<string, Array<{ epoch: number; value: number | null }>>>;
}

/** A version of a registered model. */
export interface ModelVersionInfo {
  model: string;
  /** 1, 2, 3... per model. */
  version: number;
  /** Run that trained it (null for a bundle registered without a run). */
  runId: string | null;
  /** Workspace-relative path of the registry's copy of the bundle (`.stratum/models/<name>/v<N>`). */
  bundlePath: string;
  /** SHA-256 of the bundle's `manifest.json`. */
  manifestSha256: string;
  description: string;
  createdAt: string;
  /** Aliases pointing at this version, sorted. */
  aliases: string[];
  /** `models.register` only: notes for the user, e.g. `v2 has the same model as v1 (same manifest checksum)`. */
  warnings?: string[];
}

/** A registered model with its versions (oldest first) and aliases (alias -> version number). */
export interface ModelInfo {
  name: string;
  description: string;
  createdAt: string;
  versions: ModelVersionInfo[];
  aliases: Record<string, number>;
}

/**
 * Every API method: name -> request and response shapes. The name is `<group>.<method>`; the HTTP
 * route is `POST /api/<name>` and the IPC channel `stratum:<name>`.
 */
export interface ApiMethods {
  /** Name of the workspace folder and the starters. */
  'workspace.info': { request: Record<string, never>; response: WorkspaceInfo };
  /** The file tree (hidden entries and `node_modules` skipped). */
  'workspace.listFiles': { request: Record<string, never>; response: FileEntry[] };
  /** Reads and validates a notebook. @throws `FILE_NOT_FOUND`, `NOTEBOOK_INVALID`, `REQUEST_INVALID` (path). */
  'workspace.readNotebook': { request: { path: string }; response: NotebookFile };
  /**
   * Saves atomically. `baseRevision` is the revision the edits started from (`null`: the file must
   * not exist yet). @throws `SAVE_CONFLICT` when the file changed since, `NOTEBOOK_INVALID`.
   */
  'workspace.saveNotebook': { request: { path: string; notebook: Notebook; baseRevision: Revision | null }; response: { revision: Revision } };
  /** Creates `path` from a starter (`blank` = empty notebook). @throws `SAVE_CONFLICT` when the file exists. */
  'workspace.createNotebook': { request: { path: string; starter: string }; response: NotebookFile };
  /**
   * Exports the saved notebook at `path` to Jupyter (nbformat 4.5) as `NAME.ipynb` beside it,
   * replacing an earlier export; returns the `.ipynb` path. @throws `FILE_NOT_FOUND`, `NOTEBOOK_INVALID`.
   */
  'workspace.exportIpynb': { request: { path: string }; response: { path: string } };
  /**
   * Imports the Jupyter notebook at `path` (`.ipynb`) as `out` (default `NAME.stratum.json` beside it)
   * and returns the notebook's path. An existing notebook is replaced only with `overwrite: true`.
   * @throws `SAVE_CONFLICT` when `out` exists, `NOTEBOOK_INVALID` naming the bad field (`cells[2].cell_type`), `FILE_NOT_FOUND`.
   */
  'workspace.importIpynb': { request: { path: string; out?: string; overwrite?: boolean }; response: { path: string } };
  /** Templates with their params schemas. */
  'templates.list': { request: Record<string, never>; response: TemplateInfo[] };
  /** The code a template cell stands for ("show code", "convert to code"). @throws `TEMPLATE_UNKNOWN`, `TEMPLATE_PARAMS`. */
  'templates.renderCode': { request: { id: string; params: Record<string, unknown> }; response: { code: string } };
  /**
   * Runs one cell in the notebook's kernel (started on first use, one per notebook). Outputs stream
   * as `cell-output` events tagged with `runId` (chosen by the caller); resolves when the cell finished.
   */
  'kernel.execute': { request: { path: string; runId: string; cell: ExecuteCellRequest }; response: ExecuteResponse };
  /** Stops the running cell of the notebook's kernel (queued ones are cancelled). */
  'kernel.interrupt': { request: { path: string }; response: { state: KernelState } };
  /** Restarts the notebook's kernel: all its state is cleared. */
  'kernel.restart': { request: { path: string }; response: { state: KernelState } };
  /** Stops the notebook's kernel (closing the notebook). */
  'kernel.shutdown': { request: { path: string }; response: { state: KernelState } };
  /** Kernel state of a notebook (`stopped` when none runs). */
  'kernel.status': { request: { path: string }; response: { state: KernelState } };
  /**
   * Tracked runs of the workspace, newest first (default at most 200). Filters: `experiment`,
   * `template` (id), `status`, `notebook` (workspace-relative path of the notebook that trained).
   * An empty list when nothing was trained yet.
   */
  'runs.list': { request: { experiment?: string; template?: string; status?: RunStatusName; notebook?: string; limit?: number }; response: RunSummary[] };
  /** One run: params, per-epoch metrics, evaluation, artifacts, versions registered from it. @throws `RUN_UNKNOWN` (404). */
  'runs.get': { request: { id: string }; response: RunInfo };
  /** 2-20 distinct runs side by side: params diff, metric table, curves. @throws `RUN_UNKNOWN` (404) naming the id, `USAGE` for a repeated id. */
  'runs.compare': { request: { ids: string[] }; response: RunComparisonInfo };
  /** Registered models with their versions and aliases, by name. */
  'models.list': { request: Record<string, never>; response: ModelInfo[] };
  /**
   * Registers the model a run logged (its `bundle` artifact) as the next version of model `name`
   * (created if new), pointing `aliases` at it. For a search run, its refit run's model is
   * registered and the version's `runId` is the refit run. @throws `RUN_UNKNOWN` (404), `USAGE`
   * when the run has no model (a trial, a search without a refit, a run that logged none: the
   * message says what to register instead).
   */
  'models.register': { request: { runId: string; name: string; aliases?: string[]; description?: string }; response: ModelVersionInfo };
  /**
   * Points an alias at a version (a number, `v3`, or another alias), atomically; returns that version.
   * @throws `MODEL_UNKNOWN`, `MODEL_VERSION_UNKNOWN`, `ALIAS_UNKNOWN` (404).
   */
  'models.setAlias': { request: { name: string; alias: string; version: number | string }; response: ModelVersionInfo };
}

/** Name of an API method. */
export type ApiMethod = keyof ApiMethods;

/** Request type of method `M`. */
export type ApiRequest<M extends ApiMethod> = ApiMethods[M]['request'];

/** Response type of method `M`. */
export type ApiResponse<M extends ApiMethod> = ApiMethods[M]['response'];

/** Every method name, for allow-lists (preload) and routing (server). Kept equal to `keyof ApiMethods` by a type check below. */
export const API_METHODS = [
  'workspace.info',
  'workspace.listFiles',
  'workspace.readNotebook',
  'workspace.saveNotebook',
  'workspace.createNotebook',
  'workspace.exportIpynb',
  'workspace.importIpynb',
  'templates.list',
  'templates.renderCode',
  'kernel.execute',
  'kernel.interrupt',
  'kernel.restart',
  'kernel.shutdown',
  'kernel.status',
  'runs.list',
  'runs.get',
  'runs.compare',
  'models.list',
  'models.register',
  'models.setAlias',
] as const satisfies readonly ApiMethod[];

// Compile-time check that API_METHODS lists every method of ApiMethods.
type MissingMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const _allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void _allMethodsListed;

/** Engine-side implementation of every method (requests already validated). */
export type ApiHandlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

type Group<G extends string> = {
  [M in ApiMethod as M extends `${G}.${infer Name}` ? Name : never]: (request: ApiRequest<M>) => Promise<ApiResponse<M>>;
};

/**
 * The API as the renderer sees it: methods grouped by area, plus an event subscription. Errors
 * reject with an {@link ApiError}-shaped value carrying the engine's {@link SerializedError}.
 */
export interface WorkbenchApi {
  workspace: Group<'workspace'>;
  templates: Group<'templates'>;
  kernel: Group<'kernel'>;
  runs: Group<'runs'>;
  models: Group<'models'>;
  events: {
    /** Calls `listener` for every engine event; returns the unsubscribe function. */
    subscribe(listener: (event: WorkbenchEvent) => void): () => void;
  };
}

/**
 * Result envelope of a call across IPC: Electron does not carry an error's fields across
 * `ipcRenderer.invoke`, so errors are serialized explicitly (as VS Code does) instead of thrown.
 */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

type BridgeGroup<G extends string> = {
  [M in ApiMethod as M extends `${G}.${infer Name}` ? Name : never]: (request: ApiRequest<M>) => Promise<ApiResult<ApiResponse<M>>>;
};

/**
 * What the Electron preload exposes as `window.stratum`: the {@link WorkbenchApi} grouped the same
 * way, each method resolving to an {@link ApiResult} envelope (the renderer unwraps it).
 */
export interface WorkbenchBridge {
  workspace: BridgeGroup<'workspace'>;
  templates: BridgeGroup<'templates'>;
  kernel: BridgeGroup<'kernel'>;
  runs: BridgeGroup<'runs'>;
  models: BridgeGroup<'models'>;
  events: WorkbenchApi['events'];
}

/** Body of an HTTP error response. */
export interface ApiErrorBody {
  error: SerializedError;
}

/** IPC channel prefix (`stratum:<method>`) and the event channel, shared by preload and main. */
export const IPC_PREFIX = 'stratum:';
/** IPC channel of {@link WorkbenchEvent}s (main -> renderer). */
export const IPC_EVENT_CHANNEL = 'stratum:event';
/** HTTP header carrying the session token (browser mode). */
export const TOKEN_HEADER = 'x-stratum-token';
/** Largest request body accepted, bytes (a notebook with outputs). */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
