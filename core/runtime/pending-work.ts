/**
 * Work a kernel must let finish before its process exits: a tracked training or search records its
 * run's end (`finished`, `failed`, `cancelled`) when it settles. After an interrupt the cell is
 * abandoned at once while the training stops at its next epoch (or its worker is terminated) and
 * then records `cancelled`; `stratum run` shuts the kernel down right after the interrupted cell,
 * so the kernel process waits for this work first (bounded), or the run would stay `running`.
 */
const pending = new Set<Promise<void>>();

/**
 * Registers `work` until it settles and returns it unchanged.
 *
 * @param work - a tracked training/search promise
 */
export function keepUntilSettled<T>(work: Promise<T>): Promise<T> {
  const settled = work.then(() => undefined, () => undefined);
  pending.add(settled);
  void settled.finally(() => pending.delete(settled));
  return work;
}

/**
 * Resolves once every registered work has settled, or after `timeoutMs` (whichever is first).
 *
 * @param timeoutMs - longest wait, ms
 * @returns how many were still pending when the wait ended (0 = all settled)
 */
export async function settlePendingWork(timeoutMs: number): Promise<number> {
  if (pending.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
  return pending.size;
}
