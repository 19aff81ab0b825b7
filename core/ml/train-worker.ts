/**
 * Entry of a training worker thread (started by core/ml/pool.ts `TrainPool`): receives its
 * records once (`workerData`), then runs each job it is sent, one at a time, in process (a job
 * never starts another worker):
 * - `fold`: one cross-validation fold (core/ml/cv.ts `trainFold`);
 * - `cv`: a whole cross-validation (a search trial), posting each fold as it ends;
 * - `model`: one training of a template's trainer, the model returned serialized (adapter files).
 *
 * Errors go back serialized (`serializeError`), never as an uncaught exception, so the worker
 * stays up for the next job; only a crash (out of memory) ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors.ts';
import { crossValidate, templateTrainer, trainFold, type FoldResult, type TabularTrainer } from './cv.ts';
import { isTrainedModel } from './model.ts';
import type { SerializedTrainedModel, TrainJob, WorkerData, WorkerMessage, WorkerRequest } from './pool.ts';
import type { SplitIndexes } from './split.ts';
import type { EpochLog, FeatureRecord } from './types.ts';

const port = parentPort;
const { records } = workerData as WorkerData;

/** The trainer of a model job: the supervised templates' (core/ml/cv.ts) plus k-means. */
async function modelTrainer(templateId: string): Promise<(records: FeatureRecord[], params: Record<string, unknown>) => Promise<unknown>> {
  if (templateId === 'tabular.kmeans') return (await import('./kmeans.ts')).trainKMeans as unknown as TabularTrainer;
  return templateTrainer(templateId).load();
}

async function runJob(id: number, job: TrainJob): Promise<unknown> {
  const post = (message: WorkerMessage): void => port?.postMessage(message);
  if (job.kind === 'fold') {
    const train = await templateTrainer(job.templateId).load();
    const onEpoch = job.epochs ? (log: EpochLog) => post({ id, type: 'event', event: { type: 'epoch', log } }) : undefined;
    return trainFold(train, job.task, records, job.params as Record<string, unknown> & { splitIndexes: SplitIndexes }, onEpoch);
  }
  if (job.kind === 'cv') {
    return crossValidate({
      templateId: job.templateId, task: job.task, records, params: job.params, folds: job.folds, seed: job.seed, metric: job.metric, workers: 1,
      onFold: (fold: FoldResult) => post({ id, type: 'event', event: { type: 'fold', fold } }),
    });
  }
  const train = await modelTrainer(job.templateId);
  const trained = await train(records, job.params);
  if (!isTrainedModel(trained)) throw new Error(`${job.templateId} did not return a TrainedModel`);
  const { adapter, ...model } = trained;
  try {
    return { model, kind: adapter.kind, files: await adapter.save() } satisfies SerializedTrainedModel;
  } finally {
    adapter.dispose();
  }
}

port?.on('message', (request: WorkerRequest) => {
  runJob(request.id, request.job).then(
    (result) => port.postMessage({ id: request.id, type: 'done', result } satisfies WorkerMessage),
    (error: unknown) => port.postMessage({ id: request.id, type: 'error', error: serializeError(error) } satisfies WorkerMessage),
  );
});
