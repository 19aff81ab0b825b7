/**
 * The run tracker: create a run, log its per-epoch metrics, record artifacts, finish it, and read,
 * list and compare runs. Every write is one `BEGIN IMMEDIATE` transaction (see db.ts).
 */
import { resolve } from 'node:path';
import { StratumError } from '../errors.ts';
import { readTx, writeTx, type Db } from './db.ts';
import { compareRuns } from './compare.ts';
import { hashPath } from './fingerprint.ts';
import { asExperimentName, asRunId, newRunId } from './ids.ts';
import { RUN_STATUSES, type Artifact, type ArtifactKind, type EpochMetrics, type ExperimentName, type MetricPoint, type NewRun, type Run, type RunComparison, type RunDetail, type RunError, type RunId, type RunQuery, type RunStatus } from './types.ts';

interface RunRow {
  id: string;
  experiment: string;
  status: RunStatus;
  notebook_path: string | null;
  cell_id: string | null;
  notebook_revision: string | null;
  template_id: string | null;
  params_json: string;
  data_source: string | null;
  data_row_count: number | null;
  data_sha256: string | null;
  backend: string | null;
  seed: number | null;
  started_at: string;
  ended_at: string | null;
  evaluation_json: string | null;
  error_code: string | null;
  error_message: string | null;
}

const RUN_COLUMNS = 'r.id, e.name AS experiment, r.status, r.notebook_path, r.cell_id, r.notebook_revision, r.template_id, r.params_json, r.data_source, r.data_row_count, r.data_sha256, r.backend, r.seed, r.started_at, r.ended_at, r.evaluation_json, r.error_code, r.error_message';
const RUN_FROM = 'runs r JOIN experiments e ON e.id = r.experiment_id';
const ARTIFACT_KINDS: readonly ArtifactKind[] = ['model', 'plot', 'bundle'];

/** Input of {@link RunStore.finish}. */
export interface FinishRun {
  /** Final status; default `finished`. */
  status?: Exclude<RunStatus, 'running'>;
  /** Evaluation report (a JSON object, e.g. a ClassificationReport). */
  evaluation?: Record<string, unknown>;
  /** Why it failed or was cancelled. */
  error?: RunError;
  /** End time; default now. */
  endedAt?: Date;
  /**
   * The params as training used them (defaults applied, e.g. a trained model's `params`): replace
   * the params recorded at creation (`params_json`, `run_params`, and `seed` when `params.seed` is
   * an integer) in the same transaction. Absent: the params stay as created.
   */
  params?: Record<string, unknown>;
}

/** Input of {@link RunStore.addArtifact}. */
export interface NewArtifact {
  /** Unique within the run. */
  name: string;
  kind: ArtifactKind;
  /** File or folder (resolved to an absolute path); hashed with `hashPath`. */
  path: string;
  /** Replace an artifact of the same name (e.g. a bundle exported again to the same folder) instead of refusing; default false. */
  replace?: boolean;
}

function toRun(row: RunRow): Run {
  const endedAt = row.ended_at;
  return {
    id: row.id as RunId,
    experiment: row.experiment as ExperimentName,
    status: row.status,
    notebook: row.notebook_path === null ? null : { path: row.notebook_path, ...(row.cell_id === null ? {} : { cellId: row.cell_id }), ...(row.notebook_revision === null ? {} : { revision: row.notebook_revision }) },
    templateId: row.template_id,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    data: row.data_sha256 === null ? null : { source: row.data_source ?? '', rowCount: row.data_row_count ?? 0, sha256: row.data_sha256 },
    backend: row.backend,
    seed: row.seed,
    startedAt: row.started_at,
    endedAt,
    durationMs: endedAt === null ? null : Date.parse(endedAt) - Date.parse(row.started_at),
    evaluation: row.evaluation_json === null ? null : (JSON.parse(row.evaluation_json) as Record<string, unknown>),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
  };
}

function jsonObject(field: string, value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StratumError('USAGE', `${field}: expected a JSON object`, { detail: { field } });
  }
  return JSON.stringify(value);
}

function unknownRun(id: string): StratumError {
  return new StratumError('RUN_UNKNOWN', `unknown run ${JSON.stringify(id)}`, { detail: { field: 'runId', runId: id }, hint: 'List runs with `stratum runs`.' });
}

/**
 * Runs of one tracking store. Obtain it as `store.runs` (see `openTrackingStore`).
 *
 * @example
 * ```ts
 * const run = store.runs.create({ experiment: 'weather', templateId: 'tabular.mlp-classifier', params: { epochs: 2 } });
 * store.runs.logEpoch(run.id, { epoch: 1, values: { loss: 0.9 }, stepMs: 120 });
 * store.runs.finish(run.id, { evaluation: { accuracy: 0.8 } });
 * ```
 */
export class RunStore {
  readonly #db: Db;
  readonly #now: () => Date;

  /** @internal use `openTrackingStore`. */
  constructor(db: Db, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Records a new run with status `running`: its row and one `run_params` row per top-level
   * parameter, in one transaction (a run never exists without its params). The experiment is
   * created on first use.
   *
   * @throws StratumError `USAGE` for a bad experiment name or params that are not a JSON object
   */
  create(input: NewRun): Run {
    const experiment = asExperimentName(input.experiment ?? 'default');
    const paramsJson = jsonObject('params', input.params);
    const params = JSON.parse(paramsJson) as Record<string, unknown>;
    const started = (input.startedAt ?? this.#now()).toISOString();
    const id = newRunId();
    const db = this.#db;
    writeTx(db, () => {
      db.prepare('INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(experiment, started);
      const { id: experimentId } = db.prepare('SELECT id FROM experiments WHERE name = ?').get(experiment) as { id: number };
      db.prepare(`INSERT INTO runs (id, experiment_id, status, notebook_path, cell_id, notebook_revision, template_id, params_json, data_source, data_row_count, data_sha256, backend, seed, started_at)
        VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        id, experimentId, input.notebook?.path ?? null, input.notebook?.cellId ?? null, input.notebook?.revision ?? null, input.templateId ?? null, paramsJson,
        input.data?.source ?? null, input.data?.rowCount ?? null, input.data?.sha256 ?? null, input.backend ?? null, input.seed ?? null, started,
      );
      const param = db.prepare('INSERT INTO run_params (run_id, name, value_json) VALUES (?, ?, ?)');
      for (const [name, value] of Object.entries(params)) param.run(id, name, JSON.stringify(value));
    });
    return this.get(id);
  }

  /**
   * Logs every metric of one epoch of a running run, in one transaction. Logging the same
   * (metric, epoch) again replaces the value.
   *
   * @throws StratumError `RUN_UNKNOWN`; `RUN_STATE` when the run is no longer running; `USAGE` for a bad epoch
   */
  logEpoch(runId: string, metrics: EpochMetrics): void {
    const id = asRunId(runId);
    if (!Number.isInteger(metrics.epoch) || metrics.epoch < 0) throw new StratumError('USAGE', `epoch: expected a non-negative integer, got ${JSON.stringify(metrics.epoch)}`, { detail: { field: 'epoch' } });
    const at = this.#now().toISOString();
    const db = this.#db;
    writeTx(db, () => {
      this.#requireRunning(id, 'log metrics for');
      const put = db.prepare('INSERT OR REPLACE INTO run_metrics (run_id, name, epoch, value, step_ms, logged_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const [name, value] of Object.entries(metrics.values)) {
        if (value === undefined) continue;
        put.run(id, name, metrics.epoch, Number.isNaN(value) ? null : value, metrics.stepMs ?? null, at);
      }
    });
  }

  /**
   * Ends a running run: status, end time, evaluation and error (and, when given, the params as
   * used) in one transaction.
   *
   * @returns the finished run
   * @throws StratumError `RUN_UNKNOWN`; `RUN_STATE` when it already ended; `USAGE` for params or an
   *   evaluation that is not a JSON object
   */
  finish(runId: string, result: FinishRun = {}): Run {
    const id = asRunId(runId);
    const status = result.status ?? 'finished';
    if (!RUN_STATUSES.includes(status) || status === ('running' as RunStatus)) throw new StratumError('USAGE', `status: cannot finish with ${JSON.stringify(status)}`, { detail: { field: 'status' } });
    const evaluation = result.evaluation === undefined ? null : jsonObject('evaluation', result.evaluation);
    const paramsJson = result.params === undefined ? undefined : jsonObject('params', result.params);
    const ended = (result.endedAt ?? this.#now()).toISOString();
    const db = this.#db;
    writeTx(db, () => {
      this.#requireRunning(id, 'finish');
      db.prepare('UPDATE runs SET status = ?, ended_at = ?, evaluation_json = ?, error_code = ?, error_message = ? WHERE id = ?')
        .run(status, ended, evaluation, result.error?.code ?? null, result.error?.message ?? null, id);
      if (paramsJson !== undefined) {
        const params = JSON.parse(paramsJson) as Record<string, unknown>;
        db.prepare('UPDATE runs SET params_json = ? WHERE id = ?').run(paramsJson, id);
        if (Number.isInteger(params.seed)) db.prepare('UPDATE runs SET seed = ? WHERE id = ?').run(params.seed, id);
        db.prepare('DELETE FROM run_params WHERE run_id = ?').run(id);
        const param = db.prepare('INSERT INTO run_params (run_id, name, value_json) VALUES (?, ?, ?)');
        for (const [name, value] of Object.entries(params)) param.run(id, name, JSON.stringify(value));
      }
    });
    return this.get(id);
  }

  /**
   * Records a file or folder the run produced, with its checksum and size ({@link hashPath}).
   * Allowed at any status (a bundle is often exported after training finished).
   *
   * @throws StratumError `RUN_UNKNOWN`; `FILE_NOT_FOUND` when `path` is missing; `USAGE` for a bad kind or a duplicate name (unless `replace`)
   */
  addArtifact(runId: string, artifact: NewArtifact): Artifact {
    const id = asRunId(runId);
    if (!ARTIFACT_KINDS.includes(artifact.kind)) throw new StratumError('USAGE', `kind: expected one of ${ARTIFACT_KINDS.join(', ')}, got ${JSON.stringify(artifact.kind)}`, { detail: { field: 'kind' } });
    if (typeof artifact.name !== 'string' || artifact.name.length === 0 || artifact.name.length > 200) throw new StratumError('USAGE', 'name: expected 1-200 characters', { detail: { field: 'name' } });
    const path = resolve(artifact.path);
    const { sha256, bytes } = hashPath(path);
    const createdAt = this.#now().toISOString();
    const db = this.#db;
    writeTx(db, () => {
      if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id)) throw unknownRun(id);
      if (db.prepare('SELECT 1 FROM run_artifacts WHERE run_id = ? AND name = ?').get(id, artifact.name)) {
        if (!artifact.replace) throw new StratumError('USAGE', `run ${id} already has an artifact named ${JSON.stringify(artifact.name)}`, { detail: { field: 'name', runId: id }, hint: 'Choose another name, or pass replace: true.' });
        db.prepare('DELETE FROM run_artifacts WHERE run_id = ? AND name = ?').run(id, artifact.name);
      }
      db.prepare('INSERT INTO run_artifacts (run_id, name, kind, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, artifact.name, artifact.kind, path, sha256, bytes, createdAt);
    });
    return { name: artifact.name, kind: artifact.kind, path, sha256, bytes, createdAt };
  }

  /**
   * A run with its metrics (by name, then epoch) and artifacts (by creation).
   *
   * @throws StratumError `RUN_UNKNOWN`
   */
  get(runId: string): RunDetail {
    const id = asRunId(runId);
    const db = this.#db;
    return readTx(db, () => {
      const row = db.prepare(`SELECT ${RUN_COLUMNS} FROM ${RUN_FROM} WHERE r.id = ?`).get(id) as RunRow | undefined;
      if (!row) throw unknownRun(id);
      const metrics = (db.prepare('SELECT epoch, name, value, step_ms AS stepMs FROM run_metrics WHERE run_id = ? ORDER BY name, epoch').all(id) as MetricPoint[]);
      const artifacts = db.prepare('SELECT name, kind, path, sha256, bytes, created_at AS createdAt FROM run_artifacts WHERE run_id = ? ORDER BY created_at, name').all(id) as Artifact[];
      return { ...toRun(row), metrics, artifacts };
    });
  }

  /**
   * Resolves a unique prefix (at least 4 characters) of a run id, as `git` does for commits.
   *
   * @throws StratumError `RUN_UNKNOWN` when nothing or more than one run matches, or the prefix is
   *   shorter than 4 characters or not hexadecimal (the message says which)
   */
  resolveId(prefix: string): RunId {
    if (/^[0-9a-f]{0,3}$/.test(prefix)) {
      throw new StratumError('RUN_UNKNOWN', `run id prefix ${JSON.stringify(prefix)} is too short: give at least 4 characters of the id`, { detail: { field: 'runId', minimum: 4 }, hint: 'List runs with `stratum runs` (the id column).' });
    }
    if (!/^[0-9a-f]{4,12}$/.test(prefix)) {
      throw new StratumError('RUN_UNKNOWN', `unknown run ${JSON.stringify(prefix)}: run ids are 12 hexadecimal characters (0-9, a-f); give the id or a prefix of at least 4 of them`, { detail: { field: 'runId' }, hint: 'List runs with `stratum runs` (the id column).' });
    }
    const rows = this.#db.prepare("SELECT id FROM runs WHERE id >= ? AND id < ? || 'g' ORDER BY id LIMIT 2").all(prefix, prefix) as Array<{ id: string }>;
    if (rows.length === 0) throw unknownRun(prefix);
    if (rows.length > 1) throw new StratumError('RUN_UNKNOWN', `run id prefix ${JSON.stringify(prefix)} is ambiguous (${rows.map((r) => r.id).join(', ')}...)`, { detail: { field: 'runId' }, hint: 'Type more characters of the id.' });
    return rows[0].id as RunId;
  }

  /**
   * Runs matching the filter, newest first by default (ties broken by insertion order).
   *
   * @throws StratumError `USAGE` for a bad status or limit
   */
  list(query: RunQuery = {}): Run[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.experiment !== undefined) {
      where.push('e.name = ?');
      args.push(asExperimentName(query.experiment));
    }
    if (query.status !== undefined) {
      if (!RUN_STATUSES.includes(query.status)) throw new StratumError('USAGE', `status: expected one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(query.status)}`, { detail: { field: 'status' } });
      where.push('r.status = ?');
      args.push(query.status);
    }
    if (query.templateId !== undefined) {
      where.push('r.template_id = ?');
      args.push(query.templateId);
    }
    if (query.notebookPath !== undefined) {
      where.push('r.notebook_path = ?');
      args.push(query.notebookPath);
    }
    for (const [name, value] of Object.entries(query.params ?? {})) {
      where.push('EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.name = ? AND p.value_json = ?)');
      args.push(name, JSON.stringify(value));
    }
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw new StratumError('USAGE', `limit: expected a positive integer, got ${JSON.stringify(limit)}`, { detail: { field: 'limit' } });
    const dir = query.order === 'oldest' ? 'ASC' : 'DESC';
    const sql = `SELECT ${RUN_COLUMNS} FROM ${RUN_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.started_at ${dir}, r.rowid ${dir} LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, limit) as RunRow[]).map(toRun);
  }

  /**
   * Compares runs side by side (see {@link compareRuns}): parameters that differ (by canonical
   * JSON) and those equal in all, a metric table (evaluation numbers and the last value of each
   * per-epoch metric as `last.NAME`), the per-epoch curves for overlaying, and which way each known
   * metric is better. The runs are read in one snapshot.
   *
   * @param runIds - two or more distinct run ids (prefixes are not resolved here)
   * @throws StratumError `RUN_UNKNOWN` naming the first unknown id; `USAGE` for fewer than 2 ids or an id given twice
   */
  compare(runIds: string[]): RunComparison {
    if (runIds.length < 2) throw new StratumError('USAGE', `compare needs at least 2 run ids, got ${runIds.length}`, { detail: { field: 'runIds' } });
    return compareRuns(readTx(this.#db, () => runIds.map((id) => this.get(id))));
  }

  #requireRunning(id: RunId, action: string): void {
    const row = this.#db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
    if (!row) throw unknownRun(id);
    if (row.status !== 'running') {
      throw new StratumError('RUN_STATE', `cannot ${action} run ${id}: it is ${row.status}`, { detail: { runId: id, status: row.status }, hint: 'Start a new run instead.' });
    }
  }
}
