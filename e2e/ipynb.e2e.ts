// Jupyter interchange in the workbench: export the Seattle weather starter to .ipynb, import it back.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cell, createNotebook, openWorkbench } from './helpers.ts';

function workspaceDir(): string {
  const dir = process.env.STRATUM_E2E_WORKSPACE;
  if (!dir) throw new Error('STRATUM_E2E_WORKSPACE is not set: run through playwright.config.ts (global setup)');
  return dir;
}

test('Seattle weather starter: export to .ipynb, then import it back as a notebook', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'jupyter-trip', 'seattle-weather');
  await expect(page.getByTestId('cell')).toHaveCount(6);

  await page.getByRole('button', { name: 'Export .ipynb' }).click();
  await expect(page.getByTestId('status')).toContainText('exported jupyter-trip.ipynb');
  const ipynbButton = page.getByTestId('file-ipynb').filter({ hasText: 'jupyter-trip.ipynb' });
  await expect(ipynbButton).toBeVisible();

  // The file on disk is nbformat 4.5; the template cell is code with the template in its metadata.
  const ipynb = JSON.parse(await readFile(path.join(workspaceDir(), 'jupyter-trip.ipynb'), 'utf8')) as {
    nbformat: number;
    nbformat_minor: number;
    metadata: { kernelspec: { name: string } };
    cells: Array<{ id: string; cell_type: string; source: string[]; metadata: { stratum?: { template?: { id: string; params: { epochs: number } } } } }>;
  };
  expect([ipynb.nbformat, ipynb.nbformat_minor, ipynb.metadata.kernelspec.name]).toEqual([4, 5, 'stratum']);
  expect(ipynb.cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'code', 'code', 'code', 'code']);
  const template = ipynb.cells[3];
  expect(template?.metadata.stratum?.template).toMatchObject({ id: 'tabular.mlp-classifier', params: { epochs: 60 } });
  expect(template?.source.join('')).toContain('epochs: 60');

  // jupyter-trip.stratum.json exists, so the import asks for another name.
  page.once('dialog', (dialog) => {
    expect(dialog.type()).toBe('prompt');
    expect(dialog.message()).toContain('jupyter-trip.stratum.json already exists');
    void dialog.accept('jupyter-back');
  });
  await ipynbButton.click();
  await expect(page.getByTestId('notebook-title')).toHaveText('jupyter-back.stratum.json');
  await expect(page.getByTestId('status')).toContainText('imported jupyter-trip.ipynb as jupyter-back.stratum.json');
  await expect(page.getByTestId('cell')).toHaveCount(6);
  await expect(cell(page, 0)).toHaveAttribute('data-cell-type', 'markdown');
  await expect(cell(page, 0).getByTestId('markdown-view')).toContainText('Seattle weather');
  await expect(cell(page, 3)).toHaveAttribute('data-cell-type', 'template');
  await expect(cell(page, 3).locator('[data-param=epochs]')).toHaveValue('60');

  const back = JSON.parse(await readFile(path.join(workspaceDir(), 'jupyter-back.stratum.json'), 'utf8')) as unknown;
  const original = JSON.parse(await readFile(path.join(workspaceDir(), 'jupyter-trip.stratum.json'), 'utf8')) as unknown;
  expect(back).toEqual(original);
});
