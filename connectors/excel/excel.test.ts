// Tests of the Excel connector. Fixtures are written here with exceljs. Expected dates: Excel
// serial 45306 is 2024-01-15 in the 1900 system (45306 - 25569 = 19737 days after 1970-01-01);
// in the 1904 system the same day is 45306 - 1462 = 43844.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import XLSX from 'xlsx';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import { rejection } from '../../core/testing.ts';
import { excelConnector } from './excel.ts';

let dir = '';
const originalTz = process.env['TZ'];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  if (originalTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = originalTz;
});
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

async function workbook(name: string, build: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  const path = join(dir, name);
  await wb.xlsx.writeFile(path);
  return path;
}

describe('excel connector', () => {
  it('reads types, missing cells, formulas and date serials as calendar days in any time zone', async () => {
    const path = await workbook('a.xlsx', (wb) => {
      wb.addWorksheet('notes').addRow(['ignore me']);
      const ws = wb.addWorksheet('data');
      ws.addRow(['id', 'name', 'price', 'ok', 'day', 'total']);
      ws.addRow([1, 'a', 1.5, true, 45306, { formula: 'C2*2', result: 3 }]);
      ws.addRow([2, null, 'NA', false, 45307, { formula: 'C3*2', result: 5 }]);
      ws.getColumn(5).numFmt = 'yyyy-mm-dd';
    });
    for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
      process.env['TZ'] = tz;
      const t = await excelConnector.load({ path, sheet: 'data' });
      const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]));
      expect(byName['id']).toMatchObject({ kind: 'integer', values: [1, 2] });
      expect(byName['name']).toMatchObject({ kind: 'string', missing: 1, values: ['a', null] });
      expect(byName['price']).toMatchObject({ kind: 'float', missing: 1, values: [1.5, null] });
      expect(byName['ok']).toMatchObject({ kind: 'boolean', values: [true, false] });
      expect(byName['day']).toMatchObject({ kind: 'date', values: ['2024-01-15', '2024-01-16'] });
      expect(byName['total']!.values).toEqual([3, 5]);
      expect(t.coercions.find((c) => c.column === 'day')?.action).toMatch(/1900 date system/);
    }
  });

  it('honours the 1904 date system and selects a sheet by index', async () => {
    const path = await workbook('b.xlsx', (wb) => {
      wb.properties.date1904 = true;
      const ws = wb.addWorksheet('only');
      ws.addRow(['day']);
      ws.addRow([43844]);
      ws.getColumn(1).numFmt = 'yyyy-mm-dd';
    });
    const t = await excelConnector.load({ path, sheet: 0 });
    expect(t.columns[0]!.values).toEqual(['2024-01-15']);
  });

  it('names the wrong sheet and lists the sheets', async () => {
    const path = await workbook('c.xlsx', (wb) => {
      wb.addWorksheet('Sales').addRow(['a']);
      wb.addWorksheet('Costs').addRow(['b']);
    });
    const e = await failure(excelConnector.load({ path, sheet: 'Sheet1' }));
    expect(e.code).toBe('SOURCE_NOT_FOUND');
    expect(e.message).toMatch(/no sheet named "Sheet1".*"Sales", "Costs"/);
    const e2 = await failure(excelConnector.load({ path, sheet: 5 }));
    expect(e2.message).toMatch(/no sheet at index 5/);
  });

  it('says a truncated workbook is not readable, naming the file', async () => {
    const good = await workbook('d.xlsx', (wb) => {
      wb.addWorksheet('s').addRow(['a']);
    });
    const bytes = await readFile(good);
    const cut = join(dir, 'cut.xlsx');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const e = await failure(excelConnector.load({ path: cut }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toContain(cut);
  });

  it('previews n rows and reports a test summary', async () => {
    const path = await workbook('e.xlsx', (wb) => {
      const ws = wb.addWorksheet('s');
      ws.addRow(['x']);
      for (let i = 0; i < 5; i++) ws.addRow([i]);
    });
    expect((await excelConnector.preview({ path }, 2)).columns[0]!.values).toEqual([0, 1]);
    expect((await excelConnector.test({ path })).message).toMatch(/1 columns \(x\)/);
  });

  it('reads date1904="true" (what SheetJS writes) as the 1904 date system, like date1904="1"', async () => {
    // Serial 45306 is 2024-01-15 in the 1900 system and 45306 + 1462 days = 2028-01-16 in the 1904
    // system (Microsoft, "Date systems in Excel": 1904 serial 0 = 1900 serial 1462).
    const sheetjs = (name: string): string => {
      const ws = XLSX.utils.aoa_to_sheet([['day'], [0]]);
      ws['A2'] = { t: 'n', v: 45306, z: 'yyyy-mm-dd' };
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, ws, 'S');
      wb.Workbook = { WBProps: { date1904: true } };
      const path = join(dir, name);
      XLSX.writeFile(wb, path);
      return path;
    };
    const path = sheetjs('sheetjs-1904.xlsx');
    const t = await excelConnector.load({ path });
    expect(t.columns[0]!.values).toEqual(['2028-01-16']);
    expect(t.coercions.find((c) => c.column === 'day')?.action).toMatch(/1904 date system/);
  });

  it('reads a formula without a cached result as missing, naming the cells and what to do', async () => {
    const path = await workbook('uncached.xlsx', (wb) => {
      const ws = wb.addWorksheet('s');
      ws.addRow(['a', 'b', 'total']);
      ws.addRow([2, 3, { formula: 'A2*B2' }]);
      ws.addRow([4, 5, { formula: 'A3*B3', result: 20 }]);
      ws.addRow([6, 7, { formula: 'A4*B4' }]);
    });
    const t = await excelConnector.load({ path });
    const total = t.columns.find((c) => c.name === 'total')!;
    expect(total).toMatchObject({ kind: 'integer', missing: 2, values: [null, 20, null] });
    expect(total.note).toBe('formula without a cached result in C2, C4: open and save the workbook in Excel (or LibreOffice) so it stores the results');
    expect(t.coercions.find((c) => c.column === 'total')).toMatchObject({ count: 2, examples: ['C2', 'C4'] });
  });

  it('says a headerRow past the end names the sheet\'s last row', async () => {
    const path = await workbook('short.xlsx', (wb) => {
      const ws = wb.addWorksheet('Data');
      ws.addRow(['x']);
      ws.addRow([1]);
      ws.addRow([2]);
    });
    const e = await rejection(excelConnector.load({ path, headerRow: 50 }));
    expect(e.code).toBe('CONNECTOR_CONFIG');
    expect(e.message).toBe(`${path} [Data]: headerRow 50 is past the sheet's last row (3)`);
    expect(e.hint).toMatch(/from 1 to 3/);
    expect((await excelConnector.load({ path, headerRow: 3 })).columns.map((c) => c.name)).toEqual(['2']);
  });

  it('reports blank rows skipped between data rows and merged cells filled with the top-left value', async () => {
    const path = await workbook('gaps.xlsx', (wb) => {
      const ws = wb.addWorksheet('s');
      ws.getCell('A1').value = 'region';
      ws.getCell('B1').value = 'sales';
      ws.getCell('A2').value = 'north';
      ws.mergeCells('A2:A4');
      ws.getCell('B2').value = 1;
      ws.getCell('B3').value = 2;
      ws.getCell('B4').value = 3;
      // row 5 blank
      ws.getCell('A6').value = 'south';
      ws.getCell('B6').value = 4;
    });
    const t = await excelConnector.load({ path });
    expect(t.rowCount).toBe(4);
    expect(t.columns.map((c) => c.values)).toEqual([['north', 'north', 'north', 'south'], [1, 2, 3, 4]]);
    expect(t.coercions.find((c) => c.column === '(all columns)')).toMatchObject({ count: 1, examples: ['row 5'] });
    expect(t.coercions.find((c) => c.column === '(all columns)')?.action).toMatch(/blank sheet row skipped \(rows 5\)/);
    expect(t.coercions.find((c) => c.column === 'region')).toMatchObject({ count: 2, examples: ['A3 (= A2)', 'A4 (= A2)'] });
    expect(t.columns[0]!.note).toBe('merged cells A3 (= A2), A4 (= A2) repeat the top-left cell\'s value');
  });
});
