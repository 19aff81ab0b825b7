/**
 * Renders cell outputs as plain text for a terminal (`stratum run`), the way a headless runner
 * such as papermill logs them: streams verbatim, tables as aligned text, charts as a one-line summary.
 */
import type { CellOutput } from '../notebook/types.ts';

/** Table payload of the `application/vnd.stratum.table+json` MIME type. */
interface TablePayload {
  columns: Array<{ name: string; dtype: string }>;
  rows: unknown[][];
  totalRows: number;
}

/** Plotly figure payload of the `application/vnd.plotly.v1+json` MIME type. */
interface FigurePayload {
  data?: Array<{ type?: string; name?: string }>;
  layout?: { title?: string | { text?: string } };
}

/** Options of {@link renderOutputText}. */
export interface RenderTextOptions {
  /** Maximum table rows printed (default 10). */
  maxRows?: number;
  /** Maximum characters per table cell (default 24). */
  maxCellWidth?: number;
}

/** Plain-text rendering of one output; never throws on unexpected payloads. */
export function renderOutputText(output: CellOutput, options: RenderTextOptions = {}): string {
  switch (output.type) {
    case 'stream':
      return output.text;
    case 'error':
      return [`${output.ename}: ${output.evalue}`, ...output.traceback.map((l) => `    ${l}`), ...(output.hint ? [`  hint: ${output.hint}`] : [])].join('\n') + '\n';
    case 'display':
    case 'result':
      return renderMimeBundle(output.data, options);
    default:
      return '';
  }
}

function renderMimeBundle(data: Record<string, unknown>, options: RenderTextOptions): string {
  const table = data['application/vnd.stratum.table+json'] as TablePayload | undefined;
  if (table && Array.isArray(table.columns) && Array.isArray(table.rows)) return renderTable(table, options);
  const figure = data['application/vnd.plotly.v1+json'] as FigurePayload | undefined;
  if (figure && Array.isArray(figure.data)) return renderFigureSummary(figure);
  const markdown = data['text/markdown'];
  if (typeof markdown === 'string') return markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  const text = data['text/plain'];
  if (typeof text === 'string') return text.endsWith('\n') ? text : `${text}\n`;
  return `[output: ${Object.keys(data).join(', ')}]\n`;
}

function cellText(value: unknown, width: number): string {
  const s = value === null || value === undefined ? '' : typeof value === 'number' ? formatNumber(value) : String(value);
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 1e6 || Math.abs(n) < 1e-4 ? n.toExponential(4) : String(Number(n.toPrecision(6)));
}

function renderTable(table: TablePayload, options: RenderTextOptions): string {
  const maxRows = options.maxRows ?? 10;
  const width = options.maxCellWidth ?? 24;
  const header = table.columns.map((c) => cellText(c.name, width));
  const types = table.columns.map((c) => cellText(c.dtype, width));
  const body = table.rows.slice(0, maxRows).map((row) => table.columns.map((_, i) => cellText(row[i], width)));
  const all = [header, types, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const shown = Math.min(maxRows, table.rows.length);
  const lines = [line(header), line(types), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  lines.push(`[${shown} of ${table.totalRows} rows x ${table.columns.length} columns]`);
  return lines.join('\n') + '\n';
}

function renderFigureSummary(figure: FigurePayload): string {
  const traces = figure.data ?? [];
  const kinds = [...new Set(traces.map((t) => t.type ?? 'scatter'))].join(', ');
  const title = typeof figure.layout?.title === 'string' ? figure.layout.title : figure.layout?.title?.text;
  return `[Plotly figure${title ? ` "${title}"` : ''}: ${traces.length} trace(s) (${kinds}); open the notebook in the workbench to see it]\n`;
}
