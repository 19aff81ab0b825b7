/**
 * Profile measurement in its own process (added by the connectors helper; not wired into run.ts).
 * Usage: node --import tsx bench/profile-worker.ts <file.csv>
 * Prints one JSON line: { ingestMs, dataFrameMs, profileMs, rows, maxRssMiB }.
 */
import { readCsvTable, tableToDataFrame } from '../connectors/csv/csv.ts';
import { profileTable } from '../core/data/profile.ts';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-worker.ts <file.csv>');
const t0 = performance.now();
const table = await readCsvTable(file);
const t1 = performance.now();
const df = tableToDataFrame(table);
const t2 = performance.now();
const profile = profileTable(table);
const t3 = performance.now();
process.stdout.write(`${JSON.stringify({ ingestMs: t1 - t0, dataFrameMs: t2 - t1, profileMs: t3 - t2, rows: df.shape[0], columns: profile.columns.length, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
