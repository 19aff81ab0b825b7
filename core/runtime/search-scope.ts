/**
 * The kernel's cross-validation and hyperparameter-search helpers: `stratum.crossValidate`,
 * `stratum.search`, `stratum.searchTable`, `stratum.searchPlot` (bound by stratum-scope.ts).
 *
 * In the kernel, both long-running calls stop on the kernel's interrupt: a SIGINT listener aborts
 * the call's `AbortSignal` for as long as it runs, so the search stops between trials, folds and
 * (TF.js) epochs with `KERNEL_INTERRUPTED`, and a tracked search marks its runs `cancelled`. Each
 * fold and each trial prints one progress line (not an `epoch` line, so the live training view is
 * not triggered).
 */
import { MIME_BUNDLE, PLOTLY_MIME } from '../kernel/display.ts';
import type { PlotlyFigure } from '../data/profile.ts';
import { TABLE_MIME } from '../data/table.ts';
import { crossValidate, crossValidationSummary, DEFAULT_FOLDS, DEFAULT_METRIC, templateTrainer, type CrossValidateOptions, type CrossValidationResult, type TabularTrainedModel } from '../ml/cv.ts';
import { hyperparameterSearch, searchParallelCoordinates, searchResultsTable, searchSummary, type HyperparameterSearchOptions, type SearchResult, type SearchTrial } from '../ml/search.ts';
import { searchAndTrack } from '../store/search-tracking.ts';
import type { TrackingStore } from '../store/store.ts';
import type { NotebookRef } from '../store/types.ts';
import { keepUntilSettled } from './pending-work.ts';

/** What the search helpers need from the kernel's training bindings. */
export interface SearchBindings {
  /** The workspace's tracking store, or undefined when tracking is off. */
  openStore(): TrackingStore | undefined;
  /** The running cell. */
  notebookRef(): NotebookRef;
  /** Gives a trained model its one-line display. */
  modelDisplay(model: TabularTrainedModel): TabularTrainedModel;
}

/** `stratum.search` options: the search's, plus the experiment its runs go to (default `search-<id>`). */
export type KernelSearchOptions = HyperparameterSearchOptions & { experiment?: string };

/**
 * Runs `fn` with a signal that the kernel's interrupt (SIGINT) aborts; the listener is removed afterwards.
 *
 * The listener is attached on the next turn of the event loop, after the cell's synchronous part:
 * while a cell's script runs, Node's `vm` (`breakOnSigint`) has taken SIGINT over and restores
 * the kernel's own listener when the script returns, and a listener added in between would leave
 * SIGINT with the default action (the kernel process would die on the next interrupt).
 */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  await new Promise((resolve) => setImmediate(resolve));
  process.on('SIGINT', onInterrupt);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** The metric a call will use, for progress lines (the call itself reports a bad template or metric). */
function metricName(options: { metric?: string; templateId?: string; task?: 'classification' | 'regression' }): string {
  if (options.metric !== undefined) return options.metric;
  try {
    const task = options.task ?? (options.templateId === undefined ? undefined : templateTrainer(options.templateId).task);
    return task === undefined ? 'score' : DEFAULT_METRIC[task];
  } catch {
    return 'score';
  }
}

function num(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v)}`).join(', ');
}

function trialLine(trial: SearchTrial, metric: string, planned: number | null): string {
  const of = planned === null ? '' : `/${planned}`;
  const head = `trial ${String(trial.index).padStart(planned === null ? 1 : String(planned).length)}${of}`;
  if (trial.status === 'failed') return `${head}  ${paramsText(trial.params)}  failed: ${trial.error?.code ?? 'error'}: ${trial.error?.message ?? ''}`;
  return `${head}  ${paramsText(trial.params)}  ${metric} ${num(trial.mean)} ± ${num(trial.std)}  (${(trial.durationMs / 1000).toFixed(1)} s)`;
}

function withDisplay<T extends object>(value: T, bundle: () => Record<string, unknown>): T {
  Object.defineProperty(value, MIME_BUNDLE, { value: bundle, enumerable: false, configurable: true });
  return value;
}

/**
 * Adds the cross-validation and search helpers to the kernel's `stratum` namespace.
 *
 * @param target - the `stratum` namespace object
 * @param bindings - store, running cell and model display from the training bindings
 */
export function bindSearch(target: Record<string, unknown>, bindings: SearchBindings): void {
  Object.assign(target, {
    /**
     * k-fold cross-validation of a template (core/ml/cv.ts `crossValidate`): prints a line per
     * fold, stops on interrupt, displays as a summary (mean ± std and the folds).
     */
    crossValidate: async (options: CrossValidateOptions): Promise<CrossValidationResult> => {
      const folds = options.folds ?? DEFAULT_FOLDS;
      const metric = metricName(options);
      const cv = await interruptible((signal) => crossValidate({
        ...options,
        signal: options.signal ?? signal,
        onFold: options.onFold ?? ((f) => console.log(`fold ${f.fold}/${folds}  ${metric} ${num(f.score)}  (train ${f.trainRows}, test ${f.testRows}, ${(f.trainMs / 1000).toFixed(2)} s)`)),
      }));
      return withDisplay(cv, () => ({ 'text/plain': crossValidationSummary(cv) }));
    },
    /**
     * Hyperparameter search (core/ml/search.ts `hyperparameterSearch`), recorded in the workspace's
     * tracking store (core/store/search-tracking.ts) unless tracking is off: prints a line per
     * trial, stops on interrupt, displays as a summary; `result.model` is the refitted best model.
     */
    search: async (options: KernelSearchOptions): Promise<SearchResult> => {
      const { experiment, ...rest } = options;
      const metric = metricName(rest);
      const result = await interruptible(async (signal) => {
        const search: HyperparameterSearchOptions = {
          ...rest,
          signal: rest.signal ?? signal,
          onTrial: rest.onTrial ?? ((trial, progress) => console.log(trialLine(trial, metric, progress.planned))),
        };
        const store = bindings.openStore();
        if (!store) return hyperparameterSearch(search);
        return keepUntilSettled(searchAndTrack(store, search, { notebook: bindings.notebookRef(), ...(experiment ? { experiment } : {}) }));
      });
      if (result.model) bindings.modelDisplay(result.model);
      return withDisplay(result, () => ({ 'text/plain': searchSummary(result) }));
    },
    /** The trials of a search as a table (best first): `display(stratum.searchTable(result))`. */
    searchTable: (result: SearchResult) => {
      const data = searchResultsTable(result);
      return withDisplay({ data }, () => ({ [TABLE_MIME]: data, 'text/plain': `Search trials: ${data.totalRows} rows, best first by ${result.metric}` }));
    },
    /** Parallel-coordinates figure of a search: `plot(stratum.searchPlot(result))` (or `display`). */
    searchPlot: (result: SearchResult): PlotlyFigure => {
      const figure = searchParallelCoordinates(result);
      return withDisplay(figure, () => ({ [PLOTLY_MIME]: figure, 'text/plain': `Parallel coordinates of ${result.trials.length} trials` }));
    },
  });
}
