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
