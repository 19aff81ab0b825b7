/**
 * Validating constructors of the tracking store's branded ids and names: every string that
 * reaches SQL as an id or name passes through one of these first.
 */
import { randomBytes } from 'node:crypto';
import { StratumError } from '../errors.ts';
import type { AliasName, ExperimentName, ModelName, RunId, VersionNumber } from './types.ts';

const RUN_ID = /^[0-9a-f]{12}$/;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function usage(field: string, message: string, hint: string): StratumError {
  return new StratumError('USAGE', `${field}: ${message}`, { detail: { field }, hint });
}

/** A fresh random {@link RunId} (48 bits from `crypto.randomBytes`). */
export function newRunId(): RunId {
  return randomBytes(6).toString('hex') as RunId;
}

/**
 * Checks the shape of a run id (12 lowercase hex characters).
 *
 * @throws StratumError `RUN_UNKNOWN` when `value` cannot be a run id (so callers report it like any unknown id)
 */
export function asRunId(value: string): RunId {
  if (!RUN_ID.test(value)) {
    throw new StratumError('RUN_UNKNOWN', `unknown run ${JSON.stringify(value)}: run ids are 12 hexadecimal characters`, { detail: { field: 'runId' }, hint: 'List runs with `stratum runs`.' });
  }
  return value as RunId;
}

/** @throws StratumError `USAGE` unless 1-128 characters without control characters. */
export function asExperimentName(value: string): ExperimentName {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw usage('experiment', `${JSON.stringify(value)} is not a valid experiment name`, 'Use 1-128 printable characters, e.g. "weather".');
  }
  return value as ExperimentName;
}

/** @throws StratumError `USAGE` unless 1-64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function asModelName(value: string): ModelName {
  if (typeof value !== 'string' || !MODEL_NAME.test(value)) {
    throw usage('model', `${JSON.stringify(value)} is not a valid model name`, 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. "seattle-weather".');
  }
  return value as ModelName;
}

/** @throws StratumError `USAGE` unless 1-64 of lowercase letters, digits, `_`, `-`, starting with a letter. */
export function asAliasName(value: string): AliasName {
  if (typeof value !== 'string' || !ALIAS_NAME.test(value)) {
    throw usage('alias', `${JSON.stringify(value)} is not a valid alias`, 'Use 1-64 lowercase letters, digits, "_" or "-", starting with a letter, e.g. "champion".');
  }
  // `v3` already means version 3 wherever a version or an alias is accepted: such an alias could never be reached.
  if (/^v\d+$/.test(value)) {
    throw usage('alias', `${JSON.stringify(value)} is not a valid alias: it reads as version ${value.slice(1)}`, 'Choose a name that is not v<N>, e.g. "champion" or "candidate-3".');
  }
  return value as AliasName;
}

/** @throws StratumError `USAGE` unless a positive integer. */
export function asVersionNumber(value: number): VersionNumber {
  if (!Number.isInteger(value) || value < 1) throw usage('version', `${JSON.stringify(value)} is not a version number`, 'Versions are 1, 2, 3...');
  return value as VersionNumber;
}
