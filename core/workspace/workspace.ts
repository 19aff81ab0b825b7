/**
 * An open workspace: a folder of notebooks, data files and bundles, and the engine side of the
 * {@link WorkbenchApi} for it ({@link Workspace.handlers}). Browser mode (core/api/server.ts) and
 * Electron (electron/main.ts) both serve these handlers; they differ only in transport.
 *
 * Saves are atomic and guarded by a revision (a hash of the file's bytes): a save whose
 * `baseRevision` no longer matches the file fails with `SAVE_CONFLICT`, so two windows editing the
 * same notebook cannot silently overwrite each other.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { StratumError } from '../errors.ts';
import writeFileAtomic from 'write-file-atomic';
import { parseNotebook, serializeNotebook } from '../notebook/document.ts';
import { ipynbPathFor, notebookPathFor, parseIpynb, serializeIpynb } from '../notebook/ipynb.ts';
import { templates, renderTemplateCode } from '../../templates/index.ts';
import type { ApiHandlers, FileEntry, FileKind, Revision, WorkbenchEvent } from '../api/contract.ts';
import { KernelSessions, type KernelSessionsOptions } from './kernels.ts';
import { resolveInside, toRelative } from './paths.ts';
import { trackingApi } from './tracking.ts';
import { listStarters, starterNotebook } from './starters.ts';

/** Options of {@link openWorkspace}. */
export interface WorkspaceOptions {
  /** The folder to open. */
  root: string;
  /** Passed to every kernel (tests shorten grace periods). */
  kernelOptions?: KernelSessionsOptions['kernelOptions'];
  /** Largest number of entries `listFiles` returns (default 5000). */
  maxFiles?: number;
}

/** An open workspace. Always {@link Workspace.dispose} it (it owns kernel processes). */
export interface Workspace {
  /** Real absolute path of the folder. */
  readonly root: string;
  /** The API implementation; requests must already be validated (core/api/validate.ts). */
  readonly handlers: ApiHandlers;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** Number of running kernels. */
  readonly kernelCount: number;
  /** Stops every kernel and drops listeners. Safe to call twice. */
  dispose(): Promise<void>;
}

const DATA_EXTENSIONS = new Set(['.csv', '.tsv', '.json', '.jsonl', '.ndjson', '.parquet', '.arrow', '.feather', '.xlsx', '.xls', '.sqlite', '.db']);
const SKIPPED = new Set(['node_modules', '.git', 'dist']);

/** Revision of file contents: first 16 hex digits of their SHA-256. */
export function revisionOf(text: string): Revision {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StratumError('NOTEBOOK_IO', `cannot read ${path.basename(file)}: ${(error as Error).message}`, { cause: error });
  }
}

function kindOf(name: string): FileKind {
  if (name.endsWith('.stratum.json')) return 'notebook';
  return DATA_EXTENSIONS.has(path.extname(name).toLowerCase()) ? 'data' : 'other';
}

/**
 * Opens a folder as a workspace.
 *
 * @throws StratumError `FILE_NOT_FOUND` when the folder does not exist or is not a directory
 * @example
 * ```ts
 * const ws = await openWorkspace({ root: 'my-project' });
 * const files = await ws.handlers['workspace.listFiles']({});
 * await ws.dispose();
 * ```
 */
export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  let root: string;
  try {
    root = await realpath(path.resolve(options.root));
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new StratumError('FILE_NOT_FOUND', `workspace folder ${options.root} does not exist or is not a folder`, { detail: { path: options.root }, cause: error });
  }
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  const emit = (event: WorkbenchEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('workbench event listener failed', error);
      }
    }
  };
  // STRATUM_WORKSPACE: kernels record runs in this workspace's store (read by the runs.* methods), whatever folder their notebook is in.
  const kernels = new KernelSessions({ emit, kernelOptions: { ...options.kernelOptions, env: { ...options.kernelOptions?.env, STRATUM_WORKSPACE: root } } });
  const tracking = trackingApi(root);
  const saving = new Map<string, Promise<unknown>>();
  const maxFiles = options.maxFiles ?? 5000;

  /** Runs `task` after any save of the same file in flight (read-compare-write must not interleave). */
  const serialized = <T>(file: string, task: () => Promise<T>): Promise<T> => {
    const previous = saving.get(file) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    saving.set(file, tail);
    void tail.then(() => {
      if (saving.get(file) === tail) saving.delete(file);
    });
    return next;
  };

  async function walk(dir: string, depth: number, budget: { left: number }): Promise<FileEntry[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name));
    const out: FileEntry[] = [];
    for (const entry of entries) {
      if (budget.left <= 0) break;
      if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      const absolute = path.join(dir, entry.name);
      const rel = toRelative(root, absolute);
      budget.left -= 1;
      if (entry.isDirectory()) {
        const isBundle = await stat(path.join(absolute, 'manifest.json')).then(() => true, () => false);
        if (isBundle) out.push({ path: rel, name: entry.name, kind: 'bundle' });
        else out.push({ path: rel, name: entry.name, kind: 'directory', children: depth < 8 ? await walk(absolute, depth + 1, budget) : [] });
      } else if (entry.isFile()) {
        const size = await stat(absolute).then((s) => s.size, () => 0);
        out.push({ path: rel, name: entry.name, kind: kindOf(entry.name), size });
      }
    }
    return out;
  }

  async function write(file: string, rel: string, text: string, baseRevision: Revision | null): Promise<Revision> {
    return serialized(file, async () => {
      const current = await readIfExists(file);
      if (current !== undefined) {
        const actual = revisionOf(current);
        if (baseRevision === null || actual !== baseRevision) {
          throw new StratumError('SAVE_CONFLICT', baseRevision === null
            ? `${rel} already exists`
            : `${rel} was changed on disk (by another window or program) since it was opened`, {
            detail: { path: rel, expected: baseRevision, actual },
            hint: 'Reload the notebook to see the other changes, or save under another name.',
          });
        }
      }
      await mkdir(path.dirname(file), { recursive: true });
      try {
        await writeFileAtomic(file, text, { encoding: 'utf8', fsync: true });
      } catch (error) {
        throw new StratumError('NOTEBOOK_IO', `cannot write notebook ${rel}: ${(error as Error).message}`, { detail: { path: rel }, cause: error });
      }
      const revision = revisionOf(text);
      emit({ type: 'notebook-saved', path: rel, revision });
      return revision;
    });
  }

  const handlers: ApiHandlers = {
    'workspace.info': async () => ({ name: path.basename(root), starters: listStarters() }),
    'workspace.listFiles': async () => walk(root, 0, { left: maxFiles }),
    'workspace.readNotebook': async ({ path: rel }) => {
      const file = await resolveInside(root, rel);
      const text = await readIfExists(file);
      if (text === undefined) throw new StratumError('FILE_NOT_FOUND', `notebook ${rel} does not exist`, { detail: { path: rel } });
      return { path: rel, notebook: parseNotebook(text, rel), revision: revisionOf(text) };
    },
    'workspace.saveNotebook': async ({ path: rel, notebook, baseRevision }) => {
      const file = await resolveInside(root, rel);
      const text = serializeNotebook(notebook);
      return { revision: await write(file, rel, text, baseRevision) };
    },
    'workspace.createNotebook': async ({ path: rel, starter }) => {
      const file = await resolveInside(root, rel);
      const notebook = await starterNotebook(starter);
      const text = serializeNotebook(notebook);
      const revision = await write(file, rel, text, null);
      return { path: rel, notebook: parseNotebook(text, rel), revision };
    },
    'workspace.exportIpynb': async ({ path: rel }) => {
      const file = await resolveInside(root, rel);
      const text = await readIfExists(file);
      if (text === undefined) throw new StratumError('FILE_NOT_FOUND', `notebook ${rel} does not exist`, { detail: { path: rel } });
      const outRel = ipynbPathFor(rel);
      const out = await resolveInside(root, outRel);
      try {
        await writeFileAtomic(out, serializeIpynb(parseNotebook(text, rel)), { encoding: 'utf8', fsync: true });
      } catch (error) {
        if (error instanceof StratumError) throw error;
        throw new StratumError('NOTEBOOK_IO', `cannot write ${outRel}: ${(error as Error).message}`, { detail: { path: outRel }, cause: error });
      }
      return { path: outRel };
    },
    'workspace.importIpynb': async ({ path: rel, out, overwrite }) => {
      const file = await resolveInside(root, rel);
      const text = await readIfExists(file);
      if (text === undefined) throw new StratumError('FILE_NOT_FOUND', `${rel} does not exist`, { detail: { path: rel } });
      const outRel = out ?? notebookPathFor(rel);
      const target = await resolveInside(root, outRel);
      const notebookText = serializeNotebook(parseIpynb(text, rel));
      const current = overwrite ? await readIfExists(target) : undefined;
      await write(target, outRel, notebookText, current === undefined ? null : revisionOf(current));
      return { path: outRel };
    },
    'templates.list': async () => templates.map((t) => ({ id: t.id, title: t.title, task: t.task, description: t.description, paramsSchema: t.paramsSchema })),
    'templates.renderCode': async ({ id, params }) => ({ code: renderTemplateCode(id, params) }),
    'kernel.execute': async ({ path: rel, runId, cell }) => kernels.execute(await resolveInside(root, rel), rel, runId, cell),
    'kernel.interrupt': async ({ path: rel }) => ({ state: await kernels.interrupt(await resolveInside(root, rel)) }),
    'kernel.restart': async ({ path: rel }) => ({ state: await kernels.restart(await resolveInside(root, rel), rel) }),
    'kernel.shutdown': async ({ path: rel }) => ({ state: await kernels.shutdown(await resolveInside(root, rel)) }),
    'kernel.status': async ({ path: rel }) => ({ state: kernels.status(await resolveInside(root, rel)) }),
    ...tracking.handlers,
  };

  let disposing: Promise<void> | undefined;
  return {
    root,
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get kernelCount() {
      return kernels.size;
    },
    dispose() {
      disposing ??= kernels.dispose().finally(() => {
        listeners.clear();
        tracking.dispose();
      });
      return disposing;
    },
  };
}
