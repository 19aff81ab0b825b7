/**
 * One profile measurement in its own process.
 * Usage: node --import tsx bench/profile-worker.ts <stratum|polars> <file.csv>
 * Prints one JSON line: { impl, readMs, ms, cpuMs, faults, warmMs?, warmCpuMs?, warmFaults?, rows,
 * columns, maxRssMiB, glibcTunables } (`cpuMs`: CPU time of the timed part over all threads;
 * `faults`: its minor page faults, i.e. memory touched for the first time (~13 us per 4 KiB page on
 * the bench VM), which with CPU time varies less than wall time on a busy machine; `warmMs`,
 * stratum only: a second profile of the same table, as a kernel's next one, with the numbers
 * already copied out of polars and the code warm; `glibcTunables`: the GLIBC_TUNABLES the process
 * ran with, see core/kernel/kernel.ts `KERNEL_GLIBC_TUNABLES`).
 *
 * The file is read first (`readMs`, not timed in `ms`). `stratum`: `profileTable` of the typed
 * table (per column count, missing, exact distinct, min/max/mean/std, quartiles, 10-bin histogram
 * or top values; Pearson correlations of the numeric columns). `polars`: `describe()` plus
 * `nUnique` per column, the nearest polars one-liners (no histograms, no correlations).
 */
const [impl, file] = process.argv.slice(2);
if (!impl || !file) throw new Error('usage: profile-worker.ts <stratum|polars> <file.csv>');

const cpuSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const faultsNow = (): number => process.resourceUsage().minorPageFault;
let readMs: number;
let ms: number;
let cpuMs: number;
let faults: number;
let warmMs: number | undefined;
let warmCpuMs: number | undefined;
let warmFaults: number | undefined;
let rows: number;
let columns: number;
if (impl === 'stratum') {
  const { readCsvTable } = await import('../connectors/csv/csv.ts');
  const { profileTable } = await import('../core/data/profile.ts');
  const t0 = performance.now();
  const table = await readCsvTable(file);
  const f1 = faultsNow();
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const profile = profileTable(table);
  ms = performance.now() - t1;
  cpuMs = cpuSince(cpu);
  faults = faultsNow() - f1;
  // Again on the same table: a kernel's second profile (numbers already out of polars, code warm).
  const f2 = faultsNow();
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  profileTable(table);
  warmMs = performance.now() - t2;
  warmCpuMs = cpuSince(cpu2);
  warmFaults = faultsNow() - f2;
  readMs = t1 - t0;
  rows = profile.rowCount;
  columns = profile.columns.length;
} else if (impl === 'polars') {
  const pl = (await import('nodejs-polars')).default;
  const t0 = performance.now();
  const df = await pl.scanCSV(file).collect();
  const f1 = faultsNow();
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  df.describe();
  df.select(...df.columns.map((c) => pl.col(c).nUnique()));
  ms = performance.now() - t1;
  cpuMs = cpuSince(cpu);
  faults = faultsNow() - f1;
  readMs = t1 - t0;
  rows = df.height;
  columns = df.width;
} else {
  throw new Error(`unknown impl ${impl}`);
}
process.stdout.write(`${JSON.stringify({ impl, readMs, ms, cpuMs, faults, warmMs, warmCpuMs, warmFaults, rows, columns, maxRssMiB: process.resourceUsage().maxRSS / 1024, glibcTunables: process.env.GLIBC_TUNABLES ?? '' })}\n`);
