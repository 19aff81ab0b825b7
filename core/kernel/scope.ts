/**
 * The global scope cells see in the kernel process: an extendable registry of named entries.
 *
 * Built in: `dfd` (danfojs-node, loaded on first use), `tf` (@tensorflow/tfjs, backend initialized
 * before the first cell), `display`, `plot`, `table`, `markdown`, `require` (resolving from the
 * notebook's folder), `__notebookDir`, and `stratum` (a namespace object for Stratum helpers).
 * `console` is captured per cell by the kernel process itself.
 *
 * Add an entry with {@link registerScope} in a module the kernel process imports (this file, or a
 * module passed as `preload` to `Kernel.start`), before the scope is installed.
 */
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { TABLE_MIME } from '../data/table.ts';
import type { CellOutput, MimeBundle } from '../notebook/types.ts';
import { PLOTLY_MIME, plotlyFigure, rowsToTable, toMimeBundles } from './display.ts';

/** What a scope entry can use while building its value. */
export interface ScopeContext {
  /** Absolute folder of the notebook. */
  notebookDir: string;
  /** Sends an output for the running cell (or, after it finished, for the last cell as a late output). */
  emit(output: CellOutput): void;
  /** 1-based line of the running cell that called the current helper, when it can be found on the stack. */
  callerLine(): number | undefined;
  /** Id of the cell now running, if any (for run tracking). */
  cellId(): string | undefined;
  /**
   * Abort signal of the cell now running (undefined between cells): aborted when the cell is
   * interrupted. Long-running helpers capture it when called and stop at their next checkpoint
   * (e.g. the end of an epoch), since an interrupted cell that is awaiting is only abandoned.
   */
  signal?(): AbortSignal | undefined;
}

/** Builds one scope value from the context. */
export type ScopeFactory = (context: ScopeContext) => unknown;

/** Options of {@link registerScope}. */
export interface ScopeEntryOptions {
  /** Build the value on first access instead of at install time (for slow imports such as danfojs). */
  lazy?: boolean;
}

interface ScopeEntry {
  factory: ScopeFactory;
  lazy: boolean;
}

const registry = new Map<string, ScopeEntry>();

/**
 * Registers (or replaces) a global name for cells.
 *
 * @param name - a JavaScript identifier, e.g. `readCsv`
 * @param factory - builds the value; receives the {@link ScopeContext}
 * @throws TypeError when `name` is not an identifier
 * @example
 * ```ts
 * registerScope('readCsv', () => readCsv);
 * registerScope('hello', (ctx) => () => ctx.emit({ type: 'stream', name: 'stdout', text: 'hi\n' }));
 * ```
 */
export function registerScope(name: string, factory: ScopeFactory, options: ScopeEntryOptions = {}): void {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`scope name must be an identifier, got ${JSON.stringify(name)}`);
  registry.set(name, { factory, lazy: options.lazy ?? false });
}

/** Names currently registered, in registration order. */
export function scopeNames(): string[] {
  return [...registry.keys()];
}

/**
 * Namespace object exposed to cells as `stratum`. Empty for now; Stratum helpers are added as fields
 * (e.g. `stratum.readCsv`) by the modules that provide them.
 */
export const stratum: Record<string, unknown> = {};

/**
 * Defines every registered name on `target` (the kernel's global object). Lazy entries are
 * accessors that replace themselves with a plain writable value on first read or on assignment.
 *
 * @param target - object receiving the names, normally `globalThis`
 * @param context - passed to each factory
 */
export function installScope(target: object, context: ScopeContext): void {
  for (const [name, entry] of registry) {
    const define = (value: unknown): void => {
      Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: true });
    };
    if (!entry.lazy) {
      define(entry.factory(context));
      continue;
    }
    Object.defineProperty(target, name, {
      configurable: true,
      enumerable: true,
      get() {
        const value = entry.factory(context);
        define(value);
        return value;
      },
      set(value: unknown) {
        define(value);
      },
    });
  }
}

function emitDisplay(context: ScopeContext, data: MimeBundle): void {
  const line = context.callerLine();
  context.emit({ type: 'display', data, ...(line === undefined ? {} : { cellLine: line }) });
}

/**
 * Imports a module for a cell's `import` declaration: relative and absolute paths resolve against
 * the notebook's folder; bare names resolve from the notebook's folder when installed there, else
 * from Stratum's own dependencies.
 */
async function importForCell(notebookDir: string, specifier: string, options?: ImportCallOptions): Promise<unknown> {
  if (specifier.startsWith('./') || specifier.startsWith('../') || isAbsolute(specifier)) {
    return import(pathToFileURL(resolvePath(notebookDir, specifier)).href, options);
  }
  if (!specifier.startsWith('node:') && !specifier.includes(':')) {
    try {
      const resolved = createRequire(join(notebookDir, 'notebook.js')).resolve(specifier);
      if (isAbsolute(resolved)) return import(pathToFileURL(resolved).href, options);
    } catch {
      // not resolvable (or ESM-only) from the notebook folder: use Stratum's resolution below
    }
  }
  return import(specifier, options);
}

registerScope('dfd', () => createRequire(import.meta.url)('danfojs-node') as unknown, { lazy: true });
registerScope('tf', () => tf);
registerScope('display', (ctx) => (...values: unknown[]): void => {
  for (const value of values) for (const bundle of toMimeBundles(value)) emitDisplay(ctx, bundle);
});
registerScope('plot', (ctx) => (figure: unknown): void => {
  const fig = plotlyFigure(figure);
  emitDisplay(ctx, { [PLOTLY_MIME]: fig, 'text/plain': `Plotly figure (${fig.data.length} trace${fig.data.length === 1 ? '' : 's'})` });
});
registerScope('table', (ctx) => (rows: unknown, options?: { columns?: string[]; maxRows?: number }): void => {
  const data = rowsToTable(rows, options);
  emitDisplay(ctx, { [TABLE_MIME]: data, 'text/plain': `Table ${data.totalRows} x ${data.columns.length} (columns: ${data.columns.map((c) => c.name).join(', ')})` });
});
registerScope('markdown', (ctx) => (text: unknown): void => {
  const md = String(text);
  emitDisplay(ctx, { 'text/markdown': md, 'text/plain': md });
});
registerScope('require', (ctx) => createRequire(join(ctx.notebookDir, 'notebook.js')));
registerScope('__notebookDir', (ctx) => ctx.notebookDir);
registerScope('__stratumImport', (ctx) => (specifier: string, options?: ImportCallOptions) => importForCell(ctx.notebookDir, specifier, options));
registerScope('stratum', () => stratum);
