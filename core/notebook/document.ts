/**
 * Reading and writing notebook documents: the serializer half of a notebook (bytes <-> {@link Notebook}),
 * kept apart from the kernel that runs it (as VS Code separates notebook serializer and controller).
 *
 * - Load validates against {@link NOTEBOOK_SCHEMA} with Ajv and names the bad field as a path
 *   like `cells[3].type`; malformed JSON names the line and column.
 * - Save is atomic (write-file-atomic: temp file + fsync + rename), writes keys in a stable order,
 *   2-space indent and a trailing newline, so diffs between revisions stay small.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import writeFileAtomic from 'write-file-atomic';
import { StratumError } from '../errors.ts';
import { NOTEBOOK_SCHEMA } from './schema.ts';
import type { Cell, CellOutput, Notebook } from './types.ts';

let validator: ValidateFunction | undefined;

function validate(value: unknown): { ok: true } | { ok: false; error: ErrorObject } {
  validator ??= new Ajv({ allErrors: false, useDefaults: true, strict: true, strictRequired: false, strictTypes: false }).compile(NOTEBOOK_SCHEMA);
  if (validator(value)) return { ok: true };
  const errors = validator.errors ?? [];
  // With if/then schemas Ajv reports the inner error first, then a generic `if` error: keep the inner one.
  const error = errors.find((e) => e.keyword === 'propertyNames') ?? errors.find((e) => e.keyword !== 'if') ?? errors[0];
  return error ? { ok: false, error } : { ok: true };
}

/** `/cells/3/type` -> `cells[3].type`; `` -> `(root)`. */
function formatPath(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || '(root)';
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const s of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

/** Turns one Ajv error into a `{ field, message }` naming the field and what is expected. */
function explain(error: ErrorObject, root: unknown): { field: string; expected: string; message: string } {
  const segments = pointerSegments(error.instancePath);
  const actual = valueAt(root, segments);
  const params = error.params as Record<string, unknown>;
  let field = formatPath(segments);
  let expected: string;
  let got = ` (got ${describeValue(actual)})`;
  switch (error.keyword) {
    case 'required':
      field = formatPath([...segments, String(params.missingProperty)]);
      expected = 'is required';
      got = '';
      break;
    case 'additionalProperties':
      field = formatPath([...segments, String(params.additionalProperty)]);
      expected = 'is not a known field';
      got = '';
      break;
    case 'enum':
      expected = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      expected = `must be ${JSON.stringify(params.allowedValue)}`;
      break;
    case 'type':
      expected = `must be ${String(params.type).replace(',', ' or ')}`;
      break;
    case 'pattern':
      expected = `must match ${String(params.pattern)}`;
      break;
    case 'propertyNames':
      field = formatPath([...segments, String(params.propertyName)]);
      expected = 'is not a valid MIME type (e.g. text/plain)';
      got = '';
      break;
    default:
      expected = error.message ?? `fails ${error.keyword}`;
  }
  return { field, expected, message: `${field} ${expected}${got}` };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/**
 * Finds the offset and reason of the first JSON syntax error (JSON.parse messages do not always
 * carry a position). A small scanner following RFC 8259's grammar; only called after JSON.parse failed.
 */
function locateJsonError(text: string): { line: number; column: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw Object.assign(new Error(reason), { offset: i });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected token');
  };
  const string = (): void => {
    i += 1;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        const e = text[i + 1] ?? '';
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') fail('bad escape');
        i += 2;
        continue;
      }
      i += 1;
    }
    i += 1;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === undefined) fail('unexpected end of input');
    else if (c === '{') {
      i += 1;
      ws();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail("expected ':' after property name");
        i += 1;
        value();
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return;
        }
        fail(i >= text.length ? 'unexpected end of input' : "expected ',' or '}'");
      }
    } else if (c === '[') {
      i += 1;
      ws();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return;
        }
        fail(i >= text.length ? 'unexpected end of input' : "expected ',' or ']'");
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m || m[0] === '' || m[0] === '-') fail('unexpected token');
      else i += m[0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected data after the JSON value');
    return undefined;
  } catch (error) {
    const offset = (error as { offset?: number }).offset ?? i;
    return { ...lineColumn(text, offset), reason: (error as Error).message };
  }
}

/**
 * Parses and validates notebook JSON text. Missing `outputs`, `executionCount` and `metadata`
 * are filled with `[]`, `null` and `{}`.
 *
 * @param text - the file's contents (a UTF-8 BOM is ignored)
 * @param source - file name used in messages and `detail.path`
 * @returns the validated notebook
 * @throws StratumError `NOTEBOOK_INVALID` with `detail.line`/`detail.column` for malformed JSON, or
 *   `detail.field` (e.g. `cells[3].type`) and what is expected for a document that breaks the schema
 *   or repeats a cell id
 * @example
 * ```ts
 * const nb = parseNotebook('{"schemaVersion":1,"cells":[{"id":"a1","type":"code","source":"1+1"}]}');
 * nb.cells[0].outputs; // []
 * ```
 */
export function parseNotebook(text: string, source = 'notebook'): Notebook {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const where = locateJsonError(body);
    const reason = where?.reason ?? (error as Error).message;
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    throw new StratumError('NOTEBOOK_INVALID', `${source} is not valid JSON${at}: ${reason}`, {
      detail: { path: source, ...(where ? { line: where.line, column: where.column } : {}) },
      hint: 'Fix the JSON syntax (a trailing comma or a missing quote is common), or restore the file from version control.',
      cause: error,
    });
  }
  const result = validate(value);
  if (!result.ok) {
    const { field, expected, message } = explain(result.error, value);
    throw new StratumError('NOTEBOOK_INVALID', `${source}: ${message}`, { detail: { path: source, field, expected } });
  }
  const notebook = value as Notebook;
  const seen = new Map<string, number>();
  notebook.cells.forEach((cell, index) => {
    const first = seen.get(cell.id);
    if (first !== undefined) {
      const field = `cells[${index}].id`;
      throw new StratumError('NOTEBOOK_INVALID', `${source}: ${field} must be unique (${JSON.stringify(cell.id)} is also the id of cells[${first}])`, {
        detail: { path: source, field, expected: 'a unique cell id' },
      });
    }
    seen.set(cell.id, index);
  });
  return notebook;
}

/**
 * Reads, parses and validates a notebook file.
 *
 * @param path - path of a `.json`/`.stratum` notebook file
 * @throws StratumError `FILE_NOT_FOUND` when the file does not exist, `NOTEBOOK_IO` when it cannot be
 *   read, `NOTEBOOK_INVALID` as {@link parseNotebook}
 */
export async function loadNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StratumError('FILE_NOT_FOUND', `notebook ${path} does not exist`, { detail: { path }, cause: error });
    throw new StratumError('NOTEBOOK_IO', `cannot read notebook ${path}: ${(error as Error).message}`, { detail: { path }, cause: error });
  }
  return parseNotebook(text, path);
}

const CELL_KEYS = ['id', 'type', 'language', 'template', 'metadata', 'source', 'outputs', 'executionCount'] as const;
const OUTPUT_KEYS = ['type', 'name', 'ename', 'evalue', 'code', 'hint', 'cellLine', 'data', 'text', 'traceback', 'detail'] as const;

/**
 * Copies a JSON value with object keys sorted, checking it is JSON: throws on bigint, functions,
 * symbols and cycles; non-finite numbers become `null` (as JSON.stringify does).
 */
function canonical(value: unknown, path: string, stack: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'undefined':
      return undefined;
    case 'object': {
      if (value === null) return null;
      if (stack.has(value)) throw notSerializable(path, 'a circular reference');
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return canonical((toJSON as () => unknown).call(value), path, stack);
      stack.add(value);
      try {
        if (Array.isArray(value)) return value.map((item, i) => canonical(item, `${path}[${i}]`, stack) ?? null);
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
          const v = canonical((value as Record<string, unknown>)[key], childPath(path, key), stack);
          if (v !== undefined) out[key] = v;
        }
        return out;
      } finally {
        stack.delete(value);
      }
    }
    default:
      throw notSerializable(path, `a ${typeof value}`);
  }
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function notSerializable(path: string, what: string): StratumError {
  return new StratumError('NOTEBOOK_INVALID', `cannot save notebook: ${path} is ${what}, which JSON cannot hold`, {
    detail: { field: path },
    hint: 'Convert the value to a string or number before it is stored in a cell output.',
  });
}

function ordered(value: Record<string, unknown>, keys: readonly string[], path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (value[key] !== undefined) out[key] = canonical(value[key], `${path}.${key}`, new Set());
  }
  for (const key of Object.keys(value).sort()) {
    if (!(key in out) && value[key] !== undefined) out[key] = canonical(value[key], `${path}.${key}`, new Set());
  }
  return out;
}

function orderedCell(cell: Cell, index: number): Record<string, unknown> {
  const path = `cells[${index}]`;
  const { outputs, ...rest } = cell;
  const out = ordered({ ...rest, outputs: [] }, CELL_KEYS, path);
  out.outputs = (outputs ?? []).map((o: CellOutput, i) => ordered(o as unknown as Record<string, unknown>, OUTPUT_KEYS, `${path}.outputs[${i}]`));
  return out;
}

/**
 * Serializes a notebook to its canonical text: keys in a stable order (documented fields in a
 * fixed order, free-form objects sorted), 2-space indent, trailing newline. Validates first, so an
 * invalid notebook is never produced.
 *
 * @throws StratumError `NOTEBOOK_INVALID` naming the field when the notebook breaks the schema or holds
 *   a value JSON cannot represent (bigint, function, cycle)
 */
export function serializeNotebook(nb: Notebook): string {
  const document = {
    schemaVersion: nb.schemaVersion,
    metadata: canonical(nb.metadata ?? {}, 'metadata', new Set()),
    cells: (nb.cells ?? []).map(orderedCell),
  };
  const result = validate(structuredClone(document));
  if (!result.ok) {
    const { field, expected, message } = explain(result.error, document);
    throw new StratumError('NOTEBOOK_INVALID', `cannot save notebook: ${message}`, { detail: { field, expected } });
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Saves a notebook atomically: the text is fully produced first (so a notebook that cannot be
 * serialized leaves the old file untouched), then written to a temp file, fsynced and renamed.
 *
 * @throws StratumError `NOTEBOOK_INVALID` as {@link serializeNotebook}; `NOTEBOOK_IO` when the file cannot be written
 */
export async function saveNotebook(path: string, nb: Notebook): Promise<void> {
  const text = serializeNotebook(nb);
  try {
    await writeFileAtomic(path, text, { encoding: 'utf8', fsync: true });
  } catch (error) {
    throw new StratumError('NOTEBOOK_IO', `cannot write notebook ${path}: ${(error as Error).message}`, {
      detail: { path },
      hint: 'Check that the folder exists and is writable.',
      cause: error,
    });
  }
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new random cell id: 8 characters of `a-z0-9` (36^8 ≈ 2.8e12 values).
 *
 * @param taken - ids already in the notebook; the result is none of them
 */
export function newCellId(taken?: Iterable<string>): string {
  const avoid = new Set(taken ?? []);
  for (;;) {
    const bytes = randomBytes(8);
    let id = '';
    for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
    if (!avoid.has(id)) return id;
  }
}
