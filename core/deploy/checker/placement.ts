/**
 * Placement: assigning every replica to a node, as first-fit-decreasing (FFD) vector bin packing.
 *
 * Each node is a bin with three capacities (cores, memory MiB, disk MiB); each replica is an item
 * with a demand in each. Items are sorted by decreasing *size* = the largest of their demands
 * normalised by the fleet's largest capacity in that dimension (`max(cpu/maxCores, mem/maxMemory)`,
 * the "FFDMax" size of Panigrahy, Talwar, Uyeda & Wieder, *Heuristics for Vector Bin Packing*,
 * Microsoft Research 2011), ties kept in descriptor order; then each goes to the FIRST node, in
 * descriptor order, among the nodes its component may use (layer, selector, explicit node and fit
 * already filtered) that still has room. For one dimension FFD uses at most 11/9·OPT + 6/9 bins
 * (Johnson 1973; Dósa 2007); for vectors it is a heuristic, not a guarantee: a packing it misses
 * may exist. Disk is charged once per component per node (replicas on one node share the bundle);
 * two different components with the same port never share a node. No anti-affinity: replicas of
 * one component may land on one node (spread them with several `placement.node` components if needed).
 */
import type { PlacementPlan, PlannedReplica } from '../types.ts';

/** Demand of one component, per replica. */
export interface PlacementItem {
  /** Component name. */
  component: string;
  /** Replicas to place (`replicas.min`). */
  replicas: number;
  /** CPU cores per replica. */
  cpu: number;
  /** Memory per replica, MiB. */
  memoryMiB: number;
  /** Disk per node hosting the component, MiB (charged once per node). */
  diskMiB: number;
  /** Service port; components with the same port never share a node. */
  port?: number;
  /** Names of the nodes allowed for this component. */
  candidates: string[];
}

/** Capacity of one node. Nodes are tried in the order given. */
export interface PlacementBin {
  node: string;
  cores: number;
  memoryMiB: number;
  /** Free disk, MiB; `Infinity` when unknown. */
  diskMiB: number;
}

/** Outcome of {@link planPlacement}. */
export interface PlacementOutcome {
  /** Placed replicas, in placement (decreasing size) order. */
  plan: PlacementPlan;
  /** Replicas that found no node, by component and index. */
  unplaced: PlannedReplica[];
  /** What is left on each node after placement. */
  remaining: PlacementBin[];
}

/** Slack for floating-point sums of fractional cores (0.1 + 0.2 ...). */
const EPSILON = 1e-9;

/**
 * Places every replica of every item by first-fit decreasing (see the module doc).
 *
 * @example
 * ```ts
 * planPlacement(
 *   [{ component: 'svc', replicas: 2, cpu: 1, memoryMiB: 512, diskMiB: 10, candidates: ['a', 'b'] }],
 *   [{ node: 'a', cores: 1, memoryMiB: 1024, diskMiB: Infinity }, { node: 'b', cores: 2, memoryMiB: 2048, diskMiB: Infinity }],
 * ); // svc#0 on a, svc#1 on b
 * ```
 * @param items - component demands (per replica) with their allowed nodes
 * @param bins - node capacities, in preference order
 * @returns the plan, the replicas that did not fit and the remaining capacities
 */
export function planPlacement(items: readonly PlacementItem[], bins: readonly PlacementBin[]): PlacementOutcome {
  const remaining = bins.map((b) => ({ ...b }));
  const maxCores = Math.max(EPSILON, ...bins.map((b) => b.cores));
  const maxMemory = Math.max(EPSILON, ...bins.map((b) => b.memoryMiB));
  const size = (item: PlacementItem): number => Math.max(item.cpu / maxCores, item.memoryMiB / maxMemory);
  const queue = items
    .flatMap((item, order) => Array.from({ length: item.replicas }, (_, index) => ({ item, index, order, size: size(item) })))
    .sort((a, b) => b.size - a.size || a.order - b.order || a.index - b.index);
  const hosted = new Map<string, Set<string>>(bins.map((b) => [b.node, new Set<string>()]));
  const ports = new Map<string, Map<number, string>>(bins.map((b) => [b.node, new Map<number, string>()]));
  const placed: PlannedReplica[] = [];
  const unplaced: PlannedReplica[] = [];
  for (const { item, index } of queue) {
    const allowed = new Set(item.candidates);
    const bin = remaining.find((b) => {
      if (!allowed.has(b.node)) return false;
      const first = !hosted.get(b.node)!.has(item.component);
      const portOwner = item.port === undefined ? undefined : ports.get(b.node)!.get(item.port);
      return (
        item.cpu <= b.cores + EPSILON &&
        item.memoryMiB <= b.memoryMiB + EPSILON &&
        (!first || item.diskMiB <= b.diskMiB + EPSILON) &&
        (portOwner === undefined || portOwner === item.component)
      );
    });
    if (!bin) {
      unplaced.push({ component: item.component, node: '', index });
      continue;
    }
    bin.cores -= item.cpu;
    bin.memoryMiB -= item.memoryMiB;
    if (!hosted.get(bin.node)!.has(item.component)) {
      bin.diskMiB -= item.diskMiB;
      hosted.get(bin.node)!.add(item.component);
      if (item.port !== undefined) ports.get(bin.node)!.set(item.port, item.component);
    }
    placed.push({ component: item.component, node: bin.node, index });
  }
  return { plan: { replicas: placed }, unplaced, remaining };
}
