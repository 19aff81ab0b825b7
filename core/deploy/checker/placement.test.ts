import { describe, expect, it } from 'vitest';
import { planPlacement, type PlacementBin } from './placement.ts';

const INF = Number.POSITIVE_INFINITY;

describe('planPlacement (first-fit decreasing)', () => {
  it('packs the hand-worked case that first-fit in descriptor order cannot', () => {
    // Two nodes of 1000 MiB (4 cores each). "small": 4 replicas x 200 MiB; "large": 2 replicas x 600 MiB;
    // 0.5 core each. Total 2000 MiB = exactly the fleet.
    // First fit in descriptor order: 4 small on a (800), large#0 on b (600), large#1 fits nowhere.
    // FFD sizes (max of cpu/4, mem/1000): small max(0.125, 0.2) = 0.2, large max(0.125, 0.6) = 0.6, so
    // large#0 -> a (400 left), large#1 -> b (400 left), small#0 -> a (200), small#1 -> a (0), small#2 -> b (200), small#3 -> b (0).
    const bins: PlacementBin[] = [
      { node: 'a', cores: 4, memoryMiB: 1000, diskMiB: INF },
      { node: 'b', cores: 4, memoryMiB: 1000, diskMiB: INF },
    ];
    const { plan, unplaced, remaining } = planPlacement(
      [
        { component: 'small', replicas: 4, cpu: 0.5, memoryMiB: 200, diskMiB: 0, candidates: ['a', 'b'] },
        { component: 'large', replicas: 2, cpu: 0.5, memoryMiB: 600, diskMiB: 0, candidates: ['a', 'b'] },
      ],
      bins,
    );
    expect(unplaced).toEqual([]);
    expect(plan.replicas).toEqual([
      { component: 'large', node: 'a', index: 0 },
      { component: 'large', node: 'b', index: 1 },
      { component: 'small', node: 'a', index: 0 },
      { component: 'small', node: 'a', index: 1 },
      { component: 'small', node: 'b', index: 2 },
      { component: 'small', node: 'b', index: 3 },
    ]);
    // Each node: 3 replicas x 0.5 core = 1.5 used of 4; memory 600 + 200 + 200 = 1000 used.
    expect(remaining.map((b) => [b.node, b.cores, b.memoryMiB])).toEqual([['a', 2.5, 0], ['b', 2.5, 0]]);
  });

  it('respects candidates, charges disk once per component per node, keeps ports exclusive, and reports what does not fit', () => {
    const bins: PlacementBin[] = [
      { node: 'edge', cores: 2, memoryMiB: 4000, diskMiB: 10 },
      { node: 'cloud', cores: 8, memoryMiB: 8000, diskMiB: 100 },
    ];
    const { plan, unplaced } = planPlacement(
      [
        { component: 'x', replicas: 2, cpu: 0.5, memoryMiB: 100, diskMiB: 10, port: 8080, candidates: ['edge'] },
        { component: 'y', replicas: 1, cpu: 0.5, memoryMiB: 100, diskMiB: 0, port: 8080, candidates: ['edge', 'cloud'] },
        { component: 'w', replicas: 2, cpu: 0.5, memoryMiB: 7000, diskMiB: 1, candidates: ['edge', 'cloud'] },
      ],
      bins,
    );
    // Sizes (max of cpu/8, mem/8000): w = 0.875; x = y = max(0.0625, 0.0125) = 0.0625 (tie: x first, descriptor order).
    // w#0: edge lacks memory (4000 < 7000) -> cloud (1000 MiB left). w#1: nowhere (edge 4000, cloud 1000 < 7000).
    // x#0 -> edge (disk 10 of 10 charged), x#1 -> edge (same component: disk not charged again).
    // y: edge has cores 1, 3800 MiB and needs no disk, but port 8080 belongs to x there -> cloud.
    expect(plan.replicas).toEqual([
      { component: 'w', node: 'cloud', index: 0 },
      { component: 'x', node: 'edge', index: 0 },
      { component: 'x', node: 'edge', index: 1 },
      { component: 'y', node: 'cloud', index: 0 },
    ]);
    expect(unplaced).toEqual([{ component: 'w', node: '', index: 1 }]);
  });
});
