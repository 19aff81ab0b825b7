/**
 * One CSV ingest measurement in its own process (so peak RSS is this reader's alone).
 * Usage: node --import tsx bench/ingest-worker.ts <stratum|polars|danfo|papaparse> <file>
 * Prints one JSON line: { impl, importMs, ms, cpuMs, rows, baseRssMiB, maxRssMiB, ... }.
 *
 * `ms` times the read only: modules are imported first (`importMs`), as pandas' figure excludes
 * `import pandas` and a kernel has its modules loaded after the first cell. `cpuMs` is the CPU
 * time of the read summed over all threads (polars parses on several). `baseRssMiB` is the
 * resident memory after the imports, `maxRssMiB` the peak of the process.
 * For `stratum` the timed work is file -> typed table -> Danfo DataFrame (`readCsv`). Its first
 * uses are timed after it, not in `ms`: `headMs` the first `df.head()`, `columnsMs` reading every
 * column (`df.column(name).values`, the JS arrays Danfo's column operations use), `valuesMs` the
 * first `df.values` (the row-major copy row operations use); core/data/frame.ts builds these on
 * demand. `valuesMaxRssMiB` is the peak after them.
 */
import { readFileSync } from 'node:fs';

const [impl, file] = process.argv.slice(2);
if (!impl || !file) throw new Error('usage: ingest-worker.ts <stratum|polars|danfo|papaparse> <file>');

const mib = (bytes: number): number => bytes / 2 ** 20;
const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;
const imported = performance.now();
/** The timed read, and what is measured after it (not in `ms`, not in `maxRssMiB`). */
let read: () => Promise<{ rows: number; after?: () => Record<string, number> }>;
if (impl === 'stratum') {
  const { readCsv } = await import('../connectors/csv/csv.ts');
  await import('../connectors/csv/fast.ts');
  read = async () => {
    const df = await readCsv(file);
    // First uses of the frame, each timed on its own (see core/data/frame.ts: built on demand).
    const after = (): Record<string, number> => {
      const t0 = performance.now();
      df.head();
      const t1 = performance.now();
      for (const name of df.columns) void df.column(name).values.length;
      const t2 = performance.now();
      void df.values.length;
      return { headMs: t1 - t0, columnsMs: t2 - t1, valuesMs: performance.now() - t2, valuesMaxRssMiB: peakMiB() };
    };
    return { rows: df.shape[0], after };
  };
} else if (impl === 'polars') {
  const pl = (await import('nodejs-polars')).default;
  read = async () => ({ rows: (await pl.scanCSV(file).collect()).height });
} else if (impl === 'danfo') {
  const dfd = await import('danfojs-node');
  read = async () => ({ rows: (await dfd.readCSV(file)).shape[0] });
} else if (impl === 'papaparse') {
  const Papa = (await import('papaparse')).default;
  read = async () => ({ rows: Papa.parse<Record<string, unknown>>(readFileSync(file, 'utf8'), { header: true, dynamicTyping: true, skipEmptyLines: true }).data.length });
} else {
  throw new Error(`unknown impl ${impl}`);
}
const importMs = performance.now() - imported;
const baseRssMiB = mib(process.memoryUsage.rss());
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await read();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const maxRssMiB = peakMiB();
const extra = result.after?.() ?? {};
process.stdout.write(`${JSON.stringify({ impl, importMs, ms, cpuMs, rows: result.rows, baseRssMiB, maxRssMiB, ...extra })}\n`);
