/**
 * Printing checker results like a compiler: one line per finding, then the placement plan table.
 */
import type { Finding, PlacementPlan } from '../types.ts';

/**
 * Formats findings, one per line (errors first, then by line):
 * `file:line  error  fit.memory  components[0].requirements.memoryMiB: needs 4096 MiB ... fix: ...`.
 *
 * @param findings - checker findings
 * @param options - `file` printed before each line (the descriptor path as the user typed it)
 * @returns the text, ending with a summary line `N error(s), M warning(s)`
 */
export function formatFindings(findings: readonly Finding[], options: { file: string }): string {
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || (a.line ?? 0) - (b.line ?? 0));
  const lines = sorted.map((f) => {
    const where = f.line === undefined ? options.file : `${options.file}:${f.line}`;
    const path = f.path === '' ? '' : `${f.path}: `;
    return `${where}  ${f.severity}  ${f.rule}  ${path}${f.message}. fix: ${f.fix}`;
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Formats a placement plan as a table: one row per component and node with the replica indices.
 *
 * @example
 * ```
 * COMPONENT        NODE      REPLICAS
 * weather          edge-1    #0
 * weather          cloud-1   #1 #2
 * ```
 */
export function formatPlan(plan: PlacementPlan): string {
  const rows = new Map<string, { component: string; node: string; indices: number[] }>();
  for (const r of plan.replicas) {
    const key = `${r.component}\u0000${r.node}`;
    const row = rows.get(key) ?? { component: r.component, node: r.node, indices: [] };
    row.indices.push(r.index);
    rows.set(key, row);
  }
  const table = [['COMPONENT', 'NODE', 'REPLICAS'], ...[...rows.values()].map((r) => [r.component, r.node, r.indices.sort((a, b) => a - b).map((i) => `#${i}`).join(' ')])];
  const widths = [0, 1].map((c) => Math.max(...table.map((row) => row[c]!.length)));
  return `${table.map((row) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`).join('\n')}\n`;
}
