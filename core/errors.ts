/**
 * Typed errors shared by every layer of Stratum.
 *
 * Expected errors (bad input, unreachable host, malformed file) are {@link StratumError}s with a
 * stable {@link ErrorCode}, a message a user can act on, and structured {@link ErrorDetail}
 * (field, row, line, host...). Anything else is a bug and is logged with its stack.
 * Errors cross process and HTTP boundaries as {@link SerializedError} (see {@link serializeError}).
 */

/** Stable error codes. Add new codes here; never reuse or rename one (UI and tests match on them). */
export type ErrorCode =
  | 'CSV_PARSE'
  | 'CSV_EMPTY'
  | 'FILE_NOT_FOUND'
  | 'NOTEBOOK_INVALID'
  | 'NOTEBOOK_IO'
  | 'CELL_ERROR'
  | 'KERNEL_DIED'
  | 'KERNEL_INTERRUPTED'
  | 'TEMPLATE_UNKNOWN'
  | 'TEMPLATE_PARAMS'
  | 'DATA_INVALID'
  | 'TRAINING_FAILED'
  | 'BUNDLE_INVALID'
  | 'REQUEST_INVALID'
  | 'SAVE_CONFLICT'
  | 'USAGE'
  | 'STORE_IO'
  | 'STORE_BUSY'
  | 'STORE_SCHEMA'
  | 'RUN_UNKNOWN'
  | 'RUN_STATE'
  | 'MODEL_UNKNOWN'
  | 'MODEL_EXISTS'
  | 'MODEL_VERSION_UNKNOWN'
  | 'ALIAS_UNKNOWN'
  | 'AGENT_UNREACHABLE'
  | 'AGENT_REJECTED'
  | 'DEPLOY_FAILED'
  | 'CONNECTOR_UNKNOWN'
  | 'CONNECTOR_CONFIG'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_AUTH'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_TIMEOUT'
  | 'SOURCE_FORMAT'
  | 'SOURCE_ERROR'
  | 'SECRET_MISSING'
  | 'SECRET_FILE_INSECURE';

/** Where an error happened, in whatever terms fit: all fields optional, all JSON-serializable. */
export interface ErrorDetail {
  /** File path the error concerns. */
  path?: string;
  /** Field, column or JSON pointer (e.g. `/cells/3/source`, `records[2].temp_max`). */
  field?: string;
  /** 1-based line number in a text file. */
  line?: number;
  /** 1-based column number (character) or field index in a CSV record, as stated by `columnKind`. */
  column?: number;
  /** 0-based data row index (record number, header excluded). */
  row?: number;
  /** Host or URL that could not be reached. */
  host?: string;
  /** Cell id in a notebook. */
  cellId?: string;
  /** Anything else structured that helps (expected/actual values...). */
  [key: string]: unknown;
}

/** An expected, user-facing error: stable code, actionable message, structured detail. */
export class StratumError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured location of the problem. */
  readonly detail: ErrorDetail;
  /** What the user can do about it (one sentence), if known. */
  readonly hint: string | undefined;

  /**
   * @param code - stable error code
   * @param message - what went wrong, naming the field/row/host
   * @param options - structured detail, a hint, and the underlying cause
   */
  constructor(code: ErrorCode, message: string, options: { detail?: ErrorDetail; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StratumError';
    this.code = code;
    this.detail = options.detail ?? {};
    this.hint = options.hint;
  }

  /** The message followed by the hint, as printed by the CLI. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** JSON form of any error, for IPC, HTTP and notebook outputs (Jupyter's ename/evalue/traceback). */
export interface SerializedError {
  /** Error class name, e.g. `TypeError`, `StratumError`. */
  ename: string;
  /** The message. */
  evalue: string;
  /** Stack lines, innermost first. */
  traceback: string[];
  /** Stable code when the error was a {@link StratumError}. */
  code?: ErrorCode;
  /** Structured detail when the error was a {@link StratumError}. */
  detail?: ErrorDetail;
  /** Hint when the error was a {@link StratumError}. */
  hint?: string;
}

/** Turns anything thrown into a {@link SerializedError}; never throws. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof StratumError) {
    return {
      ename: error.name,
      evalue: error.message,
      traceback: stackLines(error),
      code: error.code,
      detail: error.detail,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof Error) {
    return { ename: error.name, evalue: error.message, traceback: stackLines(error) };
  }
  return { ename: 'Error', evalue: typeof error === 'string' ? error : safeString(error), traceback: [] };
}

function stackLines(error: Error): string[] {
  return (error.stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => l.length > 0);
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** True when `error` is a {@link StratumError}, optionally with the given code. */
export function isStratumError(error: unknown, code?: ErrorCode): error is StratumError {
  return error instanceof StratumError && (code === undefined || error.code === code);
}
