/**
 * `stratum deploy | status | undeploy DESCRIPTOR`: push model services to node agents
 * (core/deploy/push/deploy.ts) and report what runs where. `--json` prints the report as JSON.
 */
import type { Command } from 'commander';
import { isStratumError } from '../errors.ts';
import type { Finding } from '../deploy/types.ts';
import type { CliIo } from './main.ts';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

async function printFindingsOf(error: unknown, file: string, io: CliIo): Promise<void> {
  if (!isStratumError(error, 'DEPLOY_FAILED') || !Array.isArray(error.detail.findings)) return;
  const { formatFindings } = await import('../deploy/checker/format.ts');
  io.err(formatFindings(error.detail.findings as Finding[], { file }));
  io.err('\n');
}

/**
 * Registers `stratum deploy`, `stratum status` and `stratum undeploy`.
 *
 * @param program - the commander program of core/cli/main.ts
 * @param io - where the commands print
 */
export function registerDeployCommands(program: Command, io: CliIo): void {
  program
    .command('deploy')
    .description('check a descriptor against the live nodes, then push each model service to its planned nodes, wait for health and print the endpoints')
    .argument('<descriptor>', 'application descriptor (YAML)')
    .option('--json', 'print the report as JSON')
    .option('--timeout <seconds>', 'per-node timeout of upload and deploy (health checks included)', (v) => Number(v), 180)
    .action(async (descriptor: string, opts: { json?: boolean; timeout: number }) => {
      const { deploy } = await import('../deploy/push/deploy.ts');
      let report;
      try {
        report = await deploy({ path: descriptor, longTimeoutMs: opts.timeout * 1000, ...(opts.json ? {} : { log: (line: string) => io.err(`${line}\n`) }) });
      } catch (error) {
        await printFindingsOf(error, descriptor, io);
        throw error;
      }
      if (opts.json) {
        io.out(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const warnings = report.findings.filter((f) => f.severity === 'warning');
      if (warnings.length > 0) {
        const { formatFindings } = await import('../deploy/checker/format.ts');
        io.err(formatFindings(warnings, { file: descriptor }));
        io.err('\n');
      }
      io.out(`deployed ${report.application} (checked in ${seconds(report.checkMs)}):\n`);
      for (const s of report.services) {
        io.out(`  ${s.component} on ${s.node}: ${s.replicas} replica(s) at ${s.endpoint}  (version ${s.version}, ${bytes(s.uploadBytes)} ${s.upload}, ready in ${seconds(s.deployMs)}, first prediction at ${seconds(s.firstPredictionMs)})\n`);
      }
      io.out(`bytes moved: ${report.bytesMoved} (${bytes(report.bytesMoved)} compressed, ${bytes(report.rawBytes)} of bundle files) in ${report.services.length} upload(s)\n`);
      io.out(`time from deploy to first prediction on every node: ${seconds(report.totalMs)}\n`);
    });

  program
    .command('status')
    .description('show what runs where: each model service of a descriptor on each node (version, replicas, health)')
    .argument('<descriptor>', 'application descriptor (YAML)')
    .option('--json', 'print the status as JSON')
    .action(async (descriptor: string, opts: { json?: boolean }) => {
      const { status } = await import('../deploy/push/deploy.ts');
      const rows = await status({ path: descriptor });
      // Exit 1 when a node could not be asked, so scripts notice (the rows still say which).
      if (rows.some((r) => r.state === 'unreachable')) process.exitCode = 1;
      if (opts.json) {
        io.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const absent = rows.filter((r) => r.state === 'absent');
      for (const row of rows) {
        if (row.state === 'absent') continue;
        if (!row.service) {
          io.out(`${row.component} on ${row.node}: ${row.state}${row.error ? ` (${row.error})` : ''}\n`);
          continue;
        }
        const s = row.service;
        const healthy = s.instances.filter((i) => i.health === 'ok').length;
        io.out(`${row.component} on ${row.node}: ${s.state}, version ${s.version}${s.previousVersion ? ` (previous ${s.previousVersion})` : ''}, ${healthy}/${s.replicas} replica(s) healthy at ${s.endpoint}${s.lastError ? `; last error: ${s.lastError}` : ''}\n`);
        for (const i of s.instances) io.out(`    replica ${i.index}: pid ${i.pid} ${i.url} ${i.health} (version ${i.version}, restarts ${i.restarts})\n`);
      }
      if (absent.length > 0) io.out(`not running: ${absent.map((r) => `${r.component} on ${r.node}`).join(', ')}\n`);
    });

  program
    .command('undeploy')
    .description('stop and remove every model service of a descriptor from every node')
    .argument('<descriptor>', 'application descriptor (YAML)')
    .action(async (descriptor: string) => {
      const { undeploy } = await import('../deploy/push/deploy.ts');
      const rows = await undeploy({ path: descriptor });
      for (const row of rows) io.out(`${row.component} on ${row.node}: ${row.result}${row.error ? ` (${row.error})` : ''}\n`);
      if (rows.some((r) => r.result === 'unreachable')) process.exitCode = 1;
    });
}
