// Tests of Windows-1252 decoding (issue #5: `printf 'amount\n\x80\n'` loaded as U+0080, not "€").
// Expected code points: Python 3's cp1252 codec, run once:
//   [hex(ord(bytes([b]).decode('cp1252'))) for b in range(0x80, 0xa0)] (0x81, 0x8D, 0x8F, 0x90, 0x9D
// undefined there); those five are the WHATWG index-windows-1252 C1 controls of the same value.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataTable } from '../../core/data/columns.ts';
import { csvConnector } from './connector.ts';
import { readCsvTable } from './csv.ts';
import { decodeWindows1252 } from './encoding.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-cp1252-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PYTHON_CP1252 =
  '20AC 0081 201A 0192 201E 2026 2020 2021 02C6 2030 0160 2039 0152 008D 017D 008F 0090 2018 2019 201C 201D 2022 2013 2014 02DC 2122 0161 203A 0153 009D 017E 0178';

describe('decodeWindows1252', () => {
  it('maps 0x80-0x9F as Windows-1252 (cp1252) and every other byte as ISO-8859-1', () => {
    const high = Uint8Array.from({ length: 32 }, (_, k) => 0x80 + k);
    expect([...decodeWindows1252(high)].map((c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')).join(' ')).toBe(PYTHON_CP1252);
    expect(decodeWindows1252(Uint8Array.of(0x61, 0xe9, 0xff, 0xa0, 0x7f))).toBe('a\u00e9\u00ff\u00a0\u007f');
    // A subarray view decodes its own bytes only.
    expect(decodeWindows1252(Uint8Array.of(0x41, 0x80, 0x42).subarray(1, 2))).toBe('€');
  });
});

describe('CSV files in Windows-1252', () => {
  // printf 'amount\n\x80\n' and curly quotes 0x93 ... 0x94: not valid UTF-8, so detected as Latin-1.
  const bytes = Buffer.from([...Buffer.from('amount,quote\n'), 0x80, 0x2c, 0x93, 0x68, 0x69, 0x94, 0x0a, 0x31, 0x30, 0x80, 0x2c, 0x97, 0x0a]);

  it('reads 0x80 as the euro sign and 0x93/0x94 as curly quotes (detected, forced, and streamed)', async () => {
    const path = join(dir, 'euro.csv');
    await writeFile(path, bytes);
    const expected = [['€', '10€'], ['\u201chi\u201d', '\u2014']];
    const detected = await readCsvTable(path);
    expect(detected.encoding).toBe('latin1');
    expect(detected.notes?.[0]).toMatch(/read as Latin-1 \(Windows-1252\)/);
    expect(detected.columns.map((c) => c.values)).toEqual(expected);
    expect((await readCsvTable(path, { encoding: 'latin1' })).columns.map((c) => c.values)).toEqual(expected);
    expect((await csvConnector.load({ path, encoding: 'latin1' })).columns.map((c) => c.values)).toEqual(expected);
    const batches: DataTable[] = [];
    for await (const b of csvConnector.batches!({ path }, { batchSize: 1 })) batches.push(b);
    expect(batches.map((b) => b.columns.map((c) => c.values[0]))).toEqual([['€', '\u201chi\u201d'], ['10€', '\u2014']]);
  });
});
