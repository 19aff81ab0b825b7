/**
 * A table output (`application/vnd.stratum.table+json`) rendered with @tanstack/react-virtual:
 * only the rows in view (plus a small overscan) are in the DOM, so a million rows scroll smoothly.
 * The header shows each column's dtype.
 */
import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

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
  const virtualizer = useVirtualizer({ count: table.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const indexWidth = Math.max(40, String(table.rows.length).length * 8 + 16);
  const template = `${indexWidth}px repeat(${table.columns.length}, minmax(110px, 1fr))`;
  const height = Math.min(360, ROW_HEIGHT * (table.rows.length + 2) + 4);
  return (
    <div className="table-output" data-testid="table-output">
      <div className="table-scroll" ref={scroller} style={{ height }}>
        <div className="table-header" style={{ gridTemplateColumns: template }} role="row">
          <div className="table-index">#</div>
          {table.columns.map((c) => (
            <div key={c.name} className="table-col" role="columnheader" title={`${c.name}: ${c.dtype}`}>
              <span className="col-name">{c.name}</span>
              <span className="col-dtype">{c.dtype}</span>
            </div>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = table.rows[item.index] ?? [];
            return (
              <div key={item.key} className="table-row" role="row" style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}>
                <div className="table-index">{item.index}</div>
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
