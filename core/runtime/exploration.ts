/**
 * The exploration and data-source helpers of the kernel's `stratum` namespace: the profile (table
 * plus charts), the chart helpers of core/data/charts.ts, and `load` / `loadTable` / `preview` /
 * `testConnection` over the connector registry. Installed by core/runtime/stratum-scope.ts.
 *
 * Chart helpers return the Plotly figure (plain JSON `{ data, layout }`) with a display attached,
 * so both `display(stratum.scatter(df, {...}))` and `plot(stratum.scatter(df, {...}))` show it,
 * and the figure can still be edited before showing it.
 */
import type * as dfd from 'danfojs-node';
import type { SourceConfig } from '../../connectors/source.ts';
import type { ConnectorTestResult } from '../../connectors/types.ts';
import { barChart, boxChart, correlationFigure, correlationMatrix, histogramChart, lineChart, profileHistograms, scatterChart, toDataTable } from '../data/charts.ts';
import type { BarOptions, BoxOptions, CorrelationMatrix, CorrelationOptions, LineOptions, PlotlyFigure, ScatterOptions, TabularInput } from '../data/charts.ts';
import type { Coercion, DataTable } from '../data/columns.ts';
import { profileTable, profileToTableData } from '../data/profile.ts';
import type { DataProfile, ProfileOptions } from '../data/profile.ts';
import { TABLE_MIME } from '../data/table.ts';
import { MIME_BUNDLE, MIME_BUNDLES, PLOTLY_MIME } from '../kernel/display.ts';
import type { ScopeContext } from '../kernel/scope.ts';
import type { MimeBundle } from '../notebook/types.ts';

/** The MIME bundle of a Plotly figure (what `plot(figure)` emits). */
function figureBundle(figure: PlotlyFigure): MimeBundle {
  const title = (figure.layout?.title as { text?: unknown } | undefined)?.text;
  return { [PLOTLY_MIME]: figure, 'text/plain': `Plotly figure${typeof title === 'string' ? `: ${title.replace(/<br>.*$/s, '')}` : ''} (${figure.data.length} trace${figure.data.length === 1 ? '' : 's'})` };
}

/**
 * Attaches a display to a figure (a non-enumerable symbol: the figure stays plain JSON for
 * `plot()`, `JSON.stringify` and edits), so `display(figure)` and a cell ending in it show the chart.
 */
export function displayableFigure<F extends PlotlyFigure>(figure: F): F {
  Object.defineProperty(figure, MIME_BUNDLE, { value: () => figureBundle(figure), enumerable: false, configurable: true });
  return figure;
}

/**
 * Columns the profile's correlation heatmap shows at most (the first ones in table order, like the
 * distributions' 24 panels): 200 columns made a 1.4 MB, 7,320 px tall heatmap. The correlations of
 * every pair stay in `ProfileResult.correlation`; `stratum.correlation(df, { columns })` charts others.
 */
export const PROFILE_CORRELATION_COLUMNS = 30;

/** The first `k` columns of a correlation matrix. */
function firstColumns(m: CorrelationMatrix, k: number): CorrelationMatrix {
  return { columns: m.columns.slice(0, k), r: m.r.slice(0, k).map((row) => row.slice(0, k)), n: m.n.slice(0, k).map((row) => row.slice(0, k)) };
}

/** The profile's heatmap: every numeric column up to {@link PROFILE_CORRELATION_COLUMNS}, else the first ones, said in the title. */
function profileCorrelationFigure(m: CorrelationMatrix): PlotlyFigure {
  const title = 'Pearson correlation of the numeric columns';
  const k = PROFILE_CORRELATION_COLUMNS;
  if (m.columns.length <= k) return correlationFigure(m, title);
  const figure = correlationFigure(firstColumns(m, k), title);
  const note = `first ${k} of ${m.columns.length} numeric columns; every pair is in .correlation, stratum.correlation(df, { columns }) charts others`;
  return { ...figure, layout: { ...figure.layout, title: { text: `${title}<br><sup>${note}</sup>` }, margin: { t: 64 } } };
}

/** What `stratum.profile(df)` returns: the profile as data, shown as its table followed by its charts. */
export interface ProfileResult {
  /** Per-column statistics (see `profileTable`). */
  profile: DataProfile;
  /** Small-multiple histograms / top values (undefined when no column gets a panel). */
  histograms: PlotlyFigure | undefined;
  /** Pearson correlations of the numeric columns (undefined with fewer than 2). */
  correlation: CorrelationMatrix | undefined;
  /** Heatmap of {@link ProfileResult.correlation}: its first {@link PROFILE_CORRELATION_COLUMNS} columns at most. */
  correlationChart: PlotlyFigure | undefined;
}

/**
 * Profiles a table: the profile table (pandas `describe` plus kind/missing/distinct), the
 * per-column distributions as small multiples, and the correlation heatmap of the numeric columns
 * (the first {@link PROFILE_CORRELATION_COLUMNS}; all pairs in `correlation`).
 * `display()` of the result shows all three (table first); as a cell's last value it shows the table.
 */
export function profileResult(input: TabularInput, options: ProfileOptions = {}): ProfileResult {
  const table = toDataTable(input);
  const profile = profileTable(table, options);
  const numeric = table.columns.filter((c) => c.kind === 'integer' || c.kind === 'float');
  const correlation = numeric.length >= 2 ? correlationMatrix(table) : undefined;
  const result: ProfileResult = {
    profile,
    histograms: profileHistograms(profile),
    correlation,
    correlationChart: correlation === undefined ? undefined : profileCorrelationFigure(correlation),
  };
  const data = profileToTableData(profile);
  const tableBundle = (): MimeBundle => ({ [TABLE_MIME]: data, 'text/plain': `Profile of ${data.totalRows} columns, ${profile.rowCount.toLocaleString('en')} rows` });
  Object.defineProperty(result, MIME_BUNDLE, { value: tableBundle, enumerable: false });
  Object.defineProperty(result, MIME_BUNDLES, {
    value: (): MimeBundle[] => [tableBundle(), ...[result.histograms, result.correlationChart].filter((f): f is PlotlyFigure => f !== undefined).map(figureBundle)],
    enumerable: false,
  });
  return result;
}

const escapeMarkdown = (text: string): string => text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');

/**
 * The notes of a loaded table: its table-level `notes` (connectors that have them: CSV encoding
 * guess, decimal-comma detection, HTTP redirects...) then each column's `note` (`column: note`:
 * all values missing, renamed header, kept as text to stay exact...). A column note that only
 * repeats the column's "mostly numbers" coercion is left out (the coercion row says it).
 */
export function loadNotes(table: DataTable): Array<{ column?: string; text: string }> {
  const tableNotes = (table as DataTable & { notes?: unknown }).notes;
  const notes: Array<{ column?: string; text: string }> = Array.isArray(tableNotes) ? tableNotes.filter((n): n is string => typeof n === 'string').map((text) => ({ text })) : [];
  for (const c of table.columns) {
    if (c.note === undefined || c.note === '') continue;
    // The "mostly numbers" note is always the last part of a column's note (csv.ts, inferValueColumn).
    const stray = /(?:^|; )mostly (?:numbers|dates|booleans), but /.exec(c.note);
    const repeated = stray !== null && table.coercions.some((k) => k.column === c.name && k.action.startsWith('kept as text: the column is mostly'));
    const text = repeated ? c.note.slice(0, stray.index) : c.note;
    if (text !== '') notes.push({ column: c.name, text });
  }
  return notes;
}

/**
 * The coercion report of a loaded table as a markdown table (column, what was done, how many
 * values, up to 3 examples), followed by the table's and the columns' notes (see
 * {@link loadNotes}) as a list, for showing next to the data; `undefined` when nothing was changed
 * and there is no note.
 */
export function coercionReport(table: DataTable): MimeBundle | undefined {
  const list: Coercion[] = table.coercions;
  const notes = loadNotes(table);
  if (list.length === 0 && notes.length === 0) return undefined;
  const where = table.source === undefined ? 'the data' : `\`${table.source.replace(/`/g, "'")}\``;
  const markdown: string[] = [];
  const plain: string[] = [];
  if (list.length > 0) {
    const rows = list.map((c) => `| ${escapeMarkdown(c.column)} | ${escapeMarkdown(c.action)} | ${c.count.toLocaleString('en')} | ${c.examples.map((e) => escapeMarkdown(JSON.stringify(e))).join(', ')} |`);
    markdown.push(`**${list.length} coercion${list.length === 1 ? '' : 's'}** while loading ${where}:`, '', '| column | what was done | values | examples |', '| --- | --- | --- | --- |', ...rows);
    plain.push(`${list.length} coercion(s) while loading ${table.source ?? 'the data'}:`, ...list.map((c) => `  ${c.column}: ${c.action} (${c.count} values, e.g. ${c.examples.map((e) => JSON.stringify(e)).join(', ')})`));
  }
  if (notes.length > 0) {
    if (markdown.length > 0) markdown.push('');
    markdown.push(list.length > 0 ? '**Notes:**' : `**Notes** on loading ${where}:`, '', ...notes.map((n) => `- ${n.column === undefined ? '' : `**${escapeMarkdown(n.column)}**: `}${escapeMarkdown(n.text)}`));
    plain.push(list.length > 0 ? 'Notes:' : `Notes on loading ${table.source ?? 'the data'}:`, ...notes.map((n) => `  ${n.column === undefined ? '' : `${n.column}: `}${n.text}`));
  }
  return { 'text/markdown': markdown.join('\n'), 'text/plain': plain.join('\n') };
}

/** Options of `stratum.load` and `stratum.preview`. */
export interface LoadOptions {
  /** Show the coercion report and the load's notes (when there are any, see {@link coercionReport}) as an output of the cell; default true. */
  report?: boolean;
}

/**
 * Adds the exploration and data-source helpers to the `stratum` namespace of a kernel.
 *
 * @param target - the `stratum` namespace object
 * @param ctx - the kernel's scope context (to emit the coercion report as an output)
 */
export function bindExploration(target: Record<string, unknown>, ctx: ScopeContext): void {
  const report = (table: DataTable, options: LoadOptions | undefined): void => {
    const bundle = options?.report === false ? undefined : coercionReport(table);
    if (bundle === undefined) return;
    const line = ctx.callerLine();
    ctx.emit({ type: 'display', data: bundle, ...(line === undefined ? {} : { cellLine: line }) });
  };
  const source = async () => import('../../connectors/source.ts');
  const toFrame = async (table: DataTable): Promise<dfd.DataFrame> => (await import('../data/frame.ts')).dataTableToDataFrame(table);
  Object.assign(target, {
    /** The profile table plus distributions and correlation heatmap: `display(stratum.profile(df))`. */
    profile: (x: TabularInput, options?: ProfileOptions): ProfileResult => profileResult(x, options),
    /** Histogram of a numeric column or the top values of another: `stratum.histogram(df, 'temp_max', { bins: 20 })`. */
    histogram: (x: TabularInput, column: string, options?: ProfileOptions): PlotlyFigure => displayableFigure(histogramChart(x, { ...options, column })),
    /** Scatter plot: `stratum.scatter(df, { x: 'temp_max', y: 'temp_min', color: 'weather', trendline: true })`. */
    scatter: (x: TabularInput, options: ScatterOptions): PlotlyFigure => displayableFigure(scatterChart(x, options)),
    /** Line chart over a date/time column: `stratum.line(df, { x: 'date', y: ['temp_max', 'temp_min'] })`. */
    line: (x: TabularInput, options: LineOptions): PlotlyFigure => displayableFigure(lineChart(x, options)),
    /** Box plot, optionally grouped: `stratum.box(df, { y: 'temp_max', by: 'weather' })`. */
    box: (x: TabularInput, options: BoxOptions): PlotlyFigure => displayableFigure(boxChart(x, options)),
    /** Bar chart of value counts: `stratum.bar(df, { column: 'weather', top: 10 })`. */
    bar: (x: TabularInput, options: BarOptions): PlotlyFigure => displayableFigure(barChart(x, options)),
    /** Annotated Pearson correlation heatmap of numeric columns (pairwise-complete, as pandas `df.corr()`); the first 30 at most unless `maxColumns`. */
    correlation: (x: TabularInput, options?: CorrelationOptions): PlotlyFigure => displayableFigure(correlationFigure(correlationMatrix(x, options), options ?? {})),
    /**
     * Loads any source into a Danfo DataFrame: `await stratum.load({ kind: 'sqlite', path: 'shop.db', table: 'orders' })`.
     * Credentials are secret references (`password: { secret: 'pg-main' }`), resolved from the
     * user's secrets file. The coercion report and the load's notes are shown as an output unless `{ report: false }`.
     */
    load: async (config: SourceConfig, options?: LoadOptions): Promise<dfd.DataFrame> => {
      const table = await (await source()).loadSource(config);
      report(table, options);
      return toFrame(table);
    },
    /** Loads any source into a DataTable (typed columns and `coercions`), without showing anything. */
    loadTable: async (config: SourceConfig): Promise<DataTable> => (await source()).loadSource(config),
    /** The first `n` rows (default 10) of a source as a DataFrame, with the coercion report of those rows. */
    preview: async (config: SourceConfig, n = 10, options?: LoadOptions): Promise<dfd.DataFrame> => {
      const table = await (await source()).previewSource(config, n);
      report(table, options);
      return toFrame(table);
    },
    /** Checks a source (file readable, host reachable, credentials, table): `{ ok: true, message }`, or throws naming the problem. */
    testConnection: async (config: SourceConfig): Promise<ConnectorTestResult> => {
      const result = await (await source()).testSource(config);
      Object.defineProperty(result, MIME_BUNDLE, { value: () => ({ 'text/plain': `ok: ${result.message}` }), enumerable: false });
      return result;
    },
  });
}
