/**
 * Child process of store.concurrency.integration.test.ts: writes `count` small runs (create with
 * params, 3 epochs of metrics, finish) into a tracking database as fast as it can, and after each
 * committed run appends its id to `idsFile` and fsyncs it, so the test knows exactly which runs
 * were committed when it kills this process.
 *
 * Usage: node --import tsx core/store/concurrency-writer.ts DB_PATH IDS_FILE COUNT LABEL [full|normal]
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { openTrackingStore } from './store.ts';

const [dbPath, idsFile, countText, label, durability] = process.argv.slice(2);
const count = Number(countText);
const store = openTrackingStore({ path: dbPath, busyTimeoutMs: 30_000, durability: durability === 'normal' ? 'normal' : 'full' });
const fd = openSync(idsFile, 'a');
for (let i = 0; i < count; i++) {
  const run = store.runs.create({ experiment: `concurrency-${label}`, templateId: 'test.writer', params: { writer: label, i, learningRate: 0.001 * (i + 1), hiddenLayers: [8, i % 5] }, seed: i });
  for (let epoch = 1; epoch <= 3; epoch++) store.runs.logEpoch(run.id, { epoch, values: { loss: 1 / epoch, accuracy: 1 - 1 / (epoch + 1) }, stepMs: epoch });
  store.runs.finish(run.id, { evaluation: { accuracy: 0.5, macroF1: 0.25 } });
  writeSync(fd, `${run.id}\n`);
  fsyncSync(fd);
}
closeSync(fd);
store.dispose();
