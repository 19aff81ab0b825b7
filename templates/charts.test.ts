// Code generation of the chart templates and the data.load template (rendering only; the
// rendered code runs in a real kernel in exploration.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { CONNECTOR_SCHEMAS } from '../connectors/schemas.ts';
import { thrown } from '../core/testing.ts';
import { getTemplate, renderTemplateCode } from './index.ts';

const code = (id: string, params: Record<string, unknown>): string => renderTemplateCode(id, params).split('\n')[1]!;

describe('chart templates', () => {
  it('render one readable call each; options at their defaults are left out', () => {
    expect(renderTemplateCode('chart.scatter', { data: 'weather', x: 'temp_max', y: 'temp_min', color: 'weather' })).toBe([
      '// Template: Scatter plot — generated code, edit freely after "convert to code"',
      'display(stratum.scatter(weather, { x: "temp_max", y: "temp_min", color: "weather" }));',
      '',
    ].join('\n'));
    expect(code('chart.scatter', { data: 'w', x: 'a', y: 'b', trendline: true, maxPoints: 5000, seed: 7 })).toBe('display(stratum.scatter(w, { x: "a", y: "b", trendline: true, seed: 7 }));');
    expect(code('chart.histogram', { data: 'weather', column: 'temp_max' })).toBe('display(stratum.histogram(weather, "temp_max"));');
    expect(code('chart.histogram', { data: 'weather', column: 'temp_max', bins: 30 })).toBe('display(stratum.histogram(weather, "temp_max", { bins: 30 }));');
    expect(code('chart.line', { data: 'stocks', x: 'date', y: ['price'] })).toBe('display(stratum.line(stocks, { x: "date", y: ["price"] }));');
    expect(code('chart.box', { data: 'weather', y: 'temp_max', by: 'weather' })).toBe('display(stratum.box(weather, { y: "temp_max", by: "weather" }));');
    expect(code('chart.bar', { data: 'weather', column: 'weather', top: 3, title: 'Days' })).toBe('display(stratum.bar(weather, { column: "weather", top: 3, title: "Days" }));');
    expect(code('chart.correlation', { data: 'cars' })).toBe('display(stratum.correlation(cars));');
  });

  it('validates the form values, naming the field by its title', () => {
    expect(thrown(() => renderTemplateCode('chart.scatter', { data: 'w', x: 'a' })).message).toBe('template chart.scatter: Y column is required');
    expect(thrown(() => renderTemplateCode('chart.line', { data: 'w', x: 'a', y: [] })).message).toBe('template chart.line: Y columns needs at least 1 item');
    expect(thrown(() => renderTemplateCode('chart.histogram', { data: 'w', column: 'a', bins: 0 })).message).toBe('template chart.histogram: Bins must be at least 1');
    expect(thrown(() => renderTemplateCode('chart.box', { data: 'w; process.exit()', y: 'a' })).detail.field).toBe('data');
  });

  it('keeps hostile column names inert string literals', () => {
    const evil = 'x" }));\nprocess.exit(1); //';
    const line = code('chart.bar', { data: 'w', column: evil });
    expect(line).toBe(`display(stratum.bar(w, { column: ${JSON.stringify(evil)} }));`);
    expect(renderTemplateCode('chart.bar', { data: 'w', column: evil }).split('\n')).toHaveLength(3);
  });
});

describe('data.load template', () => {
  it('offers every connector, with its own config fields as the branch of its kind', () => {
    const schema = getTemplate('data.load').paramsSchema as { properties: { kind: { enum: string[] } }; oneOf: Array<{ title: string; properties: Record<string, unknown> }> };
    expect(schema.properties.kind.enum).toEqual(['csv', 'tsv', 'json', 'ndjson', 'excel', 'parquet', 'sqlite', 'postgres', 'http']);
    const postgres = schema.oneOf[7]!;
    expect(postgres.title).toBe('PostgreSQL');
    expect(Object.keys(postgres.properties)).toEqual(['kind', 'resultName', 'host', 'port', 'database', 'user', 'password', 'table', 'query', 'ssl', 'connectTimeoutMs', 'statementTimeoutMs']);
    expect(CONNECTOR_SCHEMAS.map((c) => c.id)).toEqual(schema.properties.kind.enum);
  });

  it('renders stratum.load with the fields given, in the connector order, a secret by name only', () => {
    expect(renderTemplateCode('data.load', { kind: 'sqlite', path: 'shop.db', table: 'orders' })).toBe([
      '// Template: Load data, SQLite database — generated code, edit freely after "convert to code"',
      'const df = await stratum.load({ kind: "sqlite", path: "shop.db", table: "orders" });',
      'df',
      '',
    ].join('\n'));
    expect(renderTemplateCode('data.load', { kind: 'postgres', table: 'sales.orders', user: 'analyst', password: { secret: 'pg-main' }, database: 'shop', host: 'db.example.com', port: 5432, resultName: 'orders' })).toBe([
      '// Template: Load data, PostgreSQL — generated code, edit freely after "convert to code"',
      'const orders = await stratum.load({',
      '  kind: "postgres",',
      '  host: "db.example.com",',
      '  database: "shop",',
      '  user: "analyst",',
      '  password: { secret: "pg-main" },',
      '  table: "sales.orders",',
      '});',
      'orders',
      '',
    ].join('\n'));
    // Nested defaults (pagination param "page", start 1) are left out too.
    expect(renderTemplateCode('data.load', { kind: 'http', url: 'https://api.example.com/items', pagination: { type: 'page', size: 100 }, headers: { Authorization: { secret: 'api-key' } } })).toContain([
      '  headers: { Authorization: { secret: "api-key" } },',
      '  pagination: { type: "page", size: 100 },',
    ].join('\n'));
    expect(code('data.load', { kind: 'excel', path: 'a.xlsx', sheet: 0 })).toBe('const df = await stratum.load({ kind: "excel", path: "a.xlsx", sheet: 0 });');
  });

  it('names the wrong field by its title, for the chosen kind', () => {
    expect(thrown(() => renderTemplateCode('data.load', {})).message).toBe('template data.load: Source is required');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'sqlite', table: 'a' })).message).toBe('template data.load: Database file is required');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'sqlite', path: 'a.db' })).message).toBe('template data.load: SQLite database needs a Table or SQL query');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'sqlite', path: 'a.db', table: 't', query: 'select 1' })).detail.field).toBe('query');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'http', url: 'ftp://x' })).message).toBe('template data.load: URL must match pattern "^https?://"');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'http', url: 'http://x', pagination: { type: 'offset' } })).detail.field).toBe('pagination.limit');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'csv', path: 'a.csv', sheet: 1 })).detail.field).toBe('sheet');
    expect(thrown(() => renderTemplateCode('data.load', { kind: 'csv', path: 'a.csv', resultName: 'let' })).detail.field).toBe('resultName');
    // A password in clear is refused: the schema takes only a secret reference.
    const clear = thrown(() => renderTemplateCode('data.load', { kind: 'postgres', host: 'h', database: 'd', user: 'u', password: 'hunter2', table: 't' }));
    expect(clear.message).toBe('template data.load: Password (stored secret) must be an object');
    expect(clear.message).not.toContain('hunter2');
  });
});
