// Tests of the shared connector helpers: config messages that say what to do (issue #5: Ajv's
// "/ must match exactly one schema in oneOf" and "/password must be object" said nothing useful),
// the pandas-style renamer of repeated names, and declared kinds.
import { describe, expect, it } from 'vitest';
import { thrown } from '../core/testing.ts';
import { tableFromSourceColumns, uniqueNames, validateConfig } from './common.ts';
import { CSV_SCHEMA, EXCEL_SCHEMA, POSTGRES_SCHEMA, SQLITE_SCHEMA } from './schemas.ts';

describe('validateConfig messages', () => {
  it('says to give a table or a query, not both', () => {
    const both = thrown(() => validateConfig('sqlite', SQLITE_SCHEMA, { path: 'a.db', table: 't', query: 'SELECT 1' }));
    expect(both.code).toBe('CONNECTOR_CONFIG');
    expect(both.message).toBe('sqlite config: give table or query, not both');
    expect(thrown(() => validateConfig('sqlite', SQLITE_SCHEMA, { path: 'a.db' })).message).toBe('sqlite config: give table or query');
    expect(thrown(() => validateConfig('postgres', POSTGRES_SCHEMA, { host: 'h', database: 'd', user: 'u' })).message).toBe('postgres config: give table or query');
  });

  it('says a password takes a stored secret and how to store one, without echoing the value', () => {
    const e = thrown(() => validateConfig('postgres', POSTGRES_SCHEMA, { host: 'h', database: 'd', user: 'u', table: 't', password: 'hunter2' }));
    expect(e.message).toBe("postgres config: /password takes a stored secret reference { secret: 'NAME' }, not the value itself: store the value once with `stratum secrets set NAME` (it prompts for it), then give password: { secret: 'NAME' }");
    expect(JSON.stringify(e.detail)).not.toContain('hunter2');
    expect(e.detail.field).toBe('/password');
  });

  it('names missing and unknown fields, allowed values and alternatives of a choice', () => {
    expect(thrown(() => validateConfig('sqlite', SQLITE_SCHEMA, { table: 't' })).message).toBe('sqlite config: /path is required');
    expect(thrown(() => validateConfig('sqlite', SQLITE_SCHEMA, { path: 'a', tabel: 't' })).message).toBe('sqlite config: /tabel is not a known field; the fields are path, table, query');
    expect(thrown(() => validateConfig('csv', CSV_SCHEMA, { path: 'a', encoding: 'cp1252' })).message).toBe('csv config: /encoding must be one of "auto", "utf-8", "utf-16le", "utf-16be", "latin1"');
    expect(thrown(() => validateConfig('excel', EXCEL_SCHEMA, { path: 'a', sheet: -1 })).message).toBe('excel config: /sheet must be a non-empty string or an integer >= 0');
  });
});

describe('uniqueNames and tableFromSourceColumns', () => {
  it('renames repeats a.1, a.2 (skipping names the header already has) and empty names Unnamed: i', () => {
    // By hand: the second "a" cannot be "a.1" (the header has it), so it is "a.2"; the third "a.3".
    expect(uniqueNames(['a', 'a', 'a.1', 'a', '']).map((n) => n.name)).toEqual(['a', 'a.2', 'a.1', 'a.3', 'Unnamed: 4']);
  });

  it('gives typed columns unique names with a note, and declared kinds where values cannot tell', () => {
    const t = tableFromSourceColumns([
      { name: 'a', values: [1, 2] },
      { name: 'a', values: [1, 2], declared: 'float' },
      { name: 'e', values: [null, null], declared: 'integer' },
      { name: 'x', values: [1.5, 2], declared: 'integer' },
    ]);
    expect(t.columns.map((c) => [c.name, c.kind, c.dtype])).toEqual([['a', 'integer', 'int32'], ['a.1', 'float', 'float32'], ['e', 'integer', 'int32'], ['x', 'float', 'float32']]);
    expect(t.columns[1]!.note).toBe('header "a" repeats; renamed "a.1"; float as declared by the source (its values are whole numbers)');
    expect(t.columns[2]!.note).toBe('all values missing; integer as declared by the source (no values to infer from)');
    expect(tableFromSourceColumns([{ name: 'n', values: [], declared: 'integer' }]).columns[0]).toMatchObject({ kind: 'integer', dtype: 'int32', values: [] });
  });
});
