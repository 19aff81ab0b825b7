/** Page helpers shared by the e2e tests. */
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the run's screenshots go (e2e/screenshots/). */
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** URL (with token) of the server started by global-setup.ts. */
export function serverUrl(): string {
  const url = process.env.STRATUM_E2E_URL;
  if (!url) throw new Error('STRATUM_E2E_URL is not set: run through playwright.config.ts (global setup)');
  return url;
}

/** Opens the workbench and waits for the workspace to load. */
export async function openWorkbench(page: Page): Promise<void> {
  await page.goto(serverUrl());
  await expect(page.getByRole('button', { name: 'New notebook' })).toBeVisible();
}

/** Creates a notebook from a starter through the "New notebook" form and waits until it is open. */
export async function createNotebook(page: Page, name: string, starter: 'blank' | 'seattle-weather'): Promise<void> {
  await page.getByRole('button', { name: 'New notebook' }).click();
  await page.getByLabel('notebook name').fill(name);
  await page.getByLabel('starter').selectOption(starter);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('notebook-title')).toHaveText(`${name}.stratum.json`);
  await expect(page.getByTestId('cell').first()).toBeVisible();
}

/** The i-th cell (0-based). */
export function cell(page: Page, index: number): Locator {
  return page.getByTestId('cell').nth(index);
}

/** Puts text into a code cell's Monaco editor (replacing its content) and leaves the editor focused. */
export async function typeCode(page: Page, index: number, code: string): Promise<void> {
  const target = cell(page, index);
  const editor = target.locator('.monaco-editor');
  // The selected cell mounts Monaco (lazily); any other cell shows static code until clicked.
  const selected = await target.evaluate((el) => el.classList.contains('active'));
  if (!selected) await target.getByTestId('code-static').click();
  await expect(editor).toBeVisible();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // One line at a time with Enter, Home: no auto-indent surprises.
  const lines = code.split('\n');
  for (const [i, line] of lines.entries()) {
    if (i > 0) {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Shift+Home');
      await page.keyboard.press('Delete');
    }
    await page.keyboard.insertText(line);
  }
}

/** Saves a screenshot of the page to e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
