/**
 * Model bundles: a self-describing folder that `stratum serve` turns into a REST service.
 *
 * ```
 * <bundle>/
 *   manifest.json        name, version, created, task, modelKind, metrics, labels, sizes, sha256 + bytes of every other file, measured latency/memory
 *   model/model.json     TF.js topology + weights manifest (modelKind `tfjs-layers`), or the `ml-*` model's JSON state
 *   model/weights.bin    TF.js weights (float32, little-endian); `tfjs-layers` only
 *   model/anomaly.json   anomaly models only: the score definition and the threshold (core/ml/anomaly.ts)
 *   preprocessor.json    fitted PreprocessorState (the same object that transformed the training data)
 *   input.schema.json    JSON Schema 2020-12 of ONE input record
 *   openapi.json         OpenAPI 3.1 document of the service
 * ```
 *
 * The manifest's `task` (`classification` | `regression` | `clustering` | `anomaly`) says what the service
 * answers and `modelKind` which library reads `model/` (see core/ml/model.ts); a `forecasting`
 * bundle takes `{history: number[]}` records and answers `{forecast}` (core/ml/forecast.ts). A bundle written
 * before these existed (no `modelKind`) is a `tfjs-layers` classifier.
 *
 * Export writes into a temporary sibling folder and renames it into place at the end, so a failed
 * export never leaves a half-written bundle; loading verifies every checksum first.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { StratumError } from '../errors.ts';
import { isTrainedModel, MODEL_KINDS, type ModelAdapter, type ModelKind, type ModelTask, type TfjsModelAdapter, type TrainedModel } from '../ml/model.ts';
import { tfjsAdapter } from '../ml/neural.ts';
import { loadAdapter, predictTabular } from '../ml/predict.ts';
import { anomalyThreshold } from '../ml/anomaly.ts';
import { forecastRecordSchema } from '../ml/forecast.ts';
import { inputJsonSchema } from '../ml/preprocess.ts';
import type { FeatureRecord, PreprocessorState, TrainedClassifier } from '../ml/types.ts';
import { initBackend } from '../tf/backend.ts';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from './model-io.ts';
import { buildInputSchema, buildOpenApi, type JsonSchema } from './openapi.ts';

/** Version of the bundle layout and manifest shape; bumped on incompatible changes. */
export const BUNDLE_FORMAT_VERSION = 1;

/** Relative paths (POSIX) of the files in a bundle. */
export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  modelJson: `model/${MODEL_JSON_FILE}`,
  weights: `model/${WEIGHTS_FILE}`,
  preprocessor: 'preprocessor.json',
  inputSchema: 'input.schema.json',
  openapi: 'openapi.json',
} as const;

/** Integrity record of one bundle file. */
export interface BundleFileEntry {
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
}

/** Content of `manifest.json`. */
export interface BundleManifest {
  /** Always `stratum-bundle`. */
  format: 'stratum-bundle';
  /** Layout version, {@link BUNDLE_FORMAT_VERSION}. */
  formatVersion: number;
  /** Bundle (service) name: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Bundle version (free text, default `1.0.0`). */
  version: string;
  /** Export time, ISO 8601 UTC. */
  created: string;
  /** What the service answers: `{label, probabilities}`, `{value}`, `{cluster}` or `{score, anomaly}`. */
  task: ModelTask;
  /** Library/format of `model/` (absent in bundles written before it existed: `tfjs-layers`). */
  modelKind?: ModelKind;
  /** Template that trained the model, e.g. `tabular.random-forest` (absent in older bundles). */
  templateId?: string;
  /** Id of the tracked run that trained the model (core/store), when training was tracked. */
  runId?: string;
  /** Anomaly models: a record is flagged (`anomaly: true`) when its score exceeds this (see core/ml/anomaly.ts). */
  threshold?: number;
  /** Column the model predicts (empty for clustering). */
  target: string;
  /** Input feature names (all required in a request). */
  features: string[];
  /** Class labels; model output column i is `labels[i]` (empty unless classification). */
  labels: string[];
  /**
   * Headline evaluation at training time (held-out; clustering: on the clustered rows), plain numbers:
   * classification `accuracy`, `macroF1` (+ `balancedAccuracy`, `weightedF1`, `rocAuc`, `logLoss`);
   * regression `mae`, `rmse`, `r2`; clustering `k`, `inertia`, `silhouette`; anomaly `threshold`,
   * `thresholdQuantile`, `flaggedShare`, `meanScore` (+ with a label column `precision`, `recall`, `f1`,
   * `rocAuc`, `averagePrecision`); forecasting `mae`, `rmse`, `mape` (a fraction), `baselineMae`
   * (naive last value), `maeRatio`, `skill`, `lookback`, `horizon`; always `n`.
   * `null` marks a metric undefined for the data.
   */
  metrics: { n: number; [metric: string]: number | null };
  /** TF.js backend that trained the model (e.g. `wasm`), or `js` for the `ml-*` libraries. */
  backend: string;
  /** TF.js version that exported the bundle. */
  tfjsVersion: string;
  /** Template params that produced the model. */
  params: Record<string, unknown>;
  /** Training and test set sizes (rows). */
  sizes: { train: number; test: number };
  /** Model shape: input width (preprocessed columns), output width (classes, or 1), parameter count (TF.js) or stored numbers (`ml-*`). */
  model: { inputWidth: number; outputWidth: number; parameters: number };
  /** A valid example record (feature medians / most frequent categories). */
  example: Record<string, unknown>;
  /** Every bundle file except `manifest.json`, by relative POSIX path. */
  files: Record<string, BundleFileEntry>;
  /** Measured at export, on the exporting machine and backend. */
  measured: {
    /** Median wall time of `predictTabular` on one record, milliseconds. */
    predictLatencyP50Ms: number;
    /** Number of timed single-record predictions behind the median. */
    latencySamples: number;
    /** Backend the latency was measured on. */
    backend: string;
    /** Bytes of model weights: `model/weights.bin` (TF.js, float32) or `model/model.json` (`ml-*` models, whose JSON is their weights). */
    modelWeightBytes: number;
  };
}

/** Options of {@link exportBundle}. */
export interface ExportBundleOptions {
  /** Bundle folder to create (its parent is created if needed). */
  dir: string;
  /** Bundle (service) name: 1-64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
  name: string;
  /** Bundle version; default `1.0.0`. */
  version?: string;
  /** Replace an existing bundle at `dir` (only a folder that holds a `manifest.json` or is empty); default false. */
  overwrite?: boolean;
  /** Id of the tracked run that trained the model, recorded in the manifest as `runId` (the kernel fills it in). */
  runId?: string;
}

/** A bundle loaded and verified by {@link loadBundle}. */
export interface LoadedBundle {
  /** Absolute path of the bundle folder. */
  dir: string;
  manifest: BundleManifest;
  /** What the model predicts (the manifest's `task`). */
  task: ModelTask;
  /** Library/format of the model (`tfjs-layers` for bundles without `modelKind`). */
  modelKind: ModelKind;
  /** The model behind the task-independent interface (owned by this object; freed by {@link LoadedBundle.dispose}). */
  adapter: ModelAdapter;
  /**
   * The TF.js model of a `tfjs-layers` bundle (the same object the adapter wraps).
   *
   * @throws StratumError `BUNDLE_INVALID` on read for another model kind: use `adapter`
   */
  readonly model: tf.LayersModel;
  preprocessor: PreprocessorState;
  /** Class labels in model output order. */
  labels: string[];
  /** JSON Schema 2020-12 of one input record. */
  inputSchema: JsonSchema;
  /** OpenAPI 3.1 document of the service. */
  openapi: JsonSchema;
  /** Frees the model's tensors; safe to call twice. */
  dispose(): void;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LATENCY_WARMUP = 5;
const LATENCY_SAMPLES = 51;

/** A model to export: the MLP's `TrainedClassifier` or any template's `TrainedModel`. */
export type ExportableModel = TrainedClassifier | TrainedModel;

/** The facts export needs, whatever the model's shape. */
interface ExportView {
  task: ModelTask;
  templateId?: string;
  target: string;
  features: string[];
  labels: string[];
  preprocessor: PreprocessorState;
  adapter: ModelAdapter;
  metrics: BundleManifest['metrics'];
  backend: string;
  params: Record<string, unknown>;
  sizes: { train: number; test: number };
  /** A valid request record when the preprocessor cannot give one (forecasting). */
  example?: FeatureRecord;
}

/** Plain headline metrics of an evaluation (see {@link BundleManifest.metrics}). */
function headlineMetrics(trained: ExportableModel): BundleManifest['metrics'] {
  const e = trained.evaluation;
  if (!('task' in e)) return { accuracy: e.accuracy, macroF1: e.macroF1, n: e.n };
  if (e.task === 'classification') return { accuracy: e.accuracy, macroF1: e.macroF1, balancedAccuracy: e.balancedAccuracy, weightedF1: e.weightedF1, rocAuc: e.rocAuc, logLoss: e.logLoss, n: e.n };
  if (e.task === 'regression') return { mae: e.mae, rmse: e.rmse, r2: e.r2, n: e.n };
  if (e.task === 'anomaly') {
    return { threshold: e.threshold, thresholdQuantile: e.thresholdQuantile, flaggedShare: e.flaggedShare, meanScore: e.meanScore, ...(e.labelled === undefined ? {} : { precision: e.precision ?? null, recall: e.recall ?? null, f1: e.f1 ?? null, rocAuc: e.rocAuc ?? null, averagePrecision: e.averagePrecision ?? null }), n: e.n };
  }
  if (e.task === 'forecasting') return { mae: e.mae, rmse: e.rmse, mape: e.mape, baselineMae: e.baselineMae, maeRatio: e.maeRatio, skill: e.skill, lookback: e.lookback, horizon: e.horizon, n: e.n };
  return { k: e.k, inertia: e.inertia, silhouette: e.silhouette, n: e.n };
}

/** `{ threshold }` of an anomaly model (manifest and OpenAPI), `{}` otherwise. */
function anomalyFacts(view: ExportView): { threshold?: number } {
  return view.task === 'anomaly' ? { threshold: anomalyThreshold(view.adapter) } : {};
}

function exportView(trained: ExportableModel): ExportView {
  const common = { target: trained.target, features: trained.features, labels: trained.labels, preprocessor: trained.preprocessor, metrics: headlineMetrics(trained), backend: trained.backend, params: trained.params, sizes: trained.sizes };
  if (isTrainedModel(trained)) return { ...common, task: trained.task, templateId: trained.templateId, adapter: trained.adapter, ...(trained.example ? { example: trained.example } : {}) };
  // The MLP classifier: wrap its model without taking ownership (the view's adapter is never disposed).
  return { ...common, task: 'classification', templateId: 'tabular.mlp-classifier', adapter: tfjsAdapter(trained.model, 'classification') };
}

/**
 * Exports a trained model as a bundle folder (layout in the module doc), atomically.
 *
 * Steps: serialize the model (its adapter's `save()`), derive the input schema (`inputJsonSchema`) and the OpenAPI
 * document, measure single-record `predictTabular` latency (p50 of 51 runs after 5 warm-ups) on
 * an example record built from the preprocessor (numeric medians, most frequent categories),
 * write everything into a temporary sibling folder with checksums in `manifest.json`, then rename
 * it to `dir`. On any failure the temporary folder is removed and `dir` is untouched.
 *
 * @example
 * ```ts
 * const manifest = await exportBundle(trained, { dir: 'bundles/weather', name: 'weather' });
 * const service = await serveBundle('bundles/weather', { port: 8080 });
 * ```
 * @param trained - the model to export (not consumed): a `TrainedClassifier` (MLP) or any template's `TrainedModel`
 * @param options - target folder, name, version, overwrite
 * @returns the manifest written
 * @throws StratumError `USAGE` for a bad name or when `dir` exists and `overwrite` is not set (or `dir` is not a bundle);
 *   `BUNDLE_INVALID` when the model and preprocessor disagree (prediction on the example record fails)
 */
export async function exportBundle(trained: ExportableModel, options: ExportBundleOptions): Promise<BundleManifest> {
  if (!NAME_PATTERN.test(options.name)) {
    throw new StratumError('USAGE', `bundle name ${JSON.stringify(options.name)} is invalid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`, {
      detail: { field: 'name' },
      hint: 'Choose a name like "seattle-weather".',
    });
  }
  const target = resolve(options.dir);
  const existing = await inspectTarget(target);
  if (existing !== 'absent' && !options.overwrite) {
    throw new StratumError('USAGE', `${target} already exists; refusing to overwrite it`, { detail: { path: target }, hint: 'Pass overwrite: true (CLI: --overwrite) or choose another folder.' });
  }
  if (existing === 'other') {
    throw new StratumError('USAGE', `${target} exists and is not a Stratum bundle (no manifest.json); refusing to replace it`, { detail: { path: target }, hint: 'Choose another folder or remove that one yourself.' });
  }
  const info = await initBackend();
  const view = exportView(trained);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    const files: Record<string, BundleFileEntry> = {};
    const put = async (path: string, data: string | Uint8Array): Promise<void> => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      await writeFileAtomic(join(temp, path), bytes, { fsync: true });
      files[path] = { sha256: sha256(bytes), bytes: bytes.byteLength };
    };
    const modelFiles = await view.adapter.save();
    await mkdir(join(temp, 'model'));
    // Weights before model.json, so a reader never sees a model.json pointing at missing weights.
    const modelNames = Object.keys(modelFiles).sort((a, b) => Number(a === MODEL_JSON_FILE) - Number(b === MODEL_JSON_FILE));
    for (const name of modelNames) await put(`model/${name}`, modelFiles[name]);
    const modelBytes = (modelFiles[WEIGHTS_FILE] ?? modelFiles[MODEL_JSON_FILE])?.byteLength ?? 0;
    await put(BUNDLE_FILES.preprocessor, jsonText(view.preprocessor));
    const recordSchema = view.task === 'forecasting' ? forecastRecordSchema(view.adapter.inputWidth) : (inputJsonSchema(view.preprocessor) as JsonSchema);
    const inputSchema = buildInputSchema(recordSchema, view.features, `${options.name} input record`);
    await put(BUNDLE_FILES.inputSchema, jsonText(inputSchema));
    const version = options.version ?? '1.0.0';
    const example = view.example ?? exampleRecord(view.preprocessor);
    await put(BUNDLE_FILES.openapi, jsonText(buildOpenApi({ name: options.name, version, task: view.task, labels: view.labels, target: view.target, example, ...anomalyFacts(view), ...(view.task === 'forecasting' ? { horizon: view.adapter.outputWidth } : {}) }, inputSchema)));
    const latency = measureLatency(view, example);
    const manifest: BundleManifest = {
      format: 'stratum-bundle',
      formatVersion: BUNDLE_FORMAT_VERSION,
      name: options.name,
      version,
      created: new Date().toISOString(),
      task: view.task,
      modelKind: view.adapter.kind,
      ...(view.templateId ? { templateId: view.templateId } : {}),
      ...(options.runId ? { runId: options.runId } : {}),
      ...anomalyFacts(view),
      target: view.target,
      features: view.features,
      labels: view.labels,
      metrics: view.metrics,
      backend: view.backend,
      tfjsVersion: tf.version.tfjs,
      params: view.params,
      sizes: view.sizes,
      model: { inputWidth: view.preprocessor.outputWidth, outputWidth: view.adapter.outputWidth, parameters: view.adapter.parameterCount() },
      example,
      files,
      measured: { predictLatencyP50Ms: latency, latencySamples: LATENCY_SAMPLES, backend: view.adapter.kind === 'tfjs-layers' ? info.name : 'js', modelWeightBytes: modelBytes },
    };
    await writeFileAtomic(join(temp, BUNDLE_FILES.manifest), jsonText(manifest), { encoding: 'utf8', fsync: true });
    await moveIntoPlace(temp, target, existing === 'bundle');
    return manifest;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Loads a bundle: reads `manifest.json`, verifies the size and SHA-256 of every listed file, then
 * rebuilds the model and parses the preprocessor, schema and OpenAPI document.
 *
 * @param dir - bundle folder
 * @returns the verified bundle (call `dispose()` when done)
 * @throws StratumError `FILE_NOT_FOUND` when `dir` or its manifest is missing; `BUNDLE_INVALID` naming the file when a
 *   checksum or size differs, a listed file is missing, a JSON file is malformed or the model does not match the manifest
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const root = resolve(dir);
  const manifestPath = join(root, BUNDLE_FILES.manifest);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new StratumError('FILE_NOT_FOUND', `no bundle at ${root}: ${BUNDLE_FILES.manifest} not found`, { detail: { path: manifestPath }, hint: 'Pass the folder written by exportBundle (the one holding manifest.json).' });
    }
    throw error;
  }
  const manifest = parseJson<BundleManifest>(manifestText, manifestPath);
  if (manifest.format !== 'stratum-bundle' || manifest.formatVersion !== BUNDLE_FORMAT_VERSION || typeof manifest.files !== 'object' || manifest.files === null) {
    throw invalid(manifestPath, `${manifestPath} is not a Stratum bundle manifest of format version ${BUNDLE_FORMAT_VERSION} (format=${JSON.stringify(manifest.format)}, formatVersion=${JSON.stringify(manifest.formatVersion)})`, 'Re-export the bundle with this version of Stratum.');
  }
  const modelKind: ModelKind = manifest.modelKind ?? 'tfjs-layers';
  if (!MODEL_KINDS.includes(modelKind)) {
    throw invalid(manifestPath, `${manifestPath} names an unknown modelKind ${JSON.stringify(modelKind)} (known: ${MODEL_KINDS.join(', ')})`, 'Upgrade Stratum, or re-export the bundle with this version.');
  }
  const task: ModelTask = manifest.modelKind === undefined ? 'classification' : manifest.task;
  if (task !== 'classification' && task !== 'regression' && task !== 'clustering' && task !== 'anomaly' && task !== 'forecasting') {
    throw invalid(manifestPath, `${manifestPath} names an unknown task ${JSON.stringify(task)}`, 'Re-export the bundle.');
  }
  for (const required of Object.values(BUNDLE_FILES)) {
    if (required === BUNDLE_FILES.weights && modelKind !== 'tfjs-layers') continue;
    if (required !== BUNDLE_FILES.manifest && !(required in manifest.files)) {
      throw invalid(manifestPath, `${manifestPath} does not list ${required}`, 'The manifest was edited or is incomplete: re-export the bundle.');
    }
  }
  const contents = new Map<string, Buffer>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name.startsWith('/') || name.split('/').includes('..')) {
      throw invalid(manifestPath, `${manifestPath} lists a file outside the bundle: ${name}`, 'Re-export the bundle.');
    }
    const path = join(root, ...name.split('/'));
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(path, `bundle file ${name} is missing from ${root}`, 'The bundle is incomplete: copy it again or re-export it.');
      throw error;
    }
    const actual = sha256(bytes);
    if (bytes.byteLength !== entry.bytes || actual !== entry.sha256) {
      throw new StratumError('BUNDLE_INVALID', `bundle file ${name} does not match its checksum in manifest.json (expected ${entry.bytes} bytes sha256 ${entry.sha256}, found ${bytes.byteLength} bytes sha256 ${actual})`, {
        detail: { path, field: name, expectedSha256: entry.sha256, actualSha256: actual, expectedBytes: entry.bytes, actualBytes: bytes.byteLength },
        hint: 'The file was modified or corrupted after export: restore the bundle from a good copy or re-export it from the notebook.',
      });
    }
    contents.set(name, bytes);
  }
  const text = (name: string): string => (contents.get(name) ?? Buffer.alloc(0)).toString('utf8');
  const preprocessor = parseJson<PreprocessorState>(text(BUNDLE_FILES.preprocessor), join(root, BUNDLE_FILES.preprocessor));
  const inputSchema = parseJson<JsonSchema>(text(BUNDLE_FILES.inputSchema), join(root, BUNDLE_FILES.inputSchema));
  const openapi = parseJson<JsonSchema>(text(BUNDLE_FILES.openapi), join(root, BUNDLE_FILES.openapi));
  if (preprocessor.version !== 1 || !Array.isArray(preprocessor.steps)) {
    throw invalid(join(root, BUNDLE_FILES.preprocessor), `${BUNDLE_FILES.preprocessor} is not a version-1 preprocessor state`, 'Re-export the bundle with this version of Stratum.');
  }
  const modelFiles: Record<string, Uint8Array> = {};
  for (const [name, bytes] of contents) if (name.startsWith('model/')) modelFiles[name.slice('model/'.length)] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const adapter = await loadAdapter(modelKind, task, modelFiles, join(root, 'model'));
  const expectedOutputs = task === 'classification' ? manifest.labels.length : task === 'forecasting' ? Number(manifest.params?.horizon) : 1;
  if (adapter.inputWidth !== preprocessor.outputWidth || adapter.outputWidth !== expectedOutputs) {
    adapter.dispose();
    throw invalid(join(root, BUNDLE_FILES.modelJson), `model takes ${adapter.inputWidth} inputs and gives ${adapter.outputWidth} outputs, but the preprocessor gives ${preprocessor.outputWidth} columns and the manifest expects ${expectedOutputs} output${expectedOutputs === 1 ? '' : 's'}${task === 'classification' ? ' (one per label)' : ''}`, 'The bundle mixes files from different models: re-export it.');
  }
  let disposed = false;
  return {
    dir: root,
    manifest,
    task,
    modelKind,
    adapter,
    get model(): tf.LayersModel {
      if (adapter.kind !== 'tfjs-layers') {
        throw new StratumError('BUNDLE_INVALID', `bundle ${root} holds an ${adapter.kind} model, not a TF.js model`, { detail: { path: root, field: 'modelKind' }, hint: 'Use bundle.adapter (predictTabular) for any model kind.' });
      }
      return (adapter as TfjsModelAdapter).model;
    },
    preprocessor,
    labels: manifest.labels,
    inputSchema,
    openapi,
    dispose() {
      if (disposed) return;
      disposed = true;
      adapter.dispose();
    },
  };
}

/** Lowercase hex SHA-256 of `bytes`. */
function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw invalid(path, `${path} is not valid JSON: ${(error as Error).message}`, 'Re-export the bundle.');
  }
}

function invalid(path: string, message: string, hint: string): StratumError {
  return new StratumError('BUNDLE_INVALID', message, { detail: { path }, hint });
}

/** `absent`, an existing `bundle` (has manifest.json) or an empty folder (replaceable), or `other`. */
async function inspectTarget(target: string): Promise<'absent' | 'bundle' | 'other'> {
  try {
    const info = await stat(target);
    if (!info.isDirectory()) return 'other';
    const entries = await readdir(target);
    return entries.length === 0 || entries.includes(BUNDLE_FILES.manifest) ? 'bundle' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

/** Renames `temp` to `target`; an existing bundle is first moved aside and restored if the swap fails. */
async function moveIntoPlace(temp: string, target: string, replace: boolean): Promise<void> {
  if (!replace) {
    await rename(temp, target);
    return;
  }
  const aside = `${temp}.old`;
  await rename(target, aside);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/** A valid record: the median of each numeric feature, the most frequent category (in its JSON type) of each categorical one. */
function exampleRecord(state: PreprocessorState): FeatureRecord {
  return Object.fromEntries(
    state.steps.map((step) => {
      if (step.kind === 'numeric') return [step.name, step.median];
      const type = step.valueType ?? 'string';
      return [step.name, type === 'number' ? Number(step.mostFrequent) : type === 'boolean' ? step.mostFrequent === 'true' : step.mostFrequent];
    }),
  );
}

/** Median wall time (ms) of single-record predictions, after warm-up. */
function measureLatency(view: ExportView, example: FeatureRecord): number {
  const times: number[] = [];
  try {
    for (let i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i += 1) {
      const start = performance.now();
      predictTabular(view, [example], { missing: 'error' });
      if (i >= LATENCY_WARMUP) times.push(performance.now() - start);
    }
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `cannot export: predicting the example record ${JSON.stringify(example)} failed: ${(error as Error).message}`, {
      detail: { field: 'model' },
      hint: 'The model and its preprocessor do not match (input width or labels); export the model returned by training unchanged.',
      cause: error,
    });
  }
  times.sort((a, b) => a - b);
  return Math.round((times[(times.length - 1) >> 1] ?? Number.NaN) * 1000) / 1000;
}
