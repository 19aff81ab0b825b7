// Starts a real kernel process (a few seconds: TypeScript loader, TF.js): the search template's
// code runs in it with run tracking into a temporary workspace, and a kernel interrupt stops a
// running search, cancelling its runs while the kernel keeps its state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTemplateCode } from '../../templates/index.ts';
import { PLOTLY_MIME } from '../kernel/display.ts';
import { Kernel, type ExecuteResult } from '../kernel/kernel.ts';
import { TABLE_MIME } from '../data/table.ts';
import type { CellOutput } from '../notebook/types.ts';
import { openTrackingStore } from '../store/store.ts';
import type { Run } from '../store/types.ts';

let dir: string;
let kernel: Kernel;
let cellNo = 0;

function run(source: string, onOutput?: (o: CellOutput) => void): Promise<ExecuteResult> {
  return kernel.execute({ id: `s${++cellNo}`, source, language: 'typescript' }, onOutput);
}

function stdout(r: ExecuteResult): string {
  return r.outputs.filter((o) => o.type === 'stream' && o.name === 'stdout').map((o) => (o.type === 'stream' ? o.text : '')).join('');
}

/** Runs of the workspace's store, read through a connection of the test's own (the kernel keeps writing through its own). */
function storedRuns(): Run[] {
  const store = openTrackingStore({ workspace: dir, mustExist: true });
  try {
    return store.runs.list({ limit: 1000, order: 'oldest' });
  } finally {
    store.dispose();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-search-kernel-'));
  kernel = await Kernel.start({ cwd: dir, env: { STRATUM_WORKSPACE: dir, STRATUM_TRACKING: 'on' }, interruptGraceMs: 5000 });
  const loaded = await run('const penguins = JSON.parse(require("node:fs").readFileSync(stratum.vegaDataset("penguins.json"), "utf8"))\npenguins.length');
  expect(loaded.status).toBe('ok');
});

afterAll(async () => {
  await kernel?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('stratum.search in the kernel', () => {
  it('runs the template\'s code: a line per trial, the summary with the refit run, a sortable table and a parallel-coordinates figure', async () => {
    const code = renderTemplateCode('search.hyperparameters', {
      data: 'penguins', templateId: 'tabular.decision-tree', target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'],
      space: '{"maxDepth": [2, 4], "minSamples": [2, 10]}', folds: 3,
    });
    const r = await run(code);
    expect(r.status).toBe('ok');
    expect(stdout(r)).toMatch(/^trial 1\/4 {2}maxDepth=2, minSamples=2 {2}accuracy 0\.\d{4} ± 0\.\d{4} {2}\(\d+\.\d s\)$/m);
    expect(stdout(r).match(/^trial \d\/4 /gm)).toHaveLength(4);
    const displays = r.outputs.filter((o) => o.type === 'display');
    const summary = displays[0]?.type === 'display' ? String(displays[0].data['text/plain']) : '';
    const refit = /refit run ([0-9a-f]{12}); register it: stratum models register NAME --run \1/.exec(summary);
    expect(refit).not.toBeNull();
    expect(displays[1]?.type === 'display' && displays[1].data[TABLE_MIME]).toMatchObject({ totalRows: 4 });
    const figure = displays[2]?.type === 'display' ? (displays[2].data[PLOTLY_MIME] as { data: Array<{ type: string; dimensions: unknown[] }> }) : undefined;
    expect(figure?.data[0]).toMatchObject({ type: 'parcoords' });
    expect(figure?.data[0].dimensions).toHaveLength(3);
    const result = r.outputs.find((o) => o.type === 'result');
    expect(result?.type === 'result' ? result.data['text/plain'] : '').toMatch(/^TrainedModel tabular\.decision-tree \(ml-cart\)/);
    const runs = storedRuns();
    expect(runs.map((x) => x.templateId)).toEqual(['search.hyperparameters', ...Array(5).fill('tabular.decision-tree')]);
    expect(runs.at(-1)?.id).toBe(refit?.[1]);
    expect(runs.at(-1)?.notebook?.cellId).toBe(`s${cellNo}`);
  });

  it('stops a running search on interrupt: the search and its current trial are cancelled, the kernel keeps its state', async () => {
    const before = storedRuns().length;
    const code = renderTemplateCode('search.hyperparameters', {
      data: 'penguins', templateId: 'tabular.decision-tree', target: 'Species', features: ['Island', 'Beak Length (mm)', 'Flipper Length (mm)'],
      space: '{"maxDepth": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "minSamples": [2, 3, 5, 8, 13]}', folds: 5, resultName: 'big',
    });
    let interrupted = false;
    const r = await run(code, (o) => {
      if (!interrupted && o.type === 'stream' && /^trial +2\//m.test(o.text)) {
        interrupted = true;
        void kernel.interrupt();
      }
    });
    expect(r.status).toBe('interrupted');
    // The search stops at its next check (the next fold) and records that; wait for it (bounded).
    let runs = storedRuns().slice(before);
    for (let i = 0; i < 100 && runs.some((x) => x.status === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = storedRuns().slice(before);
    }
    expect(runs[0]).toMatchObject({ templateId: 'search.hyperparameters', status: 'cancelled', error: { code: 'KERNEL_INTERRUPTED' } });
    const trials = runs.slice(1);
    expect(trials.length).toBeGreaterThanOrEqual(2);
    expect(trials.length).toBeLessThan(60);
    expect(trials.slice(0, 2).map((x) => x.status)).toEqual(['finished', 'finished']);
    expect(trials.filter((x) => x.status !== 'finished').map((x) => x.status)).toEqual(trials.length > 2 ? ['cancelled'] : []);
    const after = await run('penguins.length');
    expect(after.outputs).toEqual([{ type: 'result', data: { 'text/plain': '344' } }]);
  });
});

describe('interrupting a training cell', () => {
  it('stops the training at the next epoch: the run is cancelled and the variable is never assigned', async () => {
    const before = storedRuns().length;
    const code = [
      'const slow = await stratum.trainMlpClassifier(stratum.toRecords(penguins), {',
      '  target: "Species", features: ["Beak Length (mm)", "Flipper Length (mm)"], epochs: 5000, batchSize: 8, hiddenLayers: [32],',
      '}, { onEpoch: stratum.progress })',
    ].join('\n');
    let interrupted = false;
    const r = await run(code, (o) => {
      if (!interrupted && o.type === 'stream' && /^epoch +2 /m.test(o.text)) {
        interrupted = true;
        void kernel.interrupt();
      }
    });
    expect(r.status).toBe('interrupted');
    let runs = storedRuns().slice(before);
    for (let i = 0; i < 100 && (runs.length === 0 || runs.some((x) => x.status === 'running')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = storedRuns().slice(before);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ templateId: 'tabular.mlp-classifier', status: 'cancelled', error: { code: 'KERNEL_INTERRUPTED' } });
    // Training stopped well before its 5000 epochs, and nothing assigns `slow` afterwards.
    const check = await run('typeof slow');
    expect(check.outputs).toEqual([{ type: 'result', data: { 'text/plain': 'undefined' } }]);
  });
});
