// Measurements, not pass/fail checks of speed (the "Measure" list): time to interactive of
// a 500-cell notebook. Printed as `measure: ...` lines; the only assertions are that it works.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cell, serverUrl } from './helpers.ts';

test('measure: time to interactive of a 500-cell notebook', async ({ page }) => {
  const workspace = process.env.STRATUM_E2E_WORKSPACE ?? '';
  const cells = Array.from({ length: 500 }, (_, i) => (i % 5 === 0
    ? { id: `md${i}`, type: 'markdown', source: `## Section ${i / 5}\n\nSome *text* for cell ${i}.`, outputs: [], executionCount: null }
    : { id: `code${i}`, type: 'code', language: 'typescript', source: `// cell ${i}\nconst v${i} = ${i} * 2;\nconsole.log(v${i});`, outputs: [{ type: 'stream', name: 'stdout', text: `${i * 2}\n` }], executionCount: i }));
  await writeFile(path.join(workspace, 'big.stratum.json'), JSON.stringify({ schemaVersion: 1, metadata: { title: 'big' }, cells }, null, 2));
  await page.goto(serverUrl());
  await expect(page.getByRole('button', { name: 'New notebook' })).toBeVisible();
  const started = Date.now();
  await page.getByRole('button', { name: /big\.stratum\.json/ }).click();
  await expect(page.getByTestId('cell')).toHaveCount(500, { timeout: 120_000 });
  await expect(cell(page, 499)).toContainText('cell 499');
  // Interactive: a key in command mode is handled (B inserts a cell).
  await cell(page, 0).locator('.gutter').click();
  await page.keyboard.press('b');
  await expect(page.getByTestId('cell')).toHaveCount(501);
  const tti = Date.now() - started;
  const domNodes = await page.evaluate(() => (globalThis as unknown as { document: { getElementsByTagName(tag: string): { length: number } } }).document.getElementsByTagName('*').length);
  console.log(`measure: 500-cell notebook interactive in ${tti} ms (click to first handled key), ${domNodes} DOM elements`);
});
