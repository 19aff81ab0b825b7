import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseCsv, tableToRecords } from '../../connectors/csv/csv.ts';
import { checkTrainingData } from './guardrails.ts';
import { fitPreprocessor, inputJsonSchema, numbersAsTextIssue, transformRecords } from './preprocess.ts';
import { prepareSupervised } from './supervised.ts';
import type { FeatureRecord } from './types.ts';
import { thrown } from '../testing.ts';

// x: numeric with one missing value; c: strings with one missing value; k: constant.
const rows: FeatureRecord[] = [
  { x: 1, c: 'b', k: 5 },
  { x: 2, c: 'a', k: 5 },
  { x: null, c: null, k: 5 },
  { x: 10, c: 'b', k: 5 },
];

describe('fitPreprocessor', () => {
  it('fits median, mean and population std, and sorted categories (hand-computed)', () => {
    const state = fitPreprocessor(rows, { features: ['x', 'c', 'k'] });
    // x: non-missing [1, 2, 10] -> median 2; imputed [1, 2, 2, 10] -> mean 15/4 = 3.75;
    // squared deviations 7.5625 + 3.0625 + 3.0625 + 39.0625 = 52.75, / 4 = 13.1875 (ddof = 0,
    // pandas `Series([1, 2, 2, 10]).std(ddof=0)` = 3.6314597...).
    expect(state.steps[0]).toMatchObject({ kind: 'numeric', name: 'x', median: 2, mean: 3.75 });
    expect((state.steps[0] as { std: number }).std).toBeCloseTo(Math.sqrt(13.1875), 12);
    // c: counts a:1, b:2 -> most frequent b; categories sorted [a, b].
    expect(state.steps[1]).toEqual({ kind: 'categorical', name: 'c', mostFrequent: 'b', categories: ['a', 'b'], unseen: 'error', valueType: 'string' });
    // k: constant -> std 0 replaced by 1.
    expect(state.steps[2]).toEqual({ kind: 'numeric', name: 'k', median: 5, mean: 5, std: 1 });
    expect(state.outputWidth).toBe(4);
  });

  it('breaks most-frequent ties by sorted order', () => {
    const state = fitPreprocessor([{ c: 'y' }, { c: 'x' }], { features: ['c'] });
    expect(state.steps[0]).toMatchObject({ mostFrequent: 'x', categories: ['x', 'y'] });
  });

  it('one-hot encodes numbers listed as categorical, sorted numerically', () => {
    const state = fitPreprocessor([{ n: 10 }, { n: 9 }, { n: 10 }], { features: ['n'], categorical: ['n'] });
    expect(state.steps[0]).toMatchObject({ categories: ['9', '10'], mostFrequent: '10', valueType: 'number' });
    expect(Array.from(transformRecords(state, [{ n: 9 }, { n: 10 }]))).toEqual([1, 0, 0, 1]);
    expect(inputJsonSchema(state)).toMatchObject({ properties: { n: { type: 'number', enum: [9, 10] } } });
  });

  it('rejects numbers stored as strings unless declared categorical', () => {
    const error = thrown(() => fitPreprocessor([{ z: '01' }, { z: '02' }], { features: ['z'] }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toContain('records[0].z');
    expect(error.hint).toContain('categorical');
    expect(fitPreprocessor([{ z: '01' }, { z: '02' }], { features: ['z'], categorical: ['z'] }).steps[0]).toMatchObject({ categories: ['01', '02'] });
  });

  it('rejects a column mixing numbers and strings, naming where', () => {
    const error = thrown(() => fitPreprocessor([{ m: 1 }, { m: 'two' }], { features: ['m'] }));
    expect(error.message).toBe('column "m" mixes value types (number at records[0].m = 1, string at records[1].m = "two")');
  });

  it('rejects an all-missing column and an absent field', () => {
    expect(thrown(() => fitPreprocessor([{ x: null }], { features: ['x'] })).message).toContain('no non-missing values');
    expect(thrown(() => fitPreprocessor([{ x: 1 }, {}], { features: ['x'] })).message).toBe('records[1].x: field is absent');
  });
});

describe('transformRecords', () => {
  const state = fitPreprocessor(rows, { features: ['x', 'c', 'k'] });

  it('imputes, standardizes and one-hot encodes (hand-computed)', () => {
    const std = Math.sqrt(13.1875);
    const expected = [
      [(1 - 3.75) / std, 0, 1, 0],
      [(2 - 3.75) / std, 1, 0, 0],
      [(2 - 3.75) / std, 0, 1, 0], // x imputed with the median 2, c with the most frequent 'b'
      [(10 - 3.75) / std, 0, 1, 0],
    ].flat();
    const out = transformRecords(state, rows);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(16);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('treats NaN as missing when imputing (danfo marks missing numbers with NaN)', () => {
    expect(transformRecords(state, [{ x: Number.NaN, c: 'a', k: 5 }])[0]).toBeCloseTo((2 - 3.75) / Math.sqrt(13.1875), 6);
  });

  it('gives identical output after a JSON round trip of the state', () => {
    const restored = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(restored).toEqual(state);
    expect(Array.from(transformRecords(restored, rows))).toEqual(Array.from(transformRecords(state, rows)));
  });

  it('names field and row of every invalid value', () => {
    const ok = { x: 1, c: 'a', k: 5 };
    const cases: Array<[FeatureRecord[], string, { missing?: 'impute' | 'error' }?]> = [
      [[ok, ok, { ...ok, x: 'abc' }], 'records[2].x: expected a number, got "abc"'],
      [[ok, { c: 'a', k: 5 }], 'records[1].x: required field is absent'],
      [[{ ...ok, x: Number.POSITIVE_INFINITY }], 'records[0].x: expected a finite number, got Infinity'],
      [[ok, { ...ok, c: 3 }], 'records[1].c: expected a string, got 3'],
      [[{ ...ok, c: 'z' }], 'records[0].c: unknown category "z" (known: "a", "b")'],
      [[ok, { ...ok, x: null }], 'records[1].x: expected a number, got null', { missing: 'error' }],
      [[{ ...ok, c: null }], 'records[0].c: expected a string, got null', { missing: 'error' }],
      [[ok, ['not', 'a', 'record'] as unknown as FeatureRecord], 'records[1]: expected an object, got ["not","a","record"]'],
    ];
    for (const [records, message, options] of cases) {
      const error = thrown(() => transformRecords(state, records, options));
      expect(error.code).toBe('REQUEST_INVALID');
      expect(error.message).toBe(message);
      expect(error.detail.row).toBe(records.length - 1);
    }
  });

  it('quotes field names that are not identifiers', () => {
    const s = fitPreprocessor([{ 'Beak Length (mm)': 1 }], { features: ['Beak Length (mm)'] });
    expect(thrown(() => transformRecords(s, [{ 'Beak Length (mm)': '1' }])).message).toBe('records[0]["Beak Length (mm)"]: expected a number, got "1"');
  });

  it('encodes an unseen category as zeros under the ignore policy', () => {
    const s = fitPreprocessor(rows, { features: ['c'], unseen: 'ignore' });
    expect(Array.from(transformRecords(s, [{ c: 'z' }, { c: 'a' }]))).toEqual([0, 0, 1, 0]);
  });
});

describe('inputJsonSchema', () => {
  it('describes one record: numbers, enums, all required, no null', () => {
    const state = fitPreprocessor(rows, { features: ['x', 'c'] });
    const schema = inputJsonSchema(state);
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { x: { type: 'number' }, c: { type: 'string', enum: ['a', 'b'] } },
      required: ['x', 'c'],
      additionalProperties: true,
    });
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate({ x: 1.5, c: 'a', extra: true })).toBe(true);
    expect(validate({ x: null, c: 'a' })).toBe(false);
    expect(validate({ x: 1, c: 'z' })).toBe(false);
    expect(validate({ c: 'a' })).toBe(false);
  });

  it('drops the enum under the ignore policy', () => {
    const state = fitPreprocessor(rows, { features: ['c'], unseen: 'ignore' });
    expect(inputJsonSchema(state)).toMatchObject({ properties: { c: { type: 'string' } } });
    expect((inputJsonSchema(state).properties as Record<string, object>).c).not.toHaveProperty('enum');
  });
});

describe('guardrail: identifier-like text columns', () => {
  // 60 rows, 60 distinct ids: more than MAX_INFERRED_CATEGORIES (50) distinct values and more than half the rows.
  const rows = Array.from({ length: 60 }, (_, i) => ({ id: `2012-01-${String(i).padStart(2, '0')}`, x: i }));

  it('refuses an inferred category with one value per row, naming the column and what to do', () => {
    expect(() => fitPreprocessor(rows, { features: ['x', 'id'] })).toThrow(/column "id" has 60 distinct values in 60 rows: it looks like an identifier/);
  });

  it('encodes it anyway when the column is declared categorical', () => {
    expect(fitPreprocessor(rows, { features: ['id'], categorical: ['id'] }).outputWidth).toBe(60);
  });

  it('lists at most 20 known categories in an unseen-category error', () => {
    const state = fitPreprocessor(rows, { features: ['id'], categorical: ['id'] });
    let message = '';
    try {
      transformRecords(state, [{ id: 'never-seen' }]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('(60 in all)');
    expect(message.match(/"2012-01-/g)).toHaveLength(20);
  });
});

describe('a numeric column kept as text by one stray value (the load-to-train path)', () => {
  // A CSV whose x and y are numbers except "n.a." at data row 18 (x) and "?" at data row 22 (y):
  // the loader keeps both columns as text, so the records hold strings like "1.5".
  const lines = ['x,y,c'];
  for (let i = 0; i < 30; i++) lines.push(`${i === 17 ? 'n.a.' : i * 1.5},${i === 21 ? '?' : i * 2 + 1},${i % 2}`);
  const records = tableToRecords(parseCsv(`${lines.join('\n')}\n`));

  it('a feature: names the column, the offending row and value, and the fix (not records[0])', () => {
    const error = thrown(() => fitPreprocessor(records, { features: ['x'] }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe('column "x" is text because 1 of 30 values is not a number: records[17].x = "n.a."; the other 29 are numbers');
    expect(error.detail).toMatchObject({ field: 'x', row: 17 });
    expect(error.hint).toBe('If it means "missing", load the data again with the missingValues option listing it (e.g. missingValues: ["", "NA", "n.a."]); else fix that row in the file, or list "x" in categorical if it really is a category.');
  });

  it('a regression target: names the offending row, not records[0]', () => {
    const error = thrown(() => prepareSupervised(records, { target: 'y', features: ['c'] }, { testFraction: 0.2, seed: 1 }, 'regression'));
    expect(error.message).toBe('target "y" is text because 1 of 30 values is not a number: records[21].y = "?"; the other 29 are numbers; regression needs numbers');
    expect(error.detail).toMatchObject({ field: 'records[21].y', row: 21 });
    expect(error.hint).toContain('missingValues: ["", "NA", "?"]');
  });

  it('a classification target: a warning that the stray values become classes', () => {
    const warnings = checkTrainingData(records.map((r) => ({ ...r, x: 1.5 })), { target: 'y', features: ['x'], task: 'classification' });
    expect(warnings[0]).toMatch(/^target "y" is text because 1 of 30 values is not a number: records\[21\]\.y = "\?"; the other 29 are numbers: each of those values becomes a class of its own\./);
  });

  it('several strays: counts them all and lists the first three distinct ones', () => {
    const present = Array.from({ length: 40 }, (_, row) => ({ row, value: row % 10 === 9 ? ['?', '-', '?', 'x'][(row - 9) / 10]! : String(row) }));
    expect(numbersAsTextIssue('v', present)?.message).toBe('column "v" is text because 4 of 40 values are not numbers: records[9].v = "?", records[19].v = "-", records[39].v = "x" (1 more); the other 36 are numbers');
    // 8 numbers of 10 (80%, below the 90% share): plain text, nothing to say; all numbers as text: said.
    expect(numbersAsTextIssue('v', ['1', '2', '3', '4', '5', '6', '7', '8', 'a', 'b'].map((value, row) => ({ row, value })))).toBeUndefined();
    expect(numbersAsTextIssue('v', [{ row: 3, value: '1.5' }, { row: 4, value: 2 }])).toMatchObject({ kind: 'all-text', row: 3, message: 'column "v" holds numbers stored as text (e.g. records[3].v = "1.5")' });
  });
});
