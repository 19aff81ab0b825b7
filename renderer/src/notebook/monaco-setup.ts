/**
 * Monaco, loaded locally (never from a CDN): the editor and its workers are bundled by Vite, and
 * @monaco-editor/react is pointed at this instance with `loader.config({ monaco })`.
 *
 * Every code cell has a model `file:///cells/<id>.ts` (created here for all cells, not only the
 * one being edited). The cells are scripts, not modules, so TypeScript sees names defined in one
 * cell from the others, as the kernel does; diagnostics that only hold for modules are ignored.
 */
import * as monaco from 'monaco-editor';
import { loader } from '@monaco-editor/react';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker(_workerId, label) {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

loader.config({ monaco });

/** Declarations of the kernel's globals, for completion and hover in code cells. */
const KERNEL_GLOBALS = `
/** Shows values as rich outputs (DataFrames as tables, figures as charts). */
declare function display(...values: unknown[]): void;
/** Shows a Plotly figure { data, layout }. */
declare function plot(figure: { data: object[]; layout?: object }): void;
/** Shows rows (array of records or arrays) as a table. */
declare function table(rows: unknown, options?: { columns?: string[]; maxRows?: number }): void;
/** Shows markdown text. */
declare function markdown(text: string): void;
/** Reads a CSV file into a Danfo DataFrame (types inferred from whole columns). */
declare function readCsv(path: string, options?: Record<string, unknown>): Promise<any>;
/** Danfo.js (danfojs-node). */
declare const dfd: any;
/** TensorFlow.js. */
declare const tf: any;
/** Stratum helpers: load, preview, testConnection, profile, histogram, scatter, line, box, bar, correlation, trainMlpClassifier, exportBundle, serveBundle, vegaDataset... */
declare const stratum: Record<string, any>;
/** Folder of the notebook. */
declare const __notebookDir: string;
`;

const ts = monaco.typescript;
ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ES2020,
  lib: ['es2023', 'dom'],
  allowNonTsExtensions: true,
  strict: false,
  noEmit: true,
});
ts.typescriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  // 1375/1378: top-level await outside a module; 2451/2300: a cell re-declares a name another
  // cell (or an earlier version of itself) declared; 1108: top-level return.
  diagnosticCodesToIgnore: [1375, 1378, 1431, 1432, 2451, 2300, 1108, 2393],
});
ts.typescriptDefaults.addExtraLib(KERNEL_GLOBALS, 'file:///stratum-kernel-globals.d.ts');

/** Model URI of a cell. */
export function cellUri(id: string, language: string | undefined): string {
  return `file:///cells/${id}.${language === 'javascript' ? 'js' : 'ts'}`;
}

/**
 * Keeps one Monaco model per code cell: creates missing ones, updates changed sources (without
 * touching a model that already holds the text, so cursors stay), disposes models of removed cells.
 */
export function syncModels(cells: ReadonlyArray<{ id: string; source: string; language?: string }>): void {
  const wanted = new Map(cells.map((c) => [cellUri(c.id, c.language), c] as const));
  for (const model of monaco.editor.getModels()) {
    const uri = model.uri.toString();
    if (uri.startsWith('file:///cells/') && !wanted.has(uri)) model.dispose();
  }
  for (const [uri, cell] of wanted) {
    const existing = monaco.editor.getModel(monaco.Uri.parse(uri));
    if (!existing) monaco.editor.createModel(cell.source, cell.language === 'javascript' ? 'javascript' : 'typescript', monaco.Uri.parse(uri));
    else if (existing.getValue() !== cell.source) existing.setValue(cell.source);
  }
}

/** Disposes every cell model (notebook closed). */
export function disposeModels(): void {
  for (const model of monaco.editor.getModels()) if (model.uri.toString().startsWith('file:///cells/')) model.dispose();
}

export { monaco };
