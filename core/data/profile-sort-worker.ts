/**
 * The order-based statistics of a numeric column (exact distinct count, quartiles, histogram counts,
 * sum of squared deviations; by a radix sort, or by counting small-range integers) and a worker thread that computes them for {@link profileTable}
 * (core/data/profile.ts) while the main thread copies and gathers the next columns, profiles text
 * columns and computes correlations. `profileTable` stays synchronous: columns go to the worker
 * through `SharedArrayBuffer` slots and come back through `Atomics` (the main thread waits only
 * when it needs a result or a free slot, and when it would wait for a column nobody has started it
 * sorts that column itself), so the results are the same bits as in one thread: both run the same
 * functions on the same values.
 *
 * The worker runs the functions below from their own source (`Function.prototype.toString`, a
 * `new Worker(source, { eval: true })`): no TypeScript loader in the thread, started in 50-170 ms
 * (measured at load 4-7, on the other core). These functions therefore use nothing but their
 * parameters, each other, {@link RESULT_HEAD} (which the source defines) and globals (no imports,
 * no other module constants, no named inner functions: a TypeScript transform may wrap those in
 * helpers that do not exist in the worker; the tests run the worker through the same transform). If the worker cannot start, fails or stops answering, the
 * columns are sorted in the main thread and the worker is not used again in the process.
 *
 * @see profileTable in core/data/profile.ts
 */
import { Worker } from 'node:worker_threads';

/** Slots of a sort session: the main thread fills one while the worker sorts another. */
const SLOTS = 3;

/** Values kept per slot between profiles (16 MiB; the worker keeps as many sort words): larger slots are dropped after the profile. */
const KEPT_SLOT_VALUES = 1 << 21;

/** Length of the head of {@link sortedColumnStats}'s results before the histogram counts: distinct, sum of squares, q25, q50, q75. */
export const RESULT_HEAD = 5;

// Control words (Int32Array over a SharedArrayBuffer shared with the worker for its lifetime).
/** Incremented at each post: the worker waits on it. */
const WAKE = 0;
/** Set to the session number when the main thread ends a session. */
const END = 1;
/** 1 once the worker has started (primed its loops). */
const READY = 2;
/** Post counter, for first-posted-first-sorted. */
const SEQ = 3;
/** Per slot: state, then post sequence number. */
const STATE = 4;
const ORDER = STATE + SLOTS;
const CONTROL_WORDS = ORDER + SLOTS;

// Slot states.
const FREE = 0;
const POSTED = 1;
const WORKING = 2;
const DONE = 3;
const FAILED = 4;

/**
 * Sorts the `n` values (no NaN) in place with {@link radixSort} and writes their sort-based
 * statistics to `out`: `out[0]` the distinct count (-0 and 0 one value), `out[1]` the sum of
 * squared deviations from `mean` over the sorted values, `out[2..4]` the quartiles (linear
 * interpolation between order statistics, numpy's default, R type 7), `out[5..]` ({@link RESULT_HEAD}) the counts of the
 * `bins` equal-width histogram bins of {@link binEdges}(min, max, bins) (a binary search per edge
 * in the sorted values). `words` holds `2 n` 32-bit words, `counters` 4 x 65536 (any content).
 */
export function sortedColumnStats(values: Float64Array, mean: number, min: number, max: number, bins: number, words: Uint32Array, counters: Int32Array, out: Float64Array): void {
  const n = values.length;
  counters.fill(0, 0, 4 * 65536);
  out[0] = radixSort(values, words, counters);
  const edges = binEdges(min, max, bins);
  const last = edges.length - 2;
  // Bin b holds the values from the first one >= edges[b].
  let start = 0;
  for (let b = 0; b <= last; b++) {
    const end = b === last ? n : lowerBound(values, edges[b + 1]!);
    out[RESULT_HEAD + b] = end - start;
    start = end;
  }
  out[2] = sortedQuantile(values, 0.25);
  out[3] = sortedQuantile(values, 0.5);
  out[4] = sortedQuantile(values, 0.75);
  out[1] = sumOfSquares(values, mean);
}

/**
 * {@link sortedColumnStats} for integers in [min, max] of small range, by counting each value
 * instead of sorting (O(n + range)): the same results (the sum of squares over the values in
 * their given order), `values` unchanged; `counters` holds at least `max - min + 1` (any content).
 */
export function countedColumnStats(values: Float64Array, mean: number, min: number, max: number, bins: number, counters: Int32Array, out: Float64Array): void {
  const n = values.length;
  const range = max - min + 1;
  counters.fill(0, 0, range);
  countValues(values, min, counters);
  const edges = binEdges(min, max, bins);
  const last = edges.length - 2;
  for (let b = 0; b <= last; b++) out[RESULT_HEAD + b] = 0;
  // Ranks (0-based) of the order statistics each quartile reads (two each), ascending in `sorted`.
  const ranks = new Float64Array(6);
  for (let q = 0; q < 3; q++) {
    const h = (n - 1) * (q === 0 ? 0.25 : q === 1 ? 0.5 : 0.75);
    ranks[2 * q] = Math.floor(h);
    ranks[2 * q + 1] = Math.min(Math.floor(h) + 1, n - 1);
  }
  const sorted = ranks.slice().sort();
  const at = new Float64Array(6); // the value of rank sorted[i]
  let distinct = 0;
  let seen = 0;
  let w = 0;
  let bin = 0; // values ascend, so their bins do too: bin b holds values >= edges[b]
  for (let k = 0; k < range; k++) {
    const c = counters[k]!;
    if (c === 0) continue;
    distinct++;
    seen += c;
    const v = min + k;
    while (bin < last && v >= edges[bin + 1]!) bin++;
    out[RESULT_HEAD + bin] += c;
    while (w < 6 && sorted[w]! < seen) at[w++] = v;
  }
  out[0] = distinct;
  for (let q = 0; q < 3; q++) {
    const h = (n - 1) * (q === 0 ? 0.25 : q === 1 ? 0.5 : 0.75);
    const a = at[sorted.indexOf(ranks[2 * q]!)]!;
    const b = at[sorted.indexOf(ranks[2 * q + 1]!)]!;
    out[2 + q] = a + (h - ranks[2 * q]!) * (b - a);
  }
  out[1] = sumOfSquares(values, mean);
}

/** Adds one to `counts[v - min]` for each value. */
function countValues(values: Float64Array, min: number, counts: Int32Array): void {
  for (let i = 0; i < values.length; i++) counts[values[i]! - min]!++;
}

/** The `p` quantile of ascending values by linear interpolation between order statistics (numpy's default, R type 7). */
export function sortedQuantile(values: Float64Array, p: number): number {
  const n = values.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = values[lo]!;
  const b = values[Math.min(lo + 1, n - 1)]!;
  return a + (h - lo) * (b - a);
}

/** Sum of squared deviations from `mean`. */
export function sumOfSquares(values: Float64Array, mean: number): number {
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return ss;
}

/**
 * Edges of `bins` equal-width bins over [min, max] (numpy `histogram(bins=n)`: the last bin
 * includes max; when min = max the range is [min - 0.5, max + 0.5]). Bin b holds the values
 * from edges[b] (included) to edges[b + 1] (excluded, but for the last bin).
 */
export function binEdges(min: number, max: number, bins: number): number[] {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
}

/** Index of the first sorted value >= `x` (`values.length` if none). */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorts doubles (no NaN) ascending in place, -0 before 0, and returns the number of distinct values
 * (-0 and 0 are one value, as pandas `nunique`): a least-significant-digit radix sort on their 64
 * bits, 16 bits a pass, after the usual order-preserving map of IEEE 754 bits to unsigned integers
 * (negative: all bits flipped; positive: sign bit flipped). Passes where every value has the same
 * digit are skipped. ~3x faster than `Float64Array.prototype.sort` on 1M values here. (The map to
 * keys is fused with the digit counts, the distinct count with the map back: two passes fewer.)
 * `words`: `2 n` words of scratch; `counters`: 4 x 65536 zeros.
 */
function radixSort(values: Float64Array, words: Uint32Array, counters: Int32Array): number {
  const n = values.length;
  let from = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let to = words.subarray(0, 2 * n);
  const counts = keyDigitCounts(from, counters);
  for (let pass = 0; pass < 4; pass++) {
    if (!startsOfBuckets(counts, pass * 65536, n)) continue; // one bucket: nothing to move
    scatter(from, to, counts, pass);
    [from, to] = [to, from];
  }
  return fromKeysDistinct(from, new Uint32Array(values.buffer, values.byteOffset, 2 * n));
}

/**
 * Maps doubles (as 32-bit word pairs, low word first) to unsigned keys in the same order, in place,
 * and counts each 16-bit digit of the keys: digit `d` of pass `p` at `p * 65536 + d`.
 */
function keyDigitCounts(words: Uint32Array, counts: Int32Array): Int32Array {
  for (let i = 0; i < words.length; i += 2) {
    let lo = words[i]!;
    let hi = words[i + 1]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    words[i] = lo;
    words[i + 1] = hi;
    counts[lo & 0xffff]!++;
    counts[65536 + (lo >>> 16)]!++;
    counts[131072 + (hi & 0xffff)]!++;
    counts[196608 + (hi >>> 16)]!++;
  }
  return counts;
}

/**
 * The inverse of {@link keyDigitCounts}'s map, from sorted `keys` into `out` (which may be the same
 * memory); returns the number of distinct keys, the keys of -0 (0x7fffffff, 0xffffffff: just below
 * the key of 0, 0x80000000, 0) and 0 counting as one.
 */
function fromKeysDistinct(keys: Uint32Array, out: Uint32Array): number {
  if (keys.length === 0) return 0;
  let distinct = 1;
  let lastHi = keys[1]!;
  let lastLo = keys[0]!;
  for (let i = 1; i < keys.length; i += 2) {
    const hi = keys[i]!;
    const lo = keys[i - 1]!;
    if (hi !== lastHi || lo !== lastLo) {
      // -0 then 0 (adjacent when sorted): one value.
      if (!(lastHi === 0x7fffffff && lastLo === 0xffffffff && hi === 0x80000000 && lo === 0)) distinct++;
      lastHi = hi;
      lastLo = lo;
    }
    if (hi & 0x80000000) {
      out[i] = hi & 0x7fffffff;
      out[i - 1] = lo;
    } else {
      out[i] = ~hi;
      out[i - 1] = ~lo;
    }
  }
  return distinct;
}

/** Turns one pass's counts into bucket starts; false when all `n` keys share one digit. */
function startsOfBuckets(counts: Int32Array, offset: number, n: number): boolean {
  let start = 0;
  let spread = true;
  for (let b = 0; b < 65536; b++) {
    const c = counts[offset + b]!;
    if (c === n) spread = false;
    counts[offset + b] = start;
    start += c;
  }
  return spread;
}

/** Moves each key to its bucket of pass `pass` (keys move as two 32-bit words: a key's bits may spell a signalling NaN, which a float copy may change). */
function scatter(from: Uint32Array, to: Uint32Array, counts: Int32Array, pass: number): void {
  const offset = pass * 65536;
  const word = pass >> 1;
  const shift = (pass & 1) * 16;
  const n = from.length >> 1;
  for (let i = 0; i < n; i++) {
    const at = 2 * counts[offset + ((from[2 * i + word]! >>> shift) & 0xffff)]!++;
    to[at] = from[2 * i]!;
    to[at + 1] = from[2 * i + 1]!;
  }
}

/**
 * Runs {@link sortedColumnStats} on a few hundred values of each sign and magnitude (and
 * {@link countedColumnStats} on small integers), so that their
 * loops are compiled with full type feedback before the real columns (see `primeLoops` in
 * core/data/profile.ts); `words` and `counters` as there.
 */
export function primeSortedStats(words: Uint32Array, counters: Int32Array): void {
  const size = 384;
  const out = new Float64Array(RESULT_HEAD + 10);
  for (let round = 0; round < 2; round++) {
    for (let kind = 0; kind < 3; kind++) {
      const values = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        values[i] = kind === 0 ? [0.5, -1.5, 2 ** 40 + 0.25, -(2 ** 33), -0, 0, 1e300, 3][i % 8]! * (1 + i / size) : kind === 1 ? (i % 2 === 0 ? 2 ** 31 - 1 - i : -(2 ** 31) + i) : (i % 13) - 6;
      }
      sortedColumnStats(values, 0, -(2 ** 31), 1e300, 10, words, counters, out);
    }
    const ints = new Float64Array(size);
    for (let i = 0; i < size; i++) ints[i] = (i % 13) - 6;
    countedColumnStats(ints, 0.5, -6, 6, 10, counters, out);
  }
}

/**
 * The worker thread's program (run from its source, see the module comment): primes its loops,
 * says it is ready, then runs one sort session per message from the main thread.
 */
function sortWorkerMain(control: Int32Array, parentPort: { on(event: 'message', listener: (session: SortSessionMessage) => void): void }): void {
  const scratch: ColumnStatsScratch = { words: new Uint32Array(2 * 384), counters: new Int32Array(4 * 65536) };
  primeSortedStats(scratch.words, scratch.counters);
  Atomics.store(control, 2, 1); // READY
  Atomics.notify(control, 2);
  parentPort.on('message', (session: SortSessionMessage) => runSortSession(control, session, scratch));
}

/**
 * One session of the worker: sorts posted slots (first posted first) until the main thread ends
 * the session (or posts nothing for a minute); returns its scratch words for the next session.
 */
function runSortSession(control: Int32Array, session: SortSessionMessage, scratch: ColumnStatsScratch): void {
  const slots = session.slots.length;
  const state = 4;
  const order = 4 + slots;
  for (;;) {
    const wake = Atomics.load(control, 0);
    if (Atomics.load(control, 1) >= session.id) break; // END
    let pick = -1;
    for (let s = 0; s < slots; s++) {
      if (Atomics.load(control, state + s) === 1 && (pick < 0 || Atomics.load(control, order + s) < Atomics.load(control, order + pick))) pick = s;
    }
    if (pick < 0) {
      if (Atomics.wait(control, 0, wake, 60_000) === 'timed-out') break;
      continue;
    }
    if (Atomics.compareExchange(control, state + pick, 1, 2) !== 1) continue; // POSTED -> WORKING, unless the main thread took it
    if (Atomics.load(control, 1) >= session.id) {
      // The session ended meanwhile: the slot is a later session's (maybe other buffers): give it back.
      Atomics.store(control, state + pick, 1);
      Atomics.notify(control, state + pick);
      break;
    }
    let result = 3; // DONE
    try {
      const out = new Float64Array(session.results[pick]!);
      if (session.fault === 'exit') process.exit(1);
      if (session.fault === 'throw') throw new Error('sort worker: failure requested (test)');
      columnStats(new Float64Array(session.slots[pick]!, 0, out[0]!), out, scratch);
    } catch {
      result = 4; // FAILED
    }
    Atomics.store(control, state + pick, result);
    Atomics.notify(control, state + pick);
  }
  if (scratch.words.length > 2 * session.keptValues) scratch.words = new Uint32Array(0);
  if (scratch.counters.length > 1 << 24) scratch.counters = new Int32Array(4 * 65536);
}

/** Scratch of {@link columnStats}, grown as needed. */
interface ColumnStatsScratch {
  words: Uint32Array;
  counters: Int32Array;
}

/**
 * Runs {@link sortedColumnStats}, or {@link countedColumnStats} when `params[5]` is 1, on `values`
 * with the parameters `params[1..4]` (mean, min, max, bins), writing the results over `params`.
 */
function columnStats(values: Float64Array, params: Float64Array, scratch: ColumnStatsScratch): void {
  const n = values.length;
  const mean = params[1]!;
  const min = params[2]!;
  const max = params[3]!;
  const bins = params[4]!;
  if (params[5] === 1) {
    if (scratch.counters.length < max - min + 1) scratch.counters = new Int32Array(max - min + 1);
    countedColumnStats(values, mean, min, max, bins, scratch.counters, params);
  } else {
    if (scratch.words.length < 2 * n) scratch.words = new Uint32Array(2 * n);
    if (scratch.counters.length < 4 * 65536) scratch.counters = new Int32Array(4 * 65536);
    sortedColumnStats(values, mean, min, max, bins, scratch.words, scratch.counters, params);
  }
}

/** What the main thread posts to the worker at the start of a session. */
interface SortSessionMessage {
  /** Session number (the main thread stores it at `control[END]` to end the session). */
  id: number;
  /** Per slot, the values (doubles). */
  slots: SharedArrayBuffer[];
  /** Per slot, the job parameters (n, mean, min, max, bins) then the results (see {@link sortedColumnStats}). */
  results: SharedArrayBuffer[];
  /** Scratch kept by the worker after the session, in values. */
  keptValues: number;
  /** Test hook: every job fails (`throw`) or the worker exits on its first job (`exit`). */
  fault?: 'throw' | 'exit';
}

/** Options of {@link SortWorker}. */
export interface SortWorkerOptions {
  /**
   * When the main thread would wait for a column the worker has not started, it sorts it itself
   * (default true: it never waits idle). false makes it wait up to {@link SortWorkerOptions.stealAfterMs}
   * first (tests, to make the worker do the work).
   */
  steal?: boolean;
  /** With `steal: false`, how long to wait for the worker to start a posted column (ms; default 5000); after one such timeout the session steals without waiting. */
  stealAfterMs?: number;
  /**
   * How long the main thread waits for a column the worker is sorting before it gives the worker
   * up and sorts the column itself (ms; default 10 s plus 10 ms per 1,000 values: ~50 ms per 1M
   * values idle, far more under load).
   */
  jobTimeoutMs?: (n: number) => number;
  /** Test hook: the worker cannot start (`start`: its program throws), fails every job (`throw`) or exits on its first job (`exit`). */
  fault?: 'start' | 'throw' | 'exit';
}

/** How the sort of one column ended when the main thread asked for it. */
export type SortOutcome =
  /** Sorted (by the worker or by the main thread): statistics in {@link SortSession.resultsOf}. */
  | 'sorted'
  /** The worker failed or stopped answering: the slot's values are lost, sort the column again in-thread. */
  | 'lost';

/**
 * A worker thread that sorts numeric columns for `profileTable` (see the module comment): started
 * once, reused by every profile; `dispose()` stops it. Owned by the process
 * ({@link sharedSortWorker}) or by a test.
 */
export class SortWorker {
  /** Columns the worker sorted, and the main thread sorted of those posted to it (for tests and benches). */
  readonly counts = { worker: 0, main: 0, lost: 0 };
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly options: SortWorkerOptions;
  private worker: Worker | undefined;
  private broken = false;
  private sessions = 0;
  private slots: SharedArrayBuffer[] = [];
  private results: SharedArrayBuffer[] = [];

  constructor(options: SortWorkerOptions = {}) {
    this.options = options;
    try {
      const source = options.fault === 'start' ? 'throw new Error("sort worker: failure requested (test)");' : sortWorkerSource();
      this.worker = new Worker(source, { eval: true, workerData: this.control.buffer, stdout: false, stderr: false });
      this.worker.unref();
      this.worker.on('error', () => (this.broken = true));
      this.worker.on('exit', () => (this.broken = true));
    } catch {
      this.broken = true;
    }
  }

  /** True once the worker failed or stopped: profiles then sort in their own thread. */
  get failed(): boolean {
    return this.broken;
  }

  /** Waits (blocking, at most `timeoutMs`) until the worker has started; true if it has. */
  waitReady(timeoutMs: number): boolean {
    Atomics.wait(this.control, READY, 0, timeoutMs);
    return Atomics.load(this.control, READY) === 1;
  }

  /**
   * Starts a session for columns of up to `rows` values and `bins` histogram bins, or returns
   * undefined when the worker has failed. End it with {@link SortSession.end}.
   */
  begin(rows: number, bins: number): SortSession | undefined {
    if (this.broken || this.worker === undefined) return undefined;
    const size = RESULT_HEAD + Math.max(1, Math.floor(bins));
    if (this.slots.length === 0 || this.slots[0]!.byteLength < rows * 8) this.slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(Math.max(1, rows) * 8));
    if (this.results.length === 0 || this.results[0]!.byteLength < size * 8) this.results = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(size * 8));
    for (let s = 0; s < SLOTS; s++) Atomics.store(this.control, STATE + s, FREE);
    const id = ++this.sessions;
    const message: SortSessionMessage = { id, slots: this.slots, results: this.results, keptValues: KEPT_SLOT_VALUES, ...(this.options.fault === 'throw' || this.options.fault === 'exit' ? { fault: this.options.fault } : {}) };
    try {
      this.worker.postMessage(message);
    } catch {
      this.broken = true;
      return undefined;
    }
    return new SortSession(this, id, this.control, this.slots, this.results, this.options);
  }

  /** @internal Called by a session when it ends: drops large slots, or all of them if the worker was given up. */
  ended(lost: boolean): void {
    if (lost) {
      // The worker may still write to its slots: never reuse them; and use the worker no more.
      this.broken = true;
      this.slots = [];
      this.results = [];
      void this.worker?.terminate();
    } else if (this.slots.length > 0 && this.slots[0]!.byteLength > KEPT_SLOT_VALUES * 8) this.slots = [];
  }

  /** Stops the worker (safe to call twice). */
  dispose(): void {
    this.broken = true;
    this.slots = [];
    this.results = [];
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

/**
 * One profile's use of a {@link SortWorker}: {@link SortSession.acquire} a free slot, fill
 * {@link SortSession.values}, {@link SortSession.post} it, later {@link SortSession.collect} it.
 */
export class SortSession {
  private readonly order = new Int32Array(SLOTS);
  /** Values posted per slot (the worker overwrites the parameters with results). */
  private readonly sizes = new Float64Array(SLOTS);
  private readonly inUse = new Array<boolean>(SLOTS).fill(false);
  private lost = false;
  /** With `steal: false`: a wait for the worker timed out, so the session waits no more. */
  private stoleAfterWait = false;

  constructor(
    private readonly owner: SortWorker,
    private readonly id: number,
    private readonly control: Int32Array,
    private readonly slots: SharedArrayBuffer[],
    private readonly results: SharedArrayBuffer[],
    private readonly options: SortWorkerOptions,
  ) {}

  /** A free slot, or undefined when every slot holds a column not collected yet. */
  acquire(): number | undefined {
    if (this.lost) return undefined;
    const s = this.inUse.indexOf(false);
    if (s < 0) return undefined;
    this.inUse[s] = true;
    return s;
  }

  /** True once the worker failed or stopped answering in this session: nothing more can be posted. */
  get failed(): boolean {
    return this.lost;
  }

  /** Frees slot `s` without posting it. */
  release(s: number): void {
    this.inUse[s] = false;
  }

  /** Rank of the post of the column in slot `s` (earlier posts are smaller). */
  postOrder(s: number): number {
    return this.order[s]!;
  }

  /** True when the worker has finished the column in slot `s` (collecting it will not wait). */
  done(s: number): boolean {
    const state = Atomics.load(this.control, STATE + s);
    return state === DONE || state === FAILED;
  }

  /** True when the column in slot `s` is posted and nobody has started sorting it. */
  waiting(s: number): boolean {
    return Atomics.load(this.control, STATE + s) === POSTED;
  }

  /** The `n` values of slot `s` (a view of its shared memory). */
  values(s: number, n: number): Float64Array {
    return new Float64Array(this.slots[s]!, 0, n);
  }

  /** The results of slot `s` (see {@link sortedColumnStats}), valid after {@link SortSession.collect} says `sorted`. */
  resultsOf(s: number): Float64Array {
    return new Float64Array(this.results[s]!);
  }

  /** Hands the `n` values of slot `s` to the worker with the parameters of {@link sortedColumnStats} (`counted`: {@link countedColumnStats} instead). */
  post(s: number, job: { n: number; mean: number; min: number; max: number; bins: number; counted: boolean }): void {
    const params = new Float64Array(this.results[s]!);
    params[5] = job.counted ? 1 : 0;
    params[0] = job.n;
    params[1] = job.mean;
    params[2] = job.min;
    params[3] = job.max;
    params[4] = job.bins;
    this.sizes[s] = job.n;
    const seq = Atomics.add(this.control, SEQ, 1);
    this.order[s] = seq;
    Atomics.store(this.control, ORDER + s, seq);
    Atomics.store(this.control, STATE + s, POSTED);
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
  }

  /**
   * Waits for the column in slot `s` (or sorts it in this thread when the worker has not started
   * it, with `words`/`counters` as {@link sortedColumnStats}'s) and frees the slot; `lost` when the
   * worker failed or stopped answering: then sort the column again in this thread (the session
   * posts nothing more).
   */
  collect(s: number, words: Uint32Array, counters: Int32Array): SortOutcome {
    // (`counters` is grown here for a counted column of a larger range.)
    const index = STATE + s;
    const params = new Float64Array(this.results[s]!);
    const n = this.sizes[s]!;
    if (this.options.steal === false && !this.lost && !this.stoleAfterWait && Atomics.load(this.control, index) === POSTED) {
      this.stoleAfterWait = Atomics.wait(this.control, index, POSTED, this.options.stealAfterMs ?? 5000) === 'timed-out';
    }
    const limit = (this.options.jobTimeoutMs ?? defaultJobTimeout)(n);
    const start = performance.now();
    let outcome: SortOutcome | undefined;
    while (outcome === undefined) {
      const state = Atomics.load(this.control, index);
      if (state === POSTED) {
        if (Atomics.compareExchange(this.control, index, POSTED, FREE) !== POSTED) continue; // the worker took it just now
        columnStats(new Float64Array(this.slots[s]!, 0, n), params, { words, counters });
        this.owner.counts.main++;
        outcome = 'sorted';
      } else if (state === DONE) {
        Atomics.store(this.control, index, FREE);
        this.owner.counts.worker++;
        outcome = 'sorted';
      } else if (state === WORKING && !this.lost && performance.now() - start < limit) {
        Atomics.wait(this.control, index, WORKING, Math.max(1, limit - (performance.now() - start)));
      } else {
        // FAILED, or sorting for too long: its values are gone; the worker is given up (see end()).
        this.lost = true;
        this.owner.counts.lost++;
        outcome = 'lost';
      }
    }
    this.inUse[s] = false;
    return outcome;
  }

  /**
   * Ends the session (safe to call twice). Columns still posted (a profile that threw) are taken
   * back; one the worker is sorting is waited for (as {@link SortSession.collect}), so that no
   * later session reuses a slot the worker still writes to.
   */
  end(): void {
    for (let s = 0; s < SLOTS; s++) {
      const index = STATE + s;
      Atomics.compareExchange(this.control, index, POSTED, FREE);
      if (Atomics.load(this.control, index) !== WORKING || this.lost) continue;
      if (Atomics.wait(this.control, index, WORKING, (this.options.jobTimeoutMs ?? defaultJobTimeout)(this.sizes[s]!)) === 'timed-out') this.lost = true;
    }
    Atomics.store(this.control, END, this.id);
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
    this.owner.ended(this.lost);
  }
}

function defaultJobTimeout(n: number): number {
  return 10_000 + n / 100;
}

/** The worker's program: the functions above from their source, then {@link sortWorkerMain}. */
function sortWorkerSource(): string {
  const functions = [sortedColumnStats, countedColumnStats, countValues, columnStats, sortedQuantile, sumOfSquares, binEdges, lowerBound, radixSort, keyDigitCounts, fromKeysDistinct, startsOfBuckets, scatter, primeSortedStats, runSortSession];
  return [
    '"use strict";',
    `const RESULT_HEAD = ${RESULT_HEAD};`,
    ...functions.map((f) => f.toString()),
    `const { parentPort, workerData } = require('node:worker_threads');`,
    `(${sortWorkerMain.toString()})(new Int32Array(workerData), parentPort);`,
  ].join('\n');
}

/** The process's sort worker, started on first use (see {@link SortWorker}). */
let shared: SortWorker | undefined;

/** The process's {@link SortWorker}, started on the first call; undefined once it has failed. */
export function sharedSortWorker(): SortWorker | undefined {
  shared ??= new SortWorker();
  return shared.failed ? undefined : shared;
}
