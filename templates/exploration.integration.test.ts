// The data.load and chart templates end to end: their rendered code runs in a real kernel process
// (node --import tsx core/kernel/kernel-process.ts, cwd = a temp notebook folder) on real files
// (a SQLite database written here, vega-datasets' seattle-weather.csv) and on an HTTP JSON API on
// 127.0.0.1 that needs a token kept in a secrets file. Starts processes and a server, hence
// `.integration.`; one kernel is shared by all checks.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vegaDataset } from '../core/datasets/vega.ts';
import { Kernel, type ExecuteResult } from '../core/kernel/kernel.ts';
import type { CellOutput, ErrorOutput } from '../core/notebook/types.ts';
import { FileSecretStore } from '../core/secrets/secrets.ts';
import { renderTemplateCode } from './index.ts';

const PLOTLY = 'application/vnd.plotly.v1+json';
const TABLE = 'application/vnd.stratum.table+json';
const TOKEN = 'Bearer s3cr3t-t0ken';

let dir = '';
let kernel: Kernel;
let server: Server;
let apiUrl = '';
let cellNo = 0;

interface Figure { data: Array<Record<string, unknown> & { x: unknown[]; y: unknown[] }>; layout: Record<string, unknown> }
interface Table { columns: Array<{ name: string }>; rows: unknown[][]; totalRows: number }

async function run(source: string): Promise<ExecuteResult> {
  return kernel.execute({ id: `x${++cellNo}`, source, language: 'typescript' });
}
const data = (o: CellOutput): Record<string, unknown> => (o.type === 'display' || o.type === 'result' ? o.data : {});
const figures = (r: ExecuteResult): Figure[] => r.outputs.map((o) => data(o)[PLOTLY]).filter((f): f is Figure => f !== undefined);
function errorOf(r: ExecuteResult): ErrorOutput {
  const e = r.outputs.find((o): o is ErrorOutput => o.type === 'error');
  if (e === undefined) throw new Error(`no error in ${JSON.stringify(r.outputs).slice(0, 500)}`);
  return e;
}
function ok(r: ExecuteResult): ExecuteResult {
  if (r.status !== 'ok') throw new Error(`cell failed: ${JSON.stringify(r.outputs).slice(0, 800)}`);
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-explore-'));
  const db = new Database(join(dir, 'shop.db'));
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL); INSERT INTO orders VALUES (1, 'ada', 12.5), (2, 'bob', NULL), (9007199254740993, 'cy', 3);");
  db.close();
  const secretsFile = join(dir, 'secrets', 'secrets.json');
  await new FileSecretStore(secretsFile).set('api-token', TOKEN);
  server = createServer((req, res) => {
    if (req.headers.authorization !== TOKEN) {
      res.writeHead(401).end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ city: 'Oslo', temp: -3.5 }, { city: 'Lima', temp: 19 }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/cities`;
  kernel = await Kernel.start({ cwd: dir, env: { STRATUM_SECRETS_FILE: secretsFile, STRATUM_TRACKING: 'off' } });
}, 120_000);

afterAll(async () => {
  await kernel?.dispose();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('data.load in a kernel', () => {
  it('loads a SQLite table (path relative to the notebook folder), shows the coercion report, then the frame', async () => {
    const r = ok(await run(renderTemplateCode('data.load', { kind: 'sqlite', path: 'shop.db', table: 'orders', resultName: 'orders' })));
    const [report, result] = r.outputs;
    expect(report?.type).toBe('display');
    expect(String(data(report!)['text/markdown'])).toMatch(/^\*\*2 coercions\*\* while loading `.*shop\.db.*`:/);
    expect(String(data(report!)['text/markdown'])).toContain('kept as text: integer beyond ±\\(2^53\\-1\\)');
    expect(result?.type).toBe('result');
    const table = data(result!)[TABLE] as Table;
    expect(table.columns.map((c) => c.name)).toEqual(['id', 'customer', 'amount']);
    expect(table.rows).toEqual([['1', 'ada', 12.5], ['2', 'bob', null], ['9007199254740993', 'cy', 3]]);
  });

  it('loads a CSV into a Danfo DataFrame usable by the next cells', async () => {
    const r = ok(await run(renderTemplateCode('data.load', { kind: 'csv', path: vegaDataset('seattle-weather.csv'), resultName: 'weather' })));
    expect(r.outputs.map((o) => o.type)).toEqual(['result']); // no coercions in this file: no report
    const shape = ok(await run('[weather.shape, weather.columns]'));
    expect(data(shape.outputs[0]!)['application/json']).toEqual([[1461, 6], ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']]);
  });

  it('resolves a secret by name for an HTTP source; the code holds only the name', async () => {
    const code = renderTemplateCode('data.load', { kind: 'http', url: apiUrl, recordsPath: 'items', headers: { Authorization: { secret: 'api-token' } }, resultName: 'cities' });
    expect(code).toContain('headers: { Authorization: { secret: "api-token" } }');
    expect(code).not.toContain('s3cr3t');
    const r = ok(await run(code));
    expect((data(r.outputs.at(-1)!)[TABLE] as Table).rows).toEqual([['Oslo', -3.5], ['Lima', 19]]);
    const test = ok(await run(`await stratum.testConnection({ kind: 'http', url: ${JSON.stringify(apiUrl)}, recordsPath: 'items', headers: { Authorization: { secret: 'api-token' } } })`));
    expect(String(data(test.outputs[0]!)['text/plain'])).toMatch(/^ok: /);
    const preview = ok(await run("(await stratum.preview({ kind: 'sqlite', path: 'shop.db', table: 'orders' }, 2, { report: false })).shape"));
    expect(data(preview.outputs[0]!)['application/json']).toEqual([2, 3]);
  });

  it('names the wrong field when a config is bad', async () => {
    const noTable = errorOf(await run("await stratum.load({ kind: 'sqlite', path: 'shop.db' })"));
    expect(noTable.code).toBe('CONNECTOR_CONFIG');
    expect(noTable.evalue).toBe('sqlite config: give table or query');
    const noKind = errorOf(await run("await stratum.load({ path: 'shop.db' })"));
    expect(noKind.detail?.field).toBe('kind');
    const wrongSecret = errorOf(await run(`await stratum.load({ kind: 'http', url: ${JSON.stringify(apiUrl)}, headers: { Authorization: { secret: 'nope' } } })`));
    expect(wrongSecret.code).toBe('SECRET_MISSING');
    expect(wrongSecret.evalue).toContain('"nope"');
  });
});

describe('chart templates in a kernel (seattle-weather)', () => {
  it('each chart template displays its Plotly figure', async () => {
    const scatter = figures(ok(await run(renderTemplateCode('chart.scatter', { data: 'weather', x: 'temp_max', y: 'temp_min', color: 'weather', trendline: true }))));
    expect(scatter).toHaveLength(1);
    expect(scatter[0]!.data.map((t) => t.name).slice(0, 5)).toEqual(['rain', 'sun', 'fog', 'drizzle', 'snow']);
    expect(scatter[0]!.data.slice(0, 5).reduce((n, t) => n + t.x.length, 0)).toBe(1461);
    // One trendline per colour group, in the group's order.
    expect(scatter[0]!.data.slice(5).map((t) => String(t.name).replace(/ OLS: y = .*$/, ''))).toEqual(['rain', 'sun', 'fog', 'drizzle', 'snow']);

    const [line] = figures(ok(await run(renderTemplateCode('chart.line', { data: 'weather', x: 'date', y: ['temp_max', 'temp_min'] }))));
    expect(line!.data.map((t) => [t.name, t.x.length, t.x[0], t.x.at(-1)])).toEqual([['temp_max', 1461, '2012-01-01', '2015-12-31'], ['temp_min', 1461, '2012-01-01', '2015-12-31']]);

    const [box] = figures(ok(await run(renderTemplateCode('chart.box', { data: 'weather', y: 'temp_max', by: 'weather' }))));
    expect(box!.data[0]).toMatchObject({ type: 'box', x: ['rain', 'sun', 'fog', 'drizzle', 'snow'] });

    const [bar] = figures(ok(await run(renderTemplateCode('chart.bar', { data: 'weather', column: 'weather' }))));
    expect(bar!.data[0]).toMatchObject({ x: ['rain', 'sun', 'fog', 'drizzle', 'snow'], y: [641, 640, 101, 53, 26] });

    const [hist] = figures(ok(await run(renderTemplateCode('chart.histogram', { data: 'weather', column: 'wind', bins: 12 }))));
    expect((hist!.data[0]!.y as number[]).reduce((a, b) => a + b, 0)).toBe(1461);
    expect(hist!.data[0]!.y).toHaveLength(12);

    const [heat] = figures(ok(await run(renderTemplateCode('chart.correlation', { data: 'weather' }))));
    expect(heat!.data[0]).toMatchObject({ type: 'heatmap', x: ['precipitation', 'temp_max', 'temp_min', 'wind'] });
  });

  it('display(stratum.profile(df)) shows the table, the distributions and the correlation heatmap', async () => {
    const r = ok(await run('display(stratum.profile(weather))'));
    expect(r.outputs.map((o) => Object.keys(data(o)).filter((k) => k !== 'text/plain'))).toEqual([[TABLE], [PLOTLY], [PLOTLY]]);
    expect((data(r.outputs[0]!)[TABLE] as Table).totalRows).toBe(6);
    const [grid, heat] = figures(r);
    expect(grid!.data.map((t) => t.name)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    expect((heat!.data[0]!.x as string[])).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    // As a cell's last value the profile shows the same three outputs (the table as the result); plot() of a chart helper still works.
    const last = ok(await run("stratum.profile(weather)"));
    expect(last.outputs.map((o) => [o.type, Object.keys(data(o)).filter((k) => k !== 'text/plain')])).toEqual([['result', [TABLE]], ['display', [PLOTLY]], ['display', [PLOTLY]]]);
    expect(figures(ok(await run("plot(stratum.histogram(weather, 'temp_max'))")))).toHaveLength(1);
  });

  it('a chart on a column of the wrong kind fails naming it', async () => {
    const e = errorOf(await run("display(stratum.box(weather, { y: 'weather' }))"));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.evalue).toBe("column 'weather' is text; a box plot needs a numeric column");
  });
});
