// The runs.* and models.* API over HTTP: a real server, a real kernel that trains (so runs land in
// the workspace's real SQLite store), then list, get, compare, register and move an alias.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { TOKEN_HEADER, type ApiMethod, type ApiRequest, type ApiResponse } from './contract.ts';
import { startWorkbenchServer, type WorkbenchServer } from './server.ts';

type ErrorBody = { error?: { code?: string; evalue: string; detail?: Record<string, unknown> } };

describe('runs and models API (browser mode)', () => {
  let root: string;
  let workspace: Workspace;
  let server: WorkbenchServer;

  async function call<M extends ApiMethod>(method: M, body: ApiRequest<M>): Promise<{ status: number; body: ApiResponse<M> & ErrorBody }> {
    const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: server.token }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  }

  /** Sends a body the types would not allow, as a hostile or buggy caller could. */
  async function raw(method: string, body: unknown): Promise<{ status: number; body: ErrorBody }> {
    const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: server.token }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'stratum-runs-api-'));
    workspace = await openWorkspace({ root });
    server = await startWorkbenchServer({ workspace, rendererDir: path.join(root, 'no-renderer') });
  });

  afterAll(async () => {
    await server.close();
    await workspace.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('answers an untouched workspace with empty lists and typed errors, without creating a store', async () => {
    expect(await call('runs.list', {})).toEqual({ status: 200, body: [] });
    expect(await call('models.list', {})).toEqual({ status: 200, body: [] });
    const unknown = await call('runs.get', { id: '0123456789ab' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'RUN_UNKNOWN', evalue: 'unknown run "0123456789ab": no run was recorded in this workspace yet' });
    expect((await call('models.setAlias', { name: 'm', alias: 'champion', version: 1 })).body.error?.code).toBe('MODEL_UNKNOWN');
    expect(existsSync(path.join(root, '.stratum'))).toBe(false);
  });

  it('validates requests at the edge', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['runs.get', { id: 'RUN1' }, 'id'],
      ['runs.get', { id: '0123456789ab', extra: 1 }, 'extra'],
      ['runs.compare', { ids: ['0123456789ab'] }, 'ids'],
      ['runs.list', { limit: 0 }, 'limit'],
      ['runs.list', { notebook: '../x.stratum.json' }, 'path'],
      ['runs.list', { status: 'done' }, 'status'],
      ['models.register', { runId: '0123456789ab', name: 'ok', aliases: ['Champion'] }, 'aliases[0]'],
      ['models.register', { runId: '0123456789ab', name: '-bad' }, 'name'],
      ['models.setAlias', { name: 'm', alias: 'champion', version: 0 }, 'version'],
    ];
    for (const [method, body, field] of cases) {
      const answer = await raw(method, body);
      expect([method, answer.status, answer.body.error?.code, answer.body.error?.detail?.field]).toEqual([method, 400, 'REQUEST_INVALID', field]);
    }
  });

  it('lists, shows, compares and registers runs that a notebook in a subfolder trained', async () => {
    await call('workspace.createNotebook', { path: 'sub/trees.stratum.json', starter: 'blank' });
    // 120 rows, label = whether x + y > 10: a depth-1 tree cannot learn it as well as a depth-4 one.
    const code = [
      'const rows = Array.from({ length: 120 }, (_, i) => ({ x: i % 10, y: (i * 7) % 13, label: (i % 10) + ((i * 7) % 13) > 10 ? "hi" : "lo" }))',
      'const shallow = await stratum.trainDecisionTree(rows, { target: "label", features: ["x", "y"], maxDepth: 1, seed: 1 })',
      'const deep = await stratum.trainDecisionTree(rows, { target: "label", features: ["x", "y"], maxDepth: 4, seed: 1 })',
      'await stratum.exportBundle(deep, { dir: "out/deep", name: "deep" })',
    ].join('\n');
    const executed = await call('kernel.execute', { path: 'sub/trees.stratum.json', runId: 'r1', cell: { id: 'train', type: 'code', source: code } });
    expect(executed.body.outputs.filter((o) => o.type === 'error')).toEqual([]);
    expect(executed.body.status).toBe('ok');

    // Recorded in the workspace's store (not sub/.stratum), newest first.
    expect(existsSync(path.join(root, 'sub', '.stratum'))).toBe(false);
    const listed = await call('runs.list', {});
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(2);
    const [deep, shallow] = listed.body;
    expect(deep).toMatchObject({ status: 'finished', templateId: 'tabular.decision-tree', backend: 'js', seed: 1, notebook: { path: 'sub/trees.stratum.json', cellId: 'train' }, data: { rowCount: 120 }, error: null });
    expect(typeof deep.metrics.accuracy).toBe('number');
    expect(deep.metrics.n).toBe(24); // testFraction 0.2 of 120 rows
    expect((await call('runs.list', { notebook: 'sub/trees.stratum.json', limit: 1 })).body.map((r) => r.id)).toEqual([deep.id]);
    expect((await call('runs.list', { notebook: 'other.stratum.json' })).body).toEqual([]);
    expect((await call('runs.list', { template: 'tabular.mlp-classifier' })).body).toEqual([]);
    expect((await call('runs.list', { status: 'finished', template: 'tabular.decision-tree' })).body).toHaveLength(2);

    const shown = await call('runs.get', { id: deep.id });
    expect(shown.body.params).toMatchObject({ target: 'label', maxDepth: 4 });
    expect(shown.body.evaluation).toMatchObject({ task: 'classification', accuracy: deep.metrics.accuracy });
    const bundles = shown.body.artifacts.filter((a) => a.kind === 'bundle').map((a) => [a.name, a.path]);
    expect(bundles).toEqual([['bundle', `.stratum/artifacts/${deep.id}/bundle`], ['export:out/deep', 'sub/out/deep']]);
    // The notebook's own export is linked to the run that trained the model, both ways.
    expect(JSON.parse(readFileSync(path.join(root, 'sub/out/deep/manifest.json'), 'utf8')).runId).toBe(deep.id);
    expect(JSON.parse(readFileSync(path.join(root, `.stratum/artifacts/${deep.id}/bundle/manifest.json`), 'utf8')).runId).toBe(deep.id);
    expect((await call('runs.get', { id: shallow.id })).body.artifacts.filter((a) => a.kind === 'bundle').map((a) => a.name)).toEqual(['bundle']);

    const cmp = await call('runs.compare', { ids: [shallow.id, deep.id] });
    expect(cmp.status).toBe(200);
    expect(cmp.body.runs.map((r) => r.id)).toEqual([shallow.id, deep.id]);
    expect(cmp.body.paramsDiff).toEqual([{ name: 'maxDepth', values: [1, 4], absent: [false, false] }]);
    expect(cmp.body.paramsSame).toMatchObject({ target: 'label', seed: 1 });
    expect(cmp.body.metrics.find((m) => m.name === 'accuracy')).toEqual({ name: 'accuracy', values: [shallow.metrics.accuracy, deep.metrics.accuracy], better: 'higher' });
    expect(cmp.body.metrics.find((m) => m.name === 'n')).toEqual({ name: 'n', values: [24, 24] });
    const missing = await call('runs.compare', { ids: [deep.id, 'ffffffffffff'] });
    expect([missing.status, missing.body.error?.code, missing.body.error?.evalue]).toEqual([404, 'RUN_UNKNOWN', 'unknown run "ffffffffffff"']);
    expect((await call('runs.compare', { ids: [deep.id, deep.id] })).body.error?.code).toBe('USAGE');

    // Register both (no bundle folder named: the logged one is used), then move the champion.
    const v1 = await call('models.register', { runId: shallow.id, name: 'xy', aliases: ['champion'], description: 'first try' });
    expect(v1.body).toMatchObject({ model: 'xy', version: 1, runId: shallow.id, aliases: ['champion'], description: 'first try', bundlePath: '.stratum/models/xy/v1' });
    const v2 = await call('models.register', { runId: deep.id, name: 'xy', aliases: ['challenger'] });
    expect(v2.body).toMatchObject({ version: 2, aliases: ['challenger'] });
    const moved = await call('models.setAlias', { name: 'xy', alias: 'champion', version: 'challenger' });
    expect(moved.body).toMatchObject({ version: 2, aliases: ['challenger', 'champion'] });
    const models = await call('models.list', {});
    expect(models.body.map((m) => [m.name, m.versions.map((v) => [v.version, v.runId, v.aliases]), m.aliases])).toEqual([
      ['xy', [[1, shallow.id, []], [2, deep.id, ['challenger', 'champion']]], { challenger: 2, champion: 2 }],
    ]);
    expect((await call('runs.get', { id: deep.id })).body.versions).toEqual([{ model: 'xy', version: 2, aliases: ['challenger', 'champion'] }]);
    const noVersion = await call('models.setAlias', { name: 'xy', alias: 'champion', version: 7 });
    expect([noVersion.status, noVersion.body.error?.code, noVersion.body.error?.evalue]).toEqual([404, 'MODEL_VERSION_UNKNOWN', 'model "xy" has no version 7 (versions: 1, 2)']);
    const unknownRun = await call('models.register', { runId: 'ffffffffffff', name: 'xy' });
    expect([unknownRun.status, unknownRun.body.error?.code]).toEqual([404, 'RUN_UNKNOWN']);
  });
});
