import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvTable } from '../../connectors/csv/csv.ts';
import { tableFromValueColumns } from '../data/columns.ts';
import { coercionReport, loadNotes, PROFILE_CORRELATION_COLUMNS, profileResult } from './exploration.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratum-exploration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('coercionReport shows the notes of a load', () => {
  it('shows table notes (Latin-1 guess) and column notes (renamed header, all values missing) with no coercion', async () => {
    const path = join(dir, 'latin.csv');
    // "café" in Windows-1252 (0xE9): not valid UTF-8.
    writeFileSync(path, Buffer.concat([Buffer.from('name,x,x,empty\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(',1,2,\nb,3,4,\n')]));
    const table = await readCsvTable(path, { engine: 'js' });
    expect(table.coercions).toEqual([]);
    const report = coercionReport(table);
    expect(report).toBeDefined();
    const md = String(report!['text/markdown']);
    const plain = String(report!['text/plain']);
    expect(md).toContain('**Notes** on loading');
    expect(md).toContain('read as Latin\\-1 \\(Windows\\-1252\\)');
    expect(md).toContain('- **x\\.1**: header "x" repeats; renamed "x\\.1"');
    expect(md).toContain('- **empty**: all values missing');
    expect(plain).toContain('x.1: header "x" repeats; renamed "x.1"');
    expect(plain).toContain('read as Latin-1 (Windows-1252)');
  });

  it('lists the notes after the coercion table (decimal comma detected, mixed comma and point)', () => {
    const detected = parseCsv('name;p\nA;1,5\nB;2\n');
    const md = String(coercionReport(detected)!['text/markdown']);
    expect(md).toMatch(/^\*\*1 coercion\*\* while loading the data:/);
    expect(md.indexOf('**Notes:**')).toBeGreaterThan(md.indexOf('| p | decimal comma read as a decimal point'));
    expect(md).toContain('- decimal comma detected \\(e\\.g\\. "1,5"\\)');
    const mixed = parseCsv('a;b\n1,5;2.5\n3;4\n');
    expect(loadNotes(mixed)).toEqual([{ text: expect.stringContaining('numbers use both a decimal comma ("1,5") and a decimal point ("2.5")') as string }]);
  });

  it('escapes markdown in notes and leaves out a column note that only repeats a "mostly numbers" coercion', () => {
    const values = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '?'];
    const table = parseCsv(`y,*z*\n${values.map((v) => `${v},|`).join('\n')}\n`);
    expect(table.columns[0]!.note).toMatch(/^mostly numbers/);
    expect(loadNotes(table)).toEqual([]);
    const typed = tableFromValueColumns([{ name: 'a|b', values: [null, null] }], { source: 'x' });
    expect(String(coercionReport(typed)!['text/markdown'])).toBe('**Notes** on loading `x`:\n\n- **a\\|b**: all values missing');
  });

  it('gives no report for a clean load', () => {
    expect(coercionReport(parseCsv('a,b\n1,x\n2,y\n'))).toBeUndefined();
  });
});

describe('profileResult correlation heatmap', () => {
  it('charts the first 30 of 200 numeric columns (said in the title) and keeps every pair in the data', () => {
    // 200 columns x 20 rows; column c is row * (c + 1) (+ a per-column wiggle so r is not always 1).
    const columns = Array.from({ length: 200 }, (_, c) => ({ name: `c${c}`, values: Array.from({ length: 20 }, (_, r) => r * (c + 1) + ((r * c) % 7)) }));
    const result = profileResult(tableFromValueColumns(columns));
    expect(result.correlation!.columns).toHaveLength(200);
    const heatmap = result.correlationChart!.data[0] as { x: string[]; z: number[][] };
    expect(heatmap.x).toEqual(Array.from({ length: PROFILE_CORRELATION_COLUMNS }, (_, c) => `c${c}`));
    expect(heatmap.z).toHaveLength(30);
    expect(heatmap.z[29]).toEqual(result.correlation!.r[29]!.slice(0, 30));
    expect(String((result.correlationChart!.layout!.title as { text: string }).text)).toContain('first 30 of 200 numeric columns');
    expect(result.correlationChart!.layout!.height).toBe(120 + 36 * 30);
    expect(JSON.stringify(result.correlationChart).length).toBeLessThan(100_000);
    // 30 columns or fewer: all of them, the plain title.
    const small = profileResult(tableFromValueColumns(columns.slice(0, 30)));
    expect((small.correlationChart!.layout!.title as { text: string }).text).toBe('Pearson correlation of the numeric columns');
  });
});
