import { describe, expect, it } from 'vitest';
import { nextDirection, sortedRowOrder } from './table-sort.ts';

const rows = [
  ['b', 10, null],
  ['a10', 2, 'x'],
  ['a2', null, 'y'],
  ['B', 2, 'z'],
];

describe('sortedRowOrder', () => {
  it('sorts numbers numerically, missing last, ties in original order', () => {
    expect(sortedRowOrder(rows, 1, 'asc')).toEqual([1, 3, 0, 2]);
    expect(sortedRowOrder(rows, 1, 'desc')).toEqual([0, 1, 3, 2]);
  });

  it('sorts text with numeric collation, case-insensitively and stably', () => {
    expect(sortedRowOrder(rows, 0, 'asc')).toEqual([2, 1, 0, 3]); // a2 < a10 < b = B (b first: original order)
    expect(sortedRowOrder(rows, 2, 'desc')).toEqual([3, 2, 1, 0]); // z y x, then the missing value
  });

  it('restores the original order for none, and a click cycles asc -> desc -> none', () => {
    expect(sortedRowOrder(rows, 0, 'none')).toEqual([0, 1, 2, 3]);
    expect([nextDirection('none'), nextDirection('asc'), nextDirection('desc')]).toEqual(['asc', 'desc', 'none']);
  });
});
