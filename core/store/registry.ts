/**
 * The model registry: named models, their numbered versions (each a verified copy of a bundle,
 * linked to the run that trained it), aliases that move atomically, and lineage.
 *
 * Bundles are copied into the store folder (`<store>/models/<name>/v<N>/`) so a registered
 * version survives the user deleting or overwriting the folder it was exported to; the SHA-256 of
 * its `manifest.json` (which lists the SHA-256 of every other file) is stored with the version and
 * checked again on export.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StratumError } from '../errors.ts';
import { readTx, writeTx, type Db } from './db.ts';
import { sha256File } from './fingerprint.ts';
import { asAliasName, asModelName, asRunId, asVersionNumber } from './ids.ts';
import type { RunStore } from './runs.ts';
import { findSearchRun, isSearchRun, refitRunOf, trialOf } from './search-runs.ts';
import type { AliasEvent, AliasName, Lineage, ModelName, ModelVersion, NewModelVersion, RegisteredModel, RegisteredModelVersion, RunDetail, RunId, VersionNumber } from './types.ts';

/** A version number, or an alias naming one (`3`, `"3"`, `"v3"`, `"champion"`). */
export type VersionRef = number | string;

/** Result of {@link ModelRegistry.exportVersion}. */
export interface ExportedVersion {
  /** Absolute path of the exported bundle folder. */
  dir: string;
  model: ModelName;
  version: VersionNumber;
  /** SHA-256 of the exported `manifest.json` (equal to the registered one). */
  manifestSha256: string;
}

interface VersionRow {
  model: string;
  version: number;
  run_id: string | null;
  bundle_path: string;
  manifest_sha256: string;
  description: string;
  created_at: string;
  aliases: string | null;
}

const VERSION_SELECT = `SELECT m.name AS model, v.version, v.run_id, v.bundle_path, v.manifest_sha256, v.description, v.created_at,
  (SELECT group_concat(alias, ',') FROM (SELECT a.alias FROM model_aliases a WHERE a.version_id = v.id ORDER BY a.alias)) AS aliases
  FROM model_versions v JOIN models m ON m.id = v.model_id`;

interface ManifestFiles {
  format?: unknown;
  files?: Record<string, { sha256?: unknown; bytes?: unknown }>;
}

/**
 * Verifies a bundle folder without loading its model: `manifest.json` is a Stratum bundle
 * manifest and every file it lists has the recorded size and SHA-256.
 *
 * @returns the SHA-256 of `manifest.json`
 * @throws StratumError `FILE_NOT_FOUND` when there is no manifest; `BUNDLE_INVALID` naming the first bad file
 */
export function verifyBundleFolder(dir: string): string {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new StratumError('FILE_NOT_FOUND', `no bundle at ${dir}: manifest.json not found`, { detail: { path: manifestPath }, hint: 'Pass the folder written by exportBundle.' });
  }
  let manifest: ManifestFiles;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestFiles;
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${manifestPath} is not valid JSON`, { detail: { path: manifestPath }, cause: error });
  }
  if (manifest.format !== 'stratum-bundle' || typeof manifest.files !== 'object' || manifest.files === null) {
    throw new StratumError('BUNDLE_INVALID', `${manifestPath} is not a Stratum bundle manifest`, { detail: { path: manifestPath } });
  }
  for (const [name, entry] of Object.entries(manifest.files)) {
    const path = join(dir, ...name.split('/'));
    if (isAbsolute(name) || name.split('/').includes('..')) throw new StratumError('BUNDLE_INVALID', `${manifestPath} lists a file outside the bundle: ${name}`, { detail: { path: manifestPath } });
    if (!existsSync(path)) throw new StratumError('BUNDLE_INVALID', `bundle file ${name} is missing from ${dir}`, { detail: { path, field: name } });
    const actual = sha256File(path);
    if (actual !== entry.sha256 || statSync(path).size !== entry.bytes) {
      throw new StratumError('BUNDLE_INVALID', `bundle file ${name} does not match its checksum in manifest.json (expected sha256 ${String(entry.sha256)}, found ${actual})`, {
        detail: { path, field: name, expectedSha256: entry.sha256, actualSha256: actual },
        hint: 'The bundle was modified after export: re-export it from the notebook.',
      });
    }
  }
  return sha256File(manifestPath);
}

function parseRef(ref: VersionRef): { version: VersionNumber } | { alias: AliasName } {
  if (typeof ref === 'number') return { version: asVersionNumber(ref) };
  const m = /^v?(\d+)$/.exec(ref);
  return m ? { version: asVersionNumber(Number(m[1])) } : { alias: asAliasName(ref) };
}

function unknownModel(name: string): StratumError {
  return new StratumError('MODEL_UNKNOWN', `unknown model ${JSON.stringify(name)}`, { detail: { field: 'model', model: name }, hint: 'List models with `stratum models`.' });
}

/**
 * The model registry of one tracking store. Obtain it as `store.models` (see `openTrackingStore`).
 *
 * @example
 * ```ts
 * const v = store.models.registerVersion({ model: 'weather', runId: run.id, aliases: ['challenger'] });
 * store.models.setAlias('weather', 'champion', v.version);
 * store.models.exportVersion('weather', 'champion', 'out/weather-bundle');
 * ```
 */
export class ModelRegistry {
  readonly #db: Db;
  readonly #root: string;
  readonly #now: () => Date;
  readonly #runs: RunStore;

  /** @internal use `openTrackingStore`. */
  constructor(db: Db, root: string, now: () => Date, runs: RunStore) {
    this.#db = db;
    this.#root = root;
    this.#now = now;
    this.#runs = runs;
  }

  /**
   * Creates a registered model with no versions.
   *
   * @throws StratumError `USAGE` for a bad name; `MODEL_EXISTS` when the name is taken
   */
  createModel(name: string, description = ''): RegisteredModel {
    const model = asModelName(name);
    writeTx(this.#db, () => {
      if (this.#modelId(model) !== undefined) throw new StratumError('MODEL_EXISTS', `model ${JSON.stringify(model)} already exists`, { detail: { field: 'model' }, hint: 'Register a new version of it instead.' });
      this.#db.prepare('INSERT INTO models (name, description, created_at) VALUES (?, ?, ?)').run(model, description, this.#now().toISOString());
    });
    return this.getModel(model);
  }

  /**
   * Registers a bundle as the next version of a model (1 for a new model; the model is created if
   * needed). The bundle (given, or the run's artifact named `bundle` — the one the tracker logs
   * after training — else its only `bundle`-kind artifact) is verified, copied into the
   * store folder, and recorded with its manifest checksum and source run; `aliases` are pointed at
   * the new version in the same transaction. A hyperparameter search run (template
   * `search.hyperparameters`) keeps no model itself: its refit run's logged model is registered,
   * and the version's `runId` is the refit run. A search trial keeps no model and is refused with
   * the command that registers the refit.
   *
   * A bundle whose manifest checksum equals an earlier version's (the same run registered twice)
   * is registered all the same, and the result says so (`sameChecksumAs`, `warnings`).
   *
   * @returns the new version, with the earlier versions holding the same model
   * @throws StratumError `USAGE` for a bad name or alias, when neither a bundle nor a run is given,
   *   or when the run has no usable model (a trial, a search without a refit, a failed or
   *   cancelled run, a run that logged none: the message says why and what to do); `RUN_UNKNOWN`; `FILE_NOT_FOUND` /
   *   `BUNDLE_INVALID` from {@link verifyBundleFolder}
   */
  registerVersion(input: NewModelVersion): RegisteredModelVersion {
    const model = asModelName(input.model);
    let runId = input.runId === undefined ? undefined : asRunId(input.runId);
    const aliases = (input.aliases ?? []).map(asAliasName);
    let source = input.bundlePath === undefined ? undefined : resolve(input.bundlePath);
    if (source === undefined) {
      if (runId === undefined) {
        throw new StratumError('USAGE', 'nothing to register: give a bundle folder (--bundle DIR) or a run whose model was logged (--run ID)', {
          detail: { field: 'runId' },
          hint: 'List runs with `stratum runs`; a bundle folder is what exportBundle wrote (it holds manifest.json).',
        });
      }
      const logged = this.#loggedBundle(runId, input.model);
      source = logged.path;
      runId = logged.runId;
    }
    // Checked where the user put it first, so the error names their folder and nothing is created for a bad one;
    // the copy is checked again below (the source could change while it is copied).
    verifyBundleFolder(source);
    const modelDir = join(this.#root, 'models', model);
    const createdModelDir = !existsSync(modelDir);
    mkdirSync(modelDir, { recursive: true });
    const temp = join(modelDir, `.incoming-${randomBytes(6).toString('hex')}`);
    let final: string | undefined;
    try {
      cpSync(source, temp, { recursive: true, errorOnExist: true });
      const manifestSha256 = verifyBundleFolder(temp);
      const createdAt = this.#now().toISOString();
      const { version, same } = writeTx(this.#db, () => {
        const db = this.#db;
        if (runId !== undefined && !db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) {
          throw new StratumError('RUN_UNKNOWN', `unknown run ${JSON.stringify(runId)}`, { detail: { field: 'runId' } });
        }
        db.prepare('INSERT INTO models (name, description, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING').run(model, '', createdAt);
        const modelId = this.#modelId(model) as number;
        const { next } = db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE model_id = ?').get(modelId) as { next: number };
        final = join(modelDir, `v${next}`);
        // A folder without a row is left over from a process killed between rename and commit: we hold the write lock, so it is safe to replace.
        if (existsSync(final)) rmSync(final, { recursive: true, force: true });
        renameSync(temp, final);
        const info = db.prepare('INSERT INTO model_versions (model_id, version, run_id, bundle_path, manifest_sha256, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(modelId, next, runId ?? null, relative(this.#root, final).split(sep).join('/'), manifestSha256, input.description ?? '', createdAt);
        for (const alias of aliases) this.#moveAlias(modelId, alias, Number(info.lastInsertRowid), createdAt);
        const earlier = db.prepare('SELECT version FROM model_versions WHERE model_id = ? AND manifest_sha256 = ? AND version < ? ORDER BY version').all(modelId, manifestSha256, next) as Array<{ version: number }>;
        return { version: next as VersionNumber, same: earlier.map((r) => r.version as VersionNumber) };
      });
      const warnings = same.length === 0 ? [] : [`v${version} has the same model as ${same.map((v) => `v${v}`).join(', ')} (same manifest checksum)`];
      return { ...this.getVersion(model, version), sameChecksumAs: same, warnings };
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      if (final !== undefined && existsSync(final) && !this.#pathRegistered(final)) rmSync(final, { recursive: true, force: true });
      if (createdModelDir) {
        try {
          rmdirSync(modelDir); // only when empty: another process may have registered a version meanwhile
        } catch {
          // not empty or already gone: keep it
        }
      }
      throw error;
    }
  }

  /**
   * The model a run logged: its artifact named `bundle` (logged at training time), else its only
   * `bundle`-kind artifact (an export). A hyperparameter search run keeps no model of its own: its
   * refit run's model is used (the search's one model: the best params trained on the full
   * training data), and the version records the refit run. A trial run keeps no model: refused
   * with the command that registers the search's refit.
   *
   * @param model - the model name, for the commands in messages
   * @returns the bundle folder and the run the version records
   * @throws StratumError `RUN_UNKNOWN`; `USAGE` saying why the run has no usable model and what to do
   */
  #loggedBundle(runId: RunId, model: string): { path: string; runId: RunId } {
    const run = this.#runs.get(runId);
    const register = (id: string): string => `stratum models register ${model} --run ${id}`;
    if (isSearchRun(run)) {
      const refit = refitRunOf(run);
      if (refit === null) {
        const why = run.status === 'running' ? 'it is still running' : run.status !== 'finished' ? `it was ${run.status} before the refit` : 'it ran without a refit (refit: false)';
        throw new StratumError('USAGE', `run ${runId} is a hyperparameter search, which keeps no model itself, and it has no refit run to register: ${why}`, {
          detail: { field: 'runId', runId, searchRun: true },
          hint: 'Run the search again to its end (it refits the best params as a run you can register), or train the template with the best params and register that run.',
        });
      }
      const chosen = this.#bundleArtifact(this.#runs.get(refit));
      if (!chosen) {
        throw new StratumError('USAGE', `run ${runId} is a hyperparameter search; its model is the refit run ${refit}, which logged no model (see its warnings: stratum runs show ${refit})`, {
          detail: { field: 'runId', runId, refitRunId: refit },
          hint: `Register a bundle folder exported from the notebook instead: stratum models register ${model} --run ${refit} --bundle DIR.`,
        });
      }
      return { path: chosen.path, runId: refit as RunId };
    }
    const trial = trialOf(run);
    if (trial) {
      const search = findSearchRun(this.#runs, trial.searchId);
      const refit = search ? refitRunOf(search) : null;
      const of = search ? `hyperparameter search ${search.id}` : `hyperparameter search ${trial.searchId}`;
      const retrain = `to keep this trial's params, train ${run.templateId ?? 'the template'} with them and register that run`;
      throw new StratumError('USAGE', `run ${runId} is trial ${trial.trial} of ${of}: trials are scored by cross-validation and keep no model; ${refit === null ? `the search has no refit run, so ${retrain}` : `register the search's refit (the best trial's params trained on the full training data): ${register(refit)}; or, ${retrain}`}`, {
        detail: { field: 'runId', runId, searchId: trial.searchId, trial: trial.trial, ...(search ? { searchRunId: search.id } : {}), ...(refit === null ? {} : { refitRunId: refit }) },
        hint: refit === null ? 'Run the search again to its end: it refits the best params as a run you can register.' : `Register the refit run: ${register(refit)}.`,
      });
    }
    const chosen = this.#bundleArtifact(run);
    if (!chosen && (run.status === 'failed' || run.status === 'cancelled')) {
      const error = run.error ? ` (${run.error.code}: ${run.error.message})` : '';
      throw new StratumError('USAGE', `run ${runId} ${run.status === 'failed' ? 'failed' : 'was cancelled'}${error}: a ${run.status} run has no model to register`, {
        detail: { field: 'runId', runId, status: run.status, ...(run.error ? { errorCode: run.error.code } : {}) },
        hint: `${run.status === 'failed' ? 'Fix the error and train' : 'Train'} again (a finished run logs its model), then register that run; find finished runs with \`stratum runs --status finished\`.`,
      });
    }
    if (!chosen) {
      const bundles = run.artifacts.filter((a) => a.kind === 'bundle');
      // The tracker keeps why the export failed in the run's warnings (logRunBundle).
      const why = (Array.isArray(run.evaluation?.warnings) ? run.evaluation.warnings : []).find((w): w is string => typeof w === 'string' && w.includes('not logged as a bundle'));
      throw new StratumError('USAGE', bundles.length === 0
        ? `run ${runId} logged no model (it has no bundle artifact)${run.status === 'finished' ? (why ? `: ${why}` : '') : `: it is ${run.status}`}`
        : `run ${runId} has ${bundles.length} exported bundles (${bundles.map((a) => a.name).join(', ')}) and no logged one: say which to register`, {
        detail: { field: 'runId', runId, artifacts: bundles.map((a) => a.name) },
        hint: `${bundles.length === 0 && run.status === 'finished' ? `Its model was not logged as a bundle (see the run's warnings: stratum runs show ${runId}). ` : ''}Pass a bundle folder the notebook exported: stratum models register ${model} --run ${runId} --bundle DIR.`,
      });
    }
    return { path: chosen.path, runId };
  }

  /** The bundle the tracker logged at training time (named `bundle`), else the run's only `bundle`-kind artifact (later exports of the same model are extra ones). */
  #bundleArtifact(run: RunDetail): RunDetail['artifacts'][number] | undefined {
    const bundles = run.artifacts.filter((a) => a.kind === 'bundle');
    return bundles.find((a) => a.name === 'bundle') ?? (bundles.length === 1 ? bundles[0] : undefined);
  }

  /**
   * Points `alias` at `version` of `model`, in one transaction: the alias is created or moved (it
   * always names exactly one version; the schema's composite foreign key makes pointing it at
   * another model's version impossible). The move is recorded in the alias history.
   *
   * @returns the version the alias now names
   * @throws StratumError `MODEL_UNKNOWN`; `MODEL_VERSION_UNKNOWN` (listing the model's versions); `USAGE` for a bad alias
   */
  setAlias(model: string, alias: string, version: VersionRef): ModelVersion {
    const name = asModelName(model);
    const aliasName = asAliasName(alias);
    const ref = parseRef(version);
    const number = writeTx(this.#db, () => {
      const modelId = this.#requireModel(name);
      const target = this.#versionRow(name, modelId, ref);
      this.#moveAlias(modelId, aliasName, target.id, this.#now().toISOString());
      return target.version;
    });
    return this.getVersion(name, number);
  }

  /**
   * Removes an alias (recorded in the history).
   *
   * @throws StratumError `MODEL_UNKNOWN`; `ALIAS_UNKNOWN`
   */
  deleteAlias(model: string, alias: string): void {
    const name = asModelName(model);
    const aliasName = asAliasName(alias);
    writeTx(this.#db, () => {
      const modelId = this.#requireModel(name);
      const row = this.#db.prepare('SELECT version_id FROM model_aliases WHERE model_id = ? AND alias = ?').get(modelId, aliasName) as { version_id: number } | undefined;
      if (!row) throw this.#unknownAlias(name, modelId, aliasName);
      this.#db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND alias = ?').run(modelId, aliasName);
      this.#db.prepare('INSERT INTO model_alias_events (model_id, alias, from_version_id, to_version_id, at) VALUES (?, ?, ?, NULL, ?)').run(modelId, aliasName, row.version_id, this.#now().toISOString());
    });
  }

  /**
   * One version, by number or alias.
   *
   * @throws StratumError `MODEL_UNKNOWN`; `MODEL_VERSION_UNKNOWN`; `ALIAS_UNKNOWN`
   */
  getVersion(model: string, ref: VersionRef): ModelVersion {
    const name = asModelName(model);
    const parsed = parseRef(ref);
    return readTx(this.#db, () => {
      const modelId = this.#requireModel(name);
      const { version } = this.#versionRow(name, modelId, parsed);
      const row = this.#db.prepare(`${VERSION_SELECT} WHERE v.model_id = ? AND v.version = ?`).get(modelId, version) as VersionRow;
      return this.#toVersion(row);
    });
  }

  /**
   * A model with its versions (oldest first) and aliases.
   *
   * @throws StratumError `MODEL_UNKNOWN`
   */
  getModel(model: string): RegisteredModel {
    const name = asModelName(model);
    return readTx(this.#db, () => {
      const row = this.#db.prepare('SELECT id, name, description, created_at FROM models WHERE name = ?').get(name) as { id: number; name: string; description: string; created_at: string } | undefined;
      if (!row) throw unknownModel(name);
      const versions = (this.#db.prepare(`${VERSION_SELECT} WHERE v.model_id = ? ORDER BY v.version`).all(row.id) as VersionRow[]).map((r) => this.#toVersion(r));
      const aliases: Record<string, VersionNumber> = {};
      for (const a of this.#db.prepare('SELECT a.alias, v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? ORDER BY a.alias').all(row.id) as Array<{ alias: string; version: number }>) {
        aliases[a.alias] = a.version as VersionNumber;
      }
      return { name: row.name as ModelName, description: row.description, createdAt: row.created_at, versions, aliases };
    });
  }

  /** Every registered model, by name. */
  listModels(): RegisteredModel[] {
    return readTx(this.#db, () => (this.#db.prepare('SELECT name FROM models ORDER BY name').all() as Array<{ name: string }>).map((r) => this.getModel(r.name)));
  }

  /**
   * The moves of a model's aliases, oldest first (optionally of one alias).
   *
   * @throws StratumError `MODEL_UNKNOWN`
   */
  aliasHistory(model: string, alias?: string): AliasEvent[] {
    const name = asModelName(model);
    const aliasName = alias === undefined ? undefined : asAliasName(alias);
    return readTx(this.#db, () => {
      const modelId = this.#requireModel(name);
      const rows = this.#db.prepare(`SELECT e.alias, f.version AS "from", t.version AS "to", e.at FROM model_alias_events e
        LEFT JOIN model_versions f ON f.id = e.from_version_id LEFT JOIN model_versions t ON t.id = e.to_version_id
        WHERE e.model_id = ? AND (? IS NULL OR e.alias = ?) ORDER BY e.id`).all(modelId, aliasName ?? null, aliasName ?? null) as AliasEvent[];
      return rows;
    });
  }

  /**
   * Where a version came from: the version, its run, and the run's notebook (path, cell,
   * revision) and data fingerprint.
   *
   * @throws StratumError `MODEL_UNKNOWN`; `MODEL_VERSION_UNKNOWN`; `ALIAS_UNKNOWN`
   */
  lineage(model: string, ref: VersionRef): Lineage {
    return readTx(this.#db, () => {
      const version = this.getVersion(model, ref);
      if (version.runId === null) return { version, run: null, notebook: null, data: null };
      const { metrics: _m, artifacts: _a, ...run } = this.#runs.get(version.runId);
      return { version, run, notebook: run.notebook, data: run.data };
    });
  }

  /**
   * Exports a registered version as a bundle folder that `stratum serve` answers. The store keeps
   * the bundle, not the trained model, so this **copies and verifies** the stored bundle (it does
   * not call `exportBundle`): the stored copy must still have the registered manifest checksum and
   * every file its checksum; the copy is written to a temporary sibling of `dir`, verified again,
   * then renamed into place.
   *
   * @param dir - target folder; must not exist unless `overwrite` (and then only a bundle folder or an empty one is replaced)
   * @throws StratumError `MODEL_UNKNOWN` / `MODEL_VERSION_UNKNOWN` / `ALIAS_UNKNOWN`; `BUNDLE_INVALID` when the stored copy was tampered with; `USAGE` when `dir` exists
   */
  exportVersion(model: string, ref: VersionRef, dir: string, options: { overwrite?: boolean } = {}): ExportedVersion {
    const version = this.getVersion(model, ref);
    const stored = verifyBundleFolder(version.bundlePath);
    if (stored !== version.manifestSha256) {
      throw new StratumError('BUNDLE_INVALID', `the registry's copy of ${version.model} v${version.version} has a different manifest.json than registered (expected sha256 ${version.manifestSha256}, found ${stored})`, {
        detail: { path: version.bundlePath, expectedSha256: version.manifestSha256, actualSha256: stored },
        hint: 'The store folder was modified by hand; register the bundle again.',
      });
    }
    const target = resolve(dir);
    if (existsSync(target)) {
      const replaceable = statSync(target).isDirectory() && (readdirSync(target).length === 0 || existsSync(join(target, 'manifest.json')));
      if (!options.overwrite || !replaceable) {
        throw new StratumError('USAGE', `${target} already exists; refusing to overwrite it`, { detail: { path: target }, hint: replaceable ? 'Pass overwrite (CLI: --overwrite) or choose another folder.' : 'Choose another folder.' });
      }
    }
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      cpSync(version.bundlePath, temp, { recursive: true, errorOnExist: true });
      const copied = verifyBundleFolder(temp);
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(temp, target);
      return { dir: target, model: version.model, version: version.version, manifestSha256: copied };
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      throw error;
    }
  }

  #modelId(name: ModelName): number | undefined {
    return (this.#db.prepare('SELECT id FROM models WHERE name = ?').get(name) as { id: number } | undefined)?.id;
  }

  #requireModel(name: ModelName): number {
    const id = this.#modelId(name);
    if (id === undefined) throw unknownModel(name);
    return id;
  }

  #versionRow(name: ModelName, modelId: number, ref: { version: VersionNumber } | { alias: AliasName }): { id: number; version: VersionNumber } {
    if ('alias' in ref) {
      const row = this.#db.prepare('SELECT v.id, v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.alias = ?').get(modelId, ref.alias) as { id: number; version: VersionNumber } | undefined;
      if (!row) throw this.#unknownAlias(name, modelId, ref.alias);
      return row;
    }
    const row = this.#db.prepare('SELECT id, version FROM model_versions WHERE model_id = ? AND version = ?').get(modelId, ref.version) as { id: number; version: VersionNumber } | undefined;
    if (!row) {
      const known = (this.#db.prepare('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version').all(modelId) as Array<{ version: number }>).map((r) => r.version);
      throw new StratumError('MODEL_VERSION_UNKNOWN', `model ${JSON.stringify(name)} has no version ${ref.version} (versions: ${known.length ? known.join(', ') : 'none'})`, {
        detail: { field: 'version', model: name, version: ref.version, versions: known },
        hint: 'List versions with `stratum models`.',
      });
    }
    return row;
  }

  #unknownAlias(name: ModelName, modelId: number, alias: AliasName): StratumError {
    const known = (this.#db.prepare('SELECT alias FROM model_aliases WHERE model_id = ? ORDER BY alias').all(modelId) as Array<{ alias: string }>).map((r) => r.alias);
    return new StratumError('ALIAS_UNKNOWN', `model ${JSON.stringify(name)} has no alias ${JSON.stringify(alias)} (aliases: ${known.length ? known.join(', ') : 'none'})`, {
      detail: { field: 'alias', model: name, alias, aliases: known },
      hint: `Set it with \`stratum models alias ${name} ${alias} VERSION\`.`,
    });
  }

  /** Creates or moves an alias (caller holds the write transaction) and records the move. */
  #moveAlias(modelId: number, alias: AliasName, versionId: number, at: string): void {
    const before = this.#db.prepare('SELECT version_id FROM model_aliases WHERE model_id = ? AND alias = ?').get(modelId, alias) as { version_id: number } | undefined;
    if (before?.version_id === versionId) return;
    this.#db.prepare('INSERT INTO model_aliases (model_id, alias, version_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at')
      .run(modelId, alias, versionId, at);
    this.#db.prepare('INSERT INTO model_alias_events (model_id, alias, from_version_id, to_version_id, at) VALUES (?, ?, ?, ?, ?)').run(modelId, alias, before?.version_id ?? null, versionId, at);
  }

  #pathRegistered(path: string): boolean {
    return this.#db.prepare('SELECT 1 FROM model_versions WHERE bundle_path = ?').get(relative(this.#root, path).split(sep).join('/')) !== undefined;
  }

  #toVersion(row: VersionRow): ModelVersion {
    return {
      model: row.model as ModelName,
      version: row.version as VersionNumber,
      runId: row.run_id as RunId | null,
      bundlePath: resolve(this.#root, ...row.bundle_path.split('/')),
      manifestSha256: row.manifest_sha256,
      description: row.description,
      createdAt: row.created_at,
      aliases: row.aliases === null ? [] : (row.aliases.split(',') as AliasName[]),
    };
  }
}
