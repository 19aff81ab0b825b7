/**
 * One profile measurement in its own process.
 * Usage: node --import tsx bench/profile-worker.ts <stratum|polars> <file.csv>
 * Prints one JSON line: { impl, readMs, ms, cpuMs, warmMs?, rows, columns, maxRssMiB } (`cpuMs`: CPU
 * time of the timed part over all threads; `warmMs`, stratum only: a second profile of the same
 * table, as a kernel's next one, with the numbers already copied out of polars and the code warm).
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
let readMs: number;
let ms: number;
let cpuMs: number;
let warmMs: number | undefined;
let rows: number;
let columns: number;
if (impl === 'stratum') {
  const { readCsvTable } = await import('../connectors/csv/csv.ts');
  const { profileTable } = await import('../core/data/profile.ts');
  const t0 = performance.now();
  const table = await readCsvTable(file);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const profile = profileTable(table);
  ms = performance.now() - t1;
  cpuMs = cpuSince(cpu);
  // Again on the same table: a kernel's second profile (numbers already out of polars, code warm).
  const t2 = performance.now();
  profileTable(table);
  warmMs = performance.now() - t2;
  readMs = t1 - t0;
  rows = profile.rowCount;
  columns = profile.columns.length;
} else if (impl === 'polars') {
  const pl = (await import('nodejs-polars')).default;
  const t0 = performance.now();
  const df = await pl.scanCSV(file).collect();
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  df.describe();
  df.select(...df.columns.map((c) => pl.col(c).nUnique()));
  ms = performance.now() - t1;
  cpuMs = cpuSince(cpu);
  readMs = t1 - t0;
  rows = df.height;
  columns = df.width;
} else {
  throw new Error(`unknown impl ${impl}`);
}
process.stdout.write(`${JSON.stringify({ impl, readMs, ms, cpuMs, warmMs, rows, columns, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
