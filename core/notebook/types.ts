/**
 * Shapes of a Stratum notebook document (schema version 1), our counterpart of Jupyter's nbformat.
 *
 * A notebook is plain JSON: `schemaVersion`, `metadata` and an ordered list of cells. Code cells
 * keep their last outputs as Jupyter-like MIME bundles so an executed notebook can be read
 * without re-running it. The JSON Schema that validates these shapes is {@link NOTEBOOK_SCHEMA}
 * in `schema.ts`; load, save and serialization live in `document.ts`.
 */
import type { ErrorCode, ErrorDetail } from '../errors.ts';

/** The notebook format version this code reads and writes. */
export const NOTEBOOK_SCHEMA_VERSION = 1;

/** Kind of cell: prose, code, or a template (id + params) rendered to code before it runs. */
export type CellType = 'markdown' | 'code' | 'template';

/** Language of a code cell's source; `typescript` when absent. */
export type CellLanguage = 'typescript' | 'javascript';

/**
 * A MIME bundle: MIME type -> JSON value, e.g.
 * `{ 'text/plain': '3 rows', 'application/vnd.stratum.table+json': { columns, rows, totalRows } }`.
 * The display formats Stratum uses are `text/plain`, `text/markdown`, `application/json`,
 * `application/vnd.stratum.table+json` and `application/vnd.plotly.v1+json`.
 */
export type MimeBundle = Record<string, unknown>;

/** Rich output from `display(...)`, `plot(...)`, `table(...)` or `markdown(...)`. */
export interface DisplayOutput {
  type: 'display';
  /** The value in one or more MIME representations; the UI picks the richest it can render. */
  data: MimeBundle;
  /** 1-based line of the cell that produced the output, when known. */
  cellLine?: number;
}

/** Text written to the console (`console.log` -> stdout, `console.error`/`warn` -> stderr). */
export interface StreamOutput {
  type: 'stream';
  name: 'stdout' | 'stderr';
  /** The text, with its newlines. */
  text: string;
}

/** An error raised by a cell (Jupyter's `ename`/`evalue`/`traceback`, plus Stratum's code/detail/hint). */
export interface ErrorOutput {
  type: 'error';
  /** Error class name, e.g. `TypeError`, `StratumError`. */
  ename: string;
  /** The message. */
  evalue: string;
  /** Stack frames, innermost first; frames inside a cell read `cell[<id>]:<line>:<col>` (1-based, the cell's own lines). */
  traceback: string[];
  /** Stable code when the error was a StratumError (e.g. `KERNEL_DIED`). */
  code?: ErrorCode;
  /** Structured detail when the error was a StratumError. */
  detail?: ErrorDetail;
  /** What the user can do about it, when known. */
  hint?: string;
}

/** The value of the cell's last expression statement (not emitted when it is `undefined`). */
export interface ResultOutput {
  type: 'result';
  /** The value as a MIME bundle (same formatting as `display`). */
  data: MimeBundle;
}

/** One output of a cell. */
export type CellOutput = DisplayOutput | StreamOutput | ErrorOutput | ResultOutput;

/** Reference to a model or data template and its parameters (template cells). */
export interface TemplateRef {
  /** Template id, e.g. `tabular.mlp-classifier`. */
  id: string;
  /** Parameters, validated by the template's own params schema when rendered. */
  params: Record<string, unknown>;
}

/** One cell of a notebook. */
export interface Cell {
  /** Stable id (1-64 chars of `A-Z a-z 0-9 _ -`, 8 random chars from {@link newCellId}); unique in the notebook. */
  id: string;
  type: CellType;
  /** Markdown text or code. Template cells may keep their last rendered code here. */
  source: string;
  /** Language of a code cell; `typescript` when absent. */
  language?: CellLanguage;
  /** Required for template cells. */
  template?: TemplateRef;
  /** Outputs of the last run, in order (always `[]` for markdown cells). */
  outputs: CellOutput[];
  /** Execution counter of the last run in its kernel session, `null` when never run. */
  executionCount: number | null;
  /** Free-form cell metadata (UI state such as collapsed outputs). */
  metadata?: Record<string, unknown>;
}

/** Notebook-level metadata; free-form beyond the documented fields. */
export interface NotebookMetadata {
  /** Human title. */
  title?: string;
  /** ISO 8601 creation time. */
  created?: string;
  /** ISO 8601 time of the last save. */
  modified?: string;
  [key: string]: unknown;
}

/** A whole notebook document. */
export interface Notebook {
  schemaVersion: typeof NOTEBOOK_SCHEMA_VERSION;
  metadata: NotebookMetadata;
  cells: Cell[];
}
