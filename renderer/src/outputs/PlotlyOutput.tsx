/**
 * A Plotly figure (`application/vnd.plotly.v1+json`), interactive. plotly.js-dist-min is loaded on
 * first use (a separate chunk), so notebooks without charts do not pay for it. A changed figure is
 * drawn with `Plotly.react` into the same plot (cheap enough for live per-epoch curves); the plot is
 * purged only when the component unmounts. A figure that needs WebGL (e.g. the search's parallel
 * coordinates) where the browser has none shows a sentence saying so instead of Plotly's overlay.
 */
import { useEffect, useRef, useState } from 'react';
import { webglAvailable, webglTraceTypes } from './webgl.ts';

/** The Plotly MIME payload. */
export interface PlotlyFigure {
  data: object[];
  layout?: object;
}

type Plotly = typeof import('plotly.js-dist-min');

/** Renders a figure; purges the plot when unmounted. */
export function PlotlyOutput({ figure, height = 320 }: { figure: PlotlyFigure; height?: number }) {
  const gl = webglTraceTypes(figure.data);
  if (gl.length > 0 && !webglAvailable()) {
    return <p className="output-note" data-testid="plotly-no-webgl">This {gl.join(' / ')} chart needs WebGL, which this window cannot use (no GPU, or the GPU is disabled), so it is not drawn.</p>;
  }
  return <PlotlyChart figure={figure} height={height} />;
}

/** The Plotly plot itself (see {@link PlotlyOutput}). */
function PlotlyChart({ figure, height }: { figure: PlotlyFigure; height: number }) {
  const root = useRef<HTMLDivElement>(null);
  const [plotly, setPlotly] = useState<Plotly>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let disposed = false;
    void import('plotly.js-dist-min').then((module) => {
      if (!disposed) setPlotly(module);
    }, (e: unknown) => setError(String(e)));
    return () => {
      disposed = true;
    };
  }, []);
  useEffect(() => {
    const element = root.current;
    if (!element || !plotly) return undefined;
    return () => plotly.purge(element);
  }, [plotly]);
  useEffect(() => {
    const element = root.current;
    if (!element || !plotly) return;
    const layout = { autosize: true, height, margin: { l: 50, r: 20, t: 40, b: 40 }, ...(figure.layout ?? {}) };
    plotly.react(element, figure.data, layout, { responsive: true, displaylogo: false }).catch((e: unknown) => setError(String(e)));
  }, [plotly, figure, height]);
  return error ? <pre className="output-error">{error}</pre> : <div className="plotly-output" data-testid="plotly-output" ref={root} style={{ minHeight: height }} />;
}
