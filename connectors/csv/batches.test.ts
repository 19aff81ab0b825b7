// Streaming CSV batches keep the first batch's column types (expected values read by hand from the
// files written here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataTable } from '../../core/data/columns.ts';
import { rejection } from '../../core/testing.ts';
import { csvConnector } from './connector.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratum-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function batches(text: string, batchSize: number, name = 'data.csv'): Promise<DataTable[]> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const out: DataTable[] = [];
  for await (const b of csvConnector.batches!({ path }, { batchSize })) out.push(b);
  return out;
}

describe('csv batches(): one schema, from the first batch', () => {
  it('keeps a text column text in a batch whose values all look like numbers (the original text)', async () => {
    const out = await batches('code,n\nA1,1\nB2,2\n12,3\nNA,4\n', 2);
    expect(out.map((b) => b.columns.map((c) => `${c.kind}/${c.dtype}`))).toEqual([['string/string', 'integer/int32'], ['string/string', 'integer/int32']]);
    expect(out[1]!.columns[0]).toMatchObject({ values: ['12', null], missing: 1 });
    // Alone, this batch's `code` would be integer; only the missing token is reported.
    expect(out[1]!.coercions).toEqual([{ column: 'code', count: 1, examples: ['NA'], action: 'read as missing (null)' }]);
  });

  it('widens integers in a float column, and an all-missing batch takes the schema type', async () => {
    const out = await batches('x,y\n1.5,a\n2.5,b\n3,NA\n4,\n', 2);
    expect(out[1]!.columns[0]).toMatchObject({ kind: 'float', dtype: 'float32', values: [3, 4] });
    expect(out[1]!.columns[1]).toMatchObject({ kind: 'string', dtype: 'string', values: [null, null], missing: 2 });
  });

  it('names the data row and column of a value that does not fit the first batch\'s type', async () => {
    // Rows 1-2 make `n` integer; data row 4 holds "n/a?" (text), which an integer column cannot hold.
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'id,n\n1,10\n2,20\n3,30\n4,n/a?\n');
    const seen: number[] = [];
    const error = await rejection((async () => {
      for await (const b of csvConnector.batches!({ path }, { batchSize: 2 })) seen.push(b.rowCount);
    })());
    expect(seen).toEqual([2]);
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe(`${path}: data row 4, column "n": "n/a?" is not an integer, but the first batch (data rows 1-2) typed the column as integer (int32); every batch keeps the first batch's types`);
    expect(error.detail).toMatchObject({ row: 4, field: 'n', value: 'n/a?' });
    expect(error.hint).toMatch(/load\(\)/);
    writeFileSync(join(dir, 'f.csv'), 'n\n1\n2.5\n');
    const float = await rejection((async () => {
      for await (const _ of csvConnector.batches!({ path: join(dir, 'f.csv') }, { batchSize: 1 })) void _;
    })());
    expect(float.message).toMatch(/data row 2, column "n": "2\.5" is not an integer/);
  });

  it('streams a 1,000-row file whose last batch alone would be text: same schema, then the error', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${i},${i === 950 ? 'x' : String(i * 2)}`);
    const path = join(dir, 'long.csv');
    writeFileSync(path, `i,v\n${lines.join('\n')}\n`);
    const kinds: string[] = [];
    const error = await rejection((async () => {
      for await (const b of csvConnector.batches!({ path }, { batchSize: 100 })) kinds.push(b.columns[1]!.kind);
    })());
    expect(kinds).toEqual(new Array<string>(9).fill('integer'));
    expect(error.message).toMatch(/data row 951, column "v": "x" is not an integer, but the first batch \(data rows 1-100\)/);
  });
});
