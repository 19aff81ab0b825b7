/**
 * Shapes of the tracking store (core/store): branded ids and the plain-JSON records that the run
 * tracker and the model registry read and write. Times are ISO 8601 UTC strings with milliseconds
 * (`2026-11-30T07:29:31.123Z`), durations are milliseconds.
 */

declare const brand: unique symbol;

/** A nominal type: `T` tagged with `B` so ids of different kinds cannot be mixed up. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Id of a run: 12 lowercase hex characters (48 random bits), e.g. `3f9a0c21b7d4`. */
export type RunId = Brand<string, 'RunId'>;
/** Name of an experiment (a group of runs): 1-128 printable characters. */
export type ExperimentName = Brand<string, 'ExperimentName'>;
/** Name of a registered model: 1-64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export type ModelName = Brand<string, 'ModelName'>;
/** Alias of a model version (`champion`, `challenger`, user-defined): 1-64 of lowercase letters, digits, `_`, `-`, starting with a letter. */
export type AliasName = Brand<string, 'AliasName'>;
/** Version number of a registered model: 1, 2, 3... per model. */
export type VersionNumber = Brand<number, 'VersionNumber'>;

/** Lifecycle of a run: `running` until finished, failed (with the error) or cancelled. */
export type RunStatus = 'running' | 'finished' | 'failed' | 'cancelled';

/** Every {@link RunStatus}. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'cancelled'];

/** What data a run trained on. */
export interface DataFingerprint {
  /** Where the data came from: a file path, a notebook variable name, a connector URI. */
  source: string;
  /** Number of records. */
  rowCount: number;
  /** Lowercase hex SHA-256 of the canonical encoding of the records (see `fingerprintRecords`). */
  sha256: string;
}

/** Where in a notebook a run was started. */
export interface NotebookRef {
  /** Notebook file path (as the kernel knows it, normally absolute). */
  path: string;
  /** Id of the cell that trained. */
  cellId?: string;
  /** Hash identifying the notebook's content at execution time (e.g. SHA-256 of the saved document). */
  revision?: string;
}

/** Input of `RunStore.create`. */
export interface NewRun {
  /** Experiment (group of runs); created on first use. Default `default`. */
  experiment?: string;
  notebook?: NotebookRef;
  /** Template id, e.g. `tabular.mlp-classifier`. */
  templateId?: string;
  /** Template/model parameters (JSON object; stored as is, compared key by key). */
  params: Record<string, unknown>;
  data?: DataFingerprint;
  /** TF.js backend or library that trains (e.g. `wasm`). */
  backend?: string;
  /** Seed of the run. */
  seed?: number;
  /** Start time; default now. */
  startedAt?: Date;
}

/** One logged value of one metric at one epoch. */
export interface MetricPoint {
  /** 1-based epoch (or step) number. */
  epoch: number;
  /** Metric name, e.g. `loss`, `valAccuracy`. */
  name: string;
  /** The value; `null` when it was NaN (SQLite stores NaN as NULL). */
  value: number | null;
  /** Wall time of that epoch in milliseconds, if measured. */
  stepMs: number | null;
}

/** Input of `RunStore.logEpoch`: every metric of one epoch. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Metric name -> value (NaN is stored as null; undefined values are skipped). */
  values: Record<string, number | undefined>;
  /** Wall time of the epoch, milliseconds. */
  stepMs?: number;
}

/** Kind of file a run produced. */
export type ArtifactKind = 'model' | 'plot' | 'bundle';

/** A file or folder a run produced. */
export interface Artifact {
  /** Name, unique within the run (e.g. `bundle`, `confusion-matrix`). */
  name: string;
  kind: ArtifactKind;
  /** Absolute path. */
  path: string;
  /** SHA-256 of the file, or for a folder of the sorted `path\0sha256\n` lines of its files (see `hashPath`). */
  sha256: string;
  /** Size in bytes (sum of the files for a folder). */
  bytes: number;
  createdAt: string;
}

/** How a run ended, if it did. */
export interface RunError {
  /** Error code (a StratumError code) or error class name. */
  code: string;
  message: string;
}

/** A stored run. */
export interface Run {
  id: RunId;
  experiment: ExperimentName;
  status: RunStatus;
  notebook: NotebookRef | null;
  templateId: string | null;
  params: Record<string, unknown>;
  data: DataFingerprint | null;
  backend: string | null;
  seed: number | null;
  startedAt: string;
  endedAt: string | null;
  /** `endedAt - startedAt` in milliseconds, or null while running. */
  durationMs: number | null;
  /** Evaluation report (JSON) given to `finish`, e.g. a ClassificationReport. */
  evaluation: Record<string, unknown> | null;
  /** Why the run failed or was cancelled. */
  error: RunError | null;
}

/** A run with its metrics and artifacts (`RunStore.get`). */
export interface RunDetail extends Run {
  /** Every metric point, ordered by name then epoch. */
  metrics: MetricPoint[];
  artifacts: Artifact[];
}

/** Filter and order of `RunStore.list`. */
export interface RunQuery {
  experiment?: string;
  status?: RunStatus;
  templateId?: string;
  /** Only runs of this notebook file (the path as recorded, normally absolute). */
  notebookPath?: string;
  /**
   * Only runs whose top-level params have these values (compared as the JSON the store keeps, so
   * best for strings and numbers), e.g. `{ searchId: '3f9a0c21b7d4' }`: a search run and its trials.
   */
  params?: Record<string, unknown>;
  /** Most recent first (default) or oldest first. */
  order?: 'newest' | 'oldest';
  /** At most this many runs (default 100). */
  limit?: number;
}

/** One parameter that differs between compared runs. */
export interface ParamDiff {
  /** Top-level parameter name. */
  name: string;
  /** Its value in each compared run, in the order of the run ids; `undefined` where absent. */
  values: unknown[];
}

/** Which way a metric is better: `higher` (scores: accuracy, F1, R²) or `lower` (losses, errors). */
export type MetricDirection = 'higher' | 'lower';

/** Result of `RunStore.compare` (computed by `compareRuns` in compare.ts). */
export interface RunComparison {
  runs: Run[];
  /** Parameters whose values differ (by canonical JSON), sorted by name. */
  paramsDiff: ParamDiff[];
  /** Parameters equal in every run, sorted by name. */
  paramsSame: Record<string, unknown>;
  /**
   * Metric table: one row per metric, one value per run (same order). Evaluation metrics
   * (`accuracy`, `macroF1`... every top-level number of `evaluation`) and the last logged value of
   * every per-epoch metric (prefixed `last.`, e.g. `last.loss`). `null` where a run lacks it.
   */
  metrics: Array<{ name: string; values: Array<number | null> }>;
  /** Per-epoch curves for overlaying: metric name -> run id -> points in epoch order. */
  curves: Record<string, Record<string, Array<{ epoch: number; value: number | null }>>>;
  /** Metric name (of `metrics`) -> which way is better, for the metrics with a known direction (`metricDirection`). */
  directions: Record<string, MetricDirection>;
}

/** A registered model. */
export interface RegisteredModel {
  name: ModelName;
  description: string;
  createdAt: string;
  /** Its versions, oldest first. */
  versions: ModelVersion[];
  /** Alias -> version number. */
  aliases: Record<string, VersionNumber>;
}

/** A version of a registered model. */
export interface ModelVersion {
  model: ModelName;
  version: VersionNumber;
  /** Run that trained it, if it came from a tracked run. */
  runId: RunId | null;
  /** Absolute path of the registry's copy of the bundle. */
  bundlePath: string;
  /** SHA-256 of the bundle's `manifest.json` (which lists the SHA-256 of every other file). */
  manifestSha256: string;
  description: string;
  createdAt: string;
  /** Aliases currently pointing at this version, sorted. */
  aliases: AliasName[];
}

/** What `ModelRegistry.registerVersion` returns: the new version and what the user should know about it. */
export interface RegisteredModelVersion extends ModelVersion {
  /** Earlier versions of the same model with the same manifest checksum (the same model registered again), oldest first. */
  sameChecksumAs: VersionNumber[];
  /** Notes for the user, e.g. `v2 has the same model as v1 (same manifest checksum)`; empty when none. */
  warnings: string[];
}

/** Input of `ModelRegistry.registerVersion`. */
export interface NewModelVersion {
  /** Model name; the model is created if it does not exist. */
  model: string;
  /** Run that produced the model; its `bundle` artifact is used when `bundlePath` is absent. */
  runId?: string;
  /** Bundle folder (written by `exportBundle`); copied into the registry. */
  bundlePath?: string;
  description?: string;
  /** Aliases to point at the new version, in the same transaction (e.g. `['challenger']`). */
  aliases?: string[];
}

/** One move of an alias (audit trail). */
export interface AliasEvent {
  alias: AliasName;
  /** Previous version, or null when the alias was created. */
  from: VersionNumber | null;
  /** New version, or null when the alias was deleted. */
  to: VersionNumber | null;
  at: string;
}

/** Where a model version came from: version -> run -> notebook revision + data fingerprint. */
export interface Lineage {
  version: ModelVersion;
  /** The producing run, or null for a bundle registered without a run. */
  run: Run | null;
  notebook: NotebookRef | null;
  data: DataFingerprint | null;
}
