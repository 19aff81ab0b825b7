/**
 * `stratum export-ipynb` and `stratum import-ipynb`: notebooks to Jupyter (nbformat 4.5) and back.
 *
 * - `stratum export-ipynb NOTEBOOK [--out FILE]` writes `NAME.ipynb` beside `NAME.stratum.json`
 *   (template cells as their rendered code, the template kept in the cell metadata).
 * - `stratum import-ipynb FILE.ipynb [--out FILE] [--force]` writes `NAME.stratum.json` beside it;
 *   an existing notebook is not overwritten without `--force`.
 *
 * Both write atomically. The mapping is documented in core/notebook/ipynb.ts.
 */
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { StratumError } from '../errors.ts';
import { loadNotebook, saveNotebook } from '../notebook/document.ts';
import { ipynbPathFor, loadIpynb, notebookPathFor, saveIpynb } from '../notebook/ipynb.ts';
import type { CliIo } from './main.ts';

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/**
 * Adds `stratum export-ipynb` and `stratum import-ipynb` to the program.
 *
 * @param program - the commander program of core/cli/main.ts
 * @param io - where messages go
 * @throws StratumError (from the actions) `FILE_NOT_FOUND`, `NOTEBOOK_INVALID` (naming the field,
 *   e.g. `cells[2].cell_type`), `NOTEBOOK_IO`, and `SAVE_CONFLICT` when import would overwrite a
 *   notebook without `--force`
 */
export function registerIpynbCommands(program: Command, io: CliIo): void {
  program
    .command('export-ipynb')
    .description('export a notebook to Jupyter .ipynb (nbformat 4.5); template cells become their code')
    .argument('<notebook>', 'notebook file (.stratum.json)')
    .option('-o, --out <file>', 'where to write (default: NAME.ipynb beside the notebook)')
    .action(async (notebook: string, opts: { out?: string }) => {
      const out = opts.out ?? ipynbPathFor(notebook);
      const nb = await loadNotebook(notebook);
      await saveIpynb(out, nb);
      io.err(`wrote ${out} (${nb.cells.length} cells)\n`);
    });

  program
    .command('import-ipynb')
    .description('import a Jupyter .ipynb (nbformat 4) as a Stratum notebook')
    .argument('<file>', 'Jupyter notebook (.ipynb)')
    .option('-o, --out <file>', 'where to write (default: NAME.stratum.json beside the .ipynb)')
    .option('-f, --force', 'overwrite the output notebook when it exists')
    .action(async (file: string, opts: { out?: string; force?: boolean }) => {
      const out = opts.out ?? notebookPathFor(file);
      const nb = await loadIpynb(file);
      if (!opts.force && (await exists(out))) {
        throw new StratumError('SAVE_CONFLICT', `${out} already exists`, { detail: { path: out }, hint: 'Pass --force to overwrite it, or --out to write elsewhere.' });
      }
      await saveNotebook(out, nb);
      io.err(`wrote ${out} (${nb.cells.length} cells)\n`);
    });
}
