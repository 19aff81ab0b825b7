// End-to-end tests of the workbench (e2e/), against browser mode (`stratum open --no-electron`)
// in Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it with apt; never `npx playwright install`).
import { defineConfig } from '@playwright/test';

/** Playwright configuration: one worker (the machine is small and the tests share one server). */
export const config = defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1400, height: 900 },
    actionTimeout: 30_000,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});

// Playwright reads the default export.
// eslint-disable-next-line no-restricted-syntax
export default config;
