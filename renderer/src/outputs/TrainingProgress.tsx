/**
 * Live training view: a progress bar (epoch / total) and the loss and metric curves per epoch as a
 * Plotly figure with two panels (loss left, other metrics right), redrawn with `Plotly.react` as
 * epochs arrive.
 */
import { useMemo } from 'react';
import { PlotlyOutput } from './PlotlyOutput.tsx';
import { trainingFigure, type EpochPoint } from './training.ts';

/** Progress bar and curves for the parsed epoch lines of a cell. */
export function TrainingProgress({ points, expectedEpochs, running }: { points: EpochPoint[]; expectedEpochs?: number; running: boolean }) {
  const figure = useMemo(() => trainingFigure(points), [points]);
  const last = points[points.length - 1];
  if (!last) return null;
  const total = last.total ?? expectedEpochs;
  const latest = Object.entries(last.metrics).map(([name, value]) => `${name} ${value.toFixed(4)}`).join('  ');
  return (
    <div className="training" data-testid="training-progress">
      <div className="training-bar">
        <span>epoch {last.epoch}{total ? ` / ${total}` : ''}{running ? '' : ' (finished)'}</span>
        {total ? <progress max={total} value={last.epoch} /> : null}
      </div>
      <div className="training-latest">{latest}</div>
      <PlotlyOutput figure={figure} height={240} />
    </div>
  );
}
