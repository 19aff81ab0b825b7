import { defineConfig } from 'vitest/config';

// Tests sit beside the code as *.test.ts; integration tests that start processes or servers
// carry ".integration." in their name. Training a model takes seconds, hence the long timeouts.
export const config = defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'connectors/**/*.test.ts', 'templates/**/*.test.ts', 'examples/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
// Vitest reads the default export of this file; the named export above keeps the repo's no-default-export rule readable.
// eslint-disable-next-line no-restricted-syntax
export default config;
