/**
 * Excel `.xlsx` connector ({@link excelConnector}) via exceljs.
 *
 * Dates: an xlsx date cell is a serial day number with a date format; exceljs turns it into a JS
 * `Date` whose UTC fields are the wall-clock values (Excel has no time zone), honouring the
 * workbook's 1900 or 1904 date system. This connector reads the UTC fields only, so the calendar
 * day never shifts with the machine's time zone, and corrects Excel's fictitious 1900-02-29
 * (serials before 61 in the 1900 system are one day early in the plain formula).
 *
 * Reported, never silent (coercions and column notes): formulas without a cached result (read as
 * missing), Excel error values (missing), blank rows between data rows (skipped), merged cells
 * (the top-left value repeated), dates (ISO text, with the date system used).
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { COERCION_EXAMPLES, DEFAULT_MISSING_VALUES, inferValueColumn, isoDate } from '../../core/data/columns.ts';
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
  /** Text cells read as missing; default `DEFAULT_MISSING_VALUES` of core/data/columns.ts (pandas' `na_values`). */
  missingValues?: string[];
}


const DAY_MS = 86_400_000;
/** 1900-03-01 UTC: in the 1900 date system, serials before this are one day early (Lotus leap-year bug). */
const LOTUS_BUG_END = Date.UTC(1900, 2, 1) - DAY_MS;
/** Days from the 1900 to the 1904 date system's epoch (Microsoft: "Date systems in Excel"; serial 0 of 1904 is serial 1462 of 1900). */
const DAYS_1900_TO_1904 = 1462;

/** What {@link openSheet} found. */
interface OpenedSheet {
  /** The worksheet. */
  sheet: ExcelJS.Worksheet;
  /** Whether the workbook uses the 1904 date system. */
  date1904: boolean;
  /** Milliseconds to add to exceljs' dates (1462 days when exceljs missed a `date1904="true"` flag). */
  dateShiftMs: number;
  /** Sheet names in workbook order. */
  names: string[];
}

/** xsd:boolean true (`true`, `1`; also `on`) in an XML attribute value. */
const XML_TRUE = new Set(['true', '1', 'on']);

/**
 * Whether `xl/workbook.xml` of an xlsx archive sets `<workbookPr date1904>` to true. ECMA-376
 * types the attribute as xsd:boolean, so `true` and `1` both mean the 1904 date system (SheetJS
 * writes `true`, Excel `1`); exceljs 4.4 only accepts `1` (workbook-properties-xform.js), so the
 * flag is read here from the XML with jszip, the zip library exceljs itself reads workbooks with.
 */
async function workbookDate1904(bytes: Buffer): Promise<boolean> {
  const xml = await (await JSZip.loadAsync(bytes)).file('xl/workbook.xml')?.async('string');
  const value = xml === undefined ? undefined : /<(?:[\w.-]+:)?workbookPr\b[^>]*?\sdate1904\s*=\s*(["'])(.*?)\1/.exec(xml)?.[2];
  return value !== undefined && XML_TRUE.has(value.trim().toLowerCase());
}

async function openSheet(c: ExcelConfig): Promise<OpenedSheet> {
  await checkFile(c.path, 'Excel');
  const workbook = new ExcelJS.Workbook();
  let date1904: boolean;
  try {
    const bytes = await readFile(c.path);
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    date1904 = workbook.properties.date1904 === true || (await workbookDate1904(bytes));
  } catch (error) {
    throw new StratumError('SOURCE_FORMAT', `${c.path} is not a readable .xlsx workbook (${(error as Error).message}); it may be truncated, password-protected or another format`, {
      detail: { path: c.path },
      hint: 'Open it in Excel or LibreOffice and save it again as .xlsx (older .xls files are not supported).',
      cause: error,
    });
  }
  // exceljs converted serials with the 1900 formula when it missed the flag: 1462 days apart.
  const dateShiftMs = date1904 && workbook.properties.date1904 !== true ? DAYS_1900_TO_1904 * DAY_MS : 0;
  const names = workbook.worksheets.map((w) => w.name);
  const wanted = c.sheet ?? 0;
  const sheet = typeof wanted === 'number' ? workbook.worksheets[wanted] : workbook.worksheets.find((w) => w.name === wanted);
  if (sheet === undefined) {
    throw new StratumError('SOURCE_NOT_FOUND', `${c.path}: no sheet ${typeof wanted === 'number' ? `at index ${wanted}` : `named "${wanted}"`}; the workbook has ${names.length} sheet(s): ${names.map((n) => `"${n}"`).join(', ')}`, {
      detail: { path: c.path, field: 'sheet', sheets: names },
      hint: `Set sheet to one of: ${names.join(', ')} (or an index from 0 to ${names.length - 1}).`,
    });
  }
  return { sheet, date1904, dateShiftMs, names };
}

/** Wall-clock ISO text of an exceljs date (UTC fields): `YYYY-MM-DD`, or with `THH:MM:SS[.sss]` (no zone). */
function excelDateText(d: Date, date1904: boolean, shiftMs: number): string | null {
  let t = d.getTime() + shiftMs;
  if (Number.isNaN(t)) return null;
  if (!date1904 && t < LOTUS_BUG_END) t += DAY_MS;
  return isoDate(new Date(t), 'naive'); // Excel times have no zone: naive, like pandas' datetime64
}

/** Collects a per-column count and the first few examples (cell addresses or values). */
class CellTally {
  count = 0;
  readonly examples: string[] = [];
  add(example: string): void {
    this.count++;
    if (this.examples.length < COERCION_EXAMPLES && !this.examples.includes(example)) this.examples.push(example);
  }
}

/** `D2, D3, D4, ...` for a note: the first examples, with `...` when there are more. */
const cellList = (t: CellTally): string => `${t.examples.join(', ')}${t.count > t.examples.length ? ', ...' : ''}`;

async function readSheet(config: ExcelConfig, limit: number): Promise<DataTable> {
  const c = validateConfig<ExcelConfig>('excel', schema, config);
  const { sheet, date1904, dateShiftMs } = await openSheet(c);
  const source = `${c.path} [${sheet.name}]`;
  const headerRow = c.headerRow ?? 1;
  // Before any getRow(): exceljs creates the rows it is asked for, which would move the last row.
  const lastRow = sheet.actualRowCount === 0 ? 0 : sheet.rowCount;
  if (lastRow === 0) return { columns: [], rowCount: 0, coercions: [], source };
  if (headerRow > lastRow) {
    throw new StratumError('CONNECTOR_CONFIG', `${source}: headerRow ${headerRow} is past the sheet's last row (${lastRow})`, {
      detail: { path: c.path, field: 'headerRow', sheet: sheet.name, lastRow },
      hint: `Set headerRow to the row holding the column names, from 1 to ${lastRow}.`,
    });
  }
  const header = sheet.getRow(headerRow);
  const width = Math.max(header.cellCount, sheet.columnCount);
  if (width === 0) return { columns: [], rowCount: 0, coercions: [], source };
  const rawNames: string[] = [];
  for (let k = 1; k <= width; k++) rawNames.push(cellText(header.getCell(k).value));
  const names = uniqueNames(rawNames);
  const columns: unknown[][] = names.map(() => []);
  const dateCells = names.map(() => ({ count: 0, examples: [] as string[] }));
  const errorCells = names.map(() => new CellTally());
  const uncached = names.map(() => new CellTally());
  const merged = names.map(() => new CellTally());
  const blank = new CellTally();
  let pendingBlank: number[] = [];
  let rows = 0;
  for (let r = headerRow + 1; r <= lastRow && rows < limit; r++) {
    const row = sheet.getRow(r);
    if (!row.hasValues) {
      pendingBlank.push(r); // reported only when data follows (trailing blank rows are not rows)
      continue;
    }
    for (const b of pendingBlank) blank.add(String(b));
    pendingBlank = [];
    rows++;
    for (let k = 1; k <= width; k++) {
      const cell = row.getCell(k);
      let v: unknown = cell.value;
      if (cell.isMerged && cell.master !== cell && v !== null && v !== undefined) merged[k - 1]!.add(`${cell.address} (= ${cell.master.address})`);
      if (v !== null && typeof v === 'object' && ('formula' in v || 'sharedFormula' in v)) {
        const result = (v as { result?: unknown }).result;
        if (result === undefined) {
          uncached[k - 1]!.add(cell.address); // never calculated (e.g. written by a script): no value to read
          v = null;
        } else v = result;
      }
      if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
        if ('richText' in v) v = (v as { richText: Array<{ text: string }> }).richText.map((p) => p.text).join('');
        else if ('text' in v) v = (v as { text: unknown }).text; // hyperlink
        else if ('error' in v) {
          errorCells[k - 1]!.add(String((v as { error: unknown }).error));
          v = null;
        }
      }
      if (v instanceof Date) {
        const text = excelDateText(v, date1904, dateShiftMs);
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
  if (blank.count > 0) {
    coercions.push({ column: '(all columns)', count: blank.count, examples: blank.examples.map((b) => `row ${b}`), action: `blank sheet row skipped (rows ${cellList(blank)}): it is not read as a row of missing values` });
  }
  const typed = names.map((n, k) => {
    const { column, coercions: changed } = inferValueColumn(n.name, columns[k]!, { missing });
    const notes = n.note === undefined ? [] : [n.note];
    const e = errorCells[k]!;
    if (e.count > 0) coercions.push({ column: n.name, count: e.count, examples: e.examples, action: 'Excel error value read as missing (null)' });
    const u = uncached[k]!;
    if (u.count > 0) {
      const what = `formula without a cached result in ${cellList(u)}: open and save the workbook in Excel (or LibreOffice) so it stores the results`;
      coercions.push({ column: n.name, count: u.count, examples: u.examples, action: `read as missing (null): ${what}` });
      notes.push(what);
    }
    const m = merged[k]!;
    if (m.count > 0) {
      coercions.push({ column: n.name, count: m.count, examples: m.examples, action: 'merged cell: the value of its top-left cell repeated (pandas reads these cells as missing)' });
      notes.push(`merged cells ${cellList(m)} repeat the top-left cell's value`);
    }
    const d = dateCells[k]!;
    if (d.count > 0) coercions.push({ column: n.name, count: d.count, examples: d.examples, action: `Excel date serial read as an ISO date (calendar day, no time zone; ${date1904 ? '1904' : '1900'} date system)` });
    coercions.push(...changed);
    if (column.note !== undefined) notes.push(column.note);
    return notes.length === 0 ? column : { ...column, note: notes.join('; ') };
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
