/**
 * `npm run bench`: Stratum's benchmarks, side by side in one run (performance is measured here,
 * never in timed tests). Each measurement runs in its own process so peak memory is its own.
 *
 * 1. CSV ingest of a generated 1M-row x 10-column CSV (~72 MB): Stratum's connector (to a Danfo
 *    DataFrame) vs danfojs `readCSV` vs papaparse (`dynamicTyping`, to row objects).
 * 2. MLP training throughput (samples/s) of the template on 100k x 20, batch 256, per backend.
 * 3. `/predict` throughput and p50/p99 latency (autocannon, 10 connections) of `stratum serve`
 *    next to a bare Node `http` server answering a constant (the ceiling).
 *
 * Environment: BENCH_ROWS (default 1000000), BENCH_SECONDS (default 8), BENCH_ONLY=ingest,train,serve.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchCsv } from './generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const only = new Set((process.env.BENCH_ONLY ?? 'ingest,train,serve').split(','));

function runWorker(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`${args.join(' ')} printed no JSON: ${out.slice(-500)}`));
      }
    });
  });
}

/** Starts a server process that prints its URL as the first stdout line. */
function startServer(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /https?:\/\/[\d.]+:\d+/.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({
          url: match[0],
          stop: () => new Promise<void>((r) => {
            child.once('close', () => r());
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening: ${out}`)));
  });
}

async function load(url: string, body: string): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const result = await autocannon({
    url: `${url}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 10,
    duration: seconds,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

const fmt = (n: unknown, digits = 2) => (typeof n === 'number' ? n.toFixed(digits) : String(n));
console.log(`Stratum benchmarks — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);

if (only.has('ingest')) {
  const file = await benchCsv(rows);
  const mb = statSync(file).size / 1e6;
  console.log(`\n## CSV ingest: ${rows.toLocaleString('en')} rows x 10 columns, ${mb.toFixed(1)} MB`);
  console.log('reader                          seconds   rows/s       peak RSS MiB');
  for (const impl of ['stratum', 'danfo', 'papaparse']) {
    try {
      const r = await runWorker(['bench/ingest-worker.ts', impl, file]);
      const s = (r.ms as number) / 1000;
      const label = { stratum: 'stratum readCsv -> DataFrame', danfo: 'danfojs readCSV', papaparse: 'papaparse (dynamicTyping)' }[impl];
      console.log(`${label?.padEnd(31)} ${fmt(s).padStart(7)}   ${Math.round(rows / s).toLocaleString('en').padStart(10)}   ${fmt(r.maxRssMiB, 0).padStart(8)}`);
    } catch (error) {
      console.log(`${impl.padEnd(31)} failed: ${(error as Error).message}`);
    }
  }
}

if (only.has('train')) {
  console.log('\n## MLP (64,64) training, 100,000 x 20 synthetic, batch 256, 3 epochs (throughput from epochs 2-3)');
  console.log('backend     samples/s   test accuracy');
  for (const backend of ['wasm', 'cpu']) {
    try {
      const r = await runWorker(['bench/train-worker.ts', '100000', '3', '256'], { STRATUM_TF_BACKEND: backend });
      console.log(`${String(r.backend).padEnd(10)} ${Math.round(r.samplesPerSecond as number).toLocaleString('en').padStart(10)}   ${fmt(r.testAccuracy, 3)}`);
    } catch (error) {
      console.log(`${backend.padEnd(10)} failed: ${(error as Error).message}`);
    }
  }
}

if (only.has('serve')) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-bench-bundle-'));
  try {
    const bundle = path.join(dir, 'seattle-weather');
    await runWorker(['bench/make-bundle.ts', bundle]).catch(() => ({}));
    const body = JSON.stringify({ precipitation: 10.9, temp_max: 10.6, temp_min: 2.8, wind: 4.5 });
    console.log(`\n## /predict, one record a request, 10 connections, ${seconds}s each (autocannon)`);
    console.log('server                          req/s      p50 ms   p99 ms   errors/non-2xx');
    for (const [label, args] of [
      ['bare node http (constant)', ['--import', 'tsx', 'bench/bare-server.ts']],
      ['stratum serve (seattle MLP)', ['bin/stratum.mjs', 'serve', bundle, '--port', '0']],
    ] as const) {
      const server = await startServer([...args]);
      try {
        const r = await load(server.url, body);
        console.log(`${label.padEnd(31)} ${Math.round(r.rps).toLocaleString('en').padStart(7)}   ${fmt(r.p50, 1).padStart(6)}   ${fmt(r.p99, 1).padStart(6)}   ${r.errors}/${r.non2xx}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
