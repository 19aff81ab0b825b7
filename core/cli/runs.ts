/**
 * `stratum runs` and `stratum models`: the tracking store and model registry in the terminal.
 *
 * - `stratum runs [--workspace DIR] [--experiment X] [--status S] [--template T] [--limit N]` lists runs, newest first.
 * - `stratum runs show ID` prints one run: params, data fingerprint, evaluation, per-epoch metrics, artifacts;
 *   for a hyperparameter search, its best params, refit run and trial table.
 * - `stratum runs compare ID ID...` prints the params that differ and the metric table side by side.
 * - `stratum models` lists registered models with their versions and aliases.
 * - `stratum models alias NAME ALIAS VERSION` points an alias at a version (atomically).
 * - `stratum models register NAME (--run ID | --bundle DIR)` and `stratum models export NAME VERSION|ALIAS DIR`.
 *
 * Run ids may be abbreviated to a unique prefix of at least 4 characters.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openTrackingStore, type TrackingStore } from '../store/store.ts';
import { findSearchRun, refitRunOf, searchRunSummary, trialOf, type SearchRunSummary } from '../store/search-runs.ts';
import type { Run, RunDetail, RunStatus } from '../store/types.ts';
import type { CliIo } from './main.ts';

interface StoreOptions {
  workspace?: string;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function withStore<T>(options: StoreOptions, mustExist: boolean, fn: (store: TrackingStore) => T): T {
  const store = openTrackingStore({ workspace: options.workspace ?? process.cwd(), mustExist });
  try {
    return fn(store);
  } finally {
    store.dispose();
  }
}

const NUMERIC_CELL = /^(-|-?[\d.]+(e[+-]\d+)?(ms|s)?|\d+m\d\ds)$/;

/**
 * Aligns rows (the first is the header) into columns two spaces apart. A column whose cells are
 * all numbers, durations or `-` is right-aligned, header included; the others are left-aligned.
 */
export function formatTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  const right = rows[0].map((_, j) => rows.length > 1 && rows.slice(1).every((r) => NUMERIC_CELL.test(r[j] ?? '')));
  return rows.map((r) => r.map((cell, j) => (right[j] ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd()).join('\n') + '\n';
}

function num(value: unknown, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/**
 * Metric values for the terminal, formatted alike so a table column reads well: when every value
 * is an integer (counts such as `n`, `k`) as integers; otherwise with 4 decimals, or 1 when the
 * largest is >= 1000 (e.g. k-means inertia, an early MSE loss), and values >= 1e6 or < 1e-4 (not
 * 0) in exponent notation. `-` for a missing or non-finite value.
 *
 * @example
 * ```ts
 * formatMetrics([292, 24]); // ['292', '24']
 * formatMetrics([1, 0.83904, 0.00001234, null]); // ['1.0000', '0.8390', '1.234e-5', '-']
 * formatMetrics([1500.25, 60.5]); // ['1500.3', '60.5']
 * ```
 */
export function formatMetrics(values: readonly unknown[]): string[] {
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const numbers = values.filter(finite);
  const integers = numbers.length > 0 && numbers.every((v) => Number.isInteger(v) && Math.abs(v) < 1e15);
  const decimals = numbers.some((v) => Math.abs(v) >= 1000) ? 1 : 4;
  return values.map((v) => {
    if (!finite(v)) return '-';
    if (integers) return String(v);
    const abs = Math.abs(v);
    if (abs >= 1e6 || (abs < 1e-4 && v !== 0)) return v.toExponential(3);
    return v.toFixed(decimals);
  });
}

/** One metric value for the terminal (see {@link formatMetrics}): `292`, `0.8390`, `12345.7`. */
export function formatMetric(value: unknown): string {
  return formatMetrics([value])[0];
}

/**
 * Evaluation metrics shown as columns of `stratum runs` when any listed run has them, in this
 * order: classification accuracy and macro-F1, regression R² and RMSE, clustering silhouette.
 */
const HEADLINE_METRICS = ['accuracy', 'macroF1', 'r2', 'rmse', 'silhouette'] as const;

/**
 * Headline metrics of the tasks whose runs are known by a metric only they log: forecasting runs
 * (`skill` vs the naive forecast) show MAE and skill, anomaly runs (`threshold`) F1 and ROC AUC
 * (with a label column) and the share of rows flagged.
 * The workbench's Runs view puts the same metrics first for these tasks.
 */
const TASK_HEADLINES: ReadonlyArray<{ marker: string; metrics: readonly string[] }> = [
  { marker: 'skill', metrics: ['mae', 'skill'] },
  { marker: 'threshold', metrics: ['f1', 'rocAuc', 'flaggedShare'] },
];

/** `2026-11-30T07:29:31.123Z` -> `2026-11-30 07:29:31` (UTC). */
function when(iso: string | null): string {
  return iso === null ? '-' : iso.slice(0, 19).replace('T', ' ');
}

/** Milliseconds as `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function json(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/**
 * The `stratum runs` table: id, started (UTC), experiment, template, status, data rows, the
 * headline metrics any listed run has ({@link HEADLINE_METRICS}, {@link TASK_HEADLINES}; 3 decimals),
 * duration.
 */
export function formatRunsTable(runs: Run[]): string {
  const has = (m: string): boolean => runs.some((r) => typeof r.evaluation?.[m] === 'number');
  const metrics = [...new Set([...HEADLINE_METRICS.filter(has), ...TASK_HEADLINES.filter((t) => has(t.marker)).flatMap((t) => t.metrics.filter(has))])];
  const rows = [['id', 'started (UTC)', 'experiment', 'template', 'status', 'rows', ...metrics, 'duration']];
  for (const r of runs) rows.push([r.id, when(r.startedAt), r.experiment, r.templateId ?? '-', r.status, r.data ? String(r.data.rowCount) : '-', ...metrics.map((m) => num(r.evaluation?.[m])), formatDuration(r.durationMs)]);
  return formatTable(rows);
}

/** Rows of a search's trial table that `runs show` prints (the rest are counted, with the command that lists them). */
const TRIAL_ROWS = 20;

/** `maxDepth=4, learningRate=0.01` (numbers to 6 significant digits). */
function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' ? String(Number(v.toPrecision(6))) : json(v)}`).join(', ');
}

/**
 * The search section of `stratum runs show` for a search run: strategy, metric, why it stopped,
 * the best trial with its params and CV score, the refit run with the command that registers it,
 * and the trial table, best first (at most {@link TRIAL_ROWS} rows).
 */
export function formatSearchSummary(s: SearchRunSummary, experiment: string): string[] {
  const lines: string[] = ['', 'search:'];
  const better = s.direction === 'minimize' ? 'lower is better' : s.direction === 'maximize' ? 'higher is better' : undefined;
  lines.push(`  ${s.strategy ?? '?'} search of ${s.templateId ?? '?'}, ${s.metric ?? '?'}${better ? ` (${better})` : ''}${s.folds === null ? '' : `, ${s.folds}-fold cross-validation per trial`}`);
  if (s.trials !== null) lines.push(`  trials ${s.trials}${s.failedTrials ? ` (${s.failedTrials} failed)` : ''}${s.stopDetail ? `; stopped: ${s.stopDetail}` : ''}`);
  if (s.bestTrial !== null) {
    const score = s.bestMean === null ? '' : `, ${s.metric} ${formatMetric(s.bestMean)}${s.bestStd === null ? '' : ` ± ${formatMetric(s.bestStd)}`}`;
    lines.push(`  best: trial ${s.bestTrial}${score}${s.bestParams ? ` with ${paramsText(s.bestParams)}` : ''}${s.bestRunId ? ` (run ${s.bestRunId})` : ''}`);
  }
  lines.push(s.refitRunId
    ? `  refit of the best params: run ${s.refitRunId}; register it: stratum models register NAME --run ${s.refitRunId}`
    : '  no refit run: the search did not refit its best params (nothing to register)');
  if (s.trialRuns.length > 0) {
    const metric = s.metric ?? 'score';
    const means = formatMetrics(s.trialRuns.map((t) => t.mean));
    const stds = formatMetrics(s.trialRuns.map((t) => t.std));
    const rows = [['rank', 'trial', ...s.searched, metric, 'std', 'status', 'duration', 'run']];
    s.trialRuns.slice(0, TRIAL_ROWS).forEach((t, i) => {
      rows.push([t.mean === null ? '-' : String(i + 1), String(t.trial), ...s.searched.map((n) => (typeof t.params[n] === 'number' ? String(t.params[n]) : json(t.params[n]))), means[i], stds[i], t.status, formatDuration(t.durationMs), t.runId]);
    });
    lines.push('', `trials (best first${s.trialRuns.length > TRIAL_ROWS ? `, ${TRIAL_ROWS} of ${s.trialRuns.length}` : ''}):`, formatTable(rows).trimEnd());
    if (s.trialRuns.length > TRIAL_ROWS) lines.push(`  ... ${s.trialRuns.length - TRIAL_ROWS} more: stratum runs --experiment ${experiment} --limit ${s.trialRuns.length + 2}`);
  }
  return lines;
}

/** `sizes = 1168 train, 292 test rows`, `sizes = 514 train, 49 validation, 138 test windows` (see `runSizes` in core/store/tracker.ts). */
function sizesText(sizes: unknown): string | undefined {
  if (typeof sizes !== 'object' || sizes === null) return undefined;
  const s = sizes as { train?: unknown; validation?: unknown; test?: unknown; unit?: unknown };
  if (typeof s.train !== 'number') return undefined;
  const parts = [`${s.train} train`];
  if (typeof s.validation === 'number') parts.push(`${s.validation} validation`);
  if (typeof s.test === 'number') parts.push(`${s.test} test`);
  if (parts.length === 1) return undefined;
  return `${parts.join(', ')} ${s.unit === 'windows' ? 'windows' : 'rows'}`;
}

/** What `runs show` adds to a run of a search: the search summary (a search run), or which search a trial belongs to. */
export interface RunDetailExtras {
  /** The run's search summary, when it is a search run (`searchRunSummary` of core/store/search-runs.ts). */
  search?: SearchRunSummary;
  /** When it is a trial: its number, its search's run and refit run (null when absent). */
  trial?: { trial: number; searchRunId: string | null; refitRunId: string | null };
}

/** The `stratum runs show` text. */
export function formatRunDetail(run: RunDetail, extras: RunDetailExtras = {}): string {
  const lines: string[] = [];
  lines.push(`run ${run.id}  ${run.status}  experiment ${run.experiment}`);
  lines.push(`started ${when(run.startedAt)} UTC, ended ${when(run.endedAt)}${run.endedAt ? ' UTC' : ''}, duration ${formatDuration(run.durationMs)}`);
  lines.push(`template ${run.templateId ?? '-'}, backend ${run.backend ?? '-'}, seed ${run.seed ?? '-'}`);
  if (run.notebook) lines.push(`notebook ${run.notebook.path}${run.notebook.cellId ? ` cell ${run.notebook.cellId}` : ''}${run.notebook.revision ? ` revision ${run.notebook.revision}` : ''}`);
  if (run.data) lines.push(`data ${run.data.source}: ${run.data.rowCount} rows, sha256 ${run.data.sha256}`);
  if (run.error) lines.push(`error ${run.error.code}: ${run.error.message}`);
  if (extras.trial) {
    const t = extras.trial;
    lines.push(`trial ${t.trial} of search run ${t.searchRunId ?? '(not found)'}: scored by cross-validation, keeps no model${t.refitRunId ? `; the search's model is refit run ${t.refitRunId}` : ''}`);
  }
  lines.push('', 'params:');
  for (const [k, v] of Object.entries(run.params)) lines.push(`  ${k} = ${json(v)}`);
  if (run.evaluation) {
    lines.push('', 'evaluation:');
    for (const [k, v] of Object.entries(run.evaluation)) if (typeof v === 'number') lines.push(`  ${k} = ${formatMetric(v)}`);
    const sizes = sizesText(run.evaluation.sizes);
    if (sizes !== undefined) lines.push(`  sizes = ${sizes}`);
    const warnings = Array.isArray(run.evaluation.warnings) ? run.evaluation.warnings.filter((w): w is string => typeof w === 'string') : [];
    if (warnings.length > 0) lines.push('', 'warnings:', ...warnings.map((w) => `  ${w}`));
  }
  if (extras.search) lines.push(...formatSearchSummary(extras.search, run.experiment));
  // Columns with no value at all (accuracy of a regression run) are left out.
  const names = [...new Set(run.metrics.filter((m) => m.value !== null).map((m) => m.name))];
  if (names.length > 0) {
    const epochs = [...new Set(run.metrics.map((m) => m.epoch))].sort((a, b) => a - b);
    const at = new Map(run.metrics.map((m) => [`${m.name}@${m.epoch}`, m]));
    // A search trial logs its cross-validation folds as steps (`fold.accuracy`... at step = fold): name the column by what it is.
    const unit = names.every((n) => n.startsWith('fold.')) ? 'fold' : 'epoch';
    const rows = [[unit, ...names, 'step']];
    const columns = names.map((n) => formatMetrics(epochs.map((e) => at.get(`${n}@${e}`)?.value ?? null)));
    epochs.forEach((e, i) => {
      const step = names.map((n) => at.get(`${n}@${e}`)?.stepMs).find((s) => s !== undefined && s !== null) ?? null;
      rows.push([String(e), ...columns.map((c) => c[i]), formatDuration(step)]);
    });
    lines.push('', `metrics per ${unit}:`, formatTable(rows).trimEnd());
  }
  if (run.artifacts.length > 0) {
    lines.push('', 'artifacts:');
    for (const a of run.artifacts) lines.push(`  ${a.name} (${a.kind}, ${a.bytes} bytes, sha256 ${a.sha256.slice(0, 12)}...) ${a.path}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The search summary of a search run, or the search of a trial run, for {@link formatRunDetail}. */
export function runDetailExtras(store: TrackingStore, run: RunDetail): RunDetailExtras {
  const search = searchRunSummary(store.runs, run);
  if (search) return { search };
  const of = trialOf(run);
  if (!of) return {};
  const searchRun = findSearchRun(store.runs, of.searchId);
  return { trial: { trial: of.trial, searchRunId: searchRun?.id ?? null, refitRunId: searchRun ? refitRunOf(searchRun) : null } };
}

/**
 * Adds `runs` (with `show`, `compare`) and `models` (with `alias`, `register`, `export`) to the program.
 *
 * @param program - the `stratum` commander program
 * @param io - where output goes
 */
export function registerRunsCommands(program: Command, io: CliIo): void {
  const runs = program
    .command('runs')
    .description('list tracked training runs of a workspace, newest first')
    .option('-w, --workspace <dir>', 'workspace folder (its .stratum/tracking.db)', process.cwd())
    .option('-e, --experiment <name>', 'only runs of this experiment')
    .option('-s, --status <status>', 'only runs with this status (running, finished, failed, cancelled)')
    .option('-t, --template <id>', 'only runs of this template')
    .option('-n, --limit <n>', 'at most this many runs', parseLimit, 20)
    .action((opts: StoreOptions & { experiment?: string; status?: RunStatus; template?: string; limit: number }) => {
      withStore(opts, true, (store) => {
        const list = store.runs.list({ experiment: opts.experiment, status: opts.status, templateId: opts.template, limit: opts.limit });
        io.out(list.length === 0 ? 'no runs\n' : formatRunsTable(list));
      });
    });

  runs
    .command('show')
    .description('show one run: params, data, evaluation, per-epoch metrics, artifacts')
    .argument('<id>', 'run id (or a unique prefix of at least 4 characters)')
    .action((id: string, _opts: unknown, cmd: Command) => {
      withStore(cmd.optsWithGlobals<StoreOptions>(), true, (store) => {
        const run = store.runs.get(store.runs.resolveId(id));
        io.out(formatRunDetail(run, runDetailExtras(store, run)));
      });
    });

  runs
    .command('compare')
    .description('compare runs side by side: differing params and metrics')
    .argument('<ids...>', 'two or more run ids (or unique prefixes)')
    .action((ids: string[], _opts: unknown, cmd: Command) => {
      withStore(cmd.optsWithGlobals<StoreOptions>(), true, (store) => {
        const cmp = store.runs.compare(ids.map((id) => store.runs.resolveId(id)));
        const header = ['', ...cmp.runs.map((r) => r.id)];
        const paramRows = cmp.paramsDiff.map((d) => [d.name, ...d.values.map(json)]);
        io.out(paramRows.length === 0 ? 'params: identical\n' : `params that differ:\n${formatTable([header, ...paramRows])}`);
        io.out(`\nmetrics:\n${formatTable([header, ...cmp.metrics.map((m) => [m.name, ...formatMetrics(m.values)]), ['duration', ...cmp.runs.map((r) => formatDuration(r.durationMs))]])}`);
      });
    });

  const models = program
    .command('models')
    .description('list registered models with their versions and aliases')
    .option('-w, --workspace <dir>', 'workspace folder (its .stratum/tracking.db)', process.cwd())
    .action((opts: StoreOptions) => {
      withStore(opts, true, (store) => {
        const list = store.models.listModels();
        if (list.length === 0) {
          io.out('no registered models\n');
          return;
        }
        for (const m of list) {
          const aliases = Object.entries(m.aliases).map(([a, v]) => `${a} -> v${v}`).join(', ');
          io.out(`${m.name}${m.description ? ` — ${m.description}` : ''}${aliases ? `  (${aliases})` : ''}\n`);
          const rows = [['  version', 'created (UTC)', 'run', 'aliases', 'manifest sha256']];
          for (const v of m.versions) rows.push([`  v${v.version}`, when(v.createdAt), v.runId ?? '-', v.aliases.join(',') || '-', `${v.manifestSha256.slice(0, 12)}...`]);
          io.out(formatTable(rows));
        }
      });
    });

  models
    .command('alias')
    .description('point an alias (champion, challenger, ...) at a version of a model, atomically')
    .argument('<name>', 'model name')
    .argument('<alias>', 'alias: lowercase letters, digits, _ or -')
    .argument('<version>', 'version number (3 or v3) or another alias')
    .action((name: string, alias: string, version: string, _opts: unknown, cmd: Command) => {
      withStore(cmd.optsWithGlobals<StoreOptions>(), true, (store) => {
        const before = store.models.getModel(name).aliases[alias];
        const v = store.models.setAlias(name, alias, version);
        io.out(`${name}: ${alias} -> v${v.version}${before === undefined ? ' (new)' : before === v.version ? ' (unchanged)' : ` (was v${before})`}\n`);
      });
    });

  models
    .command('register')
    .description("register a bundle (or a run's bundle artifact) as the next version of a model")
    .argument('<name>', 'model name (created if new)')
    .option('--run <id>', 'source run (its bundle artifact is used unless --bundle is given)')
    .option('--bundle <dir>', 'bundle folder written by exportBundle')
    .option('--alias <alias...>', 'aliases to point at the new version')
    .action((name: string, opts: { run?: string; bundle?: string; alias?: string[] }, cmd: Command) => {
      withStore(cmd.optsWithGlobals<StoreOptions>(), false, (store) => {
        const runId = opts.run === undefined ? undefined : store.runs.resolveId(opts.run);
        const v = store.models.registerVersion({ model: name, runId, bundlePath: opts.bundle, aliases: opts.alias });
        // A search run's model is its refit run's: say so, since the version names the refit run.
        const via = runId !== undefined && v.runId !== runId ? ` (the refit of search run ${runId})` : '';
        io.out(`registered ${name} v${v.version}${v.runId ? ` from run ${v.runId}${via}` : ''} at ${v.bundlePath}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}\n`);
        for (const w of v.warnings) io.out(`note: ${w}\n`);
      });
    });

  models
    .command('export')
    .description('copy a registered version (verified against its checksums) to a bundle folder')
    .argument('<name>', 'model name')
    .argument('<version>', 'version number or alias')
    .argument('<dir>', 'target folder')
    .option('--overwrite', 'replace an existing bundle folder')
    .action((name: string, version: string, dir: string, opts: { overwrite?: boolean }, cmd: Command) => {
      withStore(cmd.optsWithGlobals<StoreOptions>(), true, (store) => {
        const out = store.models.exportVersion(name, version, dir, { overwrite: opts.overwrite ?? false });
        io.out(`exported ${out.model} v${out.version} to ${out.dir} (manifest sha256 ${out.manifestSha256})\n`);
      });
    });
}
