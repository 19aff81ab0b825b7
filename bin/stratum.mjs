#!/usr/bin/env node
// Entry point of the `stratum` CLI. Stratum's sources are TypeScript run directly through tsx's
// loader (no build step); `register()` is resolved from this package, so the CLI works from any cwd.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
const code = await main(process.argv);
// Servers and kernels are disposed by the commands themselves; exit explicitly so a stray handle
// (e.g. a TF.js wasm worker) cannot keep a finished command alive.
process.exit(code);
