/**
 * `npm run bench`: Stratum's benchmarks, side by side in one run (performance is measured here,
 * never in timed tests). Each measurement runs in its own process so peak memory is its own.
 *
 * 1. CSV ingest of a generated 1M-row x 10-column CSV (~72 MB): Stratum's connector (to a Danfo
 *    DataFrame) next to pandas `read_csv` (Debian's /usr/bin/python3, when it has pandas; the run
 *    says why it skips it otherwise), nodejs-polars alone, danfojs `readCSV` and papaparse
 *    (`dynamicTyping`, to row objects); time (median of BENCH_REPEAT interleaved rounds), CPU time
 *    and peak RSS, with the load average. Then the profile of that table (`profile`): Stratum's
 *    `profileTable` next to pandas and polars.
 * 2. MLP training throughput (samples/s) of the template on 100k x 20, batch 256, wasm and cpu,
 *    next to scikit-learn's MLPClassifier on the same data (bench/train-bench.ts); with
 *    BENCH_ONLY=train-candidates, the candidates for closing the gap (pipeline, batch size,
 *    threads, processes).
 * 3. `/predict` throughput and p50/p99 latency (autocannon, 10 connections) of `stratum serve`
 *    next to a bare Node `http` server answering a constant (the ceiling).
 *
 * Environment: BENCH_ROWS (default 1000000), BENCH_SECONDS (default 8), BENCH_REPEAT (ingest and
 * profile rounds, default 3), BENCH_ONLY=ingest,profile,train,serve (default; add train-candidates),
 * BENCH_TRAIN_EPOCHS (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchCsv } from './generate.ts';
import { trainBench } from './train-bench.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const only = new Set((process.env.BENCH_ONLY ?? 'ingest,profile,train,serve').split(','));

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

/** Runs a Python worker (Debian's /usr/bin/python3) that prints one JSON line, or says why it cannot. */
function runPython(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${PYTHON} ${args.join(' ')} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>);
      } catch {
        reject(new Error(`${PYTHON} ${args.join(' ')} printed no JSON: ${out.slice(-300)}`));
      }
    });
  });
}

const PYTHON = '/usr/bin/python3';
/** Why the pandas rows are skipped, or undefined when /usr/bin/python3 has pandas. */
async function pandasMissing(): Promise<string | undefined> {
  try {
    await runPython(['-c', 'import json, pandas; print(json.dumps({"version": pandas.__version__}))']);
    return undefined;
  } catch {
    return `${PYTHON} has no pandas (Debian: apt-get install python3-pandas)`;
  }
}

const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const repeats = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));

if (only.has('ingest') || only.has('profile')) {
  const file = await benchCsv(rows);
  const mb = statSync(file).size / 1e6;
  const noPandas = await pandasMissing();
  if (noPandas !== undefined) console.log(`\n(pandas rows skipped: ${noPandas})`);

  if (only.has('ingest')) {
    // pandas, polars and stratum: `repeats` rounds, interleaved (the machine is shared: the median
    // of rounds run side by side); danfojs and papaparse, far slower, once each.
    console.log(`\n## CSV ingest: ${rows.toLocaleString('en')} rows x 10 columns, ${mb.toFixed(1)} MB (load average ${loadAverage()})`);
    const labels: Record<string, string> = {
      pandas: 'pandas read_csv',
      polars: 'polars read (nodejs-polars)',
      stratum: 'stratum readCsv -> DataFrame',
      danfo: 'danfojs readCSV',
      papaparse: 'papaparse (dynamicTyping)',
    };
    const runs: Record<string, Array<Record<string, unknown>>> = {};
    const failures: Record<string, string> = {};
    const measure = async (impl: string): Promise<void> => {
      try {
        const r = impl === 'pandas' ? await runPython(['bench/pandas-worker.py', 'ingest', file]) : await runWorker(['bench/ingest-worker.ts', impl, file]);
        (runs[impl] ??= []).push(r);
      } catch (error) {
        failures[impl] = (error as Error).message;
      }
    };
    const repeated = ['pandas', 'polars', 'stratum'].filter((impl) => impl !== 'pandas' || noPandas === undefined);
    for (let round = 0; round < repeats; round++) for (const impl of repeated) await measure(impl);
    for (const impl of ['danfo', 'papaparse']) await measure(impl);
    console.log(`reader                          seconds   CPU s    rows/s    peak RSS MiB   runs (seconds each)`);
    for (const impl of [...repeated, 'danfo', 'papaparse']) {
      const rs = runs[impl];
      if (rs === undefined) {
        console.log(`${labels[impl]!.padEnd(31)} failed: ${failures[impl] ?? '?'}`);
        continue;
      }
      const s = median(rs.map((r) => r.ms as number)) / 1000;
      const cpu = median(rs.map((r) => r.cpuMs as number)) / 1000;
      const peak = median(rs.map((r) => r.maxRssMiB as number));
      console.log(`${labels[impl]!.padEnd(31)} ${fmt(s).padStart(7)}   ${fmt(cpu).padStart(5)}  ${Math.round(rows / s).toLocaleString('en').padStart(9)}   ${fmt(peak, 0).padStart(8)}       ${rs.map((r) => fmt((r.ms as number) / 1000)).join(' ')}`);
    }
    const st = runs['stratum'];
    if (st !== undefined) {
      const m = (key: string): string => fmt(median(st.map((r) => r[key] as number)) / 1000);
      console.log(`stratum, first uses of the frame (built on demand, not in the row above): head() ${m('headMs')} s, every column ${m('columnsMs')} s, df.values ${m('valuesMs')} s (peak ${fmt(median(st.map((r) => r.valuesMaxRssMiB as number)), 0)} MiB)`);
      console.log(`import time, not in the rows above: stratum ${m('importMs')} s (danfojs, nodejs-polars)${runs['pandas'] === undefined ? '' : `, pandas ${fmt(median(runs['pandas'].map((r) => r.importMs as number)) / 1000)} s`}`);
    }
    console.log(`(load average after: ${loadAverage()})`);
  }

  if (only.has('profile')) {
    console.log(`\n## Profile of the ${rows.toLocaleString('en')} x 10 table (load average ${loadAverage()})`);
    console.log('stratum: per column count, missing, exact distinct, mean/std/min/quartiles/max, histogram or top values; Pearson correlations');
    console.log('pandas: describe(include="all"), isna().sum(), nunique(), np.histogram per numeric column, corr(); polars: describe() + n_unique');
    console.log('profiler                        seconds   CPU s   peak RSS MiB   runs (seconds each)');
    const profiles: Record<string, Array<Record<string, unknown>>> = {};
    const impls = ['stratum', 'polars', ...(noPandas === undefined ? ['pandas'] : [])];
    for (let round = 0; round < repeats; round++) {
      for (const impl of impls) {
        try {
          const r = impl === 'pandas' ? await runPython(['bench/pandas-worker.py', 'profile', file]) : await runWorker(['bench/profile-worker.ts', impl, file]);
          (profiles[impl] ??= []).push(r);
        } catch (error) {
          console.log(`${impl} failed: ${(error as Error).message}`);
        }
      }
    }
    const names: Record<string, string> = { stratum: 'stratum profileTable', polars: 'polars describe + n_unique', pandas: 'pandas (see above)' };
    for (const impl of impls) {
      const rs = profiles[impl];
      if (rs === undefined) continue;
      console.log(`${names[impl]!.padEnd(31)} ${fmt(median(rs.map((r) => r.ms as number)) / 1000).padStart(7)}   ${fmt(median(rs.map((r) => r.cpuMs as number)) / 1000).padStart(5)}   ${fmt(median(rs.map((r) => r.maxRssMiB as number)), 0).padStart(8)}       ${rs.map((r) => fmt((r.ms as number) / 1000)).join(' ')}`);
    }
    const warm = profiles['stratum']?.map((r) => r.warmMs as number);
    if (warm !== undefined) console.log(`stratum profileTable again on the same table (a kernel's next profile): ${fmt(median(warm) / 1000)} s (${warm.map((w) => fmt(w / 1000)).join(' ')})`);
    console.log(`(load average after: ${loadAverage()})`);
  }
}

if (only.has('train') || only.has('train-candidates')) await trainBench(only);

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
