/**
 * Excel `.xlsx` connector ({@link excelConnector}) via exceljs.
 *
 * Dates: an xlsx date cell is a serial day number with a date format; exceljs turns it into a JS
 * `Date` whose UTC fields are the wall-clock values (Excel has no time zone), honouring the
 * workbook's 1900 or 1904 date system. This connector reads the UTC fields only, so the calendar
 * day never shifts with the machine's time zone, and corrects Excel's fictitious 1900-02-29
 * (serials before 61 in the 1900 system are one day early in the plain formula).
 */
import ExcelJS from 'exceljs';
import { COERCION_EXAMPLES, DEFAULT_MISSING_VALUES, inferValueColumn } from '../../core/data/columns.ts';
import type { Coercion, DataTable } from '../../core/data/columns.ts';
import { StratumError } from '../../core/errors.ts';
import { checkFile, firstRows, validateConfig } from '../common.ts';
import type { Connector, ConnectorTestResult } from '../types.ts';
import { uniqueNames } from '../csv/csv.ts';
import { EXCEL_SCHEMA as schema } from '../schemas.ts';

/** Config of the Excel connector. */
export interface ExcelConfig {
  /** Path of the `.xlsx` file. */
  path: string;
  /** Sheet name, or 0-based index in workbook order; default the first sheet. */
  sheet?: string | number;
  /** 1-based row holding the column names; default 1. Data starts on the next row. */
  headerRow?: number;
  /** Text cells read as missing; default `['', 'NA', 'N/A', 'null', 'NaN']`. */
  missingValues?: string[];
}


const DAY_MS = 86_400_000;
/** 1900-03-01 UTC: in the 1900 date system, serials before this are one day early (Lotus leap-year bug). */
const LOTUS_BUG_END = Date.UTC(1900, 2, 1) - DAY_MS;

async function openSheet(c: ExcelConfig): Promise<{ sheet: ExcelJS.Worksheet; date1904: boolean; names: string[] }> {
  await checkFile(c.path, 'Excel');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(c.path);
  } catch (error) {
    throw new StratumError('SOURCE_FORMAT', `${c.path} is not a readable .xlsx workbook (${(error as Error).message}); it may be truncated, password-protected or another format`, {
      detail: { path: c.path },
      hint: 'Open it in Excel or LibreOffice and save it again as .xlsx (older .xls files are not supported).',
      cause: error,
    });
  }
  const names = workbook.worksheets.map((w) => w.name);
  const wanted = c.sheet ?? 0;
  const sheet = typeof wanted === 'number' ? workbook.worksheets[wanted] : workbook.worksheets.find((w) => w.name === wanted);
  if (sheet === undefined) {
    throw new StratumError('SOURCE_NOT_FOUND', `${c.path}: no sheet ${typeof wanted === 'number' ? `at index ${wanted}` : `named "${wanted}"`}; the workbook has ${names.length} sheet(s): ${names.map((n) => `"${n}"`).join(', ')}`, {
      detail: { path: c.path, field: 'sheet', sheets: names },
      hint: `Set sheet to one of: ${names.join(', ')} (or an index from 0 to ${names.length - 1}).`,
    });
  }
  return { sheet, date1904: workbook.properties.date1904 === true, names };
}

/** Wall-clock ISO text of an exceljs date (UTC fields): `YYYY-MM-DD`, or with `THH:MM:SS[.sss]` (no zone). */
function excelDateText(d: Date, date1904: boolean): string | null {
  let t = d.getTime();
  if (Number.isNaN(t)) return null;
  if (!date1904 && t < LOTUS_BUG_END) t += DAY_MS;
  const iso = new Date(t).toISOString();
  if (t % DAY_MS === 0) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

async function readSheet(config: ExcelConfig, limit: number): Promise<DataTable> {
  const c = validateConfig<ExcelConfig>('excel', schema, config);
  const { sheet, date1904 } = await openSheet(c);
  const source = `${c.path} [${sheet.name}]`;
  const headerRow = c.headerRow ?? 1;
  const header = sheet.getRow(headerRow);
  const width = Math.max(header.cellCount, sheet.columnCount);
  if (sheet.rowCount < headerRow || width === 0) return { columns: [], rowCount: 0, coercions: [], source };
  const rawNames: string[] = [];
  for (let k = 1; k <= width; k++) rawNames.push(cellText(header.getCell(k).value));
  const names = uniqueNames(rawNames);
  const columns: unknown[][] = names.map(() => []);
  const dateCells = names.map(() => ({ count: 0, examples: [] as string[] }));
  const errorCells = names.map(() => ({ count: 0, examples: [] as string[] }));
  let rows = 0;
  for (let r = headerRow + 1; r <= sheet.rowCount && rows < limit; r++) {
    const row = sheet.getRow(r);
    if (!row.hasValues) continue; // blank rows are skipped, like blank CSV lines
    rows++;
    for (let k = 1; k <= width; k++) {
      let v: unknown = row.getCell(k).value;
      if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
        if ('result' in v) v = (v as { result?: unknown }).result ?? null; // formula
        else if ('richText' in v) v = (v as { richText: Array<{ text: string }> }).richText.map((p) => p.text).join('');
        else if ('text' in v) v = (v as { text: unknown }).text; // hyperlink
        else if ('error' in v) {
          const e = errorCells[k - 1]!;
          e.count++;
          const text = String((v as { error: unknown }).error);
          if (e.examples.length < COERCION_EXAMPLES && !e.examples.includes(text)) e.examples.push(text);
          v = null;
        }
      }
      if (v instanceof Date) {
        const text = excelDateText(v, date1904);
        const d = dateCells[k - 1]!;
        d.count++;
        if (text !== null && d.examples.length < COERCION_EXAMPLES) d.examples.push(text);
        v = text;
      }
      columns[k - 1]!.push(v ?? null);
    }
  }
  const missing = new Set(c.missingValues ?? DEFAULT_MISSING_VALUES);
  const coercions: Coercion[] = [];
  const typed = names.map((n, k) => {
    const { column, coercions: changed } = inferValueColumn(n.name, columns[k]!, { missing });
    const e = errorCells[k]!;
    if (e.count > 0) coercions.push({ column: n.name, count: e.count, examples: e.examples, action: 'Excel error value read as missing (null)' });
    const d = dateCells[k]!;
    if (d.count > 0) coercions.push({ column: n.name, count: d.count, examples: d.examples, action: `Excel date serial read as an ISO date (calendar day, no time zone; ${date1904 ? '1904' : '1900'} date system)` });
    coercions.push(...changed);
    return n.note === undefined ? column : { ...column, note: column.note === undefined ? n.note : `${n.note}; ${column.note}` };
  });
  return { columns: typed, rowCount: rows, coercions, source };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    if ('richText' in v) return v.richText.map((p) => p.text).join('');
    if ('result' in v) return String(v.result ?? '');
    if ('text' in v) return String(v.text);
  }
  return String(v);
}

/** Excel workbooks (`.xlsx`): one sheet, first row as header. */
export const excelConnector: Connector<ExcelConfig> = {
  id: 'excel',
  title: 'Excel workbook (.xlsx)',
  configSchema: schema,
  async test(config: ExcelConfig): Promise<ConnectorTestResult> {
    const t = await readSheet(config, 100);
    return { ok: true, message: `${t.source ?? config.path}: ${t.columns.length} columns (${t.columns.map((col) => col.name).join(', ')})` };
  },
  async preview(config: ExcelConfig, n: number): Promise<DataTable> {
    return firstRows(await readSheet(config, Math.max(0, Math.floor(n))), n);
  },
  async load(config: ExcelConfig): Promise<DataTable> {
    return readSheet(config, Number.POSITIVE_INFINITY);
  },
};
