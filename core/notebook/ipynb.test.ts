import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStratumError, type StratumError } from '../errors.ts';
import { renderTemplateCode } from '../../templates/index.ts';
import { loadNotebook, parseNotebook, serializeNotebook } from './document.ts';
import { fromIpynb, ipynbPathFor, loadIpynb, notebookPathFor, saveIpynb, toIpynb } from './ipynb.ts';
import type { Notebook } from './types.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { validateRequest } from '../api/validate.ts';

const TEMPLATE = { id: 'tabular.mlp-classifier', params: { data: 'weather', target: 'weather', features: ['precipitation', 'wind'], epochs: 10 } };

function sample(): Notebook {
  return {
    schemaVersion: 1,
    metadata: { title: 'Weather', created: '2024-05-01T10:00:00Z', custom: { a: 1 } },
    cells: [
      { id: 'md000001', type: 'markdown', source: '# Title\n\nSome *prose*.\n', outputs: [], executionCount: null },
      {
        id: 'code0001',
        type: 'code',
        language: 'javascript',
        source: 'const x = 1;\nconsole.log(x);\nx + 1',
        outputs: [
          { type: 'stream', name: 'stdout', text: '1\n2\n' },
          { type: 'stream', name: 'stderr', text: 'warn: no newline at end' },
          { type: 'display', data: { 'text/plain': 'hi', 'application/vnd.stratum.table+json': { columns: [{ name: 'a', dtype: 'int32' }], rows: [[1]], totalRows: 1 } }, cellLine: 2 },
          { type: 'display', data: { 'application/vnd.plotly.v1+json': { data: [{ type: 'bar', x: [1], y: [2] }] } } },
          { type: 'result', data: { 'text/plain': '2' } },
          { type: 'error', ename: 'StratumError', evalue: 'boom', traceback: ['at cell[code0001]:3:1'], code: 'KERNEL_DIED', detail: { cellId: 'code0001' }, hint: 'restart' },
        ],
        executionCount: 4,
        metadata: { collapsed: true, tags: ['keep'] },
      },
      { id: 'tmpl0001', type: 'template', source: '', template: TEMPLATE, outputs: [{ type: 'stream', name: 'stdout', text: 'epoch 1/10\n' }], executionCount: 5 },
      { id: 'empty001', type: 'code', source: '', outputs: [], executionCount: null },
    ],
  };
}

/** The notebook as the loader gives it back (defaults filled), the reference for exact round trips. */
function canonical(nb: Notebook): Notebook {
  return parseNotebook(serializeNotebook(nb));
}

function invalid(doc: unknown): StratumError {
  try {
    fromIpynb(doc, 'x.ipynb');
  } catch (error) {
    if (isStratumError(error, 'NOTEBOOK_INVALID')) return error;
    throw error;
  }
  throw new Error('expected NOTEBOOK_INVALID');
}

describe('toIpynb', () => {
  it('writes nbformat 4.5 with the Stratum kernelspec, lines as lists and mapped outputs', () => {
    const ipynb = toIpynb(sample()) as Record<string, unknown> & { cells: Array<Record<string, unknown>> };
    expect(ipynb.nbformat).toBe(4);
    expect(ipynb.nbformat_minor).toBe(5);
    expect(ipynb.metadata).toMatchObject({
      kernelspec: { name: 'stratum', display_name: 'Stratum (TypeScript)', language: 'typescript' },
      language_info: { name: 'typescript' },
    });
    const [md, code, tmpl] = ipynb.cells;
    expect(md).toEqual({ id: 'md000001', cell_type: 'markdown', metadata: {}, source: ['# Title\n', '\n', 'Some *prose*.\n'] });
    expect(code?.source).toEqual(['const x = 1;\n', 'console.log(x);\n', 'x + 1']);
    expect(code?.execution_count).toBe(4);
    expect(code?.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: ['1\n', '2\n'] },
      { output_type: 'stream', name: 'stderr', text: ['warn: no newline at end'] },
      { output_type: 'display_data', data: { 'text/plain': 'hi', 'application/vnd.stratum.table+json': { columns: [{ name: 'a', dtype: 'int32' }], rows: [[1]], totalRows: 1 } }, metadata: { stratum: { cellLine: 2 } } },
      { output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': { data: [{ type: 'bar', x: [1], y: [2] }] } }, metadata: {} },
      { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 },
      { output_type: 'error', ename: 'StratumError', evalue: 'boom', traceback: ['at cell[code0001]:3:1'] },
    ]);
    expect(code?.metadata).toEqual({ collapsed: true, tags: ['keep'], stratum: { language: 'javascript', errors: { '5': { code: 'KERNEL_DIED', detail: { cellId: 'code0001' }, hint: 'restart' } } } });
    // The template cell is a code cell with the rendered code; the template is kept in metadata.
    expect(tmpl?.cell_type).toBe('code');
    const rendered = renderTemplateCode(TEMPLATE.id, TEMPLATE.params);
    expect((tmpl?.source as string[]).join('')).toBe(rendered);
    expect((tmpl?.metadata as { stratum: { template: unknown } }).stratum.template).toEqual(TEMPLATE);
  });
});

describe('round trip Stratum -> ipynb -> Stratum', () => {
  it('keeps cells, sources, languages, metadata, template id/params, outputs and execution counts exactly', () => {
    const nb = sample();
    const back = fromIpynb(JSON.parse(JSON.stringify(toIpynb(nb))) as unknown, 'sample.ipynb');
    expect(back).toEqual(canonical(nb));
    expect(back.cells[2]).toMatchObject({ type: 'template', template: TEMPLATE, source: '', executionCount: 5 });
  });

  it('round trips the Seattle weather starter exactly', async () => {
    const nb = await loadNotebook(join(import.meta.dirname, '../../examples/seattle-weather/seattle-weather.stratum.json'));
    expect(fromIpynb(toIpynb(nb))).toEqual(canonical(nb));
  });

  it('a template cell whose code was edited in Jupyter comes back as code, the template kept aside', () => {
    const ipynb = toIpynb(sample()) as { cells: Array<{ source: string[] }> };
    const tmpl = ipynb.cells[2] as { source: string[] };
    tmpl.source = [...tmpl.source, '\n// tweaked in Jupyter\n'];
    const back = fromIpynb(ipynb);
    expect(back.cells[2]?.type).toBe('code');
    expect(back.cells[2]?.source.endsWith('// tweaked in Jupyter\n')).toBe(true);
    expect(back.cells[2]?.metadata).toEqual({ stratum: { detachedTemplate: TEMPLATE } });
  });

  describe('files', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ipynb-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('saveIpynb writes Jupyter-style JSON atomically; loadIpynb reads it back', async () => {
      const file = join(dir, 'a.ipynb');
      await saveIpynb(file, sample());
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('{\n "cells": [')).toBe(true);
      expect(text.endsWith('}\n')).toBe(true);
      expect(await loadIpynb(file)).toEqual(canonical(sample()));
    });

    it('workspace.exportIpynb / importIpynb write beside the file and refuse to overwrite unless asked', async () => {
      const ws = await openWorkspace({ root: dir });
      try {
        const h = ws.handlers;
        await h['workspace.saveNotebook']({ path: 'sub/a.stratum.json', notebook: sample(), baseRevision: null });
        expect(await h['workspace.exportIpynb']({ path: 'sub/a.stratum.json' })).toEqual({ path: 'sub/a.ipynb' });
        await expect(h['workspace.importIpynb']({ path: 'sub/a.ipynb' })).rejects.toMatchObject({ code: 'SAVE_CONFLICT' });
        expect(await h['workspace.importIpynb']({ path: 'sub/a.ipynb', out: 'b.stratum.json' })).toEqual({ path: 'b.stratum.json' });
        expect(await h['workspace.importIpynb']({ path: 'sub/a.ipynb', overwrite: true })).toEqual({ path: 'sub/a.stratum.json' });
        const read = await h['workspace.readNotebook']({ path: 'b.stratum.json' });
        expect(read.notebook).toEqual(canonical(sample()));
        await expect(h['workspace.importIpynb']({ path: '../x.ipynb' })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
      } finally {
        await ws.dispose();
      }
      expect(() => validateRequest('workspace.importIpynb', { path: 'a.stratum.json' })).toThrow(/path/);
      expect(() => validateRequest('workspace.importIpynb', { path: 'a.ipynb', out: 'b.ipynb' })).toThrow(/out/);
      expect(validateRequest('workspace.exportIpynb', { path: 'a.stratum.json' })).toEqual({ path: 'a.stratum.json' });
    });

    it('loadIpynb of a missing file is FILE_NOT_FOUND', async () => {
      await expect(loadIpynb(join(dir, 'nope.ipynb'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    });
  });

  it('maps file names both ways', () => {
    expect(ipynbPathFor('dir/a.stratum.json')).toBe('dir/a.ipynb');
    expect(notebookPathFor('dir/a.ipynb')).toBe('dir/a.stratum.json');
  });
});

describe('fromIpynb of a notebook saved by Jupyter', () => {
  // Hand-written like JupyterLab 4 saves a Python notebook (nbformat 4.5, 1-space indent, sources as lists of lines).
  const JUPYTER = `{
 "cells": [
  {
   "cell_type": "markdown",
   "id": "a1b2c3d4-0001",
   "metadata": {},
   "source": [
    "# Analysis\\n",
    "\\n",
    "Loads *data*."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "id": "7f8e9d0c",
   "metadata": {
    "scrolled": true,
    "tags": ["parameters"]
   },
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "hello\\n",
      "world\\n"
     ]
    },
    {
     "data": {
      "text/html": [
       "<b>1</b>\\n",
       "<i>2</i>"
      ],
      "text/plain": [
       "   a\\n",
       "0  1"
      ],
      "application/json": ["x", "y"]
     },
     "execution_count": 3,
     "metadata": {},
     "output_type": "execute_result"
    },
    {
     "ename": "ZeroDivisionError",
     "evalue": "division by zero",
     "output_type": "error",
     "traceback": [
      "\\u001b[0;31m---------------------------------------------------------------------------\\u001b[0m",
      "\\u001b[0;31mZeroDivisionError\\u001b[0m: division by zero"
     ]
    }
   ],
   "source": [
    "print('hello')\\n",
    "print('world')\\n",
    "1/0"
   ]
  },
  {
   "cell_type": "raw",
   "id": "raw.cell 1",
   "metadata": {},
   "source": "raw text"
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "7f8e9d0c",
   "metadata": {},
   "outputs": [],
   "source": []
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3 (ipykernel)",
   "language": "python",
   "name": "python3"
  },
  "language_info": {
   "name": "python",
   "version": "3.12.1"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`;

  it('joins lists of lines, maps outputs, turns raw cells into markdown and fixes bad or repeated ids', () => {
    const nb = fromIpynb(JSON.parse(JUPYTER) as unknown, 'work/analysis.ipynb');
    expect(nb.metadata).toEqual({
      title: 'analysis',
      jupyter: { kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' }, language_info: { name: 'python', version: '3.12.1' } },
    });
    expect(nb.cells.map((c) => [c.id, c.type])).toEqual([
      ['a1b2c3d4-0001', 'markdown'],
      ['7f8e9d0c', 'code'],
      // "raw.cell 1": '.' and ' ' become '-'.
      ['raw-cell-1', 'markdown'],
      // The second "7f8e9d0c" repeats the first: suffix -2.
      ['7f8e9d0c-2', 'code'],
    ]);
    expect(nb.cells[0]?.source).toBe('# Analysis\n\nLoads *data*.');
    const code = nb.cells[1];
    expect(code?.source).toBe("print('hello')\nprint('world')\n1/0");
    expect(code?.executionCount).toBe(3);
    expect(code?.metadata).toEqual({ scrolled: true, tags: ['parameters'] });
    expect(code?.language).toBeUndefined();
    expect(code?.outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'hello\nworld\n' },
      // text/* lists are joined; a JSON MIME type keeps its array value as data.
      { type: 'result', data: { 'text/html': '<b>1</b>\n<i>2</i>', 'text/plain': '   a\n0  1', 'application/json': ['x', 'y'] } },
      // ANSI colour codes removed from the traceback.
      { type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: ['---------------------------------------------------------------------------', 'ZeroDivisionError: division by zero'] },
    ]);
    expect(nb.cells[2]).toEqual({ id: 'raw-cell-1', type: 'markdown', source: 'raw text', outputs: [], executionCount: null, metadata: { stratum: { importedFrom: 'raw' } } });
    expect(nb.cells[3]).toEqual({ id: '7f8e9d0c-2', type: 'code', source: '', outputs: [], executionCount: null });
  });

  it('gives cells without ids (nbformat 4.4) cell-<index>, avoiding ids already taken', () => {
    const nb = fromIpynb({
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [
        { cell_type: 'code', metadata: {}, source: 'a', outputs: [], execution_count: null },
        { cell_type: 'markdown', metadata: {}, source: 'b' },
        { cell_type: 'markdown', id: 'cell-0', metadata: {}, source: 'c' },
      ],
    });
    // cells[2] keeps its valid id "cell-0", so cells[0] (missing id) gets "cell-0-2".
    expect(nb.cells.map((c) => c.id)).toEqual(['cell-0-2', 'cell-1', 'cell-0']);
  });
});

describe('fromIpynb rejects invalid documents naming the field', () => {
  const cell = { cell_type: 'code', id: 'c1', metadata: {}, source: 'x', outputs: [], execution_count: null };
  const doc = (cells: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells, ...extra });
  const cases: Array<[string, unknown, string]> = [
    ['not an object', [1, 2], '(root)'],
    ['nbformat 3', doc([], { nbformat: 3 }), 'nbformat'],
    ['missing nbformat', { cells: [] }, 'nbformat'],
    ['nbformat_minor a string', doc([], { nbformat_minor: '5' }), 'nbformat_minor'],
    ['metadata an array', doc([], { metadata: [] }), 'metadata'],
    ['missing cells', { nbformat: 4, nbformat_minor: 5, metadata: {} }, 'cells'],
    ['a cell that is a string', doc([cell, 'x']), 'cells[1]'],
    ['unknown cell_type', doc([cell, cell, { ...cell, id: 'c3', cell_type: 'heading' }]), 'cells[2].cell_type'],
    ['id a number', doc([{ ...cell, id: 7 }]), 'cells[0].id'],
    ['source a number', doc([{ ...cell, source: 3 }]), 'cells[0].source'],
    ['a source line not a string', doc([{ ...cell, source: ['a\n', null] }]), 'cells[0].source[1]'],
    ['cell metadata a string', doc([{ ...cell, metadata: 'm' }]), 'cells[0].metadata'],
    ['outputs an object', doc([{ ...cell, outputs: {} }]), 'cells[0].outputs'],
    ['execution_count negative', doc([{ ...cell, execution_count: -1 }]), 'cells[0].execution_count'],
    ['unknown output_type', doc([{ ...cell, outputs: [{ output_type: 'pyout' }] }]), 'cells[0].outputs[0].output_type'],
    ['stream name', doc([{ ...cell, outputs: [{ output_type: 'stream', name: 'stdin', text: '' }] }]), 'cells[0].outputs[0].name'],
    ['stream text a number', doc([{ ...cell, outputs: [{ output_type: 'stream', name: 'stdout', text: 1 }] }]), 'cells[0].outputs[0].text'],
    ['display data missing', doc([{ ...cell, outputs: [{ output_type: 'display_data', metadata: {} }] }]), 'cells[0].outputs[0].data'],
    ['bad MIME type', doc([{ ...cell, outputs: [{ output_type: 'display_data', data: { plain: 'x' }, metadata: {} }] }]), 'cells[0].outputs[0].data["plain"]'],
    ['error traceback', doc([{ ...cell, outputs: [{ output_type: 'error', ename: 'E', evalue: 'v', traceback: [1] }] }]), 'cells[0].outputs[0].traceback[0]'],
    ['error ename missing', doc([{ ...cell, outputs: [{ output_type: 'error', evalue: 'v', traceback: [] }] }]), 'cells[0].outputs[0].ename'],
  ];
  it.each(cases)('%s -> %s', (_name, document, field) => {
    const error = invalid(document);
    expect(error.detail.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.detail.path).toBe('x.ipynb');
  });
});
