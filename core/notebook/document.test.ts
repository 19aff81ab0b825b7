import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStratumError, type StratumError } from '../errors.ts';
import { loadNotebook, newCellId, parseNotebook, saveNotebook, serializeNotebook } from './document.ts';
import type { Notebook } from './types.ts';

function sample(): Notebook {
  return {
    schemaVersion: 1,
    metadata: { title: 'Weather', created: '2024-05-01T10:00:00Z' },
    cells: [
      { id: 'md000001', type: 'markdown', source: '# Title', outputs: [], executionCount: null },
      {
        id: 'code0001',
        type: 'code',
        language: 'typescript',
        source: 'const x = 1;\nconsole.log(x);\nx + 1',
        outputs: [
          { type: 'stream', name: 'stdout', text: '1\n' },
          { type: 'display', data: { 'text/plain': 'hi', 'application/vnd.stratum.table+json': { columns: [{ name: 'a', dtype: 'int32' }], rows: [[1]], totalRows: 1 } }, cellLine: 2 },
          { type: 'result', data: { 'text/plain': '2' } },
          { type: 'error', ename: 'TypeError', evalue: 'boom', traceback: ['at cell[code0001]:3:1'], code: 'KERNEL_DIED' },
        ],
        executionCount: 4,
        metadata: { collapsed: true },
      },
      { id: 'tmpl0001', type: 'template', source: '', template: { id: 'tabular.mlp-classifier', params: { target: 'weather', epochs: 10 } }, outputs: [], executionCount: null },
    ],
  };
}

/** Parses `doc` expecting NOTEBOOK_INVALID and returns the error. */
function invalid(doc: unknown): StratumError {
  try {
    parseNotebook(typeof doc === 'string' ? doc : JSON.stringify(doc), 'nb.json');
  } catch (error) {
    if (isStratumError(error, 'NOTEBOOK_INVALID')) return error;
    throw error;
  }
  throw new Error('expected NOTEBOOK_INVALID');
}

function withCell(cell: Record<string, unknown>, index = 1): unknown {
  const nb = sample() as unknown as { cells: unknown[] };
  nb.cells[index] = cell;
  return nb;
}

describe('parseNotebook / serializeNotebook', () => {
  it('round-trips a notebook with every cell and output kind', () => {
    const text = serializeNotebook(sample());
    expect(parseNotebook(text)).toEqual(sample());
    expect(serializeNotebook(parseNotebook(text))).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
  });

  it('writes keys in a stable order regardless of insertion order', () => {
    const nb = sample();
    const shuffled: Notebook = {
      cells: nb.cells.map((c) => Object.fromEntries(Object.entries(c).reverse()) as unknown as typeof c),
      metadata: { created: nb.metadata.created, title: nb.metadata.title },
      schemaVersion: 1,
    };
    expect(serializeNotebook(shuffled)).toBe(serializeNotebook(nb));
    const cellText = serializeNotebook(nb);
    // Documented order of a cell: id, type, language, template, metadata, source, outputs, executionCount.
    expect(cellText.indexOf('"id": "code0001"')).toBeLessThan(cellText.indexOf('"language"'));
    expect(cellText.indexOf('"source": "const')).toBeLessThan(cellText.indexOf('"executionCount": 4'));
  });

  it('fills defaults for omitted outputs, executionCount and metadata', () => {
    const nb = parseNotebook('{"schemaVersion":1,"cells":[{"id":"a","type":"code","source":"1"}]}');
    expect(nb.metadata).toEqual({});
    expect(nb.cells[0]).toEqual({ id: 'a', type: 'code', source: '1', outputs: [], executionCount: null });
  });

  it('ignores a UTF-8 BOM', () => {
    expect(parseNotebook('\ufeff{"schemaVersion":1,"cells":[]}').cells).toEqual([]);
  });
});

describe('validation names the bad field', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['wrong schema version', { ...sample(), schemaVersion: 2 }, 'schemaVersion', /must be 1 \(got number 2\)/],
    ['missing cells', { schemaVersion: 1 }, 'cells', /is required/],
    ['unknown top-level field', { ...sample(), extra: 1 }, 'extra', /not a known field/],
    ['cells not an array', { schemaVersion: 1, cells: {} }, 'cells', /must be array/],
    ['bad cell type', withCell({ id: 'x1', type: 'sql', source: '' }), 'cells[1].type', /one of "markdown", "code", "template" \(got "sql"\)/],
    ['missing source', withCell({ id: 'x1', type: 'code' }), 'cells[1].source', /is required/],
    ['source not a string', withCell({ id: 'x1', type: 'code', source: 3 }), 'cells[1].source', /must be string/],
    ['bad id', withCell({ id: 'has space', type: 'code', source: '' }), 'cells[1].id', /must match/],
    ['bad language', withCell({ id: 'x1', type: 'code', source: '', language: 'python' }), 'cells[1].language', /one of "typescript", "javascript"/],
    ['template cell without template', withCell({ id: 'x1', type: 'template', source: '' }), 'cells[1].template', /is required/],
    ['template without params', withCell({ id: 'x1', type: 'template', source: '', template: { id: 't' } }), 'cells[1].template.params', /is required/],
    ['bad executionCount', withCell({ id: 'x1', type: 'code', source: '', executionCount: 'one' }), 'cells[1].executionCount', /must be integer or null/],
    ['bad output type', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'image' }] }), 'cells[1].outputs[0].type', /one of "display", "stream", "error", "result"/],
    ['bad stream name', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'stream', name: 'stdin', text: '' }] }), 'cells[1].outputs[0].name', /one of "stdout", "stderr"/],
    ['error output without traceback', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'error', ename: 'E', evalue: 'v' }] }), 'cells[1].outputs[0].traceback', /is required/],
    ['traceback entry not a string', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'error', ename: 'E', evalue: 'v', traceback: [1] }] }), 'cells[1].outputs[0].traceback[0]', /must be string/],
    ['display data not a bundle', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'display', data: 'x' }] }), 'cells[1].outputs[0].data', /must be object/],
    ['bad MIME key', withCell({ id: 'x1', type: 'code', source: '', outputs: [{ type: 'result', data: { plain: 1 } }] }), 'cells[1].outputs[0].data.plain', /not a valid MIME type/],
    ['unknown cell field', withCell({ id: 'x1', type: 'code', source: '', lang: 'ts' }), 'cells[1].lang', /not a known field/],
  ];
  it.each(cases)('%s', (_name, doc, field, message) => {
    const error = invalid(doc);
    expect(error.detail.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toMatch(message);
  });

  it('rejects duplicate cell ids naming both cells', () => {
    const error = invalid(withCell({ id: 'md000001', type: 'code', source: '' }, 2));
    expect(error.detail.field).toBe('cells[2].id');
    expect(error.message).toMatch(/also the id of cells\[0\]/);
  });

  it('names line and column of malformed JSON', () => {
    // Line 3 is `  "cells": [,]`: the stray comma is the 13th character.
    const error = invalid('{\n  "schemaVersion": 1,\n  "cells": [,]\n}');
    expect(error.detail).toMatchObject({ line: 3, column: 13 });
    expect(error.message).toMatch(/line 3, column 13/);
    const truncated = invalid('{"schemaVersion": 1, "cells": [');
    expect(truncated.detail.line).toBe(1);
  });
});

describe('loadNotebook / saveNotebook', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratum-nb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves and loads back the same notebook, leaving no temp file', async () => {
    const file = join(dir, 'a.stratum.json');
    await saveNotebook(file, sample());
    expect(await loadNotebook(file)).toEqual(sample());
    expect(readFileSync(file, 'utf8')).toBe(serializeNotebook(sample()));
    expect(readdirSync(dir)).toEqual(['a.stratum.json']);
  });

  it('leaves the old file intact when the notebook cannot be serialized', async () => {
    const file = join(dir, 'a.stratum.json');
    await saveNotebook(file, sample());
    const before = readFileSync(file, 'utf8');
    const bad = sample();
    bad.cells[1].outputs.push({ type: 'result', data: { 'application/json': { n: 10n } } });
    await expect(saveNotebook(file, bad)).rejects.toMatchObject({ code: 'NOTEBOOK_INVALID', detail: { field: 'cells[1].outputs[4].data["application/json"].n' } });
    const cyclic = sample();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    cyclic.cells[1].metadata = loop;
    await expect(saveNotebook(file, cyclic)).rejects.toMatchObject({ code: 'NOTEBOOK_INVALID' });
    const wrongType = sample();
    (wrongType.cells[0] as { type: string }).type = 'sql';
    await expect(saveNotebook(file, wrongType)).rejects.toMatchObject({ code: 'NOTEBOOK_INVALID', detail: { field: 'cells[0].type' } });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['a.stratum.json']);
  });

  it('reports a missing file and an unwritable path', async () => {
    await expect(loadNotebook(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(saveNotebook(join(dir, 'no-such-dir', 'a.json'), sample())).rejects.toMatchObject({ code: 'NOTEBOOK_IO' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a bad file with its path', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"schemaVersion":1,"cells":[{"id":"a","type":"code"}]}');
    await expect(loadNotebook(file)).rejects.toMatchObject({ code: 'NOTEBOOK_INVALID', detail: { path: file, field: 'cells[0].source' } });
  });
});

describe('newCellId', () => {
  it('makes 8-character ids that avoid the taken ones', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newCellId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{8}$/);
    expect(ids.has(newCellId(ids))).toBe(false);
  });
});
