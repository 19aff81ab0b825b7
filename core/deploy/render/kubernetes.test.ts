import { Command } from 'commander';
import { access, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDescriptorCommands } from '../../cli/descriptor.ts';
import { checkDescriptor } from '../checker/check.ts';
import { layOutFixture, type DescriptorFixture } from '../checker/fixture.ts';
import { bundleMemoryMiB } from '../checker/requirements.ts';
import { renderKubernetes, writeKubernetes } from './kubernetes.ts';

let fx: DescriptorFixture;

beforeAll(async () => {
  fx = await layOutFixture();
});
afterAll(async () => {
  await rm(fx.root, { recursive: true, force: true });
});

/** Validates a plain object against the Kubernetes schema of its kind (kubernetes-models). */
function validateK8s(doc: Record<string, unknown>): void {
  const kind = doc.kind;
  if (kind === 'Deployment') new Deployment(doc as ConstructorParameters<typeof Deployment>[0]).validate();
  else if (kind === 'Service') new Service(doc as ConstructorParameters<typeof Service>[0]).validate();
  else if (kind === 'HorizontalPodAutoscaler') new HorizontalPodAutoscaler(doc as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]).validate();
  else throw new Error(`unexpected kind ${String(kind)}`);
}

describe('renderKubernetes', () => {
  it('renders schema-valid Deployment, Service and HPA per model service, and writes a build context', async () => {
    const { descriptor, findings, bundles } = await checkDescriptor({ path: join(fx.descriptors, 'seattle-weather.yaml') }, { skipPlacement: true });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    const rendered = renderKubernetes(descriptor!, { bundles, imagePrefix: 'registry.local/' });
    expect(rendered.skipped.map((s) => s.component)).toEqual(['weather-station']);
    expect(rendered.components.map((c) => c.component)).toEqual(['weather-edge', 'weather-cloud']);

    const out = join(fx.root, 'k8s-out');
    const written = await writeKubernetes(rendered, out, descriptor!.metadata.name);
    expect(written).toContain('k8s/weather-cloud.yaml');
    const docs = parseAllDocuments(await readFile(join(out, 'k8s', 'weather-cloud.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    for (const doc of docs) validateK8s(doc);

    const [deployment, service, hpa] = docs as unknown as [Deployment, Service, HorizontalPodAutoscaler];
    // weather-cloud: replicas { min: 2, max: 4 }, cpu 1, memoryMiB 512 (> bundle footprint), port 8080, arch [x64, arm64].
    expect(bundleMemoryMiB(fx.manifest)).toBeLessThan(512);
    expect(deployment.spec?.replicas).toBe(2);
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe(`registry.local/seattle-weather-weather-cloud:${fx.manifest.version}`);
    expect(container.command).toEqual(['stratum', 'serve', '/bundle', '--port', '8080', '--host', '0.0.0.0']);
    expect(container.resources).toEqual({ requests: { cpu: '1000m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(deployment.spec!.template.spec!.nodeSelector).toEqual({ 'stratum.dev/layer': 'cloud' });
    expect(deployment.spec!.template.spec!.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values).toEqual(['amd64', 'arm64']);
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 8080, targetPort: 'http' });
    expect(service.spec?.selector).toEqual(deployment.spec!.selector.matchLabels);
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4, scaleTargetRef: { kind: 'Deployment', name: 'weather-cloud' } });

    // weather-edge: replicas { min: 1, max: 1 }, cpu 0.5 -> 500m.
    const edge = rendered.components[0]!;
    for (const o of [edge.deployment, edge.service, edge.hpa]) validateK8s(o);
    expect((edge.deployment as unknown as Deployment).spec?.replicas).toBe(1);

    const dockerfile = await readFile(join(out, 'images', 'weather-cloud', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toContain('CMD ["stratum", "serve", "/bundle", "--port", "8080", "--host", "0.0.0.0"]');
    expect((await stat(join(out, 'images', 'weather-cloud', 'bundle', 'manifest.json'))).isFile()).toBe(true);
  });

  it('a wrong replica count would fail kubernetes-models validation (the check is real)', () => {
    expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' as unknown as number, selector: {}, template: {} } }).validate()).toThrow(/replicas/);
  });
});

describe('stratum render', () => {
  async function render(file: string, out: string): Promise<{ out: string; err: string; code: number }> {
    let stdout = '';
    let stderr = '';
    const program = new Command('stratum').exitOverride();
    registerDescriptorCommands(program, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
    process.exitCode = undefined;
    try {
      await program.parseAsync(['node', 'stratum', 'render', file, '--target', 'kubernetes', '--out', out]);
      return { out: stdout, err: stderr, code: typeof process.exitCode === 'number' ? process.exitCode : 0 };
    } finally {
      process.exitCode = undefined;
    }
  }

  it('refuses a descriptor whose component needs more than every declared node has (fit.memory), writing nothing', async () => {
    const out = join(fx.root, 'k8s-refused');
    const r = await render(join(fx.invalid, 'memory-too-large.yaml'), out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ {2}error {2}fit\.memory {2}components\[0\]\.requirements\.memoryMiB: weather needs 4096 MiB per replica/);
    expect(r.err).toContain('not rendered: fix the errors above first');
    expect(r.out).toBe('');
    await expect(access(out)).rejects.toThrow(/ENOENT/);
  });

  it('still renders the valid example (the placement plan is not required)', async () => {
    const out = join(fx.root, 'k8s-cli');
    const r = await render(join(fx.descriptors, 'seattle-weather.yaml'), out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rendered 2 component(s)');
  });
});
