// Starts the browser-mode server on a temp workspace and drives the API over HTTP and WebSocket.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { TOKEN_HEADER, type ApiMethod, type ApiRequest, type ApiResponse, type WorkbenchEvent } from './contract.ts';
import { startWorkbenchServer, type WorkbenchServer } from './server.ts';

/** The bits of the `ws` client this test uses (the package ships no types here). */
interface WsClient {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'open', listener: () => void): void;
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  close(): void;
}

describe('workbench server (browser mode)', () => {
  let root: string;
  let workspace: Workspace;
  let server: WorkbenchServer;

  async function call<M extends ApiMethod>(method: M, body: ApiRequest<M>, token = server.token): Promise<{ status: number; body: ApiResponse<M> & { error?: { code?: string; evalue: string; detail?: Record<string, unknown> } } }> {
    const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  }

  async function connect(token: string): Promise<{ events: WorkbenchEvent[]; closed: Promise<number>; ws: WsClient }> {
    const { WebSocket } = (await import('ws' as string)) as { WebSocket: new (url: string) => WsClient };
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events?token=${token}`);
    const events: WorkbenchEvent[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', resolve));
    ws.on('message', (data) => events.push(JSON.parse(data.toString('utf8')) as WorkbenchEvent));
    ws.on('error', () => {});
    await new Promise<void>((resolve) => {
      ws.on('open', resolve);
      void closed.then(() => resolve());
    });
    return { events, closed, ws };
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'stratum-server-'));
    await writeFile(path.join(root, 'data.csv'), 'a,b\n1,2\n');
    workspace = await openWorkspace({ root, kernelOptions: { interruptGraceMs: 2000 } });
    server = await startWorkbenchServer({ workspace, rendererDir: path.join(root, 'no-renderer') });
  });

  afterAll(async () => {
    await server.close();
    await workspace.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses requests without the token or with a foreign Host header', async () => {
    expect((await call('workspace.listFiles', {}, 'wrong')).status).toBe(401);
    // fetch() cannot set Host; a DNS-rebinding page would reach us with its own host name.
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/workspace.listFiles', method: 'POST', headers: { host: 'evil.example', [TOKEN_HEADER]: server.token, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(foreign).toBe(403);
    const { closed } = await connect('wrong');
    expect(await closed).toBe(1008);
  });

  it('answers 503 with the build command when the renderer is not built', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:renderer');
  });

  it('validates requests at the edge and keeps paths inside the workspace', async () => {
    const unknown = await fetch(`${server.url}/api/workspace.deleteEverything`, { method: 'POST', headers: { [TOKEN_HEADER]: server.token, 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(400);
    const badField = await call('workspace.readNotebook', { path: 'a.stratum.json', extra: 1 } as never);
    expect(badField.status).toBe(400);
    expect(badField.body.error?.detail?.field).toBe('extra');
    const traversal = await call('workspace.readNotebook', { path: '../../etc/x.stratum.json' });
    expect(traversal.status).toBe(400);
    expect(traversal.body.error?.code).toBe('REQUEST_INVALID');
    const notNotebook = await call('workspace.readNotebook', { path: 'data.csv' });
    expect(notNotebook.status).toBe(400);
    const missing = await call('workspace.readNotebook', { path: 'nope.stratum.json' });
    expect(missing.status).toBe(404);
  });

  it('creates from the Seattle starter, saves with revisions and reports a conflict for a stale save', async () => {
    const created = await call('workspace.createNotebook', { path: 'nb/seattle.stratum.json', starter: 'seattle-weather' });
    expect(created.status).toBe(200);
    expect(created.body.notebook.cells.map((c) => c.type)).toEqual(['markdown', 'code', 'code', 'template', 'code', 'code']);
    const again = await call('workspace.createNotebook', { path: 'nb/seattle.stratum.json', starter: 'blank' });
    expect(again.status).toBe(409);

    const files = await call('workspace.listFiles', {});
    expect(files.body.map((f) => `${f.kind}:${f.path}`)).toEqual(['directory:nb', 'data:data.csv']);
    expect(files.body[0]?.children?.map((f) => `${f.kind}:${f.path}`)).toEqual(['notebook:nb/seattle.stratum.json']);

    const read = await call('workspace.readNotebook', { path: 'nb/seattle.stratum.json' });
    expect(read.body.revision).toBe(created.body.revision);
    // Window A saves an edit; window B still holds the old revision and must get a conflict.
    const edited = structuredClone(read.body.notebook);
    edited.metadata.title = 'Edited in window A';
    const saveA = await call('workspace.saveNotebook', { path: 'nb/seattle.stratum.json', notebook: edited, baseRevision: read.body.revision });
    expect(saveA.status).toBe(200);
    expect(saveA.body.revision).not.toBe(read.body.revision);
    const saveB = await call('workspace.saveNotebook', { path: 'nb/seattle.stratum.json', notebook: read.body.notebook, baseRevision: read.body.revision });
    expect(saveB.status).toBe(409);
    expect(saveB.body.error?.code).toBe('SAVE_CONFLICT');
    const onDisk = JSON.parse(await readFile(path.join(root, 'nb/seattle.stratum.json'), 'utf8')) as { metadata: { title: string } };
    expect(onDisk.metadata.title).toBe('Edited in window A');
  });

  it('lists templates and renders template code', async () => {
    const list = await call('templates.list', {});
    expect(list.body.map((t) => t.id)).toContain('tabular.mlp-classifier');
    const code = await call('templates.renderCode', { id: 'tabular.mlp-classifier', params: { data: 'weather', target: 'weather', features: ['wind'], epochs: 3 } });
    expect(code.body.code).toContain('epochs: 3');
    const bad = await call('templates.renderCode', { id: 'tabular.mlp-classifier', params: { data: 'weather', target: 'weather', features: [], epochs: 3 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe('TEMPLATE_PARAMS');
  });

  it('runs cells in one kernel per notebook, streams outputs over the WebSocket, interrupts a loop and keeps state', async () => {
    const { events, ws } = await connect(server.token);
    const nb = 'nb/run.stratum.json';
    const first = await call('kernel.execute', { path: nb, runId: 'r1', cell: { id: 'c1', type: 'code', source: 'const x = 40;\nconsole.log("hello");\nx + 2' } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('ok');
    expect(first.body.executionCount).toBe(1);
    expect(first.body.outputs).toContainEqual({ type: 'result', data: expect.objectContaining({ 'text/plain': '42' }) as unknown });

    const loop = call('kernel.execute', { path: nb, runId: 'r2', cell: { id: 'c2', type: 'code', source: 'while (true) {}' } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await call('kernel.interrupt', { path: nb })).status).toBe(200);
    expect((await loop).body.status).toBe('interrupted');

    const after = await call('kernel.execute', { path: nb, runId: 'r3', cell: { id: 'c3', type: 'code', source: 'x + 1' } });
    expect(after.body.outputs).toContainEqual({ type: 'result', data: expect.objectContaining({ 'text/plain': '41' }) as unknown });

    const broken = await call('kernel.execute', { path: nb, runId: 'r4', cell: { id: 'c4', type: 'template', source: '', template: { id: 'no.such', params: {} } } });
    expect(broken.body.status).toBe('error');
    expect(broken.body.outputs[0]).toMatchObject({ type: 'error', code: 'TEMPLATE_UNKNOWN' });

    await new Promise((r) => setTimeout(r, 100));
    ws.close();
    const r1 = events.filter((e) => 'runId' in e && e.runId === 'r1');
    expect(r1.map((e) => (e.type === 'cell-state' ? e.state : e.type))).toEqual(['queued', 'running', 'cell-output', 'cell-output', 'done']);
    expect(r1[2]).toMatchObject({ type: 'cell-output', output: { type: 'stream', name: 'stdout', text: 'hello\n' } });
    expect(events).toContainEqual({ type: 'kernel-state', path: nb, state: 'idle' });
    expect(workspace.kernelCount).toBe(1);
    expect((await call('kernel.shutdown', { path: nb })).body.state).toBe('stopped');
    expect(workspace.kernelCount).toBe(0);
  });
});
