/**
 * Chart template cells: a form per common exploration chart (histogram, scatter, line over time,
 * box, bar of counts, correlation heatmap) that renders to one readable call of the kernel's chart
 * helpers, e.g. `display(stratum.scatter(weather, { x: "temp_max", y: "temp_min", color: "weather" }));`.
 * Options left at their defaults are left out of the code (the helper applies the same defaults,
 * see core/data/charts.ts).
 */
import { checkIdentifier } from './tabular-classification.ts';
import type { ModelTemplate } from './types.ts';

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Parameters of every chart template (after validation, defaults applied). */
export interface ChartTemplateParams {
  /** Notebook variable holding the data (a DataFrame, a DataTable or an array of records). */
  data: string;
  /** Chart-specific options (see each template's schema). */
  [param: string]: unknown;
}

type PropertySchema = Record<string, unknown>;

const data: PropertySchema = { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records.', pattern: IDENTIFIER };
const columnName = (title: string, description: string): PropertySchema => ({ type: 'string', title, description, minLength: 1 });
const title: PropertySchema = { type: 'string', title: 'Title', description: 'Chart title; empty for the default one.', minLength: 1 };
const maxPoints: PropertySchema = { type: 'integer', title: 'Maximum points', description: 'Points drawn at most; beyond it the data is sampled (scatter: seeded random rows; line: LTTB) so the chart stays responsive.', minimum: 10, maximum: 1_000_000, default: 5000 };

interface ChartSpec {
  id: string;
  title: string;
  description: string;
  /** `stratum.<fn>` called by the code. */
  fn: string;
  /** Required option properties, in render order. */
  required: string[];
  /** Option properties (after `data`), in render order. */
  options: Record<string, PropertySchema>;
  /** Render `stratum.fn(data, "<column>", { ...rest })` with this option as the positional column (the histogram's historical signature). */
  positional?: string;
}

const specs: ChartSpec[] = [
  {
    id: 'chart.histogram',
    title: 'Histogram',
    description: 'Distribution of one column: equal-width bins for a numeric column, the most frequent values for a text column.',
    fn: 'histogram',
    required: ['column'],
    positional: 'column',
    options: {
      column: columnName('Column', 'Column whose distribution is drawn.'),
      bins: { type: 'integer', title: 'Bins', description: 'Number of equal-width bins (numeric columns).', minimum: 1, maximum: 500, default: 10 },
      topValues: { type: 'integer', title: 'Top values', description: 'Bars kept for a text column (most frequent first).', minimum: 1, maximum: 500, default: 20 },
    },
  },
  {
    id: 'chart.scatter',
    title: 'Scatter plot',
    description: 'Two numeric columns against each other, optionally coloured by a third column, with an optional least-squares trendline.',
    fn: 'scatter',
    required: ['x', 'y'],
    options: {
      x: columnName('X column', 'Numeric column on the horizontal axis.'),
      y: columnName('Y column', 'Numeric column on the vertical axis.'),
      color: columnName('Colour by', 'Optional column colouring the points: one colour per category, or a colour scale for a many-valued number.'),
      trendline: { type: 'boolean', title: 'Trendline', description: 'Draw the ordinary least-squares line fitted on every row, with its R²; coloured by categories, one line per group in its colour.', default: false },
      maxPoints,
      seed: { type: 'integer', title: 'Seed', description: 'Seed of the row sample when there are more rows than Maximum points.', default: 42 },
      title,
    },
  },
  {
    id: 'chart.line',
    title: 'Line chart over time',
    description: 'One or more numeric columns over a date/time (or numeric) column, rows sorted by it.',
    fn: 'line',
    required: ['x', 'y'],
    options: {
      x: columnName('Time column', 'Date/time column (ISO text) or numeric column on the horizontal axis; rows are sorted by it.'),
      y: { type: 'array', title: 'Y columns', description: 'Numeric columns, one line each.', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
      maxPoints,
      title,
    },
  },
  {
    id: 'chart.box',
    title: 'Box plot',
    description: 'Quartiles, median, whiskers and outliers of a numeric column, optionally one box per value of a category column.',
    fn: 'box',
    required: ['y'],
    options: {
      y: columnName('Column', 'Numeric column whose distribution is drawn.'),
      by: columnName('Group by', 'Optional category column: one box per value (the most frequent first).'),
      maxGroups: { type: 'integer', title: 'Maximum boxes', description: 'Boxes kept; less frequent groups are drawn together as "other".', minimum: 1, maximum: 200, default: 20 },
      title,
    },
  },
  {
    id: 'chart.bar',
    title: 'Bar chart of counts',
    description: 'How often each value of a column occurs, most frequent first; the rest summed in one "other" bar.',
    fn: 'bar',
    required: ['column'],
    options: {
      column: columnName('Column', 'Column whose values are counted.'),
      top: { type: 'integer', title: 'Top values', description: 'Bars kept before "other".', minimum: 1, maximum: 500, default: 20 },
      title,
    },
  },
  {
    id: 'chart.correlation',
    title: 'Correlation heatmap',
    description: 'Pearson correlation between numeric columns (pairwise-complete rows, as pandas DataFrame.corr()), annotated.',
    fn: 'correlation',
    required: [],
    options: {
      columns: { type: 'array', title: 'Columns', description: 'Numeric columns to correlate; empty for all numeric columns.', items: { type: 'string', minLength: 1 }, minItems: 2, uniqueItems: true },
      title,
    },
  },
];

function schemaOf(spec: ChartSpec): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: spec.title,
    type: 'object',
    additionalProperties: false,
    required: ['data', ...spec.required],
    properties: { data, ...spec.options },
  };
}

/** JSON literal of a value; arrays get `, ` separators for readability. */
const literal = (value: unknown): string => (Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value));

function renderer(spec: ChartSpec): (p: ChartTemplateParams) => string {
  return (p) => {
    checkIdentifier('data', p.data);
    const args = Object.entries(spec.options)
      .filter(([name, schema]) => name !== spec.positional && p[name] !== undefined && JSON.stringify(p[name]) !== JSON.stringify(schema.default))
      .map(([name]) => `${name}: ${literal(p[name])}`);
    const call = [p.data, ...(spec.positional === undefined ? [] : [literal(p[spec.positional])]), ...(args.length > 0 ? [`{ ${args.join(', ')} }`] : [])].join(', ');
    return [`// Template: ${spec.title} — generated code, edit freely after "convert to code"`, `display(stratum.${spec.fn}(${call}));`, ''].join('\n');
  };
}

/** The chart templates, in picker order: histogram, scatter, line, box, bar, correlation. */
export const chartTemplates: Array<ModelTemplate<ChartTemplateParams>> = specs.map((spec) => ({
  id: spec.id,
  title: spec.title,
  task: 'exploration',
  description: spec.description,
  paramsSchema: schemaOf(spec),
  renderCode: renderer(spec),
}));
