// The workbench in browser mode: starter notebook end to end, errors and interrupts, save/reload, keyboard.
import { expect, test } from '@playwright/test';
import { cell, createNotebook, openWorkbench, screenshot, typeCode } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

test('Seattle weather starter: run all shows the table, charts, training progress and metrics', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'seattle', 'seattle-weather');
  await expect(page.getByTestId('cell')).toHaveCount(6);
  await expect(cell(page, 0).getByTestId('markdown-view')).toContainText('Seattle weather');
  // The starter trains 60 epochs; 5 keep the test short (the form writes the template's params).
  const template = cell(page, 3);
  await expect(template.locator('[data-param=epochs]')).toHaveValue('60');
  await template.locator('[data-param=epochs]').fill('5');
  await template.getByRole('button', { name: 'Show code' }).click();
  await expect(template.getByTestId('template-code')).toContainText('epochs: 5');
  await screenshot(page, '01-seattle-notebook');

  await page.getByRole('button', { name: 'Run all' }).click();
  await expect(cell(page, 1).getByTestId('table-output')).toBeVisible({ timeout: 120_000 });
  await expect(cell(page, 1).locator('.col-dtype').first()).toBeVisible();
  await expect(cell(page, 2).locator('[data-testid=plotly-output] .main-svg').first()).toBeVisible({ timeout: 60_000 });
  await expect(template.getByTestId('training-progress')).toBeVisible({ timeout: 120_000 });
  await cell(page, 2).getByTestId('plotly-output').first().scrollIntoViewIfNeeded();
  await screenshot(page, '02-seattle-table-chart');
  await expect(template).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(template.getByTestId('outputs')).toContainText(/accuracy/i);
  await expect(template.getByTestId('training-progress')).toContainText('epoch 5 / 5');
  await expect(cell(page, 5)).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(cell(page, 5).getByTestId('outputs')).toContainText('/predict');
  await expect(cell(page, 1).getByTestId('execution-count')).toHaveText('[1]');
  await template.scrollIntoViewIfNeeded();
  await screenshot(page, '03-seattle-trained');
});

test('an error points at the cell line; an infinite loop is interrupted and the kernel keeps its state', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'errors', 'blank');
  await typeCode(page, 0, 'const base = 41\nconsole.log("base is", base)');
  await page.keyboard.press('Shift+Enter');
  await expect(cell(page, 0)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(cell(page, 0).getByTestId('outputs')).toContainText('base is 41');
  await expect(page.getByTestId('cell')).toHaveCount(2);

  await typeCode(page, 1, 'const a = 1\nconst b = a + 1\nnotDefinedAnywhere(b)\nconst c = 3');
  await page.keyboard.press('Control+Enter');
  await expect(cell(page, 1)).toHaveAttribute('data-state', 'error');
  await expect(cell(page, 1).getByTestId('error-output')).toContainText('ReferenceError');
  await expect(cell(page, 1).getByTestId('error-line')).toHaveText('(line 3)');
  await page.keyboard.press('Escape');
  await cell(page, 0).locator('.gutter').click();
  await expect(cell(page, 1).locator('.code-line.error')).toHaveText(/3\s*notDefinedAnywhere\(b\)/);
  await screenshot(page, '04-error-line');

  await cell(page, 1).locator('.gutter').click();
  await page.keyboard.press('b');
  await typeCode(page, 2, 'let i = 0\nwhile (true) { i++ }');
  await page.keyboard.press('Control+Enter');
  await expect(cell(page, 2)).toHaveAttribute('data-state', 'running');
  await expect(cell(page, 2).getByTestId('run-state')).toContainText(/\d\.\ds/);
  await page.getByRole('button', { name: 'Interrupt' }).click();
  await expect(cell(page, 2)).toHaveAttribute('data-state', 'interrupted', { timeout: 20_000 });

  await page.keyboard.press('b');
  await typeCode(page, 3, 'base + 1');
  await page.keyboard.press('Control+Enter');
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'done');
  await expect(cell(page, 3).getByTestId('outputs')).toHaveText('42');
});

test('save, reload: the content is there', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'persist', 'blank');
  await typeCode(page, 0, 'const saved = "kept across reloads"\nsaved');
  await page.keyboard.press('Control+Enter');
  await expect(cell(page, 0).getByTestId('outputs')).toContainText('kept across reloads');
  await expect(page.getByTestId('notebook-title')).toHaveText('persist.stratum.json •');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('notebook-title')).toHaveText('persist.stratum.json');
  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveText('persist.stratum.json');
  await expect(cell(page, 0)).toContainText('const saved = "kept across reloads"');
  await expect(cell(page, 0).getByTestId('outputs')).toContainText('kept across reloads');
  await expect(page.getByTestId('draft')).toHaveCount(0);
});

test('keyboard: Shift+Enter runs and moves, A/B insert, D D deletes, M/Y change type, H shows help', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'keys', 'blank');
  await typeCode(page, 0, '6 * 7');
  await page.keyboard.press('Shift+Enter');
  await expect(cell(page, 0).getByTestId('outputs')).toHaveText('42');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await expect(cell(page, 1)).toHaveClass(/active/);
  // As in JupyterLab, Shift+Enter on the last cell adds a cell and edits it; Esc leaves the editor.
  await expect(page.getByTestId('mode')).toHaveText('edit mode');
  await expect(cell(page, 1).locator('.monaco-editor.focused')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mode')).toHaveText('command mode');

  await page.keyboard.press('a');
  await expect(page.getByTestId('cell')).toHaveCount(3);
  await expect(cell(page, 1)).toHaveClass(/active/);
  await page.keyboard.press('b');
  await expect(page.getByTestId('cell')).toHaveCount(4);
  await expect(cell(page, 2)).toHaveClass(/active/);
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await expect(page.getByTestId('cell')).toHaveCount(3);

  await page.keyboard.press('m');
  await expect(cell(page, 2)).toHaveAttribute('data-cell-type', 'markdown');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText('# Notes');
  await page.keyboard.press('Shift+Enter');
  await expect(cell(page, 2).getByTestId('markdown-view').locator('h1')).toHaveText('Notes');
  await expect(page.getByTestId('cell')).toHaveCount(4);
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(cell(page, 1)).toHaveClass(/active/);
  await page.keyboard.press('m');
  await expect(cell(page, 1)).toHaveAttribute('data-cell-type', 'markdown');
  await page.keyboard.press('y');
  await expect(cell(page, 1)).toHaveAttribute('data-cell-type', 'code');

  await page.keyboard.press('h');
  await expect(page.getByTestId('help-panel')).toContainText('Shift+Enter');
  await screenshot(page, '05-help-panel');
  await page.keyboard.press('h');
  await expect(page.getByTestId('help-panel')).toHaveCount(0);
});

test('outputs: a 200,000-row table renders only the visible rows, charts are interactive, epoch lines show live progress', async ({ page }) => {
  await openWorkbench(page);
  await createNotebook(page, 'outputs', 'blank');
  await typeCode(page, 0, [
    'const rows = Array.from({ length: 200000 }, (_, i) => ({ id: i, value: i * 0.5, label: i % 2 ? "odd" : "even" }))',
    'table(rows, { maxRows: 200000 })',
    'plot({ data: [{ type: "scatter", mode: "lines", x: [1, 2, 3, 4], y: [3, 1, 4, 1] }], layout: { title: { text: "demo" } } })',
  ].join('\n'));
  await page.keyboard.press('Shift+Enter');
  const table = cell(page, 0).getByTestId('table-output');
  await expect(table).toBeVisible({ timeout: 60_000 });
  await expect(table).toContainText('200,000 rows');
  await expect(table.locator('.col-dtype')).toHaveText(['int32', 'float32', 'string']);
  const rendered = await table.locator('.table-row').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  await table.locator('.table-scroll').evaluate((el) => el.scrollTo({ top: 26 * 150_000 }));
  await expect(table.locator('.table-row').filter({ hasText: /^150000/ })).toHaveCount(1);
  // A header click sorts by that column: descending `value` puts row 199999 (value 99999.5) first.
  await table.locator('.table-scroll').evaluate((el) => el.scrollTo({ top: 0 }));
  const valueHeader = table.getByRole('columnheader').filter({ hasText: 'value' });
  await valueHeader.click();
  await expect(valueHeader).toHaveAttribute('aria-sort', 'ascending');
  await valueHeader.click();
  await expect(valueHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(table.locator('.table-row').first()).toContainText('19999999999.5');
  const chart = cell(page, 0).getByTestId('plotly-output');
  await expect(chart.locator('.main-svg').first()).toBeVisible();
  await expect(chart.locator('.modebar')).toHaveCount(1);

  await page.keyboard.press('Escape');
  await typeCode(page, 1, [
    'for (let epoch = 1; epoch <= 8; epoch++) {',
    'console.log(`epoch ${epoch}/8 loss=${(1 / epoch).toFixed(4)} accuracy=${(0.5 + epoch / 20).toFixed(4)}`)',
    'await new Promise((r) => setTimeout(r, 400))',
    '}',
  ].join('\n'));
  await page.keyboard.press('Control+Enter');
  const progress = cell(page, 1).getByTestId('training-progress');
  await expect(progress).toBeVisible();
  await expect(cell(page, 1)).toHaveAttribute('data-state', 'running');
  await expect(progress).toContainText(/epoch [1-7] \/ 8/);
  await progress.scrollIntoViewIfNeeded();
  await screenshot(page, '06-outputs-live-training');
  await expect(progress).toContainText('epoch 8 / 8 (finished)', { timeout: 30_000 });
  await expect(progress.locator('.scatterlayer .trace')).toHaveCount(2); // loss and accuracy, one Plotly trace each
  await page.getByTestId('notebook').evaluate((el) => el.scrollTo({ top: 0 }));
  await screenshot(page, '07-outputs-table-chart');
});
