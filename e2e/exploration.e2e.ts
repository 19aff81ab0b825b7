// The data.load and chart template forms in the browser: the source select switches the fields
// (a secret field for PostgreSQL, nested pagination for HTTP), the code follows the form, and
// running the notebook loads the workspace's tiny.csv and draws a scatter plot.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cell, openWorkbench, screenshot } from './helpers.ts';

const notebook = {
  schemaVersion: 1,
  metadata: { title: 'Explore' },
  cells: [
    { id: 'load', type: 'template', source: '', template: { id: 'data.load', params: { kind: 'sqlite', path: 'shop.db' } } },
    { id: 'chart', type: 'template', source: '', template: { id: 'chart.scatter', params: { data: 'df', x: 'x', y: 'y', trendline: true } } },
  ],
};

test('data.load: pick the source, fill its fields, see the code, run; a chart template draws', async ({ page }) => {
  const workspace = process.env.STRATUM_E2E_WORKSPACE;
  if (!workspace) throw new Error('STRATUM_E2E_WORKSPACE is not set: run through playwright.config.ts (global setup)');
  await writeFile(path.join(workspace, 'explore.stratum.json'), JSON.stringify(notebook, null, 2));
  await openWorkbench(page);
  await page.getByTestId('file-notebook').filter({ hasText: 'explore.stratum.json' }).click();
  const load = cell(page, 0);
  const field = (name: string) => load.locator(`[data-param="${name}"]`);

  // SQLite: its own fields; neither table nor query yet is fine for the form (the engine says which).
  await expect(field('kind')).toHaveValue('sqlite');
  await expect(field('kind').locator('option:checked')).toHaveText('SQLite database');
  await expect(field('path')).toHaveValue('shop.db');
  await expect(field('table')).toBeVisible();
  await expect(field('query')).toBeVisible();

  // PostgreSQL: the password is the name of a stored secret, checked as it is typed.
  await field('kind').selectOption('postgres');
  await expect(field('path')).toHaveCount(0);
  await expect(field('host')).toBeVisible();
  await expect(field('password')).toHaveAttribute('placeholder', 'name of a stored secret');
  await field('password').fill('pg main');
  await expect(load.locator('#param-password-error')).toHaveText('Password (stored secret): a secret name is letters, digits, . _ or -');
  await expect(load.locator('#param-host-error')).toHaveText('Host is required');
  await field('password').fill('pg-main');
  await expect(load.locator('#param-password-error')).toHaveCount(0);

  // HTTP: pagination is a nested union: its type selects its own fields.
  await field('kind').selectOption('http');
  await field('pagination.type').selectOption('offset');
  await expect(field('pagination.limit')).toBeVisible();
  await expect(field('pagination.cursorPath')).toHaveCount(0);
  await screenshot(page, '20-data-load-http-form');

  // CSV: fill the path; the code shows exactly the fields given.
  await field('kind').selectOption('csv');
  await expect(field('pagination.type')).toHaveCount(0);
  await expect(field('encoding')).toBeVisible();
  await field('path').fill('tiny.csv');
  await load.getByRole('button', { name: 'Show code' }).click();
  await expect(load.getByTestId('template-code')).toContainText('const df = await stratum.load({ kind: "csv", path: "tiny.csv" });');

  await page.getByRole('button', { name: 'Run all' }).click();
  await expect(load.getByTestId('table-output')).toBeVisible({ timeout: 120_000 });
  await expect(load.getByTestId('table-output')).toContainText('2 rows');
  const chart = cell(page, 1);
  await expect(chart.locator('[data-testid=plotly-output] .main-svg').first()).toBeVisible({ timeout: 60_000 });
  await expect(chart.locator('[data-testid=plotly-output]')).toContainText('OLS: y = ');
  await chart.scrollIntoViewIfNeeded();
  await screenshot(page, '21-data-load-and-scatter');
});
