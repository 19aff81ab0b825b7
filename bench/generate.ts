/**
 * Generates the benchmark CSV: N rows x 10 columns (6 float, 2 integer, 2 categorical), seeded,
 * about 72 bytes a row (1M rows ~ 72 MB, the size quoted in issue #5). Cached by size in the OS temp dir.
 */
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';

/** Path of a generated CSV with `rows` data rows (created on first use). */
export async function benchCsv(rows: number): Promise<string> {
  const file = path.join(os.tmpdir(), `stratum-bench-${rows}x10.csv`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const rng = seedrandom('stratum-bench');
  const out = createWriteStream(tmp);
  const cities = ['seattle', 'portland', 'vancouver', 'boise', 'spokane'];
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('f1,f2,f3,f4,f5,f6,i1,i2,city,grade\n');
  const chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const f = Array.from({ length: 6 }, () => (rng() * 200 - 100).toFixed(4));
    chunk.push(`${f.join(',')},${Math.floor(rng() * 1e6)},${Math.floor(rng() * 100)},${cities[Math.floor(rng() * 5)]},${'ABCD'[Math.floor(rng() * 4)]}\n`);
    if (chunk.length === 10_000) {
      await write(chunk.join(''));
      chunk.length = 0;
    }
  }
  await write(chunk.join(''));
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  renameSync(tmp, file);
  return file;
}
