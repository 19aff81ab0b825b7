/**
 * Keeping requests inside the workspace folder: every path a caller sends is workspace-relative
 * and resolved here, so `../`, absolute paths and symlinks pointing outside are rejected before
 * any file is touched.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { StratumError } from '../errors.ts';

function outside(relative: string, why: string): StratumError {
  return new StratumError('REQUEST_INVALID', `path ${JSON.stringify(relative.slice(0, 200))} ${why}`, {
    detail: { field: 'path' },
    hint: 'Use a path relative to the workspace folder, without "..".',
  });
}

/** True when `child` is `parent` or inside it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a workspace-relative path (POSIX `/` separators) to an absolute path inside `root`.
 * The deepest existing ancestor is resolved with `realpath`, so a symlink leading out of the
 * workspace is rejected too.
 *
 * @param root - the workspace folder, already `realpath`-resolved
 * @param relative - untrusted path from a request
 * @returns the absolute path (it may not exist yet)
 * @throws StratumError `REQUEST_INVALID` (`detail.field` = `path`) for an absolute path, a `..` or
 *   empty segment, a backslash, a NUL, or a path whose real location is outside `root`
 * @example
 * ```ts
 * await resolveInside('/home/ada/work', 'notebooks/a.stratum.json'); // '/home/ada/work/notebooks/a.stratum.json'
 * await resolveInside('/home/ada/work', '../secret'); // throws REQUEST_INVALID
 * ```
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
  if (relative.includes('\0') || relative.includes('\\')) throw outside(relative, 'contains a NUL or a backslash');
  if (relative.startsWith('/') || /^[A-Za-z]:/.test(relative)) throw outside(relative, 'is absolute');
  const segments = relative.split('/');
  if (segments.some((s) => s === '..' || s === '')) throw outside(relative, 'has an empty or ".." segment');
  const absolute = path.join(root, ...segments.filter((s) => s !== '.'));
  if (!isInside(root, absolute)) throw outside(relative, 'is outside the workspace');
  let probe = absolute;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(root, real)) throw outside(relative, 'leads outside the workspace (symlink)');
      break;
    } catch (error) {
      if (error instanceof StratumError) throw error;
      const parent = path.dirname(probe);
      if (parent === probe || !isInside(root, parent)) break;
      probe = parent;
    }
  }
  return absolute;
}

/** Workspace-relative POSIX path of an absolute path inside `root`. */
export function toRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}
