/**
 * Reading live training progress from a cell's stdout: the per-epoch log lines the training
 * helpers print, e.g. `epoch 3/60 loss=0.8123 accuracy=0.654 val_loss=0.79`. The parser is lenient
 * about separators (`=`, `:` or a space) and case; lines without `epoch N` are ignored.
 */

/** One parsed epoch line: epoch number, total when printed, and every `name=value` metric. */
export interface EpochPoint {
  epoch: number;
  total?: number;
  metrics: Record<string, number>;
}

const EPOCH_LINE = /^\s*(?:\[[^\]]*\]\s*)?epoch\s+(\d+)(?:\s*(?:\/|of)\s*(\d+))?(.*)$/i;
const METRIC = /([A-Za-z][A-Za-z_]*)\s*[=:]?\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)/g;

/** Parses every epoch line of a text; the last line of an epoch wins. */
export function parseEpochLines(text: string): EpochPoint[] {
  const byEpoch = new Map<number, EpochPoint>();
  for (const line of text.split('\n')) {
    const m = EPOCH_LINE.exec(line);
    if (!m) continue;
    const metrics: Record<string, number> = {};
    for (const [, name, value] of (m[3] ?? '').matchAll(METRIC)) {
      const n = Number(value);
      if (name && Number.isFinite(n)) metrics[name.toLowerCase()] = n;
    }
    if (Object.keys(metrics).length === 0) continue;
    const epoch = Number(m[1]);
    byEpoch.set(epoch, { epoch, ...(m[2] ? { total: Number(m[2]) } : {}), metrics });
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
