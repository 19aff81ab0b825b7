/**
 * Messages between the kernel controller ({@link Kernel} in `kernel.ts`, parent process) and the
 * kernel process (`kernel-process.ts`, forked child), over Node's fork IPC channel (JSON
 * serialization). Declared once here; both sides switch on `type`.
 *
 * Interrupts are not messages: the parent sends SIGINT, which breaks a synchronous loop
 * (`vm` `breakOnSigint`) or, when the cell is awaiting, makes the child abandon it.
 */
import type { CellOutput } from '../notebook/types.ts';

/** Startup parameters, passed to the child as JSON in `process.argv[2]`. */
export interface KernelProcessConfig {
  /** Folder of the notebook: `require`, relative imports and `__notebookDir` resolve against it. */
  notebookDir: string;
  /** Absolute paths or URLs of modules the child imports before `ready` (they may call `registerScope`). */
  preload: string[];
}

/** Parent -> child: run one cell. */
export interface ExecuteRequest {
  type: 'execute';
  /** Id of this execution, unique within the kernel process. */
  execId: number;
  /** Cell id; frames of the cell appear as `cell[<id>]:<line>:<col>` (positions in `code`, mapped back by the parent). */
  cellId: string;
  /** The cell transformed by `transformCell` (transform.ts), run with `vm.Script`; line N is line N of the cell. */
  code: string;
}

/** Parent -> child: exit cleanly. */
export interface ShutdownRequest {
  type: 'shutdown';
}

/** Any parent -> child message. */
export type ParentMessage = ExecuteRequest | ShutdownRequest;

/** Facts about a started kernel process. */
export interface KernelInfo {
  /** Child process id. */
  pid: number;
  /** `process.version` of the child, e.g. `v20.19.0`. */
  nodeVersion: string;
  /** TF.js backend chosen by `initBackend()`, e.g. `wasm (simd) tfjs 4.22.0`. */
  tfBackend: string;
  /** Names in the cells' global scope provided by the kernel. */
  scope: string[];
}

/** Child -> parent: the kernel is initialized and accepts `execute`. */
export interface ReadyMessage {
  type: 'ready';
  info: KernelInfo;
}

/** Child -> parent: the kernel failed to initialize (it exits right after). */
export interface StartupFailedMessage {
  type: 'startup-failed';
  message: string;
  stack: string;
}

/**
 * Child -> parent: one output. Tracebacks hold positions in the generated code (`cell[<id>]:L:C`);
 * the parent maps them to the cell's own columns. `execId` is the running execution, or for output produced after its
 * cell finished (timers, unawaited promises) the last execution, with `late: true`.
 */
export interface OutputMessage {
  type: 'output';
  execId: number;
  output: CellOutput;
  late?: boolean;
}

/** Child -> parent: an execution finished; all its outputs were sent before this message. */
export interface DoneMessage {
  type: 'done';
  execId: number;
  status: 'ok' | 'error' | 'interrupted';
}

/** Any child -> parent message. */
export type ChildMessage = ReadyMessage | StartupFailedMessage | OutputMessage | DoneMessage;
