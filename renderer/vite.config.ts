// Builds the workbench UI into dist/renderer (served by `stratum open` and loaded by Electron).
// Everything is bundled locally: Monaco and its workers, Plotly; no CDN at run time.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Vite configuration of the renderer (`vite build -c renderer/vite.config.ts`). */
export const config = defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});

// Vite reads the default export.
// eslint-disable-next-line no-restricted-syntax
export default config;
