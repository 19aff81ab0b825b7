/**
 * The MLP training section of `npm run bench`: the template's (64,64) MLP next to scikit-learn's
 * MLPClassifier on the same data (bench/mlp-data.ts writes it once; both read the file), and the
 * candidates for closing the gap; and ({@link trainWorkersBench}) cross-validation and search with 1
 * and 2 worker threads. Each measurement runs in its own process; numbers are printed as
 * samples/s by the wall clock and per CPU-second of the measured process (the second barely moves
 * when other processes load the machine, so its ratios are the stable ones).
 *
 * Timing, the same for both sides: the training call only (scikit-learn `fit`; the template's
 * `fitSeededReport`: compile, every epoch and its held-out loss), excluding process start, data
 * loading, scaling and TF.js backend start. TF.js also computes the held-out loss every epoch
 * (20,000 rows forward), which scikit-learn does not (early_stopping=False).
 *
 * Environment: BENCH_TRAIN_EPOCHS (default 5), BENCH_TRAIN_ROWS (default 100000).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { mlpBenchData } from './mlp-data.ts';
import { runJson, runNode, type Json } from './spawn-json.ts';

const PYTHON = '/usr/bin/python3';
const run = (command: string, args: string[], env: Record<string, string> = {}): Promise<Json> => runJson(command, args, { env });
const node = (script: string, args: string[], env: Record<string, string> = {}): Promise<Json> => runNode(script, args, { env });

/** Why scikit-learn cannot be measured here, or undefined when it can. */
function sklearnMissing(): Promise<string | undefined> {
  if (!existsSync(PYTHON)) return Promise.resolve(`${PYTHON} not found (install Debian's python3-sklearn)`);
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', 'import sklearn, threadpoolctl'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code) => resolve(code === 0 ? undefined : `${PYTHON} cannot import scikit-learn (${err.trim().split('\n').pop()}); apt-get install python3-sklearn`));
  });
}

const int = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a');
const fixed = (n: unknown, d = 3) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const ratio = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a');

interface Row {
  label: string;
  wall?: number;
  cpu?: number;
  accuracy?: number;
  note?: string;
}

function table(title: string, rows: Row[], reference?: Row): void {
  console.log(`\n${title}`);
  console.log(`${'implementation'.padEnd(52)} ${'samples/s'.padStart(10)} ${'per CPU-s'.padStart(10)} ${'test acc'.padStart(9)}${reference ? `  ${'sklearn/this (wall, CPU)'.padStart(24)}` : ''}`);
  for (const r of rows) {
    if (r.note) {
      console.log(`${r.label.padEnd(52)} ${r.note}`);
      continue;
    }
    const vs = reference ? `  ${`${ratio(reference.wall, r.wall)}, ${ratio(reference.cpu, r.cpu)}`.padStart(24)}` : '';
    console.log(`${r.label.padEnd(52)} ${int(r.wall).padStart(10)} ${int(r.cpu).padStart(10)} ${fixed(r.accuracy).padStart(9)}${vs}`);
  }
}

async function attempt(label: string, f: () => Promise<Row>): Promise<Row> {
  try {
    return await f();
  } catch (error) {
    return { label, note: `failed: ${(error as Error).message}` };
  }
}

async function sklearnRow(dir: string, epochs: number, batch: number, dtype: string, threads?: number): Promise<Row> {
  const label = `scikit-learn MLPClassifier ${dtype}${threads ? `, ${threads} BLAS thread` : ''}`;
  return attempt(label, async () => {
    const r = await run(PYTHON, ['bench/sklearn_mlp.py', dir, String(epochs), String(batch), dtype, ...(threads ? [String(threads)] : [])]);
    return { label: threads ? label : `${label} (${r.blasThreads} BLAS threads)`, wall: r.samplesPerSecond as number, cpu: r.samplesPerCpuSecond as number, accuracy: r.testAccuracy as number };
  });
}

async function templateRow(dir: string, epochs: number, batch: number, backend: string, label: string, env: Record<string, string> = {}): Promise<Row> {
  return attempt(label, async () => {
    const r = await node('bench/train-worker.ts', [dir, String(epochs), String(batch)], { STRATUM_TF_BACKEND: backend, ...env });
    return { label, wall: r.samplesPerSecond as number, cpu: r.steadySamplesPerCpuSecond as number, accuracy: r.testAccuracy as number };
  });
}

/** Runs the variants worker; one row per variant. */
async function variantRows(dir: string, rounds: number, batch: number, variants: string[], backend: string, prefix: string, env: Record<string, string> = {}): Promise<Row[]> {
  try {
    const r = await node('bench/train-variants-worker.ts', [dir, String(rounds), String(batch), variants.join(',')], { STRATUM_TF_BACKEND: backend, ...env });
    const vs = r.variants as Record<string, Json>;
    return variants.map((v) => ({ label: `${prefix}${v}`, wall: vs[v]?.samplesPerSecond as number, cpu: vs[v]?.samplesPerCpuSecond as number }));
  } catch (error) {
    return [{ label: `${prefix}${variants.join(',')}`, note: `failed: ${(error as Error).message}` }];
  }
}

/**
 * Prints the headline comparison (`train`) and, when asked, the candidates (`train-candidates`).
 *
 * @param sections - which of `train`, `train-candidates` to run
 */
export async function trainBench(sections: Set<string>): Promise<void> {
  const epochs = Number(process.env.BENCH_TRAIN_EPOCHS ?? 5);
  const rows = Number(process.env.BENCH_TRAIN_ROWS ?? 100_000);
  const dir = mlpBenchData({ rows });
  const missing = await sklearnMissing();
  const load = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  console.log(`\n## MLP (64,64) training: ${rows.toLocaleString('en')} x 20 synthetic, 3 classes, ${Math.round(rows * 0.8).toLocaleString('en')} training rows, ${epochs} epochs, Adam 0.001 (${load()})`);
  console.log(`data: ${dir} (written once by bench/mlp-data.ts, read by both sides)`);
  if (missing) console.log(`scikit-learn rows skipped: ${missing}`);
  const sk = (batch: number, dtype = 'float32', threads?: number): Promise<Row> => (missing ? Promise.resolve({ label: `scikit-learn ${dtype}`, note: `skipped: ${missing}` }) : sklearnRow(dir, epochs, batch, dtype, threads));

  if (sections.has('train')) {
    const reference = await sk(256);
    const rowsOut = [
      reference,
      await sk(256, 'float32', 1),
      await sk(256, 'float64'),
      await templateRow(dir, epochs, 256, 'wasm', 'TF.js template, wasm'),
      await templateRow(dir, epochs, 256, 'cpu', 'TF.js template, cpu'),
      ...(await variantRows(dir, epochs, 256, ['fit+tfjs-matmul', 'loop'], 'wasm', 'wasm, ')),
      ...(await variantRows(dir, epochs, 256, ['fit', 'loop'], 'cpu', 'cpu, ')),
    ];
    table(`batch 256; template = trainMlpClassifier (samples/s: whole fit; per CPU-s: epochs 2..${epochs}); fit+tfjs-matmul = the loop before (model.fit, the package's wasm matMul), loop = core/ml/fit.ts now, taking turns in one process, median of epochs 2..${epochs} (${load()})`, rowsOut, reference.note ? undefined : reference);
  }

  if (sections.has('train-candidates')) {
    // Pipeline and host reads, with and without the transposed-matMul fix (wasm).
    const pipeline = ['fit', 'fit-noval', 'fit-gather', 'loop', 'loop-sync', 'loop-gather'];
    table(`candidates: training loop, batch pipeline, transposed matMul (+tfjs-matmul = the package's own kernel), wasm, batch 256, median of ${epochs - 1} interleaved epochs (${load()})`, [
      ...(await variantRows(dir, epochs, 256, [...pipeline, 'fit+tfjs-matmul', 'loop+tfjs-matmul'], 'wasm', '')),
    ]);
    // Batch size: throughput and the accuracy reached after the same number of epochs.
    const batches: Row[] = [];
    for (const batch of [32, 256, 1024, 4096]) {
      const skRow = await sk(batch);
      batches.push({ ...skRow, label: `batch ${batch}: ${skRow.label}` });
      batches.push(await templateRow(dir, epochs, batch, 'wasm', `batch ${batch}: TF.js template, wasm`));
    }
    table(`candidates: batch size (${load()})`, batches);
    // Threads (bench-only shim, see bench/wasm-threads.ts) and processes.
    const threads = [
      ...(await variantRows(dir, epochs, 256, ['loop'], 'wasm', 'wasm, 1 thread: ')),
      ...(await variantRows(dir, epochs, 256, ['loop'], 'wasm', 'wasm threaded SIMD, 2 XNNPACK threads: ', { STRATUM_BENCH_WASM_THREADS: '2' })),
      ...(await variantRows(dir, epochs, 1024, ['loop'], 'wasm', 'batch 1024, wasm, 1 thread: ')),
      ...(await variantRows(dir, epochs, 1024, ['loop'], 'wasm', 'batch 1024, wasm threaded SIMD, 2 threads: ', { STRATUM_BENCH_WASM_THREADS: '2' })),
    ];
    const single = await templateRow(dir, epochs, 256, 'wasm', 'one template training alone');
    const pair = await Promise.all([0, 1].map((i) => templateRow(dir, epochs, 256, 'wasm', `two at once, #${i + 1}`)));
    const together = pair.every((p) => typeof p.wall === 'number') ? { label: 'two template trainings at once, together', wall: pair.reduce((s, p) => s + (p.wall ?? 0), 0), cpu: Number.NaN, accuracy: Number.NaN } : { label: 'two at once', note: pair.map((p) => p.note).join('; ') };
    table(`candidates: threads and processes, batch 256 unless said (${load()})`, [...threads, single, ...pair, together]);
  }
}

/**
 * The `train-workers` section: a 5-fold cross-validation and a 6-trial grid search (hiddenLayers
 * x learningRate, 3-fold) of the MLP template, with 1 worker (in process) and 2 worker threads
 * (core/ml/pool.ts), each in its own process: wall seconds, CPU seconds of the process (all its
 * threads), the speed-up, and whether the scores are the same.
 *
 * Environment: BENCH_WORKERS_ROWS (default 30000), BENCH_TRAIN_EPOCHS (default 5).
 */
export async function trainWorkersBench(): Promise<void> {
  const epochs = Number(process.env.BENCH_TRAIN_EPOCHS ?? 5);
  const rows = Number(process.env.BENCH_WORKERS_ROWS ?? 30_000);
  const dir = mlpBenchData({ rows });
  const load = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  console.log(`\n## Training in worker threads: MLP (64,64) template, ${rows.toLocaleString('en')} x 20 synthetic, ${epochs} epochs, batch 256, ${os.availableParallelism()} cores (${load()})`);
  console.log(`${'job'.padEnd(44)} ${'workers'.padStart(7)} ${'seconds'.padStart(8)} ${'CPU s'.padStart(7)} ${'speed-up'.padStart(8)} ${'mean score'.padStart(10)}  same scores`);
  for (const [mode, folds, label] of [['cv', 5, '5-fold CV'], ['search', 3, '6-trial grid search, 3-fold CV each']] as const) {
    let reference: Json | undefined;
    for (const workers of [1, 2]) {
      try {
        const r = await node('bench/train-workers-worker.ts', [dir, mode, String(workers), String(epochs), String(folds)]);
        reference ??= r;
        const speedUp = (reference.seconds as number) / (r.seconds as number);
        const same = JSON.stringify(r.scores) === JSON.stringify(reference.scores) ? 'yes' : `no: ${JSON.stringify(r.scores)} vs ${JSON.stringify(reference.scores)}`;
        console.log(`${label.padEnd(44)} ${String(workers).padStart(7)} ${fixed(r.seconds, 1).padStart(8)} ${fixed(r.cpuSeconds, 1).padStart(7)} ${`${speedUp.toFixed(2)}x`.padStart(8)} ${fixed(r.mean, 4).padStart(10)}  ${same}`);
      } catch (error) {
        console.log(`${label.padEnd(44)} ${String(workers).padStart(7)} failed: ${(error as Error).message}`);
      }
    }
  }
  console.log(`(${load()})`);
}
