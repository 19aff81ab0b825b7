import { describe, expect, it } from 'vitest';
import { parseEpochLines, trainingFigure } from './training.ts';

interface Trace { name: string; x: number[]; y: number[]; xaxis: string; yaxis: string; line: { dash?: string } }

describe('trainingFigure', () => {
  it('puts loss curves on the left panel and other metrics on the right, validation dotted', () => {
    const points = parseEpochLines('epoch   1  loss 0.9000  acc 0.500  val_loss 1.0000  val_acc 0.400\nepoch   2  loss 0.5000  acc 0.700  val_loss 0.8000  val_acc 0.600\n');
    const figure = trainingFigure(points);
    const data = figure.data as Trace[];
    expect(data.map((t) => [t.name, t.xaxis, t.yaxis])).toEqual([
      ['loss', 'x', 'y'], ['val_loss', 'x', 'y'], ['acc', 'x2', 'y2'], ['val_acc', 'x2', 'y2'],
    ]);
    expect(data[1]).toMatchObject({ x: [1, 2], y: [1, 0.8], line: { dash: 'dot' } });
    expect(data[0]?.line.dash).toBeUndefined();
    expect(figure.layout).toMatchObject({ xaxis: { domain: [0, 0.46] }, xaxis2: { domain: [0.56, 1] }, yaxis: { title: { text: 'loss' } } });
  });

  it('uses one full-width panel when only losses were printed', () => {
    const figure = trainingFigure(parseEpochLines('epoch 1 loss 2\nepoch 2 loss 1\n'));
    expect((figure.data as Trace[]).map((t) => t.name)).toEqual(['loss']);
    expect(figure.layout).toMatchObject({ xaxis: { domain: [0, 1] } });
    expect(figure.layout).not.toHaveProperty('xaxis2');
  });
});
