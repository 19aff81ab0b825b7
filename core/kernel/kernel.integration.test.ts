// Starts real kernel processes (node --import tsx core/kernel/kernel-process.ts). Starting one takes a
// few seconds (TypeScript, TF.js + wasm, danfojs), so most checks share one kernel; tests that kill
// or restart the process use their own, disposed in afterEach.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CellOutput, ErrorOutput } from '../notebook/types.ts';
import { Kernel, type ExecuteResult } from './kernel.ts';

let dir: string;
let shared: Kernel;
const extra: Kernel[] = [];
let cellNo = 0;

async function startExtra(options: Parameters<typeof Kernel.start>[0] = {}): Promise<Kernel> {
  const kernel = await Kernel.start({ cwd: dir, ...options });
  extra.push(kernel);
  return kernel;
}

function run(kernel: Kernel, source: string, id = `c${++cellNo}`, onOutput?: (o: CellOutput) => void): Promise<ExecuteResult> {
  return kernel.execute({ id, source, language: 'typescript' }, onOutput);
}

function resultText(r: ExecuteResult): unknown {
  const out = r.outputs.find((o) => o.type === 'result');
  return out?.type === 'result' ? out.data['text/plain'] : undefined;
}

function errorOf(r: ExecuteResult): ErrorOutput {
  const e = r.outputs.find((o): o is ErrorOutput => o.type === 'error');
  if (!e) throw new Error(`no error output in ${JSON.stringify(r.outputs)}`);
  return e;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stratum-kernel-'));
  writeFileSync(join(dir, 'helper.cjs'), 'module.exports = { twice: (n) => 2 * n };\n');
  writeFileSync(join(dir, 'esm-helper.mjs'), 'export const thrice = (n) => 3 * n;\n');
  shared = await Kernel.start({ cwd: dir, interruptGraceMs: 5000 });
});

afterEach(async () => {
  for (const kernel of extra.splice(0)) await kernel.dispose();
});

afterAll(async () => {
  await shared?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Kernel (shared process)', () => {
  it('shares variables across cells, re-runs a const cell, returns the last expression', async () => {
    const a = await run(shared, 'const x: number = 40\nfunction inc(n: number) { return n + 1 }', 'share1');
    expect(a.status).toBe('ok');
    expect(a.outputs).toEqual([]);
    expect(a.defines).toEqual(['x', 'inc']);
    const again = await run(shared, 'const x: number = 41\nfunction inc(n: number) { return n + 1 }', 'share1');
    expect(again.status).toBe('ok');
    const b = await run(shared, 'inc(x)');
    expect(b).toMatchObject({ status: 'ok', outputs: [{ type: 'result', data: { 'text/plain': '42' } }], uses: ['inc', 'x'] });
    expect(b.executionCount).toBe(again.executionCount + 1);
  });

  it('runs the kernel process with the huge-page malloc tunable (KERNEL_GLIBC_TUNABLES)', async () => {
    const r = await run(shared, 'process.env.GLIBC_TUNABLES');
    expect(resultText(r)).toContain('glibc.malloc.hugetlb=');
  });

  it('supports top-level await', async () => {
    const r = await run(shared, 'const v = await new Promise<number>((resolve) => setTimeout(() => resolve(7), 20))\nv * 6');
    expect(resultText(r)).toBe('42');
  });

  it('captures console output per cell, in order with displays', async () => {
    const seen: CellOutput[] = [];
    const r = await run(shared, 'console.log("one", 1)\nconsole.error("two")\ndisplay("three")\nconsole.log("four")\nconsole.log("five")', undefined, (o) => seen.push(o));
    expect(r.outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'one 1\n' },
      { type: 'stream', name: 'stderr', text: 'two\n' },
      { type: 'display', data: { 'text/plain': 'three' }, cellLine: 3 },
      { type: 'stream', name: 'stdout', text: 'four\nfive\n' }, // adjacent chunks merged in the result
    ]);
    expect(seen).toHaveLength(5); // ...but delivered one by one
  });

  it('maps error tracebacks to the cell lines and drops kernel frames', async () => {
    const r = await run(shared, 'const ok = 1\n\nthrow new RangeError("bad value")', 'errline');
    expect(r.status).toBe('error');
    const e = errorOf(r);
    expect(e).toMatchObject({ ename: 'RangeError', evalue: 'bad value' });
    expect(e.traceback[0]).toBe('at cell[errline]:3:7'); // `new RangeError` starts at column 7 of line 3
    expect(e.traceback.join('\n')).not.toMatch(/kernel-process|node:|tsx/);
  });

  it('maps frames of functions defined in earlier cells', async () => {
    await run(shared, 'function explode() {\n  return (null as unknown as { a: number }).a\n}', 'defcell');
    const r = await run(shared, '// call it\nexplode()', 'usecell');
    const e = errorOf(r);
    expect(e.ename).toBe('TypeError');
    expect(e.traceback[0]).toMatch(/^at explode \(cell\[defcell\]:2:/);
    expect(e.traceback[1]).toBe('at cell[usecell]:2:1');
  });


  it("drops Stratum's own frames from an expected error, leaving the cell line that made the call", async () => {
    const bad = join(dir, 'ragged.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');
    const r = await run(shared, `// read a ragged file\nconst ragged = await readCsv(${JSON.stringify(bad)})`, 'stratumerr');
    const e = errorOf(r);
    expect(e.ename).toBe('StratumError');
    expect(e.traceback).toEqual(['at async cell[stratumerr]:2:16']); // the `await` on line 2; no connectors/csv frames above it
  });
  it('reports syntax errors with the cell line', async () => {
    const r = await run(shared, 'const a = 1\nconst b = 2 +* 3', 'syn');
    expect(r.status).toBe('error');
    expect(errorOf(r)).toMatchObject({ ename: 'SyntaxError', traceback: ['at cell[syn]:2:14', 'const b = 2 +* 3', '             ^'] });
  });

  it('has tf on the wasm backend and dfd, and displays a DataFrame as a table', async () => {
    expect(resultText(await run(shared, 'tf.getBackend()'))).toBe('wasm');
    const r = await run(shared, 'const df = new dfd.DataFrame({ a: [1, 2, 3], b: ["x", "y", "z"] })\ndisplay(df)\ndf.shape[0]');
    expect(r.status).toBe('ok');
    expect(r.outputs[0]).toMatchObject({
      type: 'display',
      cellLine: 2,
      data: { 'application/vnd.stratum.table+json': { columns: [{ name: 'a', dtype: 'int32' }, { name: 'b', dtype: 'string' }], rows: [[1, 'x'], [2, 'y'], [3, 'z']], totalRows: 3 } },
    });
    expect(resultText(r)).toBe('3');
    const mem = await run(shared, 'const before = tf.memory().numTensors\ntf.tidy(() => tf.ones([3]).sum())\ntf.memory().numTensors - before');
    expect(resultText(mem)).toBe('1'); // the returned sum survives tidy, the ones() tensor does not
  });

  it('provides plot, table, markdown, require and import from the notebook folder', async () => {
    const r = await run(shared, [
      'plot({ data: [{ x: [1, 2], y: [3, 4], type: "scatter" }] })',
      'table([{ a: 1, b: "u" }, { a: 2.5, c: true }])',
      'markdown("**bold**")',
      'const { twice } = require("./helper.cjs")',
      'import { thrice } from "./esm-helper.mjs"',
      'twice(thrice(7))',
    ].join('\n'));
    expect(r.status).toBe('ok');
    expect(r.outputs).toEqual([
      { type: 'display', cellLine: 1, data: { 'application/vnd.plotly.v1+json': { data: [{ x: [1, 2], y: [3, 4], type: 'scatter' }] }, 'text/plain': 'Plotly figure (1 trace)' } },
      {
        type: 'display',
        cellLine: 2,
        data: {
          'application/vnd.stratum.table+json': { columns: [{ name: 'a', dtype: 'float32' }, { name: 'b', dtype: 'string' }, { name: 'c', dtype: 'boolean' }], rows: [[1, 'u', null], [2.5, null, true]], totalRows: 2 },
          'text/plain': 'Table 2 x 3 (columns: a, b, c)',
        },
      },
      { type: 'display', cellLine: 3, data: { 'text/markdown': '**bold**', 'text/plain': '**bold**' } },
      { type: 'result', data: { 'text/plain': '42' } },
    ]);
  });

  it('runs queued cells in order', async () => {
    const results = await Promise.all([run(shared, 'let order: number[] = []\nawait new Promise((r) => setTimeout(r, 50))\norder.push(1)'), run(shared, 'order.push(2)\norder.join(",")')]);
    expect(resultText(results[1] as ExecuteResult)).toBe('1,2');
  });

  it('interrupts a synchronous infinite loop and keeps the state', async () => {
    await run(shared, 'const kept = "still here"');
    const pending = run(shared, 'let spins = 0\nwhile (true) { spins++ }');
    await new Promise((r) => setTimeout(r, 300));
    await shared.interrupt();
    const r = await pending;
    expect(r.status).toBe('interrupted');
    expect(errorOf(r).code).toBe('KERNEL_INTERRUPTED');
    expect(errorOf(r).evalue).toMatch(/state kept/);
    expect(resultText(await run(shared, 'kept'))).toBe('still here');
  });

  it('interrupts a cell stuck awaiting', async () => {
    const pending = run(shared, 'await new Promise(() => {})');
    await new Promise((r) => setTimeout(r, 200));
    await shared.interrupt();
    expect((await pending).status).toBe('interrupted');
    expect(resultText(await run(shared, 'kept.length'))).toBe('10');
  });
});

describe('Kernel (own process)', () => {
  it('kills and restarts a kernel that ignores the interrupt, reporting lost state', async () => {
    const kernel = await startExtra({ interruptGraceMs: 500 });
    await run(kernel, 'const lost = 1');
    const pid = kernel.info?.pid as number;
    // After an await the loop runs outside vm's breakOnSigint, and blocks the SIGINT handler.
    const pending = run(kernel, 'await null\nwhile (true) {}');
    await new Promise((r) => setTimeout(r, 300));
    await kernel.interrupt();
    const r = await pending;
    expect(r.status).toBe('interrupted');
    expect(errorOf(r).evalue).toMatch(/state was lost/);
    expect(kernel.status).toBe('idle');
    expect(kernel.info?.pid).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    expect(errorOf(await run(kernel, 'lost')).ename).toBe('ReferenceError');
  });

  it('restart clears state and the execution count', async () => {
    const kernel = await startExtra();
    await run(kernel, 'const gone = 1');
    await kernel.restart();
    const r = await run(kernel, 'typeof gone');
    expect(resultText(r)).toBe('undefined');
    expect(r.executionCount).toBe(1);
  });

  it('reports KERNEL_DIED when a cell exits the process, and can be restarted', async () => {
    const kernel = await startExtra();
    const r = await run(kernel, 'console.log("bye")\nprocess.exit(1)');
    expect(r.status).toBe('error');
    expect(errorOf(r)).toMatchObject({ code: 'KERNEL_DIED' });
    expect(errorOf(r).evalue).toMatch(/exit code 1/);
    expect(kernel.status).toBe('dead');
    expect(errorOf(await run(kernel, '1')).code).toBe('KERNEL_DIED');
    await kernel.restart();
    expect(resultText(await run(kernel, '1 + 1'))).toBe('2');
  });

  it('dispose is safe twice and ends the process', async () => {
    const kernel = await startExtra();
    const pid = kernel.info?.pid as number;
    await kernel.dispose();
    await kernel.dispose();
    expect(kernel.status).toBe('disposed');
    expect(alive(pid)).toBe(false);
    expect(errorOf(await run(kernel, '1')).code).toBe('KERNEL_DIED');
  });
});

describe('Kernel (late errors)', () => {
  it('turns an error thrown in a timer into a late output instead of killing the kernel', async () => {
    const late: Array<[string, CellOutput]> = [];
    const kernel = await startExtra({ onLateOutput: (cellId, output) => late.push([cellId, output]) });
    const imported = await run(kernel, 'await import("node:path").then((m) => m.sep)');
    expect(imported.outputs).toEqual([{ type: 'result', data: { 'text/plain': '/' } }]); // no ExperimentalWarning on stderr
    const r = await run(kernel, 'setTimeout(() => { throw new Error("late boom") }, 50)\n1', 'timer');
    expect(r.outputs).toEqual([{ type: 'result', data: { 'text/plain': '1' } }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(late).toHaveLength(1);
    expect(late[0]?.[0]).toBe('timer');
    expect(late[0]?.[1]).toMatchObject({ type: 'error', ename: 'Error', evalue: 'late boom', traceback: ['at Timeout._onTimeout (cell[timer]:1:26)'] });
    expect(resultText(await run(kernel, '1 + 1'))).toBe('2');
  });
});
