/**
 * Training in worker threads (`node:worker_threads`): {@link TrainPool} runs cross-validation
 * folds, search trials and single `ml-*` trainings in workers, so that folds and trials use the
 * machine's cores side by side and a kernel interrupt stops a training at once (the worker is
 * terminated) instead of waiting for a synchronous `ml-*` trainer to return.
 *
 * Threads rather than processes: TF.js with the wasm backend runs in a worker thread (measured,
 * docs/benchmarks.md), a thread dies with its process (no orphan can outlive the kernel), and the
 * data is copied once per worker by structured clone instead of through a pipe.
 *
 * Each worker loads TypeScript through tsx (registered in the worker itself: on Node 20 tsx only
 * registers its hooks in the main thread), then core/ml/train-worker.ts. A worker receives the
 * records once (`workerData`) and then runs one job at a time; jobs and results are structured
 * clones, errors come back as {@link SerializedError}s and are rebuilt as the same `StratumError`
 * (code, message, detail, hint), so a failed fold or trial reads as it would in process.
 *
 * How many workers: {@link resolveWorkerCount} (option `workers`, else `STRATUM_TRAIN_WORKERS`,
 * else automatic: as many as the cores and the jobs allow once the data is large enough for the
 * worker start-up to pay off, {@link WORKER_MIN_CELLS}); 1 = everything in process, as before.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { StratumError, type ErrorCode, type SerializedError } from '../errors.ts';
import type { CrossValidationResult, CvMetric, FoldOutcome, SupervisedTask } from './cv.ts';
import type { ModelKind, SerializedModelFiles, TrainedModel } from './model.ts';
import type { EpochLog, FeatureRecord } from './types.ts';

/** Environment variable giving the number of training workers (an integer >= 1; 1 = in process). */
export const TRAIN_WORKERS_ENV = 'STRATUM_TRAIN_WORKERS';

/**
 * Data size (rows x feature columns) from which training goes to workers when neither the option
 * nor {@link TRAIN_WORKERS_ENV} says how many: below it a worker's start-up costs more than the
 * training it would move or interrupt. Measured on the 2-core machine (CPU time, load ~13):
 * starting a worker and running a tiny job takes 0.8-0.9 CPU-s for the `ml-*` trainers and
 * 2.3-3.0 CPU-s with TF.js (tsx compiles the modules again in each thread); an ml-cart decision
 * tree trains 500 x 10 in 0.27 CPU-s and 2,000 x 10 in 1.4 CPU-s (penguins, 344 x 4, stays in process).
 */
export const WORKER_MIN_CELLS = 10_000;

/** Hooks a trainer accepts when it can run in a worker (the `ml-*` trainers). */
export interface WorkerTrainingHooks {
  /** Called after each epoch (TF.js trainers only). */
  onEpoch?: (log: EpochLog) => void;
  /**
   * Aborting it stops the training: given (a kernel cell passes its interrupt signal), an `ml-*`
   * trainer runs in a worker that the abort terminates at once, rejecting with `KERNEL_INTERRUPTED`.
   */
  signal?: AbortSignal;
  /** Workers (see {@link resolveWorkerCount}): 1 keeps the training in process; >= 2 forces a worker whenever `signal` is given. */
  workers?: number;
}

/** A job a worker runs on its records. */
export type TrainJob =
  | {
      /** One cross-validation fold: train on `params.splitIndexes.train`, score on `.test`. */
      kind: 'fold';
      templateId: string;
      task: SupervisedTask;
      params: Record<string, unknown>;
      /** Post each epoch back (TF.js trainers) as an `epoch` event. */
      epochs: boolean;
    }
  | {
      /** A whole cross-validation in the worker (a search trial), folds posted as `fold` events. */
      kind: 'cv';
      templateId: string;
      task: SupervisedTask;
      params: Record<string, unknown>;
      folds: number;
      seed: number;
      metric: CvMetric;
    }
  | {
      /** One training of a template's trainer; the model comes back serialized. */
      kind: 'model';
      templateId: string;
      params: Record<string, unknown>;
    };

/** What a model job returns: the trained model without its adapter, and the adapter's saved files. */
export interface SerializedTrainedModel {
  model: Omit<TrainedModel, 'adapter'>;
  kind: ModelKind;
  files: SerializedModelFiles;
}

/** Result of each job kind. */
export interface TrainJobResult {
  fold: FoldOutcome;
  cv: CrossValidationResult;
  model: SerializedTrainedModel;
}

/** Progress a worker posts while a job runs. */
export type WorkerEvent = { type: 'epoch'; log: EpochLog } | { type: 'fold'; fold: CrossValidationResult['perFold'][number] };

/** Messages from a worker (core/ml/train-worker.ts). */
export type WorkerMessage =
  | { id: number; type: 'event'; event: WorkerEvent }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'error'; error: SerializedError };

/** Message to a worker. */
export interface WorkerRequest {
  id: number;
  job: TrainJob;
}

/** Data every worker of a pool gets once, at start (`workerData`). */
export interface WorkerData {
  records: FeatureRecord[];
}

function envWorkers(): number | undefined {
  const raw = process.env[TRAIN_WORKERS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new StratumError('USAGE', `${TRAIN_WORKERS_ENV}=${JSON.stringify(raw)}: expected an integer >= 1 (1 = train in process)`, { detail: { field: TRAIN_WORKERS_ENV }, hint: `Unset ${TRAIN_WORKERS_ENV} for the automatic choice.` });
  }
  return n;
}

/** Options of {@link resolveWorkerCount}. */
export interface WorkerCountOptions {
  /** The caller's `workers` option (an integer >= 1), if any: wins over the environment. */
  workers?: number;
  /** Jobs to run (folds, trials); no more workers than jobs. Infinity when unknown. */
  jobs: number;
  /** Size of the data, rows x feature columns (the automatic choice keeps small data in process). */
  cells: number;
}

/**
 * How many training workers to use: the `workers` option, else `STRATUM_TRAIN_WORKERS`, else
 * `os.availableParallelism()` when the data has at least {@link WORKER_MIN_CELLS} cells and 1
 * below; never more than the jobs. 1 means train in process (no worker).
 *
 * @throws StratumError `TEMPLATE_PARAMS` (field `workers`) for a `workers` option that is not an
 *   integer >= 1; `USAGE` for such a `STRATUM_TRAIN_WORKERS`
 * @example
 * ```ts
 * resolveWorkerCount({ jobs: 5, cells: 100_000 * 20 }); // 2 on a 2-core machine
 * ```
 */
export function resolveWorkerCount(options: WorkerCountOptions): number {
  const { workers, jobs, cells } = options;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
    throw new StratumError('TEMPLATE_PARAMS', `workers: expected an integer >= 1 (1 = train in process), got ${JSON.stringify(workers)}`, { detail: { field: 'workers' } });
  }
  const wanted = workers ?? envWorkers() ?? (cells >= WORKER_MIN_CELLS ? availableParallelism() : 1);
  return Math.max(1, Math.min(wanted, jobs));
}

/**
 * Whether a single `ml-*` training should run in a worker: only when it can be interrupted
 * (`hooks.signal`), and then when `workers` (option, else environment) is >= 2, or, with neither
 * set, when the data has at least {@link WORKER_MIN_CELLS} cells.
 */
export function trainsInWorker(hooks: WorkerTrainingHooks | undefined, cells: number): boolean {
  if (!hooks?.signal) return false;
  return resolveWorkerCount({ ...(hooks.workers === undefined ? {} : { workers: hooks.workers }), jobs: 2, cells }) >= 2;
}

let tsxApiUrl: string | undefined;

/** URL of tsx's ESM API (`tsx/esm/api`, the `import` condition of its exports map). */
function tsxEsmApi(): string {
  if (tsxApiUrl) return tsxApiUrl;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = (require(manifest) as { exports: Record<string, { import?: { default?: string } }> }).exports;
  const entry = exports['./esm/api']?.import?.default;
  if (!entry) throw new StratumError('TRAINING_FAILED', 'the installed tsx has no ESM API (tsx/esm/api): training workers cannot load TypeScript', { detail: { field: 'workers' }, hint: `Set ${TRAIN_WORKERS_ENV}=1 to train in process.` });
  tsxApiUrl = pathToFileURL(join(dirname(manifest), entry)).href;
  return tsxApiUrl;
}

const WORKER_ENTRY = new URL('./train-worker.ts', import.meta.url).href;

let live = 0;

/** Number of training worker threads alive in this process (tests check that none is left behind). */
export function liveTrainWorkers(): number {
  return live;
}

/** Rebuilds an error a worker serialized: a `StratumError` with the same code, message, detail and hint, or an `Error` with the same name and message. */
function rebuildError(e: SerializedError): Error {
  if (e.code !== undefined) return new StratumError(e.code as ErrorCode, e.evalue, { detail: e.detail ?? {}, ...(e.hint ? { hint: e.hint } : {}) });
  const error = new Error(e.evalue);
  error.name = e.ename;
  return error;
}

/** Options of {@link TrainPool}. */
export interface TrainPoolOptions {
  /** Number of workers (>= 1); each starts on its first job. */
  size: number;
  /** The data every job of the pool trains on (copied once into each worker). */
  records: FeatureRecord[];
  /** Aborting it terminates every worker and rejects every job with `KERNEL_INTERRUPTED`. */
  signal?: AbortSignal;
  /** What runs, for messages: e.g. `cross-validation`, `the search`. */
  what: string;
  /** V8 heap limits of each worker (tests use a tiny one to make a worker run out of memory). */
  resourceLimits?: ResourceLimits;
}

interface Slot {
  worker: Worker;
  busy?: { id: number; label: string; resolve: (value: unknown) => void; reject: (error: Error) => void; onEvent?: (event: WorkerEvent) => void };
}

interface Queued {
  job: TrainJob;
  label: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: WorkerEvent) => void;
}

/**
 * A pool of training workers over one data set: {@link TrainPool.run} queues a job and resolves
 * with its result when a worker has run it. Owns its workers: {@link TrainPool.dispose} (safe to
 * call twice) terminates them and resolves once they have exited.
 *
 * A worker that crashes (out of memory, a native error) rejects its job with `TRAINING_FAILED`
 * naming the job and the cause; the next job starts a fresh worker.
 *
 * @example
 * ```ts
 * const pool = new TrainPool({ size: 2, records, what: 'cross-validation' });
 * try {
 *   const folds = await Promise.all(jobs.map((job, i) => pool.run(job, `fold ${i + 1}`)));
 * } finally {
 *   await pool.dispose();
 * }
 * ```
 */
export class TrainPool {
  private readonly slots: Array<Slot | undefined>;
  private readonly queue: Queued[] = [];
  private readonly exits: Array<Promise<void>> = [];
  private nextId = 1;
  private disposed = false;
  private cancelled: Error | undefined;
  private readonly onAbort = (): void => {
    this.cancel();
  };

  constructor(private readonly options: TrainPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new StratumError('TEMPLATE_PARAMS', `workers: expected an integer >= 1, got ${JSON.stringify(options.size)}`, { detail: { field: 'workers' } });
    this.slots = new Array<Slot | undefined>(options.size).fill(undefined);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Runs a job on the next free worker.
   *
   * @param label - names the job in errors, e.g. `fold 3 of 5`, `trial 2`
   * @param onEvent - progress the worker posts (epochs, folds)
   * @returns the job's result
   * @throws StratumError `KERNEL_INTERRUPTED` when the signal aborts; `TRAINING_FAILED` when the
   *   worker crashes; the trainer's own error (rebuilt) when the job fails
   */
  run<K extends TrainJob['kind']>(job: Extract<TrainJob, { kind: K }>, label: string, onEvent?: (event: WorkerEvent) => void): Promise<TrainJobResult[K]> {
    return new Promise((resolve, reject) => {
      if (this.cancelled) return reject(this.cancelled);
      if (this.options.signal?.aborted) return reject(this.cancel());
      if (this.disposed) return reject(new StratumError('TRAINING_FAILED', `${label}: the training workers were already stopped`, { detail: { field: 'workers' } }));
      this.queue.push({ job, label, resolve: resolve as (value: unknown) => void, reject, ...(onEvent ? { onEvent } : {}) });
      this.pump();
    });
  }

  private pump(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      const slot = this.slots[i] ?? (this.slots[i] = this.spawn(i));
      if (slot.busy) continue;
      const next = this.queue.shift() as Queued;
      const id = this.nextId++;
      slot.busy = { id, label: next.label, resolve: next.resolve, reject: next.reject, ...(next.onEvent ? { onEvent: next.onEvent } : {}) };
      try {
        slot.worker.postMessage({ id, job: next.job } satisfies WorkerRequest);
      } catch (error) {
        // A param that cannot be copied to a thread (a function...): the job fails, the worker stays free.
        slot.busy = undefined;
        next.reject(new StratumError('TEMPLATE_PARAMS', `${next.label}: the params cannot be sent to a training worker: ${(error as Error).message}`, { detail: { field: 'params' }, hint: 'Params must be plain data (numbers, strings, arrays, objects).' }));
      }
    }
  }

  private spawn(index: number): Slot {
    const boot = `const { register } = await import(${JSON.stringify(tsxEsmApi())}); register(); await import(${JSON.stringify(WORKER_ENTRY)});`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
      workerData: { records: this.options.records } satisfies WorkerData,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
      stdout: false,
      stderr: false,
    });
    live++;
    const slot: Slot = { worker };
    let lastError: Error | undefined;
    this.exits.push(new Promise<void>((resolve) => worker.once('exit', () => {
      live--;
      resolve();
    })));
    worker.on('message', (message: WorkerMessage) => {
      const busy = slot.busy;
      if (!busy || busy.id !== message.id) return;
      if (message.type === 'event') {
        busy.onEvent?.(message.event);
        return;
      }
      slot.busy = undefined;
      if (message.type === 'done') busy.resolve(message.result);
      else busy.reject(rebuildError(message.error));
      this.pump();
    });
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.once('exit', (code) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const busy = slot.busy;
      slot.busy = undefined;
      if (busy && !this.cancelled) {
        const cause = lastError ? `${(lastError as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory' : lastError.message}` : `it exited with code ${code}`;
        busy.reject(new StratumError('TRAINING_FAILED', `${busy.label}: the training worker stopped: ${cause}`, {
          detail: { field: 'workers', job: busy.label },
          hint: `Train on fewer rows or features, or set ${TRAIN_WORKERS_ENV}=1 to train in the kernel process.`,
          ...(lastError ? { cause: lastError } : {}),
        }));
      }
      if (!this.disposed && !this.cancelled) this.pump();
    });
    return slot;
  }

  /** Terminates every worker and rejects every job with `KERNEL_INTERRUPTED`; returns that error. */
  private cancel(): Error {
    if (this.cancelled) return this.cancelled;
    const error = new StratumError('KERNEL_INTERRUPTED', `${this.options.what} was cancelled`, { detail: { field: 'signal' } });
    this.cancelled = error;
    for (const q of this.queue.splice(0)) q.reject(error);
    for (const slot of this.slots) {
      if (slot?.busy) {
        const busy = slot.busy;
        slot.busy = undefined;
        busy.reject(new StratumError('KERNEL_INTERRUPTED', `${this.options.what} was cancelled (${busy.label} stopped)`, { detail: { field: 'signal', job: busy.label } }));
      }
      void slot?.worker.terminate();
    }
    return error;
  }

  /** Terminates the workers (queued jobs are rejected) and resolves once every worker thread has exited. Safe to call twice. */
  async dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.options.signal?.removeEventListener('abort', this.onAbort);
      const stopped = (label: string): StratumError => new StratumError('TRAINING_FAILED', `${label}: the training workers were stopped`, { detail: { field: 'workers', job: label } });
      for (const q of this.queue.splice(0)) q.reject(stopped(q.label));
      for (const slot of this.slots) {
        if (slot?.busy) {
          slot.busy.reject(stopped(slot.busy.label));
          slot.busy = undefined;
        }
        void slot?.worker.terminate();
      }
    }
    await Promise.all(this.exits);
  }
}

/**
 * Trains a template's model in a worker (the `ml-*` trainers, when interruptible): the worker
 * trains in process there and returns the model serialized; `load` rebuilds the adapter from the
 * saved files. Aborting `signal` terminates the worker at once.
 *
 * @throws StratumError `KERNEL_INTERRUPTED` on abort, `TRAINING_FAILED` when the worker crashes,
 *   and whatever the trainer throws (rebuilt with the same code and message)
 */
export async function trainModelInWorker(options: { templateId: string; records: FeatureRecord[]; params: Record<string, unknown>; signal: AbortSignal; load: (files: SerializedModelFiles, kind: ModelKind) => TrainedModel['adapter'] }): Promise<TrainedModel> {
  const pool = new TrainPool({ size: 1, records: options.records, signal: options.signal, what: `training of ${options.templateId}` });
  try {
    const { model, kind, files } = await pool.run({ kind: 'model', templateId: options.templateId, params: options.params }, options.templateId);
    return { ...model, adapter: options.load(files, kind) } as TrainedModel;
  } finally {
    await pool.dispose();
  }
}
