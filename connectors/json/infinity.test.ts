// JSON numbers beyond the 64-bit float range (1e400) parse as ±Infinity: the load says how many.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonConnector, ndjsonConnector } from './json.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratum-json-inf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('infinite JSON numbers', () => {
  it('JSON: counts the values read as ±Infinity per column', async () => {
    const path = join(dir, 'inf.json');
    writeFileSync(path, '[{"x": 1, "y": 1e400}, {"x": 2.5, "y": -1e400}, {"x": 3, "y": 1E999}, {"x": 4, "y": 2}]');
    const t = await jsonConnector.load({ path });
    expect(t.columns[1]!.values).toEqual([Infinity, -Infinity, Infinity, 2]);
    expect(t.coercions).toEqual([{
      column: 'y', count: 3, examples: ['Infinity', '-Infinity'],
      action: 'number beyond ±1.8e308 (a 64-bit float) read as ±Infinity (charts leave infinite values out; a sum or mean that includes one is infinite)',
    }]);
  });

  it('NDJSON: load and each batch report their own', async () => {
    const path = join(dir, 'inf.ndjson');
    writeFileSync(path, '{"v": 1}\n{"v": 1e400}\n{"v": 3}\n');
    expect((await ndjsonConnector.load({ path })).coercions.map((c) => [c.column, c.count])).toEqual([['v', 1]]);
    const counts: number[] = [];
    for await (const b of ndjsonConnector.batches!({ path }, { batchSize: 2 })) counts.push(b.coercions.length);
    expect(counts).toEqual([1, 0]);
  });
});
