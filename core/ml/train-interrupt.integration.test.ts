// Starts a real kernel process (a few seconds: TypeScript loader) and interrupts a cell training a
// random forest that would run for minutes: the ml-* trainer runs in a worker thread (the data has
// more than WORKER_MIN_CELLS cells), so the interrupt terminates it at once, the run is recorded
// cancelled and the kernel keeps its state (before, the synchronous library ignored the interrupt
// and the kernel was restarted after its grace period, losing every variable).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type ExecuteResult } from '../kernel/kernel.ts';
import type { CellOutput } from '../notebook/types.ts';
import { openTrackingStore } from '../store/store.ts';
import type { Run } from '../store/types.ts';

let dir: string;
let kernel: Kernel;
let cellNo = 0;

function run(source: string, onOutput?: (o: CellOutput) => void): Promise<ExecuteResult> {
  return kernel.execute({ id: `t${++cellNo}`, source, language: 'typescript' }, onOutput);
}

function storedRuns(): Run[] {
  const store = openTrackingStore({ workspace: dir, mustExist: true });
  try {
    return store.runs.list({ limit: 1000, order: 'oldest' });
  } finally {
    store.dispose();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-train-interrupt-'));
  kernel = await Kernel.start({ cwd: dir, env: { STRATUM_WORKSPACE: dir, STRATUM_TRACKING: 'on' }, interruptGraceMs: 3000 });
  // 12 copies of penguins x 3 features = 12,384 cells: above WORKER_MIN_CELLS.
  const loaded = await run('const penguins = JSON.parse(require("node:fs").readFileSync(stratum.vegaDataset("penguins.json"), "utf8"))\nconst big = Array.from({ length: 12 }, () => penguins).flat()\nbig.length');
  expect(loaded.outputs).toEqual([{ type: 'result', data: { 'text/plain': '4128' } }]);
});

afterAll(async () => {
  await kernel?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('interrupting an ml-* training cell', () => {
  it('stops the random forest at once: the run is cancelled, the kernel keeps its state', async () => {
    const code = [
      'console.log("training")',
      'const forest = await stratum.trainRandomForest(big, {',
      '  target: "Species", features: ["Island", "Beak Length (mm)", "Flipper Length (mm)"], nEstimators: 3000, maxDepth: 30, minSamples: 2, gainThreshold: 0, maxFeatures: 1,',
      '})',
    ].join('\n');
    let interrupted = false;
    const r = await run(code, (o) => {
      if (!interrupted && o.type === 'stream' && /training/.test(o.text)) {
        interrupted = true;
        setTimeout(() => void kernel.interrupt(), 1500);
      }
    });
    expect(r.status).toBe('interrupted');
    let runs = storedRuns();
    for (let i = 0; i < 100 && (runs.length === 0 || runs.some((x) => x.status === 'running')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = storedRuns();
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ templateId: 'tabular.random-forest', status: 'cancelled', error: { code: 'KERNEL_INTERRUPTED' } });
    // Not restarted: the variables of earlier cells are still there, and `forest` was never assigned.
    const check = await run('[penguins.length, typeof forest].join(" ")');
    expect(check.outputs).toEqual([{ type: 'result', data: { 'text/plain': '344 undefined' } }]);
  });
});

describe('shutting the kernel down right after an interrupt (what `stratum run` does)', () => {
  it('lets the interrupted training record its run cancelled before the process exits', async () => {
    // A second workspace and kernel: the run must be the only one there.
    const dir2 = mkdtempSync(join(tmpdir(), 'stratum-train-interrupt-shutdown-'));
    const k = await Kernel.start({ cwd: dir2, env: { STRATUM_WORKSPACE: dir2, STRATUM_TRACKING: 'on' }, interruptGraceMs: 3000 });
    try {
      await k.execute({ id: 's1', source: 'const penguins = JSON.parse(require("node:fs").readFileSync(stratum.vegaDataset("penguins.json"), "utf8"))\nconst big = Array.from({ length: 12 }, () => penguins).flat()', language: 'typescript' });
      let interrupted = false;
      const r = await k.execute({
        id: 's2',
        language: 'typescript',
        source: 'console.log("training")\nawait stratum.trainRandomForest(big, { target: "Species", features: ["Island", "Beak Length (mm)", "Flipper Length (mm)"], nEstimators: 3000, maxDepth: 30, minSamples: 2, gainThreshold: 0, maxFeatures: 1 })',
      }, (o) => {
        if (!interrupted && o.type === 'stream' && /training/.test(o.text)) {
          interrupted = true;
          setTimeout(() => void k.interrupt(), 1500);
        }
      });
      expect(r.status).toBe('interrupted');
      // At once, as the runner does after an interrupted cell: before, the process was killed and the run stayed `running`.
      await k.dispose();
      const store = openTrackingStore({ workspace: dir2, mustExist: true });
      try {
        expect(store.runs.list({ limit: 10 }).map((x) => [x.templateId, x.status])).toEqual([['tabular.random-forest', 'cancelled']]);
      } finally {
        store.dispose();
      }
    } finally {
      await k.dispose();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
