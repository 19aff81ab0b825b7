/**
 * Descriptor commands of the `stratum` CLI:
 *
 * - `stratum validate DESCRIPTOR` — YAML syntax and JSON Schema only; exit 1 on any error.
 * - `stratum check DESCRIPTOR` — every rule (references, fit, placement, QoS); prints the findings
 *   like a compiler and, when there is no error, the placement plan; exit 1 on any error.
 * - `stratum render DESCRIPTOR --target kubernetes --out DIR` — Deployment, Service, HPA and a
 *   Dockerfile per model service; refuses (exit 1, nothing written) while a schema, reference or
 *   fit error stands (a component needing more than every declared node has); the placement plan
 *   and QoS stages are skipped, since the cluster's scheduler places the pods.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { StratumError } from '../errors.ts';
import { checkDescriptor } from '../deploy/checker/check.ts';
import { formatFindings, formatPlan } from '../deploy/checker/format.ts';
import { validateDescriptor } from '../deploy/descriptor/parse.ts';
import { renderKubernetes, writeKubernetes } from '../deploy/render/kubernetes.ts';
import type { Finding } from '../deploy/types.ts';
import type { CliIo } from './main.ts';

function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('expected an integer percentage from 1 to 100');
  return n;
}

/**
 * Adds `validate`, `check` and `render` to the program. Each sets `process.exitCode = 1` when an
 * error finding stands (expected problems are findings, not exceptions).
 *
 * @param program - the commander program of core/cli/main.ts
 * @param io - where output goes
 */
export function registerDescriptorCommands(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check a deployment descriptor against its JSON Schema (every problem with its YAML path and line)')
    .argument('<descriptor>', 'descriptor YAML file (docs/descriptor.md)')
    .action(async (file: string) => {
      const { findings } = await validateDescriptor({ path: file });
      if (findings.length === 0) {
        io.out(`${file}: valid (apiVersion stratum.dev/v1, kind Application)\n`);
        return;
      }
      io.err(formatFindings(findings, { file }));
      process.exitCode = 1;
    });

  program
    .command('check')
    .description('check a deployment descriptor: schema, references, requirement-capability fit, placement plan, QoS')
    .argument('<descriptor>', 'descriptor YAML file')
    .action(async (file: string) => {
      const { findings, plan } = await checkDescriptor({ path: file });
      if (findings.length > 0) io.err(formatFindings(findings, { file }));
      if (hasError(findings)) {
        process.exitCode = 1;
        return;
      }
      io.out(`${file}: no errors; placement plan (first-fit decreasing):\n`);
      if (plan) io.out(formatPlan(plan));
    });

  program
    .command('render')
    .description('render a descriptor for another platform (Kubernetes: Deployment, Service, HorizontalPodAutoscaler, Dockerfile)')
    .argument('<descriptor>', 'descriptor YAML file')
    .requiredOption('--out <dir>', 'output folder')
    .option('--target <target>', 'target platform (only "kubernetes")', 'kubernetes')
    .option('--image-prefix <prefix>', 'image name prefix, e.g. registry.example.com/team/', '')
    .option('--namespace <ns>', 'namespace of every object')
    .option('--cpu-target <percent>', 'autoscaler target CPU utilization, percent', parsePercent, 70)
    .action(async (file: string, opts: { out: string; target: string; imagePrefix: string; namespace?: string; cpuTarget: number }) => {
      if (opts.target !== 'kubernetes') throw new StratumError('USAGE', `unknown --target "${opts.target}": only "kubernetes" is supported`, { detail: { field: 'target' } });
      const { descriptor, findings, bundles } = await checkDescriptor({ path: file }, { skipPlacement: true });
      if (findings.length > 0) io.err(formatFindings(findings, { file }));
      if (hasError(findings) || !descriptor) {
        io.err('not rendered: fix the errors above first\n');
        process.exitCode = 1;
        return;
      }
      const rendered = renderKubernetes(descriptor, { bundles, imagePrefix: opts.imagePrefix, cpuTargetPercent: opts.cpuTarget, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
      for (const s of rendered.skipped) io.err(`skipped ${s.component}: ${s.reason}\n`);
      const written = await writeKubernetes(rendered, opts.out, descriptor.metadata.name);
      io.out(`rendered ${rendered.components.length} component(s) to ${opts.out}:\n${written.map((w) => `  ${w}\n`).join('')}`);
    });
}
