/**
 * A table output (`application/vnd.stratum.table+json`) rendered with @tanstack/react-virtual:
 * only the rows in view (plus a small overscan) are in the DOM, so a million rows scroll smoothly.
 * The header shows each column's dtype; clicking a header sorts the rows shown by that column
 * (ascending, descending, original order), the `#` column keeping each row's original index.
 */
import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { nextDirection, sortedRowOrder, type SortDirection } from './table-sort.ts';

/** The table MIME payload. */
export interface TableData {
  columns: Array<{ name: string; dtype: string }>;
  rows: unknown[][];
  totalRows: number;
}

const ROW_HEIGHT = 26;

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Checks the shape of a table payload (outputs come from the kernel; be defensive). */
export function isTableData(value: unknown): value is TableData {
  const v = value as TableData;
  return typeof v === 'object' && v !== null && Array.isArray(v.columns) && Array.isArray(v.rows) && typeof v.totalRows === 'number';
}

/** Virtualized table with a sticky header of names and dtypes. */
export function TableOutput({ table }: { table: TableData }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [sort, setSort] = useState<{ column: number; direction: SortDirection }>({ column: 0, direction: 'none' });
  const order = useMemo(() => sortedRowOrder(table.rows, sort.column, sort.direction), [table.rows, sort]);
  const onSort = (column: number): void => setSort((s) => ({ column, direction: nextDirection(s.column === column ? s.direction : 'none') }));
  const virtualizer = useVirtualizer({ count: table.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const indexWidth = Math.max(40, String(table.rows.length).length * 8 + 16);
  const template = `${indexWidth}px repeat(${table.columns.length}, minmax(110px, 1fr))`;
  const height = Math.min(360, ROW_HEIGHT * (table.rows.length + 2) + 4);
  return (
    <div className="table-output" data-testid="table-output">
      <div className="table-scroll" ref={scroller} style={{ height }}>
        <div className="table-header" style={{ gridTemplateColumns: template }} role="row">
          <div className="table-index">#</div>
          {table.columns.map((c, j) => {
            const direction = sort.column === j ? sort.direction : 'none';
            return (
              <div
                key={c.name}
                className="table-col sortable"
                role="columnheader"
                aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none'}
                title={`${c.name}: ${c.dtype} (click to sort${table.rows.length < table.totalRows ? ' the rows shown' : ''})`}
                onClick={() => onSort(j)}
              >
                <span className="col-name">{c.name}{direction === 'asc' ? ' ▲' : direction === 'desc' ? ' ▼' : ''}</span>
                <span className="col-dtype">{c.dtype}</span>
              </div>
            );
          })}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const index = order[item.index] ?? item.index;
            const row = table.rows[index] ?? [];
            return (
              <div key={item.key} className="table-row" role="row" style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}>
                <div className="table-index">{index}</div>
                {table.columns.map((c, j) => (
                  <div key={c.name} className={typeof row[j] === 'number' ? 'num' : undefined}>{formatCell(row[j])}</div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      <div className="table-footer">
        {table.rows.length < table.totalRows ? `showing ${table.rows.length.toLocaleString()} of ${table.totalRows.toLocaleString()} rows` : `${table.totalRows.toLocaleString()} rows`} × {table.columns.length} columns
      </div>
    </div>
  );
}
