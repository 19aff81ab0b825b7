/**
 * Starter notebooks: what "New notebook" can start from. `blank` is an empty notebook with one
 * code cell; the others are notebook files shipped in `examples/`.
 */
import { fileURLToPath } from 'node:url';
import { StratumError } from '../errors.ts';
import { loadNotebook } from '../notebook/document.ts';
import { NOTEBOOK_SCHEMA_VERSION, type Notebook } from '../notebook/types.ts';
import { newCellId } from '../notebook/document.ts';
import type { StarterInfo } from '../api/contract.ts';

interface Starter extends StarterInfo {
  /** Notebook file of the starter; absent for `blank`. */
  file?: string;
}

const STARTERS: Starter[] = [
  { id: 'blank', title: 'Blank notebook', description: 'One empty code cell.' },
  {
    id: 'seattle-weather',
    title: 'Seattle weather: CSV to REST service',
    description: 'Load a CSV, profile and chart it, train an MLP classifier from a template, export a bundle and serve it.',
    file: fileURLToPath(new URL('../../examples/seattle-weather/seattle-weather.stratum.json', import.meta.url)),
  },
];

/** The starters, for the "New notebook" picker. */
export function listStarters(): StarterInfo[] {
  return STARTERS.map(({ id, title, description }) => ({ id, title, description }));
}

/**
 * A fresh notebook from a starter: outputs and execution counts cleared, `metadata.created` set.
 *
 * @throws StratumError `REQUEST_INVALID` for an unknown starter id
 */
export async function starterNotebook(id: string): Promise<Notebook> {
  const starter = STARTERS.find((s) => s.id === id);
  if (!starter) {
    throw new StratumError('REQUEST_INVALID', `unknown starter ${JSON.stringify(id)}; known: ${STARTERS.map((s) => s.id).join(', ')}`, { detail: { field: 'starter' } });
  }
  const created = new Date().toISOString();
  if (!starter.file) {
    return { schemaVersion: NOTEBOOK_SCHEMA_VERSION, metadata: { title: 'Untitled', created }, cells: [{ id: newCellId(), type: 'code', language: 'typescript', source: '', outputs: [], executionCount: null }] };
  }
  const notebook = await loadNotebook(starter.file);
  return {
    ...notebook,
    metadata: { ...notebook.metadata, created },
    cells: notebook.cells.map((cell) => ({ ...cell, outputs: [], executionCount: null })),
  };
}
