import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './split.ts';

// 50 'a', 30 'b', 3 'c', 1 'd', interleaved.
const labels = [
  ...Array.from({ length: 50 }, () => 'a'),
  ...Array.from({ length: 30 }, () => 'b'),
  'c', 'c', 'c', 'd',
].map((l, i, all) => all[(i * 37) % all.length] ?? l); // 37 is coprime with 84: a permutation

describe('stratifiedSplit', () => {
  it('sends round(n_c * testFraction) of each class to test, keeping one in train', () => {
    const { train, test } = stratifiedSplit(labels, { testFraction: 0.2, seed: 7 });
    const count = (idx: number[], c: string): number => idx.filter((i) => labels[i] === c).length;
    // a: round(50 * 0.2) = 10; b: round(6) = 6; c: round(0.6) = 1; d: round(0.2) = 0 (and at most n_c - 1 = 0).
    expect([count(test, 'a'), count(test, 'b'), count(test, 'c'), count(test, 'd')]).toEqual([10, 6, 1, 0]);
    expect([count(train, 'a'), count(train, 'b'), count(train, 'c'), count(train, 'd')]).toEqual([40, 24, 2, 1]);
  });

  it('keeps at least one training row per class even for a large fraction', () => {
    const { train, test } = stratifiedSplit(['x', 'x', 'y'], { testFraction: 0.9, seed: 1 });
    // x: round(1.8) = 2 capped at 1; y: round(0.9) = 1 capped at 0.
    expect(test.map((i) => ['x', 'x', 'y'][i])).toEqual(['x']);
    expect(train).toHaveLength(2);
  });

  it('is disjoint, complete and sorted', () => {
    const { train, test } = stratifiedSplit(labels, { testFraction: 0.3, seed: 3 });
    const all = [...train, ...test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    expect(train.filter((i) => test.includes(i))).toEqual([]);
    expect(train).toEqual([...train].sort((a, b) => a - b));
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = stratifiedSplit(labels, { testFraction: 0.2, seed: 42 });
    expect(stratifiedSplit(labels, { testFraction: 0.2, seed: 42 })).toEqual(a);
    expect(stratifiedSplit(labels, { testFraction: 0.2, seed: 43 }).test).not.toEqual(a.test);
  });

  it('rejects a fraction outside [0, 1)', () => {
    expect(() => stratifiedSplit(labels, { testFraction: 1, seed: 1 })).toThrow(/testFraction/);
    expect(() => stratifiedSplit(labels, { testFraction: -0.1, seed: 1 })).toThrow(/testFraction/);
  });
});
