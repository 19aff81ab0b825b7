/**
 * The agent API in-process (no replicas started): TLS with a self-signed certificate made by the
 * `openssl` CLI (skipped where it is absent), request validation at the edge, and the status of an
 * empty node. Process supervision, uploads and rollback are covered end to end by
 * core/deploy/push/deploy.integration.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from './agent.ts';

const TOKEN = 'in-process-token';
let root: string;
let agent: RunningAgent;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratum-agent-'));
  agent = await startAgent({ port: 0, host: '127.0.0.1', token: TOKEN, dataDir: join(root, 'plain'), declaredCapabilities: { cores: 2, layer: 'fog', runtimes: { python: '3.12' } }, log: () => undefined });
  await agent.ready;
});

afterAll(async () => {
  await agent?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: { error?: { code: string; message: string; detail?: Record<string, unknown> } } & Record<string, unknown> }> {
  const response = await fetch(`${agent.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as { error?: { code: string; message: string } } & Record<string, unknown> };
}

describe('agent API', () => {
  it('merges declared capabilities over measured ones (runtimes key by key)', async () => {
    const { status, json } = await call('GET', '/v1/capabilities');
    expect(status).toBe(200);
    expect(json).toMatchObject({ cores: 2, layer: 'fog', runtimes: { node: process.versions.node, python: '3.12' }, arch: process.arch });
  });

  it('reports an empty node', async () => {
    const { json } = await call('GET', '/v1/status');
    expect(json.services).toEqual([]);
    expect(json.agent).toMatchObject({ pid: process.pid, dataDir: join(root, 'plain') });
  });

  it('validates names, versions and bodies at the edge', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/v1/services/weather/deploy', { version: '1.0.0', replicas: 1 }, 404, 'VERSION_UNKNOWN'],
      ['POST', '/v1/services/weather/deploy', { version: '../x', replicas: 1 }, 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/weather/deploy', { version: '1', replicas: 0 }, 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/weather/deploy', { version: '1', replicas: 1.5 }, 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/weather/deploy', { version: '1', replicas: 17 }, 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/weather/deploy', [1], 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/..%2F..%2Fetc/deploy', { version: '1', replicas: 1 }, 400, 'BAD_REQUEST'],
      ['POST', '/v1/services/weather/scale', { replicas: 1 }, 404, 'SERVICE_UNKNOWN'],
      ['DELETE', '/v1/services/weather', undefined, 404, 'SERVICE_UNKNOWN'],
      ['GET', '/v1/services/weather', undefined, 404, 'SERVICE_UNKNOWN'],
      ['PUT', '/v1/services/weather/bundle', undefined, 400, 'BAD_REQUEST'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(answer.json.error?.code).toBe(code);
    }
    const missingVersion = await call('POST', '/v1/services/weather/deploy', { version: '1.0.0', replicas: 1 });
    expect(missingVersion.json.error?.message).toBe('version 1.0.0 of weather was not uploaded to this node');
  });

  it.skipIf(!hasOpenssl())('serves HTTPS with --tls-cert/--tls-key', async () => {
    const dir = join(root, 'tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(root, 'key.pem'), '-out', join(root, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = await readFile(join(root, 'cert.pem'));
    const secure = await startAgent({ port: 0, token: TOKEN, dataDir: dir, tls: { cert, key: await readFile(join(root, 'key.pem')) }, log: () => undefined });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const get = (token: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const req = httpsRequest(`${secure.url}/v1/capabilities`, { ca: cert, headers: { authorization: `Bearer ${token}` } }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const ok = await get(TOKEN);
      expect(ok.status).toBe(200);
      expect((JSON.parse(ok.body) as { arch: string }).arch).toBe(process.arch);
      expect((await get('wrong')).status).toBe(401);
      // Plain HTTP to the TLS port gets no API answer.
      const plain = await fetch(secure.url.replace('https:', 'http:') + '/v1/capabilities', { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status, () => 'refused');
      expect(plain).not.toBe(200);
    } finally {
      await secure.close();
    }
  });
});
