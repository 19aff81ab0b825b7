/**
 * One CSV ingest measurement in its own process (so peak RSS is this reader's alone).
 * Usage: node --import tsx bench/ingest-worker.ts <stratum|danfo|papaparse> <file>
 * Prints one JSON line: { impl, ms, rows, maxRssMiB }.
 */
import { readFileSync } from 'node:fs';

const [impl, file] = process.argv.slice(2);
if (!impl || !file) throw new Error('usage: ingest-worker.ts <stratum|danfo|papaparse> <file>');

const started = performance.now();
let rows = 0;
if (impl === 'stratum') {
  const { readCsvTable, tableToDataFrame } = await import('../connectors/csv/csv.ts');
  const table = await readCsvTable(file);
  const df = tableToDataFrame(table);
  rows = df.shape[0];
} else if (impl === 'danfo') {
  const dfd = await import('danfojs-node');
  const df = await dfd.readCSV(file);
  rows = df.shape[0];
} else if (impl === 'papaparse') {
  const Papa = (await import('papaparse')).default;
  const result = Papa.parse<Record<string, unknown>>(readFileSync(file, 'utf8'), { header: true, dynamicTyping: true, skipEmptyLines: true });
  rows = result.data.length;
} else {
  throw new Error(`unknown impl ${impl}`);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ impl, ms, rows, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
