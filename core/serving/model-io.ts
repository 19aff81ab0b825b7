/**
 * Saves and loads a `tf.LayersModel` as the standard TF.js folder layout (`model.json` +
 * `weights.bin`) using only plain `@tensorflow/tfjs`: no `file://` handler (that lives in
 * `tfjs-node`, which Stratum does not require). Saving goes through `tf.io.withSaveHandler`,
 * loading through `tf.io.fromMemory`; files are written atomically (temp file + fsync + rename).
 *
 * The layout is the one `tfjs-node`'s `file://` handler and the TF.js converter produce, so the
 * folder also loads with `tf.loadLayersModel('file://.../model.json')` or over HTTP.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { StratumError } from '../errors.ts';

/** File name of the model topology + weights manifest inside a model folder. */
export const MODEL_JSON_FILE = 'model.json';
/** File name of the concatenated little-endian weight data inside a model folder. */
export const WEIGHTS_FILE = 'weights.bin';

/** A model in memory as it is stored on disk: the parsed `model.json` and the bytes of `weights.bin`. */
export interface SerializedModel {
  /** Content of `model.json` (topology, weights manifest pointing at {@link WEIGHTS_FILE}). */
  modelJson: tf.io.ModelJSON;
  /** Content of `weights.bin`: all weights concatenated in `weightsManifest` order (float32 little-endian for Stratum's models). */
  weights: Uint8Array;
}

/** What {@link saveModel} wrote. */
export interface SavedModelInfo {
  /** Absolute or caller-relative paths of the two files written. */
  files: { modelJson: string; weights: string };
  /** Size of `model.json` in bytes. */
  modelJsonBytes: number;
  /** Size of `weights.bin` in bytes (the model's weight memory footprint). */
  weightBytes: number;
}

/** Bytes per element of each weight dtype (TF.js `DTYPE_VALUE_SIZE_MAP`). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, uint16: 2, uint8: 1, float16: 2, bool: 1, complex64: 8 };

/**
 * Serializes a model to its on-disk form without touching the disk.
 *
 * @param model - any TF.js layers model (not consumed: still usable afterwards)
 * @returns the `model.json` object and the `weights.bin` bytes
 * @throws Error when TF.js cannot serialize the model (e.g. it was disposed)
 */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let result: SerializedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      result = { modelJson, weights: new Uint8Array(weightData) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!result) throw new Error('TF.js did not call the save handler');
  return result;
}

/**
 * Renders `model.json` text exactly as {@link saveModel} writes it (2-space JSON + newline).
 *
 * @param modelJson - from {@link serializeModel}
 */
export function modelJsonText(modelJson: tf.io.ModelJSON): string {
  return `${JSON.stringify(modelJson, null, 2)}\n`;
}

/**
 * Rebuilds a model from its on-disk form.
 *
 * @param modelJson - parsed `model.json`; its weights manifest must list {@link WEIGHTS_FILE} only
 * @param weights - bytes of `weights.bin`; length must equal the sum of the manifest's weight sizes
 * @param source - where the data came from, for error messages (e.g. a folder path)
 * @returns a new `tf.LayersModel` (the caller owns it: `dispose()` it when done)
 * @throws StratumError `BUNDLE_INVALID` when the manifest and the weight bytes disagree or TF.js rejects the topology
 */
export async function deserializeModel(modelJson: tf.io.ModelJSON, weights: Uint8Array, source = 'model'): Promise<tf.LayersModel> {
  if (typeof modelJson !== 'object' || modelJson === null || typeof modelJson.modelTopology !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${MODEL_JSON_FILE} is not a TF.js layers model (modelTopology or weightsManifest missing)`, {
      detail: { path: `${source}/${MODEL_JSON_FILE}` },
      hint: 'Re-export the model with Stratum.',
    });
  }
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  if (paths.some((p) => p.replace(/^\.\//, '') !== WEIGHTS_FILE)) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${MODEL_JSON_FILE} lists weight files ${JSON.stringify(paths)}; only "${WEIGHTS_FILE}" is supported`, {
      detail: { path: `${source}/${MODEL_JSON_FILE}`, field: 'weightsManifest' },
      hint: 'Re-export the model with Stratum (one weights.bin per model).',
    });
  }
  const expected = specs.reduce((sum, spec) => sum + spec.shape.reduce((n, d) => n * d, 1) * (DTYPE_BYTES[spec.quantization?.dtype ?? spec.dtype] ?? Number.NaN), 0);
  if (expected !== weights.byteLength) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${WEIGHTS_FILE} has ${weights.byteLength} bytes but ${MODEL_JSON_FILE} describes ${expected} bytes of weights`, {
      detail: { path: `${source}/${WEIGHTS_FILE}`, expectedBytes: expected, actualBytes: weights.byteLength },
      hint: 'The weights file is truncated or belongs to another model: re-export the model.',
    });
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: specs,
        weightData,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
        ...(modelJson.userDefinedMetadata ? { userDefinedMetadata: modelJson.userDefinedMetadata } : {}),
      }),
    );
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `TF.js could not rebuild the model in ${source}: ${(error as Error).message}`, {
      detail: { path: `${source}/${MODEL_JSON_FILE}` },
      hint: 'Re-export the model with this version of Stratum.',
      cause: error,
    });
  }
}

/**
 * Saves a model to `dir` as `model.json` + `weights.bin`, each written atomically (weights first,
 * so a reader never sees a `model.json` pointing at missing weights). Creates `dir` if needed.
 *
 * @example
 * ```ts
 * await saveModel(model, 'out/my-model');
 * const again = await loadModel('out/my-model');
 * ```
 * @param model - the model to save (not consumed)
 * @param dir - target folder
 * @throws Error on file-system errors (permission, disk full) or when TF.js cannot serialize the model
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<SavedModelInfo> {
  const { modelJson, weights } = await serializeModel(model);
  await mkdir(dir, { recursive: true });
  const files = { modelJson: join(dir, MODEL_JSON_FILE), weights: join(dir, WEIGHTS_FILE) };
  const text = modelJsonText(modelJson);
  await writeFileAtomic(files.weights, Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength), { fsync: true });
  await writeFileAtomic(files.modelJson, text, { encoding: 'utf8', fsync: true });
  return { files, modelJsonBytes: Buffer.byteLength(text), weightBytes: weights.byteLength };
}

/**
 * Loads a model saved by {@link saveModel} (or by `tfjs-node`'s `file://` handler with one weights file).
 *
 * @param dir - folder holding `model.json` and `weights.bin`
 * @returns a new model (the caller owns it)
 * @throws StratumError `FILE_NOT_FOUND` when a file is missing; `BUNDLE_INVALID` when `model.json` is not JSON or the files disagree
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const modelJsonPath = join(dir, MODEL_JSON_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const [text, weights] = await Promise.all([readOrThrow(modelJsonPath, 'utf8'), readOrThrow(weightsPath)]);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${modelJsonPath} is not valid JSON: ${(error as Error).message}`, {
      detail: { path: modelJsonPath },
      hint: 'Re-export the model.',
    });
  }
  return deserializeModel(modelJson, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), dir);
}

function readOrThrow(path: string, encoding: 'utf8'): Promise<string>;
function readOrThrow(path: string): Promise<Buffer>;
async function readOrThrow(path: string, encoding?: 'utf8'): Promise<string | Buffer> {
  try {
    return encoding ? await readFile(path, encoding) : await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StratumError('FILE_NOT_FOUND', `model file not found: ${path}`, { detail: { path }, hint: 'Check the path, or re-export the model.' });
    }
    throw error;
  }
}
