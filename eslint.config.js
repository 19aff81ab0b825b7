// Lint rules: typescript-eslint's recommended set, plus the layer boundaries of ../shared/STYLE.md:
// core/, connectors/ and templates/ are UI-free Node code and never import Electron, React or Monaco.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const uiModules = ['electron', 'react', 'react-dom', 'monaco-editor', '@monaco-editor/*', 'plotly.js', 'plotly.js-dist-min'];

// ESLint reads this file's default export (the no-default-export rule is for our own modules).
// eslint-disable-next-line no-restricted-syntax
export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '**/*.d.ts', 'out/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (STYLE.md principle 7).' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['core/**', 'connectors/**', 'templates/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: uiModules, message: 'core/, connectors/ and templates/ are UI-free: no Electron, React or Monaco imports (DESIGN.md).' }],
      }],
    },
  },
  {
    // The renderer knows only the API contract: no Node modules, no Electron, no engine internals.
    files: ['renderer/src/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^node:', message: 'renderer/ runs in the browser: no Node modules.' },
          { group: ['fs', 'path', 'child_process', 'os', 'net', 'http', 'https', 'crypto', 'worker_threads', 'electron'], message: 'renderer/ runs in the browser: no Node or Electron modules.' },
          { regex: '^(\\.\\./)+core/(?!api/contract\\.ts$)', message: 'renderer/ may import only core/api/contract.ts (DESIGN.md: one typed WorkbenchApi).' },
          { regex: '^(\\.\\./)+(connectors|templates)/', message: 'renderer/ may import only core/api/contract.ts.' },
        ],
      }],
    },
  },
  {
    files: ['electron/preload.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'the preload stays tiny: contextBridge + ipcRenderer only.' }] }] },
  },
);
