/**
 * Bench-only experiment: runs `@tensorflow/tfjs-backend-wasm` 4.22's threaded SIMD build
 * (`tfjs-backend-wasm-threaded-simd.wasm`, XNNPACK with a pthread pool) in Node, which the package
 * does not support out of the box. Never used by Stratum itself (see docs/benchmarks.md).
 *
 * What stands in the way, and what this shim does about it:
 * 1. The `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false in Node
 *    (tensorflow/tfjs#3830; the fix in tensorflow/tfjs#8059 was closed unmerged): set it to true.
 * 2. The backend hands Emscripten its pthread worker script and main script as `Blob`s and
 *    `blob:` URLs, which Node's `worker_threads` cannot load (ERR_WORKER_PATH): record the Blobs'
 *    text, write both scripts to a temp folder and hand out their paths; the main script gets
 *    the bundle's module aliases (`require$$0` = fs, ...) it refers to.
 * 3. The C++ side caps the pool at `os.cpus().length / 2` threads (1 on a 2-core machine):
 *    report twice the cores while the backend initializes.
 * Must run before the wasm backend is initialized.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Makes the next wasm backend initialization use the threaded build with `threads` XNNPACK threads.
 *
 * @param threads - pool size (the backend still caps it at 8)
 */
export function enableWasmThreads(threads: number): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-wasm-threads-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const texts = new WeakMap<Blob, string>();
  let mainScript: string | undefined;
  const NodeBlob = globalThis.Blob;
  type Parts = ConstructorParameters<typeof Blob>[0];
  class TextBlob extends NodeBlob {
    constructor(parts?: Parts, options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts ?? [], options);
      if (!parts?.every((p) => typeof p === 'string')) return;
      const text = (parts as string[]).join('');
      texts.set(this, text);
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
        mainScript = path.join(dir, 'threaded-simd.js');
        writeFileSync(mainScript, `var commonjsGlobal=globalThis,require$$0=require("fs"),require$$1=require("path"),require$$3=require("perf_hooks"),require$$4=require("os");\n${text}`);
      }
    }
  }
  globalThis.Blob = TextBlob as typeof Blob;
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob);
    if (text === undefined || !text.includes('WasmBackendModuleThreadedSimd(Module)')) return createObjectURL(blob);
    const file = path.join(dir, 'worker.js');
    writeFileSync(file, `${text}\n;{const onm=self.onmessage;self.onmessage=e=>{if(e.data&&e.data.cmd==="load")e.data.urlOrBlob=${JSON.stringify(mainScript)};return onm(e)};}`);
    return file;
  };
  const cpus = os.cpus;
  os.cpus = () => {
    const c = cpus();
    return Array.from({ length: Math.max(c.length, 2 * threads) }, (_, i) => c[i % c.length]!);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
}
