/**
 * Generates the benchmark CSV: N rows x 10 columns (6 float, 2 integer, 2 categorical), seeded,
 * about 72 bytes a row (1M rows ~ 72 MB, the size quoted in issue #5). Cached by size in the OS temp dir.
 *
 * The quoted variant adds an 11th column, `name`, written the way spreadsheets and pandas `to_csv`
 * export text holding the delimiter: quoted (`"Kalomira, J"`). Its values are many (a 3-syllable
 * surname from 30 syllables and an initial: 702,000 possible, about 530,000 distinct in 1M rows),
 * like names or free text, not categories. The first 10 columns are the plain file's.
 */
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';

/** Options of {@link benchCsv}. */
export interface BenchCsvOptions {
  /** Add the quoted high-cardinality `name` column (see the module comment). Default false. */
  quoted?: boolean;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'ne', 'so', 'ti', 'va', 'de', 'gu', 'ho', 'ja', 'be', 'ri', 'mo', 'sa', 'fe', 'li', 'no', 'pa', 'to', 'ze', 'wu', 'ki', 'ma', 're', 'di', 'chi', 'an', 'el'];

/** Path of a generated CSV with `rows` data rows (created on first use). */
export async function benchCsv(rows: number, options: BenchCsvOptions = {}): Promise<string> {
  const quoted = options.quoted === true;
  const file = path.join(os.tmpdir(), `stratum-bench-${rows}x${quoted ? '11-quoted' : '10'}.csv`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const rng = seedrandom('stratum-bench');
  const names = seedrandom('stratum-bench-names');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(names() * xs.length)]!;
  const out = createWriteStream(tmp);
  const cities = ['seattle', 'portland', 'vancouver', 'boise', 'spokane'];
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`f1,f2,f3,f4,f5,f6,i1,i2,city,grade${quoted ? ',name' : ''}\n`);
  const chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const f = Array.from({ length: 6 }, () => (rng() * 200 - 100).toFixed(4));
    const line = `${f.join(',')},${Math.floor(rng() * 1e6)},${Math.floor(rng() * 100)},${cities[Math.floor(rng() * 5)]},${'ABCD'[Math.floor(rng() * 4)]}`;
    if (quoted) {
      const surname = pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES);
      chunk.push(`${line},"${surname[0]!.toUpperCase()}${surname.slice(1)}, ${String.fromCharCode(65 + Math.floor(names() * 26))}"\n`);
    } else {
      chunk.push(`${line}\n`);
    }
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
