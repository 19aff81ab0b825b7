// Tests of issue #5 findings on hand-made CSV files: a truncated last line says so, field counts
// are grammatical, and impossible calendar days (2024-02-30) are not dates (JS Date would roll
// them into March; pandas' to_datetime raises "day is out of range for month").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_RE, inferValueColumn } from '../../core/data/columns.ts';
import { rejection } from '../../core/testing.ts';
import { readCsvTable } from './csv.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-csv-errors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('CSV field-count errors', () => {
  it('hints "truncated file?" for a short last line with no final line break', async () => {
    const path = await file('cut.csv', 'a,b,c\n1,2,3\n4,5');
    const e = await rejection(readCsvTable(path, { engine: 'js' }));
    expect(e.code).toBe('CSV_PARSE');
    expect(e.message).toBe(`${path}: line 3: expected 3 fields like the header, found 2; field 3 ("c") and after are missing (the last line, with no line break after it: truncated file?)`);
    expect(e.hint).toBe('The file looks cut short: export or download it again.');
  });

  it('does not call a short line followed by a line break truncated, and says "1 field"', async () => {
    const path = await file('short.csv', 'a,b\n1,2\n4\n5,6\n');
    const e = await rejection(readCsvTable(path, { engine: 'js' }));
    expect(e.message).not.toMatch(/truncated/);
    const one = await file('one.csv', 'a\n1\n2,3\n');
    expect((await rejection(readCsvTable(one, { engine: 'js' }))).message).toMatch(/expected 1 field like the header, found 2/);
  });
});

describe('impossible calendar days', () => {
  it('DATE_RE accepts only days that exist (Gregorian leap years)', () => {
    // Checked once against Python's datetime.date for every day of 1596-2404 (295,482 days, same set).
    const yes = ['2024-02-29', '2000-02-29', '1600-02-29', '2023-02-28', '2024-04-30', '2024-12-31', '2024-02-29T10:00:00Z', '2024-03-31 23:59'];
    const no = ['2024-02-30', '2023-02-29', '1900-02-29', '2100-02-29', '2024-04-31', '2024-06-31', '2024-09-31', '2024-11-31', '2024-02-30T10:00:00'];
    expect(yes.filter((t) => !DATE_RE.test(t))).toEqual([]);
    expect(no.filter((t) => DATE_RE.test(t))).toEqual([]);
  });

  it('keeps a CSV column holding 2024-02-30 as text and names the value (JS and polars paths alike)', async () => {
    const days = ['2024-02-26', '2024-02-27', '2024-02-28', '2024-02-29', '2024-02-30', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05'];
    const path = await file('days.csv', `day,n\n${days.map((d, k) => `${d},${k}`).join('\n')}\n`);
    for (const engine of ['js', 'polars'] as const) {
      const t = await readCsvTable(path, { engine });
      const day = t.columns[0]!;
      expect(day.kind, engine).toBe('string');
      expect(day.values[4], engine).toBe('2024-02-30');
      expect(day.note, engine).toMatch(/mostly dates, but 1 of 10 values is not: "2024-02-30" at data row 5/);
    }
  });

  it('keeps typed string values such as SQL/JSON text 2024-02-30 out of the date kind', () => {
    expect(inferValueColumn('d', ['2024-02-28', '2024-02-30']).column.kind).toBe('string');
    expect(inferValueColumn('d', ['2024-02-28', '2024-02-29']).column.kind).toBe('date');
  });
});
