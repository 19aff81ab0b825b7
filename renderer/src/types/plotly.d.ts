// Minimal typings of plotly.js-dist-min (no @types/plotly.js installed): the calls the renderer makes.
declare module 'plotly.js-dist-min' {
  export interface PlotlyFigure {
    data: object[];
    layout?: object;
    config?: object;
  }
  export function react(root: HTMLElement, data: object[], layout?: object, config?: object): Promise<HTMLElement>;
  export function purge(root: HTMLElement): void;
  export const Plots: { resize(root: HTMLElement): void };
}
