// The Runs and Models views: a cell trains two tiny MLPs while the Runs view is open; the runs
// appear without a reload, are compared side by side, one is registered as version 1 with an
// alias, then an alias is moved in the Models view.
import { expect, test } from '@playwright/test';
import { createNotebook, openWorkbench, screenshot, typeCode } from './helpers.ts';

test('train two runs, compare them, register one and see version 1 with its alias', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);
  await createNotebook(page, 'runs-demo', 'blank');
  // Two small MLPs on Seattle weather (1,461 rows) that differ only in the learning rate.
  await typeCode(page, 0, [
    "const weather = await readCsv(stratum.vegaDataset('seattle-weather.csv'))",
    'const rows = stratum.toRecords(weather)',
    "const opts = { target: 'weather', features: ['precipitation', 'temp_max', 'temp_min', 'wind'], hiddenLayers: [16], epochs: 8, seed: 7 }",
    'const fast = await stratum.trainMlpClassifier(rows, { ...opts, learningRate: 0.01 })',
    'const slow = await stratum.trainMlpClassifier(rows, { ...opts, learningRate: 0.001 })',
  ].join('\n'));
  await page.keyboard.press('Control+Enter');

  // Open the Runs view while the cell trains: the finished runs appear when the cell completes, without a reload.
  await page.getByRole('tab', { name: 'Runs' }).click();
  const view = page.getByTestId('runs-view');
  await expect(view).toBeVisible();
  await view.getByLabel('filter by notebook').selectOption('runs-demo.stratum.json', { timeout: 120_000 });
  const rows = view.getByTestId('run-row');
  await expect(rows.filter({ hasText: 'finished' })).toHaveCount(2, { timeout: 180_000 });
  await expect(rows.first()).toContainText('mlp-classifier');
  await expect(rows.first()).toContainText('1,461');
  await expect(view.getByTestId('runs-table').locator('thead')).toContainText('accuracy');
  await screenshot(page, 'runs-01-table');

  // Compare the two.
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await view.getByRole('button', { name: 'Compare 2' }).click();
  const compare = view.getByTestId('compare-view');
  await expect(compare).toContainText('Comparing 2 runs');
  await expect(compare.getByTestId('param-diff')).toHaveCount(1);
  await expect(compare.getByTestId('param-diff')).toContainText('learningRate');
  await expect(compare.getByTestId('param-diff')).toContainText('0.01');
  await expect(compare.getByTestId('metric-row').filter({ hasText: /^accuracy/ })).toHaveCount(1);
  await expect(compare.locator('td.best').first()).toBeVisible();
  const curves = compare.getByTestId('compare-curves').getByTestId('plotly-output');
  await expect(curves).toHaveCount(2);
  await expect(curves.first().locator('.main-svg').first()).toBeVisible({ timeout: 60_000 });
  await compare.scrollIntoViewIfNeeded();
  await screenshot(page, 'runs-02-compare');

  // Register the first run as version 1 with the alias champion.
  await rows.nth(0).click();
  const detail = view.getByTestId('run-detail');
  await expect(detail).toBeVisible();
  await detail.getByTestId('register-button').click();
  await detail.getByLabel('model name').fill('weather-e2e');
  await detail.getByLabel('aliases').fill('champion');
  await detail.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(detail.getByTestId('registered')).toContainText('weather-e2e v1');
  await expect(detail.getByTestId('registered')).toContainText('champion');
  await expect(detail.getByTestId('run-versions')).toContainText('weather-e2e v1 (champion)');
  await screenshot(page, 'runs-03-registered');

  // The second run becomes version 2; the Models view moves champion to it.
  await rows.nth(1).click();
  await view.getByTestId('run-detail').getByTestId('register-button').click();
  await view.getByTestId('run-detail').getByLabel('model name').fill('weather-e2e');
  await view.getByTestId('run-detail').getByRole('button', { name: 'Register', exact: true }).click();
  await expect(view.getByTestId('run-detail').getByTestId('registered')).toContainText('weather-e2e v2');

  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('models-view').locator('[data-model="weather-e2e"]');
  await expect(card.getByTestId('model-version')).toHaveCount(2);
  await expect(card.getByTestId('model-alias')).toHaveText(['champion → v1']);
  await card.getByLabel('alias of weather-e2e').fill('champion');
  await card.getByLabel('version of weather-e2e').selectOption('2');
  await card.getByRole('button', { name: 'Set' }).click();
  await expect(card.getByTestId('model-alias')).toHaveText(['champion → v2']);
  await expect(page.getByTestId('status')).toContainText('weather-e2e: champion -> v2 (was v1)');
  await screenshot(page, 'runs-04-models');
});
