/**
 * Live training view: a progress bar (epoch / total) and loss and accuracy curves drawn as inline
 * SVG (cheap to redraw on every epoch, unlike a full Plotly figure).
 */
import type { EpochPoint } from './training.ts';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];

function Curve({ title, points, names }: { title: string; points: EpochPoint[]; names: string[] }) {
  const w = 280;
  const h = 120;
  const pad = 24;
  const series = names.map((name) => ({ name, values: points.map((p) => [p.epoch, p.metrics[name]] as const).filter((v): v is readonly [number, number] => v[1] !== undefined) })).filter((s) => s.values.length > 0);
  if (series.length === 0) return null;
  const all = series.flatMap((s) => s.values.map((v) => v[1]));
  const min = Math.min(...all);
  const max = Math.max(...all);
  const x0 = points[0]?.epoch ?? 1;
  const x1 = Math.max(points[points.length - 1]?.epoch ?? 1, x0 + 1);
  const sx = (x: number): number => pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad);
  const sy = (y: number): number => h - pad - ((y - min) / (max - min || 1)) * (h - 2 * pad);
  return (
    <figure className="curve">
      <figcaption>{title}</figcaption>
      <svg width={w} height={h} role="img" aria-label={title}>
        <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} stroke="#999" />
        <line x1={pad} y1={pad} x2={pad} y2={h - pad} stroke="#999" />
        <text x={2} y={pad} fontSize="9">{max.toPrecision(3)}</text>
        <text x={2} y={h - pad} fontSize="9">{min.toPrecision(3)}</text>
        {series.map((s, i) => (
          <polyline key={s.name} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth="1.5" points={s.values.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <div className="legend">
        {series.map((s, i) => (
          <span key={s.name} style={{ color: COLORS[i % COLORS.length] }}>{s.name} {s.values[s.values.length - 1]?.[1].toFixed(4)}</span>
        ))}
      </div>
    </figure>
  );
}

/** Progress bar and curves for the parsed epoch lines of a cell. */
export function TrainingProgress({ points, expectedEpochs, running }: { points: EpochPoint[]; expectedEpochs?: number; running: boolean }) {
  const last = points[points.length - 1];
  if (!last) return null;
  const total = last.total ?? expectedEpochs;
  const names = Object.keys(last.metrics);
  const lossNames = names.filter((n) => n.includes('loss'));
  const otherNames = names.filter((n) => !n.includes('loss'));
  return (
    <div className="training" data-testid="training-progress">
      <div className="training-bar">
        <span>epoch {last.epoch}{total ? ` / ${total}` : ''}{running ? '' : ' (finished)'}</span>
        {total ? <progress max={total} value={last.epoch} /> : null}
      </div>
      <div className="curves">
        <Curve title="loss" points={points} names={lossNames} />
        <Curve title="metrics" points={points} names={otherNames} />
      </div>
    </div>
  );
}
