import { describe, expect, it } from 'vitest';
import { webglTraceTypes } from './webgl.ts';

describe('webglTraceTypes', () => {
  it('lists the WebGL trace types a figure uses, once each, and nothing for SVG traces', () => {
    expect(webglTraceTypes([{ type: 'bar' }, { type: 'parcoords' }, { type: 'scattergl' }, { type: 'parcoords' }])).toEqual(['parcoords', 'scattergl']);
    expect(webglTraceTypes([{ type: 'scatter' }, { type: 'heatmap' }, {}])).toEqual([]);
  });
});
