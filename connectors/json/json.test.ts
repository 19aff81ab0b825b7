// Tests of the JSON and NDJSON connectors; expected values are read by hand from the inputs here.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import type { DataTable } from '../../core/data/columns.ts';
import { vegaDataset } from '../../core/datasets/vega.ts';
import { rejection } from '../../core/testing.ts';
import { jsonConnector, ndjsonConnector, parseJsonExact } from './json.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 exact as bigint, leaves strings and small numbers alone', () => {
    expect(parseJsonExact('{"id": 9007199254740993, "s": "12345678901234567890", "x": 1.5, "n": -12345678901234567890}', 't')).toEqual({
      id: 9007199254740993n,
      s: '12345678901234567890',
      x: 1.5,
      n: -12345678901234567890n,
    });
  });
});

describe('json connector', () => {
  it('loads records at a records path with types, missing values and exact ids', async () => {
    const path = await file('a.json', JSON.stringify({ data: { items: [{ id: 1, name: 'a', score: 1.5, ok: true, when: '2024-01-15' }, { id: 2, name: null, ok: false, when: '2024-02-01' }] } }).replace('"id":2', '"id":9007199254740993'));
    const t = await jsonConnector.load({ path, recordsPath: 'data.items' });
    expect(t.rowCount).toBe(2);
    const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]));
    expect(byName['id']).toMatchObject({ kind: 'string', values: ['1', '9007199254740993'] });
    expect(byName['name']).toMatchObject({ kind: 'string', missing: 1, values: ['a', null] });
    expect(byName['score']).toMatchObject({ kind: 'float', missing: 1, values: [1.5, null] });
    expect(byName['ok']).toMatchObject({ kind: 'boolean', values: [true, false] });
    expect(byName['when']).toMatchObject({ kind: 'date' });
    expect(t.coercions.map((c) => c.column)).toContain('id');
  });

  it('names the missing key of a wrong records path, and the keys that exist', async () => {
    const path = await file('b.json', '{"data": {"rows": []}}');
    const e = await failure(jsonConnector.load({ path, recordsPath: 'data.items' }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toMatch(/no key "items" at data/);
    expect(e.hint).toMatch(/rows/);
  });

  it('says a truncated file is truncated, with the line', async () => {
    const path = await file('c.json', '[{"a": 1},\n{"a": 2');
    const e = await failure(jsonConnector.load({ path }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/truncated/);
    expect(e.detail.line).toBe(2);
  });

  it('previews the first n records', async () => {
    const path = await file('d.json', '[{"a":1},{"a":2},{"a":3}]');
    expect((await jsonConnector.preview({ path }, 2)).columns[0]!.values).toEqual([1, 2]);
  });
});

describe('ndjson connector', () => {
  const text = '{"a": 1, "b": "x"}\n\n{"a": 2.5}\n{"a": 3, "b": "z", "c": {"k": 1}}\n';

  it('loads all lines; absent keys are missing; nested values become JSON text', async () => {
    const path = await file('a.ndjson', text);
    const t = await ndjsonConnector.load({ path });
    expect(t.columns.map((c) => [c.name, c.kind, c.missing])).toEqual([['a', 'float', 0], ['b', 'string', 1], ['c', 'string', 2]]);
    expect(t.columns[2]!.values[2]).toBe('{"k":1}');
  });

  it('streams batches', async () => {
    const path = await file('b.ndjson', text);
    const batches: DataTable[] = [];
    for await (const b of ndjsonConnector.batches!({ path }, { batchSize: 2 })) batches.push(b);
    expect(batches.map((b) => b.rowCount)).toEqual([2, 1]);
    expect(batches[0]!.columns[0]).toMatchObject({ kind: 'float', values: [1, 2.5] });
  });

  it('names the bad line, and calls a broken last line truncated', async () => {
    const bad = await file('c.ndjson', '{"a": 1}\n{"a": oops}\n{"a": 3}\n');
    const e = await failure(ndjsonConnector.load({ path: bad }));
    expect(e.message).toMatch(/line 2 is not valid JSON/);
    expect(e.detail.line).toBe(2);
    const cut = await file('d.ndjson', '{"a": 1}\n{"a": 2, "b"');
    const e2 = await failure(ndjsonConnector.load({ path: cut }));
    expect(e2.message).toMatch(/line 2 .*truncated/);
    const e3 = await failure((async () => {
      for await (const _ of ndjsonConnector.batches!({ path: cut })) void _;
    })());
    expect(e3.message).toMatch(/line 2 .*truncated/);
  });
});

describe('JSON and NDJSON messages that say what to do (issue #5)', () => {
  it('lists the keys and the arrays of records of a top-level object (vega-datasets earthquakes.json, GeoJSON)', async () => {
    // earthquakes.json is a FeatureCollection: keys type, metadata, features (1,707 objects), bbox.
    const path = vegaDataset('earthquakes.json');
    const e = await rejection(jsonConnector.load({ path }));
    expect(e.code).toBe('SOURCE_FORMAT');
    expect(e.message).toBe(`${path}: expected an array of records at the top level, found an object with keys type, metadata, features, bbox; arrays of records in it: "features" (1,707 records)`);
    expect(e.hint).toBe('Set recordsPath to one of them, e.g. recordsPath: "features".');
    expect((await jsonConnector.load({ path, recordsPath: 'features' })).rowCount).toBe(1707);
    const nested = await file('nested.json', '{"meta": {"n": 2}, "data": {"items": [{"a": 1}, {"a": 2}], "tags": ["x"]}}');
    expect((await rejection(jsonConnector.load({ path: nested }))).message).toMatch(/found an object with keys meta, data; arrays of records in it: "data.items" \(2 records\)$/);
  });

  it('does not call a complete NDJSON last line with NaN truncated, and says JSON has no NaN', async () => {
    const path = await file('nan.ndjson', '{"a": 1}\n{"a": NaN}\n');
    const e = await rejection(ndjsonConnector.load({ path }));
    expect(e.message).toMatch(/line 2 is not valid JSON/);
    expect(e.message).not.toMatch(/truncated/);
    expect(e.hint).toBe("JSON has no NaN: write null for a missing number (pandas' to_json does).");
    const cut = await file('cut.ndjson', '{"a": 1}\n{"a": 2, "b": "x');
    const c = await rejection(ndjsonConnector.load({ path: cut }));
    expect(c.message).toMatch(/line 2 is not valid JSON: .*\(last line, ends early: truncated file\?\)$/);
  });

  it('renames an empty key as CSV does an empty header (Unnamed: i)', async () => {
    const path = await file('empty-key.json', '[{"": 1, "b": 2}]');
    const t = await jsonConnector.load({ path });
    expect(t.columns.map((c) => [c.name, c.note])).toEqual([['Unnamed: 0', 'header field 1 was empty; named "Unnamed: 0"'], ['b', undefined]]);
  });
});

