import { Command } from 'commander';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerDescriptorCommands } from '../../cli/descriptor.ts';
import type { Finding, NodeCapabilities } from '../types.ts';
import { checkDescriptor, replicaThroughputRps } from './check.ts';
import { layOutFixture, type DescriptorFixture } from './fixture.ts';
import { formatFindings, formatPlan } from './format.ts';
import { bundleMemoryMiB, SERVICE_BASE_MIB } from './requirements.ts';

let fx: DescriptorFixture;

beforeAll(async () => {
  fx = await layOutFixture();
});
afterAll(async () => {
  await rm(fx.root, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

/** 1-based line of the first line of `file` containing `needle` (the expected line, read from the file itself). */
async function lineOf(file: string, needle: string): Promise<number> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

const errors = (findings: Finding[]): Finding[] => findings.filter((f) => f.severity === 'error');

const EDGE_NODE = `nodes:
  - name: edge-1
    address: 127.0.0.2:7070
    layer: edge
    tokenEnv: T
    capabilities: { cores: 4, memoryMiB: 1024, diskMiB: 8192, arch: arm64, os: linux, runtimes: { node: 20.20.2 }, tfjsBackends: [cpu, wasm], accelerators: [] }
`;

describe('checkDescriptor on the example descriptors', () => {
  it('accepts the Seattle-weather descriptor and places every replica (data source external)', async () => {
    const { findings, plan } = await checkDescriptor({ path: join(fx.descriptors, 'seattle-weather.yaml') });
    expect(findings).toEqual([]); // not even a warning: tokens via tokenEnv, QoS far from the measured latency
    // weather-edge: min 1, only edge node; weather-cloud: min 2, only cloud node (layer placement).
    expect(plan?.replicas).toEqual([
      { component: 'weather-edge', node: 'edge-1', index: 0 },
      { component: 'weather-cloud', node: 'cloud-1', index: 0 },
      { component: 'weather-cloud', node: 'cloud-1', index: 1 },
    ]);
    expect(formatPlan(plan!)).toBe('COMPONENT      NODE     REPLICAS\nweather-edge   edge-1   #0\nweather-cloud  cloud-1  #0 #1\n');
  });

  it('rejects a component needing more memory than any node has (fit.memory, path and line)', async () => {
    const file = join(fx.invalid, 'memory-too-large.yaml');
    const { findings, plan } = await checkDescriptor({ path: file });
    expect(plan).toBeUndefined();
    const f = errors(findings);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'fit.memory', path: 'components[0].requirements.memoryMiB', line: await lineOf(file, 'memoryMiB: 4096') });
    expect(f[0]!.message).toContain('needs 4096 MiB per replica');
    expect(f[0]!.message).toContain('edge-1 has 1024 MiB');
    expect(formatFindings(f, { file: 'm.yaml' })).toMatch(/^m\.yaml:\d+ {2}error {2}fit\.memory {2}components\[0\]\.requirements\.memoryMiB: weather needs 4096 MiB .* fix: /);
  });

  it('rejects an arm64-only fleet for an x64-only component (fit.arch)', async () => {
    const file = join(fx.invalid, 'arch-mismatch.yaml');
    const { findings } = await checkDescriptor({ path: file });
    expect(errors(findings)).toEqual([expect.objectContaining({ rule: 'fit.arch', path: 'components[0].requirements.arch', line: await lineOf(file, 'arch: [x64]') })]);
    expect(errors(findings)[0]!.message).toContain('arm64');
  });

  it('rejects a dangling bundle reference (ref.bundle-missing)', async () => {
    const file = join(fx.invalid, 'dangling-bundle.yaml');
    const { findings } = await checkDescriptor({ path: file });
    expect(errors(findings)[0]).toMatchObject({ rule: 'ref.bundle-missing', path: 'components[0].bundle', line: await lineOf(file, 'no-such-bundle') });
  });

  it('rejects a connection to a missing component (ref.connection)', async () => {
    const file = join(fx.invalid, 'missing-connection.yaml');
    const { findings } = await checkDescriptor({ path: file });
    expect(errors(findings)).toEqual([expect.objectContaining({ rule: 'ref.connection', path: 'connections[0].to', line: await lineOf(file, 'to: dashboard') })]);
  });

  it('rejects two services on the same node and port (dup.port)', async () => {
    const file = join(fx.invalid, 'duplicate-port.yaml');
    const { findings } = await checkDescriptor({ path: file });
    const dup = errors(findings);
    // The second "port: 8080" line is components[1].port.
    const text = (await readFile(file, 'utf8')).split('\n');
    const second = text.findIndex((l, i) => l.includes('port: 8080') && i > text.findIndex((m) => m.includes('port: 8080'))) + 1;
    expect(dup).toEqual([expect.objectContaining({ path: 'components[1].port', line: second })]);
  });

  it('rejects an infeasible p95 latency (qos.latency)', async () => {
    const file = join(fx.invalid, 'infeasible-latency.yaml');
    const { findings, plan } = await checkDescriptor({ path: file });
    expect(plan).toBeDefined();
    expect(errors(findings)).toEqual([expect.objectContaining({ rule: 'qos.latency', path: 'components[0].requirements.qos.p95LatencyMs', line: await lineOf(file, 'p95LatencyMs: 0.001') })]);
    expect(errors(findings)[0]!.message).toContain(`${fx.manifest.measured.predictLatencyP50Ms} ms`);
  });

  it('rejects a wrong type with its path and line (schema) and stops before later stages', async () => {
    const file = join(fx.invalid, 'schema-wrong-type.yaml');
    const { findings } = await checkDescriptor({ path: file });
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'schema', path: 'components[0].requirements.memoryMiB', line: await lineOf(file, 'memoryMiB: "2 GiB"') })]);
    expect(findings[0]!.message).toBe('must be number, found "2 GiB"');
  });
});

describe('checkDescriptor rules on inline descriptors', () => {
  const head = (components: string) => `apiVersion: stratum.dev/v1\nkind: Application\nmetadata: { name: t }\ncomponents:\n${components}`;

  it('rejects a tampered bundle (ref.checksum)', async () => {
    const copy = join(fx.root, 'tampered');
    await cp(fx.bundle, copy, { recursive: true });
    const weights = join(copy, 'model', 'weights.bin');
    const bytes = await readFile(weights);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(weights, bytes);
    const text = head(`  - name: weather\n    kind: model-service\n    bundle: tampered\n    port: 8080\n`) + EDGE_NODE;
    const { findings } = await checkDescriptor({ text, baseDir: fx.root });
    expect(errors(findings)).toEqual([expect.objectContaining({ rule: 'ref.checksum', path: 'components[0].bundle', line: 7 })]);
    expect(errors(findings)[0]!.message).toContain('model/weights.bin');
  });

  it('reports every schema problem at once, with lines, and refuses a token in the descriptor', async () => {
    const text = [
      'apiVersion: stratum.dev/v1', // 1
      'kind: Application', // 2
      'metadata: { name: Bad_Name }', // 3
      'components:', // 4
      '  - name: svc', // 5
      '    kind: model-service', // 6
      '    port: 80800', // 7
      'nodes:', // 8
      '  - name: n1', // 9
      '    address: nowhere', // 10
      '    layer: space', // 11
      '    token: s3cret', // 12
    ].join('\n');
    const { findings } = await checkDescriptor({ text, baseDir: fx.root });
    const byPath = Object.fromEntries(findings.map((f) => [f.path, f.line]));
    expect(byPath).toEqual({
      'metadata.name': 3,
      'components[0]': 5, // needs bundle or model
      'components[0].port': 7,
      'nodes[0].address': 10,
      'nodes[0].layer': 11,
      'nodes[0].token': 12,
    });
    expect(findings.find((f) => f.path === 'nodes[0].token')!.fix).toContain('tokenFile');
  });

  it('hand-worked QoS: 2 ms median, 1 core per replica -> 500 rps each; 1200 rps needs 3 replicas > max 2', async () => {
    const copy = join(fx.root, 'slow');
    await cp(fx.bundle, copy, { recursive: true });
    const manifestPath = join(copy, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { measured: { predictLatencyP50Ms: number } };
    manifest.measured.predictLatencyP50Ms = 2; // the manifest itself is not checksummed: set a known latency
    await writeFile(manifestPath, JSON.stringify(manifest));
    expect(replicaThroughputRps(1, 2)).toBe(500); // min(1,1) * 1000 / 2
    const text =
      head(`  - name: weather\n    kind: model-service\n    bundle: slow\n    port: 8080\n    requirements:\n      cpu: 1\n      replicas: { min: 1, max: 2 }\n      qos: { p95LatencyMs: 3, throughputRps: 1200 }\n`) +
      EDGE_NODE;
    const { findings, plan } = await checkDescriptor({ text, baseDir: fx.root });
    expect(plan?.replicas).toEqual([{ component: 'weather', node: 'edge-1', index: 0 }]);
    const throughput = findings.find((f) => f.rule === 'qos.throughput')!;
    expect(throughput).toMatchObject({ severity: 'error', path: 'components[0].requirements.qos.throughputRps', line: 12 });
    expect(throughput.message).toContain('needs 3 replicas'); // ceil(1200 / 500)
    // p95 3 ms >= median 2 ms: feasible, but under 2x the median -> warning.
    expect(findings.find((f) => f.rule === 'qos.latency')).toMatchObject({ severity: 'warning' });
  });

  it('reports place.capacity when the replicas do not all fit, and uses the bundle footprint for memory', async () => {
    // Bundle footprint: SERVICE_BASE_MIB + 2 x weights (a few KiB) rounded up = 193 MiB.
    expect(bundleMemoryMiB(fx.manifest)).toBe(SERVICE_BASE_MIB + 1);
    // 3 replicas x 1 core on a 2-core node: the third does not fit.
    const text = head(`  - name: weather\n    kind: model-service\n    bundle: seattle-weather/output/seattle-weather-bundle\n    port: 8080\n    requirements:\n      cpu: 1\n      memoryMiB: 100\n      replicas: { min: 3, max: 3 }\n`) + EDGE_NODE.replace('cores: 4', 'cores: 2');
    const { findings, plan } = await checkDescriptor({ text, baseDir: fx.root });
    expect(plan).toBeUndefined();
    expect(errors(findings)).toEqual([expect.objectContaining({ rule: 'place.capacity', path: 'components[0].requirements.replicas', line: 12 })]);
    expect(errors(findings)[0]!.message).toContain('1 of 3 replicas');
    expect(findings.find((f) => f.rule === 'req.memory-below-bundle')).toMatchObject({ severity: 'warning', line: 11 });
  });

  it('uses capabilities reported by the agent for nodes that declare none; an unreachable agent is a warning plus an unknown node', async () => {
    const text = head(`  - name: weather\n    kind: model-service\n    bundle: seattle-weather/output/seattle-weather-bundle\n    port: 8080\n    requirements: { runtime: { node: ">=20" } }\n`) +
      `nodes:\n  - { name: a, address: 127.0.0.2:7070, layer: edge, tokenEnv: T }\n  - { name: b, address: 127.0.0.3:7070, layer: cloud, tokenEnv: T }\n`;
    const reported: NodeCapabilities = { cores: 2, memoryMiB: 2048, diskMiB: 1000, arch: 'x64', os: 'linux', runtimes: { node: '20.20.2' }, tfjsBackends: ['cpu', 'wasm'], accelerators: [] };
    const { findings, plan } = await checkDescriptor({ text, baseDir: fx.root }, {
      capabilities: async (node) => {
        if (node.name === 'a') throw new Error('connect ECONNREFUSED 127.0.0.2:7070');
        return reported;
      },
    });
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.path}`)).toEqual(['warning node.unreachable nodes[0].address', 'error node.capabilities nodes[0]']);
    expect(plan).toBeUndefined(); // an error stands
    const ok = await checkDescriptor({ text, baseDir: fx.root }, { capabilities: async () => reported });
    expect(ok.findings).toEqual([]);
    expect(ok.plan?.replicas).toEqual([{ component: 'weather', node: 'a', index: 0 }]);
  });
  it('node.arch-mismatch: a node declared arm64 whose agent reports x64 is an error naming both, and the reported arch is used', async () => {
    // weather needs arch [arm64]; edge-1 declares arm64 (so the declared value alone would fit) but its agent reports x64.
    const text = head(`  - name: weather\n    kind: model-service\n    bundle: seattle-weather/output/seattle-weather-bundle\n    port: 8080\n    requirements: { arch: [arm64] }\n`) + EDGE_NODE;
    const reported: NodeCapabilities = { cores: 4, memoryMiB: 1024, diskMiB: 8192, arch: 'x64', os: 'linux', runtimes: { node: '20.20.2' }, tfjsBackends: ['cpu', 'wasm'], accelerators: [] };
    const { findings, plan } = await checkDescriptor({ text, baseDir: fx.root }, { capabilities: async () => reported });
    const mismatch = findings.find((f) => f.rule === 'node.arch-mismatch');
    expect(mismatch).toMatchObject({ severity: 'error', path: 'nodes[0].capabilities.arch', line: 15 });
    expect(mismatch!.message).toBe('edge-1 declares arch arm64 but its agent reports x64');
    // With the reported x64, the arm64-only component has no node: fit.arch names x64.
    expect(findings.find((f) => f.rule === 'fit.arch')?.message).toContain('edge-1: x64');
    expect(plan).toBeUndefined();
    // Agreeing reports raise nothing.
    const agree = await checkDescriptor({ text, baseDir: fx.root }, { capabilities: async () => ({ ...reported, arch: 'arm64' }) });
    expect(agree.findings.filter((f) => f.rule.startsWith('node.'))).toEqual([]);
    expect(agree.plan?.replicas).toEqual([{ component: 'weather', node: 'edge-1', index: 0 }]);
  });
});

describe('stratum validate / check', () => {
  async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
    let out = '';
    let err = '';
    const program = new Command('stratum').exitOverride();
    registerDescriptorCommands(program, { out: (t) => (out += t), err: (t) => (err += t) });
    process.exitCode = undefined;
    await program.parseAsync(['node', 'stratum', ...args]);
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    process.exitCode = undefined;
    return { out, err, code };
  }

  it('validate prints schema problems like a compiler and exits 1; check prints the plan and exits 0', async () => {
    const bad = join(fx.invalid, 'schema-wrong-type.yaml');
    const v = await run(['validate', bad]);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`${bad}:${await lineOf(bad, 'memoryMiB: "2 GiB"')}  error  schema  components[0].requirements.memoryMiB: must be number`);
    // validate is schema only: the memory-too-large descriptor is schema-valid.
    expect((await run(['validate', join(fx.invalid, 'memory-too-large.yaml')])).code).toBe(0);
    const c = await run(['check', join(fx.descriptors, 'seattle-weather.yaml')]);
    expect(c.code).toBe(0);
    expect(c.out).toContain('weather-cloud  cloud-1  #0 #1');
    const m = await run(['check', join(fx.invalid, 'memory-too-large.yaml')]);
    expect(m.code).toBe(1);
    expect(m.err).toContain('fit.memory');
  });
});

describe('registry references (model: name@alias)', () => {
  const descriptor = (model: string, workspace: string) => `apiVersion: stratum.dev/v1
kind: Application
metadata: { name: reg }
registry: { workspace: ${JSON.stringify(workspace)} }
components:
  - name: weather
    kind: model-service
    model: ${model}
    port: 8080
    placement: { layer: edge }
${EDGE_NODE}`;

  it('resolves an alias to the registered version and checks its stored bundle like a bundle path', async () => {
    const { openTrackingStore } = await import('../../store/store.ts');
    const workspace = join(fx.root, 'registry-workspace');
    const store = openTrackingStore({ workspace });
    try {
      store.models.createModel('seattle-weather');
      store.models.registerVersion({ model: 'seattle-weather', bundlePath: fx.bundle, aliases: ['champion'] });
    } finally {
      store.dispose();
    }
    const ok = await checkDescriptor({ text: descriptor('seattle-weather@champion', workspace), baseDir: fx.root });
    expect(errors(ok.findings)).toEqual([]);
    expect(ok.bundles.get('weather')?.manifest.name).toBe(fx.manifest.name);
    expect(ok.plan?.replicas).toEqual([{ component: 'weather', node: 'edge-1', index: 0 }]);

    const missing = await checkDescriptor({ text: descriptor('seattle-weather@production', workspace), baseDir: fx.root });
    expect(errors(missing.findings)).toEqual([expect.objectContaining({ rule: 'ref.registry', path: 'components[0].model', line: 8 })]);
    expect(errors(missing.findings)[0]!.message).toContain('production');

    const noStore = await checkDescriptor({ text: descriptor('seattle-weather@champion', join(fx.root, 'no-such-workspace')), baseDir: fx.root });
    expect(errors(noStore.findings)[0]).toMatchObject({ rule: 'ref.registry', path: 'components[0].model' });
  });
});
