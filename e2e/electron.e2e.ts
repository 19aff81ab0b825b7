// The Electron shell: launched with Playwright's `_electron` where the Electron binary exists
// (after `node node_modules/electron/install.js` on a connected machine, or with
// ELECTRON_OVERRIDE_DIST_PATH); skipped with the reason printed elsewhere (the binary cannot be
// downloaded here). The shell's code is type-checked either way (electron/tsconfig.json).
import { existsSync } from 'node:fs';
import { _electron as electron, expect, test } from '@playwright/test';
import { ELECTRON_MAIN, findElectron } from '../core/cli/open.ts';
import { screenshot, serverUrl } from './helpers.ts';

test('Electron window: the sandboxed renderer talks to the engine through the preload bridge', async () => {
  const found = findElectron();
  const reason = 'missing' in found ? found.missing : !existsSync(ELECTRON_MAIN) ? `the Electron shell is not built (${ELECTRON_MAIN}; run npm run build:electron)` : undefined;
  if (reason) console.log(`electron e2e skipped: ${reason}`);
  test.skip(reason !== undefined, reason ?? '');
  const url = new URL(serverUrl());
  const app = await electron.launch({
    ...('path' in found ? { executablePath: found.path } : {}),
    args: [ELECTRON_MAIN, '--no-sandbox', '--disable-gpu'],
    env: { ...process.env, STRATUM_SERVER_URL: url.origin, STRATUM_TOKEN: url.searchParams.get('token') ?? '' },
  });
  try {
    const window = await app.firstWindow();
    // The preload exposed the bridge, and the page has no Node.
    expect(await window.evaluate(() => typeof (globalThis as { stratum?: unknown }).stratum)).toBe('object');
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await expect(window.getByRole('button', { name: 'New notebook' })).toBeVisible();
    await window.getByRole('button', { name: 'New notebook' }).click();
    await window.getByLabel('notebook name').fill('from-electron');
    await window.getByLabel('starter').selectOption('blank');
    await window.getByRole('button', { name: 'Create' }).click();
    await expect(window.getByTestId('notebook-title')).toHaveText('from-electron.stratum.json');
    await screenshot(window, '08-electron');
  } finally {
    await app.close();
  }
});
