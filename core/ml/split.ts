/**
 * Seeded, stratified train/test split (the role of scikit-learn
 * `train_test_split(..., stratify=y, random_state=seed)`; the exact rows chosen differ from
 * scikit-learn's, which uses NumPy's generator).
 */
import seedrandom from 'seedrandom';
import { StratumError } from '../errors.ts';

/** Options of {@link stratifiedSplit}. */
export interface SplitOptions {
  /** Fraction of each class sent to the test set, in [0, 1). */
  testFraction: number;
  /** Seed of the pseudo-random generator: the same seed and labels always give the same split. */
  seed: number;
}

/** Row indexes of each side of a split, ascending. */
export interface SplitIndexes {
  train: number[];
  test: number[];
}

/**
 * Returns a deterministic Fisher-Yates shuffle of `0..n-1` driven by `rng`.
 *
 * @param n - number of indexes
 * @param rng - uniform generator on [0, 1)
 */
export function shuffledIndexes(n: number, rng: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Splits row indexes into train and test sets, class by class.
 *
 * For each class `c` with `n_c` rows (classes visited in sorted order), its rows are shuffled
 * with a `seedrandom` generator seeded by `seed` and `min(round(n_c * testFraction), n_c - 1)`
 * of them go to test, so every class keeps at least one training row (a class with a single row
 * is never tested).
 *
 * @param labels - class label of each row
 * @param options - test fraction and seed
 * @returns disjoint train and test indexes (ascending) that together cover `0..labels.length-1`
 * @throws StratumError `TEMPLATE_PARAMS` when `testFraction` is outside [0, 1) or the seed is not a finite number
 * @example
 * ```ts
 * stratifiedSplit(['a', 'a', 'b', 'b'], { testFraction: 0.5, seed: 42 }); // one 'a' and one 'b' in test
 * ```
 */
export function stratifiedSplit(labels: string[], options: SplitOptions): SplitIndexes {
  const { testFraction, seed } = options;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new StratumError('TEMPLATE_PARAMS', `testFraction must be in [0, 1), got ${testFraction}`, { detail: { field: 'testFraction' } });
  }
  if (!Number.isFinite(seed)) {
    throw new StratumError('TEMPLATE_PARAMS', `seed must be a finite number, got ${seed}`, { detail: { field: 'seed' } });
  }
  const byClass = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });
  const rng = seedrandom(`stratum-split:${seed}`);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort()) {
    const rows = byClass.get(label) ?? [];
    const nTest = Math.min(Math.round(rows.length * testFraction), rows.length - 1);
    const order = shuffledIndexes(rows.length, rng);
    order.forEach((k, position) => (position < nTest ? test : train).push(rows[k]));
  }
  const ascending = (a: number, b: number): number => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}
