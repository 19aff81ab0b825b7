import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Two processes write runs into one tracking database at once (each run = 5 transactions:
// create with params, 3 epochs of metrics, finish); one is killed with SIGKILL mid-way. Each
// child appends a run id to its ids file (fsynced) only after the run's last commit returned, so
// the file is a lower bound of what that child committed.

const dir = mkdtempSync(join(tmpdir(), 'stratum-store-concurrency-'));
const dbPath = join(dir, 'tracking.db');
const SURVIVOR_RUNS = 150;
const WRITER = fileURLToPath(new URL('./concurrency-writer.ts', import.meta.url));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writer(ids: string, count: number, label: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, ids, String(count), label], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0) : [];
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the writers');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tracking store under two concurrent writers, one killed with SIGKILL', () => {
  it('stays intact and keeps every committed run', async () => {
    const survivorIds = join(dir, 'survivor.ids');
    const victimIds = join(dir, 'victim.ids');
    // The victim starts first and the survivor once the victim is writing, so a slow process start
    // cannot let the survivor finish all its runs before the kill (seen once under load in CI).
    const victim = writer(victimIds, 100_000, 'victim');
    const victimExit = exited(victim);
    await until(() => lines(victimIds).length >= 5, 60_000);
    const survivor = writer(survivorIds, SURVIVOR_RUNS, 'survivor');
    const survivorExit = exited(survivor);

    // Kill the victim once both are well into writing (and the survivor still has most of its runs ahead).
    await until(() => lines(victimIds).length >= 40 && lines(survivorIds).length >= 20, 60_000);
    const survivorAtKill = lines(survivorIds).length;
    victim.kill('SIGKILL');
    const v = await victimExit;
    expect(v.signal).toBe('SIGKILL');
    const s = await survivorExit;
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    expect(survivorAtKill).toBeLessThan(SURVIVOR_RUNS); // the survivor really wrote after the kill

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      const survivorCommitted = lines(survivorIds);
      const victimCommitted = lines(victimIds);
      expect(survivorCommitted).toHaveLength(SURVIVOR_RUNS);
      expect(victimCommitted.length).toBeGreaterThanOrEqual(40);

      const finished = db.prepare("SELECT r.id, (SELECT count(*) FROM run_metrics m WHERE m.run_id = r.id) AS metrics FROM runs r WHERE r.status = 'finished'").all() as Array<{ id: string; metrics: number }>;
      const finishedIds = new Map(finished.map((r) => [r.id, r.metrics]));
      // Every run either child had committed is there, finished, with its 3 epochs x 2 metrics.
      for (const id of [...survivorCommitted, ...victimCommitted]) expect(finishedIds.get(id), id).toBe(6);

      // No partial run: every run has one run_params row per key of its params document.
      const partial = db.prepare('SELECT r.id FROM runs r WHERE (SELECT count(*) FROM run_params p WHERE p.run_id = r.id) != (SELECT count(*) FROM json_each(r.params_json))').all();
      expect(partial).toEqual([]);

      // The victim can have committed at most one run more than its file shows (killed between
      // the commit and the append), plus at most one run left `running` (killed mid-run).
      const victimRows = db.prepare("SELECT r.id, r.status FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'concurrency-victim'").all() as Array<{ id: string; status: string }>;
      const unlisted = victimRows.filter((r) => !victimCommitted.includes(r.id));
      expect(unlisted.length).toBeLessThanOrEqual(2);
      expect(unlisted.filter((r) => r.status === 'finished').length).toBeLessThanOrEqual(1);
      const survivorRows = db.prepare("SELECT count(*) AS n FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'concurrency-survivor'").get() as { n: number };
      expect(survivorRows.n).toBe(SURVIVOR_RUNS);
    } finally {
      db.close();
    }
  }, 120_000);
});
