/**
 * Reading live training progress from a cell's stdout: the per-epoch log lines the training
 * helpers print, e.g. `epoch 3/60 loss=0.8123 accuracy=0.654 val_loss=0.79`. The parser is lenient
 * about separators (`=`, `:` or a space) and case; lines without `epoch N` are ignored. Also the
 * Plotly figure of those curves ({@link trainingFigure}).
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

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** One line trace per metric name, on the given axes. */
function traces(points: EpochPoint[], names: string[], axes: { xaxis: string; yaxis: string }, colorOffset: number): object[] {
  return names.map((name, i) => {
    const values = points.filter((p) => p.metrics[name] !== undefined);
    return {
      type: 'scatter',
      mode: values.length > 40 ? 'lines' : 'lines+markers',
      name,
      x: values.map((p) => p.epoch),
      y: values.map((p) => p.metrics[name]),
      line: { color: COLORS[(i + colorOffset) % COLORS.length], width: 2, ...(name.startsWith('val') ? { dash: 'dot' } : {}) },
      marker: { size: 4 },
      ...axes,
    };
  });
}

/**
 * The Plotly figure of the epoch curves: loss names (containing `loss`) on the left panel, other
 * metrics on the right (one panel when only one kind exists); validation series dotted.
 */
export function trainingFigure(points: EpochPoint[]): { data: object[]; layout: object } {
  const last = points[points.length - 1];
  const names = last ? Object.keys(last.metrics) : [];
  const lossNames = names.filter((n) => n.includes('loss'));
  const otherNames = names.filter((n) => !n.includes('loss'));
  const two = lossNames.length > 0 && otherNames.length > 0;
  const axis = (title: string) => ({ title: { text: title, font: { size: 11 } }, automargin: true, tickfont: { size: 10 }, gridcolor: '#eee' });
  return {
    data: [...traces(points, lossNames, { xaxis: 'x', yaxis: 'y' }, 0), ...traces(points, otherNames, two ? { xaxis: 'x2', yaxis: 'y2' } : { xaxis: 'x', yaxis: 'y' }, lossNames.length)],
    layout: {
      margin: { l: 50, r: 10, t: 10, b: 40 },
      showlegend: true,
      legend: { orientation: 'h', y: -0.25, font: { size: 10 } },
      xaxis: { ...axis('epoch'), domain: two ? [0, 0.46] : [0, 1] },
      yaxis: axis(lossNames.length > 0 ? 'loss' : 'metric'),
      ...(two ? { xaxis2: { ...axis('epoch'), domain: [0.56, 1], anchor: 'y2' }, yaxis2: { ...axis('metric'), anchor: 'x2' } } : {}),
    },
  };
}
