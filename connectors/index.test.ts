// Tests of the connector registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { isStratumError } from '../core/errors.ts';
import { getConnector, listConnectors, loadDataFrame, loadTable } from './index.ts';

describe('registry', () => {
  it('lists every connector with a valid JSON Schema 2020-12 config schema', () => {
    const list = listConnectors();
    expect(list.map((c) => c.id)).toEqual(['csv', 'tsv', 'json', 'ndjson', 'excel', 'parquet', 'sqlite', 'postgres', 'http']);
    const ajv = new Ajv2020({ strict: false });
    for (const c of list) {
      expect(c.configSchema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => ajv.compile(c.configSchema)).not.toThrow();
    }
    expect(list.filter((c) => c.streams).map((c) => c.id)).toEqual(['csv', 'tsv', 'ndjson', 'parquet', 'sqlite', 'postgres', 'http']);
  });

  it('names an unknown connector and lists the known ones', () => {
    let error: unknown;
    try {
      getConnector('mongo');
    } catch (e) {
      error = e;
    }
    expect(isStratumError(error, 'CONNECTOR_UNKNOWN')).toBe(true);
    expect((error as Error).message).toMatch(/no connector "mongo"; known: csv, tsv/);
  });

  it('loads a table and a DataFrame by connector id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stratum-reg-'));
    try {
      const path = join(dir, 'a.json');
      await writeFile(path, '[{"x": 1}, {"x": null}]');
      expect((await loadTable('json', { path })).columns[0]!.values).toEqual([1, null]);
      const df = await loadDataFrame('json', { path });
      expect(df.column('x').values).toEqual([1, NaN]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
