/**
 * Plotly trace types drawn with WebGL. Without WebGL (a browser started with `--disable-gpu`, a
 * remote desktop, some VMs) Plotly prints "WebGL is not supported by your browser" over the plot
 * area for these; the workbench says so in its own words instead. Source: plotly.js docs, "WebGL
 * vs SVG" (https://plotly.com/javascript/webgl-vs-svg/) and the trace types listed as `gl` there.
 */
export const WEBGL_TRACE_TYPES: ReadonlySet<string> = new Set(['parcoords', 'scattergl', 'splom', 'heatmapgl', 'pointcloud', 'scatterpolargl', 'scatter3d', 'surface', 'mesh3d', 'cone', 'streamtube', 'volume', 'isosurface']);

/** The WebGL trace types a figure uses (`data[i].type`), in first-use order; empty when it draws with SVG only. */
export function webglTraceTypes(data: readonly object[]): string[] {
  const types = data.map((trace) => (trace as { type?: unknown }).type).filter((t): t is string => typeof t === 'string' && WEBGL_TRACE_TYPES.has(t));
  return [...new Set(types)];
}

let available: boolean | undefined;

/** Whether this browser can create a WebGL context (checked once). */
export function webglAvailable(): boolean {
  if (available === undefined) {
    try {
      const canvas = document.createElement('canvas');
      available = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) !== null;
    } catch {
      available = false;
    }
  }
  return available;
}
