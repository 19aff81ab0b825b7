/**
 * `npm run bench`: Stratum's benchmarks, side by side in one run (performance is measured here,
 * never in timed tests). Each measurement runs in its own process so peak memory is its own.
 *
 * 1. CSV ingest of a generated 1M-row x 10-column CSV (~72 MB): Stratum's connector (to a Danfo
 *    DataFrame) next to pandas `read_csv` (Debian's /usr/bin/python3, when it has pandas; the run
 *    says why it skips it otherwise), nodejs-polars alone, danfojs `readCSV` and papaparse
 *    (`dynamicTyping`, to row objects); time (median of BENCH_REPEAT interleaved rounds), CPU time
 *    and peak RSS, with the load average; then pandas, polars and stratum on the quoted variant
 *    (the same rows plus a quoted, mostly distinct text column, bench/generate.ts). Then the
 *    profile of that table (`profile`): Stratum's `profileTable` next to pandas and polars.
 * 2. MLP training throughput (samples/s) of the template on 100k x 20, batch 256, wasm and cpu,
 *    next to scikit-learn's MLPClassifier on the same data (bench/train-bench.ts); with
 *    BENCH_ONLY=train-candidates, the candidates for closing the gap (pipeline, batch size,
 *    threads, processes); with BENCH_ONLY=train-workers, a 5-fold CV and a 6-trial search of the
 *    template with 1 and 2 worker threads (core/ml/pool.ts; BENCH_WORKERS_ROWS, default 30000).
 * 3. `/predict` throughput and p50/p99 latency (autocannon, 10 connections) of `stratum serve`
 *    next to a bare Node `http` server answering a constant (the ceiling).
 *
 * Environment: BENCH_ROWS (default 1000000), BENCH_SECONDS (default 8), BENCH_REPEAT (ingest and
 * profile rounds, default 3), BENCH_ONLY=ingest,profile,train,serve (default; add train-candidates, train-workers),
 * BENCH_TRAIN_EPOCHS (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { kernelEnv } from '../core/kernel/kernel.ts';
import { benchCsv } from './generate.ts';
import { runJson, runNode } from './spawn-json.ts';
import { trainBench, trainWorkersBench } from './train-bench.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const only = new Set((process.env.BENCH_ONLY ?? 'ingest,profile,train,serve').split(','));

/** Runs a TypeScript measurement (its stderr shown live) that prints one JSON line last. */
function runWorker(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return runNode(args[0] ?? '', args.slice(1), { env, inheritStderr: true });
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
  return runJson(PYTHON, args);
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
    type Runs = Record<string, Array<Record<string, unknown>>>;
    const failures: Record<string, string> = {};
    const measure = async (impl: string, csv: string, runs: Runs): Promise<void> => {
      try {
        const r = impl === 'pandas' ? await runPython(['bench/pandas-worker.py', 'ingest', csv]) : await runWorker(['bench/ingest-worker.ts', impl, csv]);
        (runs[impl] ??= []).push(r);
      } catch (error) {
        failures[impl] = (error as Error).message;
      }
    };
    const report = (runs: Runs, impls: readonly string[]): void => {
      console.log(`reader                          seconds   CPU s    rows/s    peak RSS MiB   runs (seconds each)`);
      for (const impl of impls) {
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
    };
    const runs: Runs = {};
    const repeated = ['pandas', 'polars', 'stratum'].filter((impl) => impl !== 'pandas' || noPandas === undefined);
    for (let round = 0; round < repeats; round++) for (const impl of repeated) await measure(impl, file, runs);
    for (const impl of ['danfo', 'papaparse']) await measure(impl, file, runs);
    report(runs, [...repeated, 'danfo', 'papaparse']);
    const st = runs['stratum'];
    if (st !== undefined) {
      const m = (key: string): string => fmt(median(st.map((r) => r[key] as number)) / 1000);
      console.log(`stratum, first uses of the frame (built on demand, not in the row above): head() ${m('headMs')} s, every column ${m('columnsMs')} s, df.values ${m('valuesMs')} s (peak ${fmt(median(st.map((r) => r.valuesMaxRssMiB as number)), 0)} MiB)`);
      console.log(`import time, not in the rows above: stratum ${m('importMs')} s (danfojs, nodejs-polars)${runs['pandas'] === undefined ? '' : `, pandas ${fmt(median(runs['pandas'].map((r) => r.importMs as number)) / 1000)} s`}`);
    }
    console.log(`(load average after: ${loadAverage()})`);

    // The quoted variant (bench/generate.ts): the same rows plus a quoted text column of names with
    // a comma, mostly distinct, as spreadsheet and pandas exports write text holding the delimiter.
    const quotedFile = await benchCsv(rows, { quoted: true });
    console.log(`\n## CSV ingest, quoted text: the same ${rows.toLocaleString('en')} rows + a quoted "name" column ("Kalomira, J"; ~53% distinct), ${(statSync(quotedFile).size / 1e6).toFixed(1)} MB (load average ${loadAverage()})`);
    const quotedRuns: Runs = {};
    for (let round = 0; round < repeats; round++) for (const impl of repeated) await measure(impl, quotedFile, quotedRuns);
    report(quotedRuns, repeated);
    console.log(`(load average after: ${loadAverage()})`);
  }

  if (only.has('profile')) {
    console.log(`\n## Profile of the ${rows.toLocaleString('en')} x 10 table (load average ${loadAverage()})`);
    console.log('stratum: per column count, missing, exact distinct, mean/std/min/quartiles/max, histogram or top values; Pearson correlations');
    console.log('pandas: describe(include="all"), isna().sum(), nunique(), np.histogram per numeric column, corr(); polars: describe() + n_unique');
    console.log(`stratum runs with the kernel's GLIBC_TUNABLES=${kernelEnv(process.env).GLIBC_TUNABLES ?? ''} (core/kernel/kernel.ts KERNEL_GLIBC_TUNABLES), as in a notebook`);
    console.log('profiler                        seconds   CPU s   peak RSS MiB   runs (seconds each)');
    const profiles: Record<string, Array<Record<string, unknown>>> = {};
    const impls = ['stratum', 'polars', ...(noPandas === undefined ? ['pandas'] : [])];
    for (let round = 0; round < repeats; round++) {
      for (const impl of impls) {
        try {
          // Stratum's profile runs in a kernel process, so with the kernel's malloc tunables.
          const env: Record<string, string> = impl === 'stratum' ? { GLIBC_TUNABLES: kernelEnv(process.env).GLIBC_TUNABLES ?? '' } : {};
          const r = impl === 'pandas' ? await runPython(['bench/pandas-worker.py', 'profile', file]) : await runWorker(['bench/profile-worker.ts', impl, file], env);
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
    const st = profiles['stratum'];
    if (st !== undefined) {
      const m = (key: string): string => fmt(median(st.map((r) => r[key] as number)), 0);
      console.log(`stratum page faults (memory touched for the first time, ~13 us each on the bench VM): first profile ${m('faults')}, again ${m('warmFaults')}; CPU ms first ${m('cpuMs')}, again ${m('warmCpuMs')}`);
    }
    console.log(`(load average after: ${loadAverage()})`);
  }
}

if (only.has('train') || only.has('train-candidates')) await trainBench(only);
if (only.has('train-workers')) await trainWorkersBench();

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
