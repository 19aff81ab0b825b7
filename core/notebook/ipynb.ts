/**
 * Jupyter interchange: a Stratum {@link Notebook} <-> a Jupyter notebook in nbformat 4.5
 * (https://nbformat.readthedocs.io/en/latest/format_description.html), so notebooks travel to
 * JupyterLab and back.
 *
 * Mapping (Stratum -> ipynb; the reverse undoes it):
 * - notebook: `nbformat: 4`, `nbformat_minor: 5`, `metadata.kernelspec` =
 *   `{ name: 'stratum', display_name: 'Stratum (TypeScript)', language: 'typescript' }`,
 *   `metadata.language_info = { name: 'typescript' }`, and the Stratum notebook metadata under
 *   `metadata.stratum.metadata`.
 * - markdown cell -> `markdown` cell; code cell -> `code` cell (`language` kept in `metadata.stratum.language`).
 * - template cell -> `code` cell whose source is the rendered code (what Jupyter users can read and
 *   run elsewhere), with `metadata.stratum.template = { id, params }` and
 *   `metadata.stratum.renderedSha256` (first 16 hex digits of the SHA-256 of that code). Importing
 *   restores the template cell when the code is unchanged; when it was edited in Jupyter, the cell
 *   comes back as a code cell with the edited code (the template kept in
 *   `metadata.stratum.detachedTemplate`), so no edit is lost.
 * - outputs: `stream` -> `stream` `{ name, text }`; `display` -> `display_data` `{ data, metadata }`
 *   (`cellLine` in `metadata.stratum.cellLine`); `result` -> `execute_result` `{ data, metadata,
 *   execution_count }`; `error` -> `error` `{ ename, evalue, traceback }` (Stratum's `code`,
 *   `detail`, `hint` go to the cell's `metadata.stratum.errors[<output index>]`, since nbformat's
 *   error output allows no other fields).
 * - sources are written as lists of lines (as Jupyter saves them); either form is read.
 *
 * Import of foreign notebooks: `raw` cells become markdown cells with
 * `metadata.stratum.importedFrom = 'raw'`; markdown `attachments` are dropped; ANSI colour codes in
 * error tracebacks are removed. A cell id that is missing (nbformat < 4.5), invalid for Stratum
 * (see {@link CELL_ID_PATTERN}) or repeated is replaced deterministically, see {@link fromIpynb}.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { StratumError, type ErrorCode } from '../errors.ts';
import { cellCode } from '../runner/run-notebook.ts';
import { parseNotebook, serializeNotebook } from './document.ts';
import { CELL_ID_PATTERN } from './schema.ts';
import { NOTEBOOK_SCHEMA_VERSION, type Cell, type CellLanguage, type CellOutput, type ErrorOutput, type MimeBundle, type Notebook, type NotebookMetadata, type TemplateRef } from './types.ts';

/** `metadata.kernelspec` of every exported notebook. */
export const IPYNB_KERNELSPEC = { name: 'stratum', display_name: 'Stratum (TypeScript)', language: 'typescript' } as const;

/** A JSON object (nbformat dicts). */
type Json = Record<string, unknown>;

const CELL_ID = new RegExp(CELL_ID_PATTERN);
const MIME_TYPE = /^[a-z]+\/[A-Za-z0-9.+_-]+$/;
// ANSI SGR/CSI sequences, as IPython writes in tracebacks (ECMA-48 control sequences).
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** Short SHA-256 (16 hex digits) of rendered template code, to detect edits made in Jupyter. */
function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex').slice(0, 16);
}

/** `"a\nb\n"` -> `["a\n", "b\n"]`, `"a\nb"` -> `["a\n", "b"]`, `""` -> `[]` (joining with `''` gives the text back). */
function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for MIME types whose value is JSON data rather than text (nbformat keeps those unsplit). */
function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

// ---------------------------------------------------------------------------------------------
// Export

function exportOutput(output: CellOutput, executionCount: number | null): Json {
  switch (output.type) {
    case 'stream':
      return { output_type: 'stream', name: output.name, text: toLines(output.text) };
    case 'display':
      return { output_type: 'display_data', data: output.data, metadata: output.cellLine !== undefined ? { stratum: { cellLine: output.cellLine } } : {} };
    case 'result':
      return { output_type: 'execute_result', data: output.data, metadata: {}, execution_count: executionCount };
    case 'error':
      return { output_type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback };
  }
}

/** Keys of a cell's `metadata.stratum` written by {@link toIpynb} and consumed by {@link fromIpynb}. */
const OWN_KEYS = new Set(['language', 'template', 'source', 'renderedSha256', 'errors']);

function exportCell(cell: Cell): Json {
  const { stratum: userStratum, ...userMetadata } = cell.metadata ?? {};
  // Keys of `metadata.stratum` this module owns are rebuilt; other notes (importedFrom...) are kept.
  const stratum: Json = {};
  if (isObject(userStratum)) {
    for (const [key, value] of Object.entries(userStratum)) if (!OWN_KEYS.has(key)) stratum[key] = value;
  }
  if (cell.language !== undefined) stratum.language = cell.language;
  if (cell.type === 'markdown') {
    return { id: cell.id, cell_type: 'markdown', metadata: withStratum(userMetadata, stratum), source: toLines(cell.source) };
  }
  let source = cell.source;
  if (cell.type === 'template' && cell.template) {
    stratum.template = { id: cell.template.id, params: cell.template.params };
    if (cell.source !== '') stratum.source = cell.source;
    try {
      source = cellCode(cell);
      stratum.renderedSha256 = codeHash(source);
    } catch (error) {
      // An unknown template or bad params: export what can be read; import restores the template cell.
      source = `// template ${cell.template.id} could not be rendered: ${(error as Error).message}\n${cell.source}`;
    }
  }
  const errors: Json = {};
  cell.outputs.forEach((o, i) => {
    if (o.type !== 'error') return;
    const extra: Json = {};
    if (o.code !== undefined) extra.code = o.code;
    if (o.detail !== undefined) extra.detail = o.detail;
    if (o.hint !== undefined) extra.hint = o.hint;
    if (Object.keys(extra).length > 0) errors[String(i)] = extra;
  });
  if (Object.keys(errors).length > 0) stratum.errors = errors;
  return {
    id: cell.id,
    cell_type: 'code',
    metadata: withStratum(userMetadata, stratum),
    source: toLines(source),
    outputs: cell.outputs.map((o) => exportOutput(o, cell.executionCount)),
    execution_count: cell.executionCount,
  };
}

function withStratum(metadata: Json, stratum: Json): Json {
  return Object.keys(stratum).length > 0 ? { ...metadata, stratum } : metadata;
}

/**
 * Converts a Stratum notebook to a Jupyter notebook (nbformat 4.5) as a plain JSON object.
 * Template cells become code cells holding their rendered code (see the module comment).
 *
 * @param nb - a valid Stratum notebook (not modified)
 * @returns the nbformat 4.5 document; `JSON.stringify` it, or use {@link serializeIpynb}
 * @example
 * ```ts
 * const ipynb = toIpynb(await loadNotebook('a.stratum.json'));
 * (ipynb as { nbformat: number }).nbformat; // 4
 * ```
 */
export function toIpynb(nb: Notebook): Json {
  return {
    cells: nb.cells.map(exportCell),
    metadata: {
      kernelspec: { ...IPYNB_KERNELSPEC },
      language_info: { name: 'typescript' },
      stratum: { schemaVersion: nb.schemaVersion, metadata: nb.metadata },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Jupyter's on-disk text of {@link toIpynb}: 1-space indent (as Jupyter writes) and a trailing newline. */
export function serializeIpynb(nb: Notebook): string {
  return `${JSON.stringify(toIpynb(nb), null, 1)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Import

function invalid(source: string, field: string, expected: string, value: unknown): StratumError {
  const got = value === undefined ? 'missing' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
  return new StratumError('NOTEBOOK_INVALID', `${source}: ${field} ${expected} (got ${got})`, {
    detail: { path: source, field, expected },
    hint: 'Open the file in Jupyter and save it again, or check that it is a Jupyter notebook (nbformat 4).',
  });
}

/** Reads a nbformat multiline string (a string or a list of strings joined with `''`). */
function multiline(value: unknown, source: string, field: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    value.forEach((line, i) => {
      if (typeof line !== 'string') throw invalid(source, `${field}[${i}]`, 'must be a string', line);
    });
    return value.join('');
  }
  throw invalid(source, field, 'must be a string or a list of strings', value);
}

function optionalObject(value: unknown, source: string, field: string): Json {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid(source, field, 'must be an object', value);
  return value;
}

function mimeBundle(value: unknown, source: string, field: string): MimeBundle {
  if (!isObject(value)) throw invalid(source, field, 'must be an object (MIME type -> value)', value);
  const out: MimeBundle = {};
  for (const [mime, v] of Object.entries(value)) {
    const f = `${field}[${JSON.stringify(mime)}]`;
    if (!MIME_TYPE.test(mime)) throw invalid(source, f, 'must be keyed by a MIME type like text/plain', mime);
    out[mime] = !isJsonMime(mime) && Array.isArray(value[mime]) ? multiline(v, source, f) : v;
  }
  return out;
}

function executionCount(value: unknown, source: string, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(source, field, 'must be a non-negative integer or null', value);
  return value;
}

function importOutput(value: unknown, errorExtras: Json, index: number, source: string, field: string): CellOutput {
  if (!isObject(value)) throw invalid(source, field, 'must be an object', value);
  const type = value.output_type;
  switch (type) {
    case 'stream': {
      const name = value.name;
      if (name !== 'stdout' && name !== 'stderr') throw invalid(source, `${field}.name`, 'must be "stdout" or "stderr"', name);
      return { type: 'stream', name, text: multiline(value.text, source, `${field}.text`) };
    }
    case 'display_data': {
      const metadata = optionalObject(value.metadata, source, `${field}.metadata`);
      const data = mimeBundle(value.data, source, `${field}.data`);
      const stratum = isObject(metadata.stratum) ? metadata.stratum : {};
      const cellLine = stratum.cellLine;
      return typeof cellLine === 'number' && Number.isInteger(cellLine) && cellLine >= 1 ? { type: 'display', data, cellLine } : { type: 'display', data };
    }
    case 'execute_result':
      optionalObject(value.metadata, source, `${field}.metadata`);
      executionCount(value.execution_count, source, `${field}.execution_count`);
      return { type: 'result', data: mimeBundle(value.data, source, `${field}.data`) };
    case 'error': {
      for (const key of ['ename', 'evalue'] as const) {
        if (typeof value[key] !== 'string') throw invalid(source, `${field}.${key}`, 'must be a string', value[key]);
      }
      const traceback = value.traceback;
      if (!Array.isArray(traceback)) throw invalid(source, `${field}.traceback`, 'must be a list of strings', traceback);
      traceback.forEach((line, i) => {
        if (typeof line !== 'string') throw invalid(source, `${field}.traceback[${i}]`, 'must be a string', line);
      });
      const output: ErrorOutput = {
        type: 'error',
        ename: value.ename as string,
        evalue: (value.evalue as string).replace(ANSI, ''),
        traceback: (traceback as string[]).map((line) => line.replace(ANSI, '')),
      };
      const extra = errorExtras[String(index)];
      if (isObject(extra)) {
        if (typeof extra.code === 'string') output.code = extra.code as ErrorCode;
        if (isObject(extra.detail)) output.detail = extra.detail;
        if (typeof extra.hint === 'string') output.hint = extra.hint;
      }
      return output;
    }
    default:
      throw invalid(source, `${field}.output_type`, 'must be one of "stream", "display_data", "execute_result", "error"', type);
  }
}

function templateRef(value: unknown): TemplateRef | undefined {
  if (!isObject(value) || typeof value.id !== 'string' || value.id === '' || !isObject(value.params)) return undefined;
  return { id: value.id, params: value.params };
}

/**
 * Chooses Stratum ids for the imported cells, deterministically: a valid id that no earlier cell
 * took is kept; otherwise the base is the original id with every character outside
 * `A-Z a-z 0-9 _ -` replaced by `-` and cut to 56 characters, or `cell-<index>` (0-based) when
 * that is empty or the id is missing; then `-2`, `-3`, ... is appended until the id is unused
 * (ids kept by later cells count as used, so valid ids are never renamed for an invalid one).
 */
function assignIds(originals: ReadonlyArray<string | undefined>): string[] {
  const keep = originals.map((id, i) => id !== undefined && CELL_ID.test(id) && originals.indexOf(id) === i);
  const taken = new Set(originals.filter((id, i): id is string => keep[i] === true && id !== undefined));
  return originals.map((id, i) => {
    if (keep[i] && id !== undefined) return id;
    const cleaned = (id ?? '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 56);
    const base = cleaned === '' ? `cell-${i}` : cleaned;
    let candidate = base;
    for (let n = 2; taken.has(candidate); n += 1) candidate = `${base}-${n}`;
    taken.add(candidate);
    return candidate;
  });
}

/**
 * Converts a Jupyter notebook (nbformat 4, any minor version) to a Stratum notebook. Cells exported
 * by {@link toIpynb} come back as they were (template cells included); cells from Jupyter become
 * markdown and code cells (`raw` cells become markdown with `metadata.stratum.importedFrom = 'raw'`).
 *
 * Cell ids: a missing, invalid (not 1-64 chars of `A-Z a-z 0-9 _ -`) or repeated id is replaced
 * deterministically: invalid characters become `-` (`"my cell.1"` -> `my-cell-1`), a missing id
 * becomes `cell-<index>` (0-based position), and a collision gets `-2`, `-3`, ... appended.
 *
 * @param json - the parsed `.ipynb` document
 * @param source - file name used in error messages and `detail.path` (default `notebook.ipynb`);
 *   its base name is the title of a notebook that has none
 * @returns a Stratum notebook that passes the notebook schema
 * @throws StratumError `NOTEBOOK_INVALID` with `detail.field` naming the first bad field as a path
 *   (`nbformat`, `cells`, `cells[2].cell_type`, `cells[1].outputs[0].text`...)
 * @example
 * ```ts
 * const nb = fromIpynb(JSON.parse(await readFile('analysis.ipynb', 'utf8')), 'analysis.ipynb');
 * ```
 */
export function fromIpynb(json: unknown, source = 'notebook.ipynb'): Notebook {
  if (!isObject(json)) throw invalid(source, '(root)', 'must be a JSON object (a Jupyter notebook)', json);
  if (json.nbformat !== 4) throw invalid(source, 'nbformat', 'must be 4 (convert older notebooks with `jupyter nbconvert --to notebook`)', json.nbformat);
  if (json.nbformat_minor !== undefined && (typeof json.nbformat_minor !== 'number' || !Number.isInteger(json.nbformat_minor) || json.nbformat_minor < 0)) {
    throw invalid(source, 'nbformat_minor', 'must be a non-negative integer', json.nbformat_minor);
  }
  const metadata = optionalObject(json.metadata, source, 'metadata');
  if (!Array.isArray(json.cells)) throw invalid(source, 'cells', 'must be a list of cells', json.cells);
  const fromStratum = isObject(metadata.stratum) && isObject(metadata.stratum.metadata);
  const languageName = isObject(metadata.language_info) ? metadata.language_info.name : undefined;
  const defaultLanguage: CellLanguage | undefined = !fromStratum && languageName === 'javascript' ? 'javascript' : undefined;

  const rawCells = json.cells as unknown[];
  const originalIds = rawCells.map((cell, i) => {
    if (!isObject(cell)) throw invalid(source, `cells[${i}]`, 'must be an object', cell);
    if (cell.id !== undefined && typeof cell.id !== 'string') throw invalid(source, `cells[${i}].id`, 'must be a string', cell.id);
    return cell.id as string | undefined;
  });
  const ids = assignIds(originalIds);

  const cells = rawCells.map((value, i): Cell => {
    const raw = value as Json;
    const field = `cells[${i}]`;
    const kind = raw.cell_type;
    if (kind !== 'markdown' && kind !== 'code' && kind !== 'raw') throw invalid(source, `${field}.cell_type`, 'must be one of "markdown", "code", "raw"', kind);
    const text = multiline(raw.source, source, `${field}.source`);
    const { stratum: stratumValue, ...userMetadata } = optionalObject(raw.metadata, source, `${field}.metadata`);
    const stratum = isObject(stratumValue) ? stratumValue : {};
    const notes: Json = {};
    for (const [key, v] of Object.entries(stratum)) if (!OWN_KEYS.has(key)) notes[key] = v;
    const withMeta = (cell: Cell, extra: Json = {}): Cell => {
      const merged = { ...notes, ...extra };
      const meta = Object.keys(merged).length > 0 ? { ...userMetadata, stratum: merged } : userMetadata;
      return Object.keys(meta).length > 0 ? { ...cell, metadata: meta } : cell;
    };
    const language = stratum.language === 'typescript' || stratum.language === 'javascript' ? stratum.language : defaultLanguage;
    if (kind !== 'code') {
      const cell: Cell = { id: ids[i] as string, type: 'markdown', source: text, outputs: [], executionCount: null };
      if (language !== undefined && fromStratum) cell.language = language;
      return withMeta(cell, kind === 'raw' ? { importedFrom: 'raw' } : {});
    }
    if (raw.outputs !== undefined && !Array.isArray(raw.outputs)) throw invalid(source, `${field}.outputs`, 'must be a list of outputs', raw.outputs);
    const errorExtras = isObject(stratum.errors) ? stratum.errors : {};
    const outputs = ((raw.outputs ?? []) as unknown[]).map((o, j) => importOutput(o, errorExtras, j, source, `${field}.outputs[${j}]`));
    const count = executionCount(raw.execution_count, source, `${field}.execution_count`);
    const cell: Cell = { id: ids[i] as string, type: 'code', source: text, outputs, executionCount: count };
    if (language !== undefined) cell.language = language;
    const template = templateRef(stratum.template);
    if (template) {
      const unchanged = typeof stratum.renderedSha256 !== 'string' || stratum.renderedSha256 === codeHash(text);
      if (unchanged) return withMeta({ ...cell, type: 'template', template, source: typeof stratum.source === 'string' ? stratum.source : '' });
      return withMeta(cell, { detachedTemplate: template });
    }
    return withMeta(cell);
  });

  let nbMetadata: NotebookMetadata;
  if (fromStratum) {
    nbMetadata = { ...((metadata.stratum as Json).metadata as Json) };
  } else {
    nbMetadata = { title: typeof metadata.title === 'string' ? metadata.title : path.basename(source).replace(/\.ipynb$/i, '') };
    const jupyter: Json = {};
    if (metadata.kernelspec !== undefined) jupyter.kernelspec = metadata.kernelspec;
    if (metadata.language_info !== undefined) jupyter.language_info = metadata.language_info;
    if (Object.keys(jupyter).length > 0) nbMetadata.jupyter = jupyter;
  }
  const notebook: Notebook = { schemaVersion: NOTEBOOK_SCHEMA_VERSION, metadata: nbMetadata, cells };
  // Safety net: what we produce must load (throws NOTEBOOK_INVALID naming the Stratum field otherwise).
  return parseNotebook(serializeNotebook(notebook), source);
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * Parses `.ipynb` text: JSON syntax errors and nbformat errors both become `NOTEBOOK_INVALID`.
 *
 * @throws StratumError `NOTEBOOK_INVALID` as {@link fromIpynb}, or for malformed JSON
 */
export function parseIpynb(text: string, source = 'notebook.ipynb'): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new StratumError('NOTEBOOK_INVALID', `${source} is not valid JSON: ${(error as Error).message}`, { detail: { path: source }, cause: error });
  }
  return fromIpynb(json, source);
}

/**
 * Reads a `.ipynb` file as a Stratum notebook.
 *
 * @throws StratumError `FILE_NOT_FOUND`, `NOTEBOOK_IO` (unreadable), `NOTEBOOK_INVALID` as {@link parseIpynb}
 */
export async function loadIpynb(file: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StratumError('FILE_NOT_FOUND', `${file} does not exist`, { detail: { path: file }, cause: error });
    throw new StratumError('NOTEBOOK_IO', `cannot read ${file}: ${(error as Error).message}`, { detail: { path: file }, cause: error });
  }
  return parseIpynb(text, file);
}

/**
 * Writes a Stratum notebook as `.ipynb` atomically (temp file + fsync + rename, like `saveNotebook`).
 *
 * @throws StratumError `NOTEBOOK_IO` when the file cannot be written
 */
export async function saveIpynb(file: string, nb: Notebook): Promise<void> {
  const text = serializeIpynb(nb);
  try {
    await writeFileAtomic(file, text, { encoding: 'utf8', fsync: true });
  } catch (error) {
    throw new StratumError('NOTEBOOK_IO', `cannot write ${file}: ${(error as Error).message}`, { detail: { path: file }, hint: 'Check that the folder exists and is writable.', cause: error });
  }
}

/** `dir/name.stratum.json` -> `dir/name.ipynb` (also accepts a plain `.json`). */
export function ipynbPathFor(notebookPath: string): string {
  return notebookPath.replace(/(\.stratum)?\.json$/i, '') + '.ipynb';
}

/** `dir/name.ipynb` -> `dir/name.stratum.json`. */
export function notebookPathFor(ipynbPath: string): string {
  return ipynbPath.replace(/\.ipynb$/i, '') + '.stratum.json';
}
