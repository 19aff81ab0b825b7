/**
 * A Plotly figure (`application/vnd.plotly.v1+json`), interactive. plotly.js-dist-min is loaded on
 * first use (a separate chunk), so notebooks without charts do not pay for it.
 */
import { useEffect, useRef, useState } from 'react';

/** The Plotly MIME payload. */
export interface PlotlyFigure {
  data: object[];
  layout?: object;
}

/** Renders a figure; purges the plot when unmounted. */
export function PlotlyOutput({ figure }: { figure: PlotlyFigure }) {
  const root = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const element = root.current;
    if (!element) return undefined;
    let disposed = false;
    let plotly: typeof import('plotly.js-dist-min') | undefined;
    void import('plotly.js-dist-min')
      .then(async (module) => {
        if (disposed) return;
        plotly = module;
        const layout = { autosize: true, height: 320, margin: { l: 50, r: 20, t: 40, b: 40 }, ...(figure.layout ?? {}) };
        await module.react(element, figure.data, layout, { responsive: true, displaylogo: false });
      })
      .catch((e: unknown) => setError(String(e)));
    return () => {
      disposed = true;
      plotly?.purge(element);
    };
  }, [figure]);
  return error ? <pre className="output-error">{error}</pre> : <div className="plotly-output" data-testid="plotly-output" ref={root} />;
}
