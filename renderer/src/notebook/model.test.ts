import { describe, expect, it } from 'vitest';
import type { Notebook } from '../../../core/api/contract.ts';
import { findCommand } from './commands.ts';
import { initialState, reduce, toNotebook, type NotebookState } from './model.ts';
import { parseEpochLines } from '../outputs/training.ts';

const nb: Notebook = {
  schemaVersion: 1,
  metadata: { title: 't' },
  cells: [
    { id: 'a', type: 'code', source: 'const x = 1', outputs: [], executionCount: null },
    { id: 'b', type: 'code', source: 'x + 1', outputs: [], executionCount: null },
    { id: 'c', type: 'markdown', source: '# hi', outputs: [], executionCount: null },
  ],
};

const ran = (state: NotebookState, id: string, defines: string[], uses: string[]): NotebookState => {
  const s = reduce(state, { type: 'run-start', id, runId: `r-${id}` });
  return reduce(s, { type: 'run-end', id, runId: `r-${id}`, response: { status: 'ok', outputs: [], durationMs: 5, executionCount: 1, defines, uses } });
};

describe('notebook model', () => {
  it('inserts, deletes, undoes and moves cells, keeping the selection on the touched cell', () => {
    let s = initialState('n.stratum.json', nb, 'r0');
    s = reduce(s, { type: 'insert', at: 1, cell: { id: 'n', type: 'code', source: '', outputs: [], executionCount: null } });
    expect(s.cells.map((v) => v.cell.id)).toEqual(['a', 'n', 'b', 'c']);
    expect(s.active).toBe(1);
    expect(s.dirty).toBe(true);
    s = reduce(s, { type: 'delete', index: 1 });
    expect(s.cells.map((v) => v.cell.id)).toEqual(['a', 'b', 'c']);
    s = reduce(s, { type: 'undo-delete' });
    expect(s.cells.map((v) => v.cell.id)).toEqual(['a', 'n', 'b', 'c']);
    s = reduce(s, { type: 'move', index: 1, by: 1 });
    expect(s.cells.map((v) => v.cell.id)).toEqual(['a', 'b', 'n', 'c']);
    expect(s.active).toBe(2);
    expect(reduce(s, { type: 'move', index: 0, by: -1 })).toBe(s);
  });

  it('changes code <-> markdown keeping the id and source, dropping outputs', () => {
    let s = initialState('n.stratum.json', nb, 'r0');
    s = reduce(s, { type: 'change-type', index: 0, to: 'markdown' });
    expect(s.cells[0]?.cell).toEqual({ id: 'a', type: 'markdown', source: 'const x = 1', outputs: [], executionCount: null });
    s = reduce(s, { type: 'change-type', index: 0, to: 'code' });
    expect(s.cells[0]?.cell.type).toBe('code');
  });

  it('streams outputs of the current run only, merges stdout chunks, and ignores events after the response', () => {
    let s = initialState('n.stratum.json', nb, 'r0');
    s = reduce(s, { type: 'run-start', id: 'a', runId: 'r1' });
    s = reduce(s, { type: 'output', id: 'a', runId: 'r1', output: { type: 'stream', name: 'stdout', text: 'he' } });
    s = reduce(s, { type: 'output', id: 'a', runId: 'r1', output: { type: 'stream', name: 'stdout', text: 'llo\n' } });
    s = reduce(s, { type: 'output', id: 'a', runId: 'other', output: { type: 'stream', name: 'stdout', text: 'x' } });
    expect(s.cells[0]?.cell.outputs).toEqual([{ type: 'stream', name: 'stdout', text: 'hello\n' }]);
    s = reduce(s, { type: 'run-end', id: 'a', runId: 'r1', response: { status: 'ok', outputs: [{ type: 'stream', name: 'stdout', text: 'hello\n' }], durationMs: 3, executionCount: 4, defines: ['x'], uses: [] } });
    s = reduce(s, { type: 'output', id: 'a', runId: 'r1', output: { type: 'stream', name: 'stdout', text: 'late duplicate' } });
    expect(s.cells[0]?.cell.outputs).toHaveLength(1);
    expect(s.cells[0]?.cell.executionCount).toBe(4);
    expect(s.cells[0]?.run.state).toBe('done');
  });

  it('marks the edited cell and the cells using its names stale', () => {
    let s = initialState('n.stratum.json', nb, 'r0');
    s = ran(s, 'a', ['x'], []);
    s = ran(s, 'b', [], ['x']);
    s = reduce(s, { type: 'source', id: 'a', source: 'const x = 2' });
    expect(s.cells.map((v) => v.stale)).toEqual([true, true, false]);
    s = ran(s, 'a', ['x'], []);
    expect(s.cells.map((v) => v.stale)).toEqual([false, true, false]);
  });

  it('is clean after a save of the current cells, dirty if they changed during the save', () => {
    let s = reduce(initialState('n.stratum.json', nb, 'r0'), { type: 'source', id: 'b', source: 'x + 2' });
    const snapshot = toNotebook(s);
    expect(reduce(s, { type: 'saved', revision: 'r1', notebook: snapshot })).toMatchObject({ dirty: false, revision: 'r1' });
    s = reduce(s, { type: 'source', id: 'b', source: 'x + 3' });
    expect(reduce(s, { type: 'saved', revision: 'r1', notebook: snapshot }).dirty).toBe(true);
  });

  it('converts a template cell to code, keeping the template in metadata', () => {
    const withTemplate: Notebook = { ...nb, cells: [{ id: 't', type: 'template', source: '', template: { id: 'tabular.mlp-classifier', params: { epochs: 3 } }, outputs: [], executionCount: null }] };
    const s = reduce(initialState('n.stratum.json', withTemplate, 'r0'), { type: 'convert-to-code', id: 't', code: 'train()' });
    expect(s.cells[0]?.cell).toMatchObject({ type: 'code', source: 'train()', metadata: { convertedFrom: { id: 'tabular.mlp-classifier', params: { epochs: 3 } } } });
    expect(s.cells[0]?.cell.template).toBeUndefined();
  });
});

describe('keyboard commands', () => {
  const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; altKey: boolean }> = {}) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  it('maps JupyterLab keys to command ids; D and I need two presses within 800 ms', () => {
    expect(findCommand(key('Enter', { shiftKey: true }), undefined, 0)).toMatchObject({ id: 'notebook:run-cell-and-select-next' });
    expect(findCommand(key('Enter', { ctrlKey: true }), undefined, 0)).toMatchObject({ id: 'notebook:run-cell' });
    expect(findCommand(key('A', {}), undefined, 0)).toMatchObject({ id: 'notebook:insert-cell-above' });
    expect(findCommand(key('b'), undefined, 0)).toMatchObject({ id: 'notebook:insert-cell-below' });
    expect(findCommand(key('d'), undefined, 0)).toBe('pending');
    expect(findCommand(key('d'), { key: 'd', at: 100 }, 500)).toMatchObject({ id: 'notebook:delete-cell' });
    expect(findCommand(key('d'), { key: 'd', at: 100 }, 1000)).toBe('pending');
    expect(findCommand(key('q'), undefined, 0)).toBeUndefined();
  });
});

describe('epoch line parser', () => {
  it('reads epoch, total and metrics in the usual spellings; the last line of an epoch wins', () => {
    const text = 'loading\nepoch 1/3 loss=0.9 accuracy=0.5\nEpoch 2 of 3 - loss: 0.7, acc: 0.6, val_loss 0.8\n[train] epoch 3/3 loss=1e-1 accuracy=.9\nepoch 3/3 loss=0.05 accuracy=0.95\nepoch 4 no numbers\n';
    expect(parseEpochLines(text)).toEqual([
      { epoch: 1, total: 3, metrics: { loss: 0.9, accuracy: 0.5 } },
      { epoch: 2, total: 3, metrics: { loss: 0.7, acc: 0.6, val_loss: 0.8 } },
      { epoch: 3, total: 3, metrics: { loss: 0.05, accuracy: 0.95 } },
    ]);
  });
});
