// Builds the Electron shell into dist/electron/{main,preload}.cjs, one self-contained CommonJS file
// per entry (a sandboxed preload can require only `electron`, not sibling chunks):
//   vite build -c electron/vite.config.ts --mode main && vite build -c electron/vite.config.ts --mode preload
// Dependencies (Ajv, the contract, the validators) are bundled; Electron and Node built-ins stay external.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Vite configuration of the Electron shell; `mode` (`main` or `preload`) picks the entry. */
export const config = defineConfig(({ mode }) => {
  const entry = mode === 'preload' ? 'preload' : 'main';
  return {
    build: {
      ssr: true,
      outDir: fileURLToPath(new URL('../dist/electron', import.meta.url)),
      emptyOutDir: false,
      target: 'node22',
      minify: false,
      rollupOptions: {
        input: { [entry]: fileURLToPath(new URL(`./${entry}.ts`, import.meta.url)) },
        external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
    ssr: { noExternal: true },
  };
});

// Vite reads the default export.
// eslint-disable-next-line no-restricted-syntax
export default config;
