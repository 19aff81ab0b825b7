/**
 * The one way the benchmarks run a measurement in its own process: spawn it, collect its output,
 * and read the JSON object it prints as its last stdout line (bench/run.ts, bench/train-bench.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: every measurement runs there. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A measurement's result: the JSON object it printed last. */
export type Json = Record<string, unknown>;

/** Options of {@link runJson}. */
export interface RunJsonOptions {
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Show the child's stderr live instead of keeping its tail for the error message; default false. */
  inheritStderr?: boolean;
}

/**
 * Runs `command args` in the repository root and resolves with the JSON object of its last
 * stdout line.
 *
 * @throws Error (rejection) when it cannot start, exits non-zero (with the last 3 stderr lines)
 *   or prints no JSON last
 */
export function runJson(command: string, args: string[], options: RunJsonOptions = {}): Promise<Json> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const name = path.basename(args.find((a) => !a.startsWith('-') && a !== 'tsx') ?? command);
      if (code !== 0) return reject(new Error(`${name} exited ${code}${err ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Json);
      } catch {
        reject(new Error(`${name} printed no JSON: ${out.slice(-300)}`));
      }
    });
  });
}

/** Runs a TypeScript measurement script with `node --import tsx` (see {@link runJson}). */
export function runNode(script: string, args: string[], options: RunJsonOptions = {}): Promise<Json> {
  return runJson(process.execPath, ['--import', 'tsx', script, ...args], options);
}
