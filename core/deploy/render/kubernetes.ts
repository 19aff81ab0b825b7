/**
 * Renders a descriptor to Kubernetes: per model-service component a Deployment, a Service and a
 * HorizontalPodAutoscaler (autoscaling/v2), plus a container build context (Dockerfile + bundle).
 *
 * Output layout of {@link writeKubernetes}:
 * ```
 * DIR/k8s/<component>.yaml         Deployment, Service, HorizontalPodAutoscaler (one YAML stream)
 * DIR/images/<component>/Dockerfile
 * DIR/images/<component>/bundle/   copy of the component's bundle
 * DIR/README.md                    how to build, push and apply
 * ```
 * Nodes of the descriptor do not apply: the cluster's scheduler places pods. The layer and
 * `nodeSelector` become a pod nodeSelector (`stratum.dev/layer`, the given labels) and
 * `requirements.arch` becomes a required node affinity on `kubernetes.io/arch`.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ResolvedBundle } from '../checker/check.ts';
import { effectiveRequirements } from '../checker/requirements.ts';
import type { ApplicationDescriptor, ComponentSpec } from '../types.ts';

/** Options of {@link renderKubernetes}. */
export interface KubernetesRenderOptions {
  /** Bundles resolved by the checker, by component name (gives memory footprint, version). */
  bundles?: ReadonlyMap<string, ResolvedBundle>;
  /** Image name prefix, e.g. `registry.example.com/team/`; image = `<prefix><app>-<component>:<bundle version>`. Default none. */
  imagePrefix?: string;
  /** Target average CPU utilization of the autoscaler, percent of the request. Default 70. */
  cpuTargetPercent?: number;
  /** Namespace of every object; default none (kubectl's current namespace). */
  namespace?: string;
}

/** Kubernetes objects (plain JSON) and build context of one component. */
export interface RenderedComponent {
  component: string;
  image: string;
  deployment: Record<string, unknown>;
  service: Record<string, unknown>;
  hpa: Record<string, unknown>;
  dockerfile: string;
  /** Absolute bundle folder to copy into the build context, when the component has a bundle. */
  bundleDir?: string;
}

/** Result of {@link renderKubernetes}. */
export interface RenderedKubernetes {
  components: RenderedComponent[];
  /** Components not rendered, with why (data sources, registry models). */
  skipped: Array<{ component: string; reason: string }>;
}

/** Path the bundle is copied to inside the image. */
export const IMAGE_BUNDLE_PATH = '/bundle';

/** Node.js `process.arch` to Kubernetes `kubernetes.io/arch` (GOARCH) names. */
const K8S_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/**
 * Renders Kubernetes objects for every model-service component with a bundle.
 *
 * Per component: `Deployment` (replicas = `replicas.min`; resources requests = limits = the
 * effective cpu and memory, so pods get the Guaranteed QoS class; readiness and liveness probes
 * `GET /health`; the container runs `stratum serve /bundle --port PORT --host 0.0.0.0`), a
 * ClusterIP `Service` on the component port, and an `autoscaling/v2` `HorizontalPodAutoscaler`
 * between `replicas.min` and `replicas.max` on average CPU utilization.
 *
 * @param descriptor - a schema-valid descriptor
 * @param options - bundles resolved by the checker, image prefix, CPU target
 */
export function renderKubernetes(descriptor: ApplicationDescriptor, options: KubernetesRenderOptions = {}): RenderedKubernetes {
  const components: RenderedComponent[] = [];
  const skipped: RenderedKubernetes['skipped'] = [];
  for (const c of descriptor.components) {
    if (c.kind !== 'model-service') {
      skipped.push({ component: c.name, reason: 'data sources are not rendered (they run outside the cluster)' });
      continue;
    }
    if (c.bundle === undefined && !options.bundles?.has(c.name)) {
      skipped.push({ component: c.name, reason: `registry reference ${c.model} was not resolved (run stratum check on the descriptor)` });
      continue;
    }
    components.push(renderComponent(descriptor, c, options));
  }
  return { components, skipped };
}

function renderComponent(descriptor: ApplicationDescriptor, c: ComponentSpec, options: KubernetesRenderOptions): RenderedComponent {
  const bundle = options.bundles?.get(c.name);
  const req = effectiveRequirements(c, bundle);
  const port = c.port ?? 8080;
  const version = bundle?.manifest.version ?? 'latest';
  const image = `${options.imagePrefix ?? ''}${descriptor.metadata.name}-${c.name}:${version}`;
  const labels = { 'app.kubernetes.io/name': c.name, 'app.kubernetes.io/part-of': descriptor.metadata.name, 'app.kubernetes.io/managed-by': 'stratum' };
  const metadata = { name: c.name, labels, ...(options.namespace ? { namespace: options.namespace } : {}) };
  const resources = { cpu: `${Math.max(1, Math.round(req.cpu * 1000))}m`, memory: `${Math.ceil(req.memoryMiB)}Mi` };
  const probe = (initialDelaySeconds: number, periodSeconds: number) => ({ httpGet: { path: '/health', port: 'http' }, initialDelaySeconds, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 });
  const nodeSelector: Record<string, string> = { ...(c.placement?.layer ? { 'stratum.dev/layer': c.placement.layer } : {}), ...(c.placement?.nodeSelector ?? {}) };
  const archs = (req.arch ?? []).map((a) => K8S_ARCH[a] ?? a);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: req.replicas.min,
      selector: { matchLabels: { 'app.kubernetes.io/name': c.name, 'app.kubernetes.io/part-of': descriptor.metadata.name } },
      template: {
        metadata: { labels },
        spec: {
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
          ...(archs.length > 0
            ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: archs }] }] } } } }
            : {}),
          containers: [
            {
              name: 'model',
              image,
              command: ['stratum', 'serve', IMAGE_BUNDLE_PATH, '--port', String(port), '--host', '0.0.0.0'],
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
              resources: { requests: resources, limits: resources },
              readinessProbe: probe(2, 5),
              livenessProbe: probe(10, 10),
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { type: 'ClusterIP', selector: deployment.spec.selector.matchLabels, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
  };
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: c.name },
      minReplicas: req.replicas.min,
      maxReplicas: Math.max(req.replicas.min, req.replicas.max),
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: options.cpuTargetPercent ?? 70 } } }],
    },
  };
  return { component: c.name, image, deployment, service, hpa, dockerfile: dockerfile(c, port), ...(bundle ? { bundleDir: bundle.dir } : {}) };
}

/**
 * Dockerfile of one component's image. Stratum is not on the npm registry: the build context
 * must hold `stratum.tgz`, the output of `npm pack` in the Stratum repository (see the README
 * written beside it); `npm install -g` installs it with its production dependencies.
 */
function dockerfile(c: ComponentSpec, port: number): string {
  return [
    `# Image of the "${c.name}" model service, rendered by stratum render --target kubernetes.`,
    '# Build context: this folder, holding bundle/ (copied by stratum render) and stratum.tgz',
    '# (run `npm pack` in the Stratum repository and copy the tarball here as stratum.tgz).',
    'FROM node:20-slim',
    'ENV NODE_ENV=production',
    'COPY stratum.tgz /tmp/stratum.tgz',
    'RUN npm install -g --omit=dev /tmp/stratum.tgz && npm cache clean --force && rm /tmp/stratum.tgz',
    `COPY bundle/ ${IMAGE_BUNDLE_PATH}/`,
    'USER node',
    `EXPOSE ${port}`,
    `CMD ["stratum", "serve", "${IMAGE_BUNDLE_PATH}", "--port", "${port}", "--host", "0.0.0.0"]`,
    '',
  ].join('\n');
}

/** The YAML stream (Deployment, Service, HPA) of one rendered component. */
export function componentYaml(r: RenderedComponent): string {
  return [r.deployment, r.service, r.hpa].map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/**
 * Writes rendered objects and build contexts under `outDir` (layout in the module doc). Existing
 * `k8s/<component>.yaml` and `images/<component>/` are replaced.
 *
 * @returns the files written (relative to `outDir`, POSIX), bundle copies listed as folders
 */
export async function writeKubernetes(rendered: RenderedKubernetes, outDir: string, app: string): Promise<string[]> {
  const written: string[] = [];
  await mkdir(join(outDir, 'k8s'), { recursive: true });
  for (const r of rendered.components) {
    await writeFile(join(outDir, 'k8s', `${r.component}.yaml`), componentYaml(r), 'utf8');
    written.push(`k8s/${r.component}.yaml`);
    const context = join(outDir, 'images', r.component);
    await rm(context, { recursive: true, force: true });
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'Dockerfile'), r.dockerfile, 'utf8');
    written.push(`images/${r.component}/Dockerfile`);
    if (r.bundleDir) {
      await cp(r.bundleDir, join(context, 'bundle'), { recursive: true });
      written.push(`images/${r.component}/bundle/`);
    }
  }
  const builds = rendered.components.map((r) => `docker build -t ${r.image} images/${r.component} && docker push ${r.image}`).join('\n');
  const readme = `# ${app} on Kubernetes (rendered by \`stratum render --target kubernetes\`)\n\n1. In the Stratum repository run \`npm pack\`; copy the tarball into each \`images/<component>/\` folder as \`stratum.tgz\`.\n2. Build and push the images (set \`--image-prefix\` when rendering to point at your registry):\n\n\`\`\`sh\n${builds}\n\`\`\`\n\n3. Apply: \`kubectl apply -f k8s/\`.\n\nThe HorizontalPodAutoscalers need the metrics server in the cluster.\n`;
  await writeFile(join(outDir, 'README.md'), readme, 'utf8');
  written.push('README.md');
  return written;
}
