/**
 * A cell's outputs: each MIME bundle rendered in its richest known form (Plotly > table >
 * markdown > JSON > text), streams as text, errors with their traceback (cell frames name the
 * cell line), and a live training view when the stdout carries epoch lines.
 */
import { lazy, Suspense, useMemo } from 'react';
import type { CellOutput, ErrorOutput, MimeBundle } from '../../../core/api/contract.ts';
import { Markdown } from './Markdown.tsx';
import { isTableData, TableOutput } from './TableOutput.tsx';
import { parseEpochLines } from './training.ts';
import { TrainingProgress } from './TrainingProgress.tsx';
import type { PlotlyFigure } from './PlotlyOutput.tsx';

const PlotlyOutput = lazy(() => import('./PlotlyOutput.tsx').then((m) => ({ default: m.PlotlyOutput })));

const TABLE_MIME = 'application/vnd.stratum.table+json';
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

function isFigure(value: unknown): value is PlotlyFigure {
  return typeof value === 'object' && value !== null && Array.isArray((value as PlotlyFigure).data);
}

function Bundle({ data }: { data: MimeBundle }) {
  const figure = data[PLOTLY_MIME];
  if (isFigure(figure)) {
    return (
      <Suspense fallback={<div className="plotly-output loading">loading chart…</div>}>
        <PlotlyOutput figure={figure} />
      </Suspense>
    );
  }
  const table = data[TABLE_MIME];
  if (isTableData(table)) return <TableOutput table={table} />;
  const md = data['text/markdown'];
  if (typeof md === 'string') return <Markdown text={md} />;
  const text = data['text/plain'];
  if (typeof text === 'string') return <pre className="output-text">{text}</pre>;
  if ('application/json' in data) return <pre className="output-text">{JSON.stringify(data['application/json'], null, 2)}</pre>;
  return <pre className="output-text">{Object.keys(data).join(', ')}</pre>;
}

/** `cell[abc]:7:3` -> line 7 of cell `abc`, for the first frame inside a cell. */
export function errorCellLine(error: ErrorOutput, cellId: string): number | undefined {
  for (const frame of error.traceback) {
    const m = /cell\[([A-Za-z0-9_-]+)\]:(\d+)(?::\d+)?/.exec(frame);
    if (m && m[1] === cellId) return Number(m[2]);
  }
  const line = (error.detail as { line?: unknown } | undefined)?.line;
  return typeof line === 'number' ? line : undefined;
}

function ErrorView({ error, cellId }: { error: ErrorOutput; cellId: string }) {
  const line = errorCellLine(error, cellId);
  return (
    <div className="output-error" data-testid="error-output" role="alert">
      <div className="error-head">
        <strong>{error.ename}</strong>: {error.evalue}
        {line !== undefined ? <span className="error-line" data-testid="error-line"> (line {line})</span> : null}
      </div>
      {error.hint ? <div className="error-hint">hint: {error.hint}</div> : null}
      {error.traceback.length > 0 ? (
        <pre className="traceback">
          {error.traceback.map((frame, i) => (
            <div key={i} className={frame.includes(`cell[${cellId}]`) ? 'frame cell-frame' : 'frame'}>{frame}</div>
          ))}
        </pre>
      ) : null}
    </div>
  );
}

/** Every output of a cell. */
export function Outputs({ outputs, cellId, running, expectedEpochs }: { outputs: CellOutput[]; cellId: string; running: boolean; expectedEpochs?: number }) {
  const stdout = useMemo(() => outputs.filter((o) => o.type === 'stream' && o.name === 'stdout').map((o) => (o.type === 'stream' ? o.text : '')).join(''), [outputs]);
  const epochs = useMemo(() => parseEpochLines(stdout), [stdout]);
  if (outputs.length === 0) return null;
  return (
    <div className="outputs" data-testid="outputs">
      {epochs.length > 0 ? <TrainingProgress points={epochs} running={running} {...(expectedEpochs ? { expectedEpochs } : {})} /> : null}
      {outputs.map((output, i) => {
        switch (output.type) {
          case 'stream':
            return <pre key={i} className={`output-stream ${output.name}`}>{output.text}</pre>;
          case 'error':
            return <ErrorView key={i} error={output} cellId={cellId} />;
          case 'display':
          case 'result':
            return <div key={i} className={`output-${output.type}`}><Bundle data={output.data} /></div>;
          default:
            return null;
        }
      })}
    </div>
  );
}
