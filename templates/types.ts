/**
 * Model templates are data: an id, a title, a JSON Schema of the parameters (so a UI can render
 * the form) and a pure function rendering the parameters to code. A template cell runs by
 * rendering to code; the kernel only ever runs code ("convert to code" shows exactly that text).
 */

/** Kind of problem a template solves (`exploration`: charts; `data`: loading a source). */
export type TemplateTask = 'classification' | 'regression' | 'clustering' | 'forecasting' | 'anomaly' | 'search' | 'exploration' | 'data';

/**
 * A model template.
 *
 * @typeParam P - the parameters after schema validation (defaults applied)
 */
export interface ModelTemplate<P = unknown> {
  /** Stable id, `area.name` (e.g. `tabular.mlp-classifier`); stored in notebooks, never renamed. */
  id: string;
  /** Short human title. */
  title: string;
  /** Kind of problem solved. */
  task: TemplateTask;
  /** One paragraph for the template picker. */
  description: string;
  /**
   * JSON Schema (draft 2020-12) of the parameters, with `title`, `description` and `default` on
   * each property so a UI can render a form; `renderTemplateCode` validates against it with Ajv.
   */
  paramsSchema: Record<string, unknown>;
  /**
   * Renders validated parameters to readable TypeScript that calls the kernel's `stratum`
   * namespace; every user value is embedded as a literal produced by `JSON.stringify`.
   */
  renderCode(params: P): string;
}
