/**
 * Training-data guardrails shared by every template trainer: refuse data that cannot give a
 * meaningful model (a target with one class, a feature that is the target in disguise) and warn
 * about data that gives a weak or badly measured one (a constant feature, a tiny test split).
 *
 * Missing values (`null`, `undefined`, `NaN`) are ignored by every check.
 */
import { StratumError } from '../errors.ts';
import type { EarlyStoppingReport } from './fit.ts';
import { describeValue, numbersAsTextIssue } from './preprocess.ts';
import type { FeatureRecord } from './types.ts';

/** What {@link checkTrainingData} looks at. */
export interface TrainingDataCheck {
  /** Target column (absent for clustering). */
  target?: string;
  /** Feature columns. */
  features: string[];
  /** Kind of problem. */
  task: 'classification' | 'regression' | 'clustering';
  /** Rows of the held-out split, when known (enables the test-size warning). */
  testRows?: number;
}

/** Smallest held-out split that does not draw a warning: `max(MIN_TEST_ROWS, number of classes)`. */
export const MIN_TEST_ROWS = 10;

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** Value as a map key that keeps `1` and `"1"` apart. */
function key(value: unknown): string {
  return `${typeof value}:${String(value)}`;
}

/**
 * True when `feature` and `target` determine each other on every row where both are present
 * (a one-to-one relabeling; identical columns are the special case of the identity map).
 */
function isRelabeling(records: FeatureRecord[], feature: string, target: string): boolean {
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  let pairs = 0;
  for (const r of records) {
    const f = r[feature];
    const t = r[target];
    if (isMissing(f) || isMissing(t)) continue;
    const fk = key(f);
    const tk = key(t);
    if ((forward.get(fk) ?? tk) !== tk || (backward.get(tk) ?? fk) !== fk) return false;
    forward.set(fk, tk);
    backward.set(tk, fk);
    pairs++;
  }
  return pairs > 0 && backward.size >= 2;
}

/** True when the feature equals the target (same value, `===`) on every row where both are present. */
function isIdentical(records: FeatureRecord[], feature: string, target: string): boolean {
  let pairs = 0;
  for (const r of records) {
    const f = r[feature];
    const t = r[target];
    if (isMissing(f) || isMissing(t)) continue;
    if (f !== t) return false;
    pairs++;
  }
  return pairs > 0;
}

/**
 * Checks training data before a model is fitted.
 *
 * Errors (thrown, `DATA_INVALID`, `detail.field` names the column):
 * - classification target with fewer than 2 distinct (non-missing) values;
 * - target leakage: a feature identical to the target, or (classification) a one-to-one
 *   relabeling of it (each feature value maps to exactly one class and back).
 *   For regression only identical columns are refused, since any two columns of distinct numbers
 *   are trivially one-to-one.
 *
 * Warnings (returned, one readable sentence each):
 * - a classification target that is mostly numbers with a few other values (e.g. `"n/a"`, which
 *   would become a class of its own): names them with their rows and the fix;
 * - a constant feature (one distinct non-missing value, or none): it carries no information;
 * - a held-out split smaller than `max(10, number of classes)` rows (`testRows` given): its
 *   metrics are too noisy to trust.
 *
 * @param records - the rows the template trains on (all of them, before the split)
 * @param check - target, features, task and optionally the held-out size
 * @returns warnings, in the order above (empty when nothing is suspicious)
 * @throws StratumError `DATA_INVALID` for a one-class target or target leakage
 * @example
 * ```ts
 * checkTrainingData([{ x: 1, y: 'a' }, { x: 1, y: 'b' }], { target: 'y', features: ['x'], task: 'classification' });
 * // ['feature "x" is constant (always 1): it carries no information']
 * ```
 */
export function checkTrainingData(records: FeatureRecord[], check: TrainingDataCheck): string[] {
  const warnings: string[] = [];
  const { target, features, task } = check;
  let classes = 0;
  if (target !== undefined && task !== 'clustering') {
    const values = new Set<string>();
    for (const r of records) if (!isMissing(r[target])) values.add(task === 'classification' ? String(r[target]) : key(r[target]));
    classes = task === 'classification' ? values.size : 0;
    if (task === 'classification' && values.size < 2) {
      throw new StratumError('DATA_INVALID', `target ${JSON.stringify(target)} has ${values.size} class${values.size === 1 ? ` (${JSON.stringify([...values][0])})` : 'es'}; classification needs at least 2`, {
        detail: { field: 'target' },
        hint: 'Choose a target column with at least two distinct values.',
      });
    }
    if (task === 'classification') {
      // A class column of numbers with a stray marker ("n/a") the loader did not read as missing.
      const present: Array<{ row: number; value: unknown }> = [];
      records.forEach((r, row) => {
        if (!isMissing(r[target])) present.push({ row, value: r[target] });
      });
      const issue = numbersAsTextIssue(target, present, 'target');
      if (issue?.kind === 'strays') warnings.push(`${issue.message}: each of those values becomes a class of its own. ${issue.hint}`);
    }
    for (const f of features) {
      const leaks = task === 'classification' ? isRelabeling(records, f, target) : isIdentical(records, f, target);
      if (leaks) {
        const how = task === 'classification' && !isIdentical(records, f, target) ? 'a one-to-one relabeling of' : 'identical to';
        throw new StratumError('DATA_INVALID', `target leakage: feature ${JSON.stringify(f)} is ${how} the target ${JSON.stringify(target)}`, {
          detail: { field: f },
          hint: `Remove ${JSON.stringify(f)} from the features: a model would only learn to copy it, and it will not be known when predicting.`,
        });
      }
    }
  }
  for (const f of features) {
    const values = new Map<string, unknown>();
    for (const r of records) {
      if (!isMissing(r[f])) values.set(key(r[f]), r[f]);
      if (values.size > 1) break;
    }
    if (values.size === 0) warnings.push(`feature ${JSON.stringify(f)} is always missing: it carries no information`);
    else if (values.size === 1) warnings.push(`feature ${JSON.stringify(f)} is constant (always ${describeValue([...values.values()][0])}): it carries no information`);
  }
  if (check.testRows !== undefined && task !== 'clustering') {
    const min = Math.max(MIN_TEST_ROWS, classes);
    if (check.testRows < min) warnings.push(`the test split has ${check.testRows} row${check.testRows === 1 ? '' : 's'} (fewer than ${min}): its metrics are too noisy to trust; use more data or a larger testFraction`);
  }
  return warnings;
}

/**
 * The lines a summary adds about early stopping, class weights and guardrail warnings (none when
 * none of them applies, so summaries of plain runs are unchanged).
 *
 * @param t - a trained model (its `earlyStopping`, `warnings` and `params.classWeight`)
 */
export function trainingNotes(t: { earlyStopping?: EarlyStoppingReport; warnings?: string[]; params: Record<string, unknown> }): string[] {
  const lines: string[] = [];
  const es = t.earlyStopping;
  if (es) {
    const stopped = es.stoppedEpoch === undefined ? 'ran every epoch' : `stopped at epoch ${es.stoppedEpoch} (patience ${es.patience})`;
    lines.push('', `early stopping: ${stopped}; best held-out loss ${Number.isFinite(es.bestValLoss) ? es.bestValLoss.toFixed(4) : 'n/a'} at epoch ${es.bestEpoch}${es.restoredBest ? ', whose weights were kept' : ''}.`);
    lines.push('  The held-out split was used for model selection (when to stop), so its test metrics are optimistic.');
  }
  if (t.params.classWeight === 'balanced') lines.push('', 'class weights: balanced (n / (n_classes * count) per class)');
  if (t.warnings && t.warnings.length > 0) lines.push('', ...t.warnings.map((w) => `warning: ${w}`));
  return lines;
}
