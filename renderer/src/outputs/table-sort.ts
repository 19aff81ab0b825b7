/**
 * Sorting a table output's rows by one column, as a header click asks: numbers numerically,
 * everything else by `localeCompare` with numeric collation ("x2" before "x10"), missing values
 * (`null`/`undefined`) last in both directions, ties kept in their original order (stable).
 */

/** Sort direction of a column; `none` restores the original order. */
export type SortDirection = 'asc' | 'desc' | 'none';

/** The direction after a click on a header currently sorted `current` (asc -> desc -> none -> asc). */
export function nextDirection(current: SortDirection): SortDirection {
  return current === 'none' ? 'asc' : current === 'asc' ? 'desc' : 'none';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return collator.compare(typeof a === 'object' ? JSON.stringify(a) : String(a), typeof b === 'object' ? JSON.stringify(b) : String(b));
}

/**
 * Row indices of `rows` in the order of column `column` sorted `direction`.
 *
 * @param rows - row-major cells
 * @param column - 0-based column index
 * @returns a permutation of `0..rows.length-1` (the identity for `none`)
 */
export function sortedRowOrder(rows: readonly unknown[][], column: number, direction: SortDirection): number[] {
  const order = rows.map((_, i) => i);
  if (direction === 'none') return order;
  const sign = direction === 'asc' ? 1 : -1;
  const missing = (v: unknown): boolean => v === null || v === undefined;
  return order.sort((i, j) => {
    const a = rows[i]?.[column];
    const b = rows[j]?.[column];
    if (missing(a) || missing(b)) return missing(a) === missing(b) ? i - j : missing(a) ? 1 : -1;
    return sign * compareValues(a, b) || i - j;
  });
}
