/**
 * The `stratum` CLI as a user runs it: a real `node bin/stratum.mjs` process per case.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stratum(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/stratum.mjs'), ...args], { cwd: dir, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function notebook(cells: Array<{ id: string; source: string }>): string {
  return JSON.stringify({
    schemaVersion: 1,
    metadata: { title: 'cli test' },
    cells: cells.map((c) => ({ id: c.id, type: 'code', language: 'typescript', source: c.source, outputs: [], executionCount: null })),
  });
}

describe('stratum run', () => {
  it('runs cells in order, prints outputs and progress, writes the executed notebook', async () => {
    const file = path.join(dir, 'ok.stratum.json');
    writeFileSync(file, notebook([{ id: 'first001', source: 'const x: number = 40;\nconsole.log("x is", x);' }, { id: 'second01', source: 'x + 2' }]));
    const r = await stratum('run', file, '--out', path.join(dir, 'ok.out.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x is 40');
    expect(r.stdout).toContain('42');
    expect(r.stderr).toMatch(/\[1\/2\] cell first001 \(code\) running/);
    expect(r.stderr).toMatch(/\[2\/2\] cell second01 ok/);
    const executed = JSON.parse(readFileSync(path.join(dir, 'ok.out.json'), 'utf8')) as { cells: Array<{ executionCount: number }> };
    expect(executed.cells.map((c) => c.executionCount)).toEqual([1, 2]);
  });

  it('exits 1 naming the failing cell and its line, and stops there', async () => {
    const file = path.join(dir, 'bad.stratum.json');
    writeFileSync(file, notebook([
      { id: 'fine0001', source: 'const a = 1;' },
      { id: 'broken01', source: 'const b = 2;\nconst c = b + 1;\nnotDefined(c);' },
      { id: 'never001', source: 'console.log("must not run")' },
    ]));
    const r = await stratum('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cell 2 (id broken01) line 3 failed: ReferenceError: notDefined is not defined');
    expect(r.stdout).toMatch(/cell\[broken01\]:3/);
    expect(r.stdout).not.toContain('must not run');
  });

  it('rejects a malformed notebook with the bad field named and exit 1', async () => {
    const file = path.join(dir, 'invalid.stratum.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, metadata: {}, cells: [{ id: 'x1', type: 'spreadsheet', source: '', outputs: [], executionCount: null }] }));
    const r = await stratum('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[NOTEBOOK_INVALID\].*cells\[0\]\.type/);
  });

  it('refuses an --out it could not write before running any cell', async () => {
    const file = path.join(dir, 'out.stratum.json');
    writeFileSync(file, notebook([{ id: 'ran00001', source: 'console.log("cell ran")' }]));
    const missing = await stratum('run', file, '--out', path.join(dir, 'no-such-folder', 'x.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[NOTEBOOK_IO\]: cannot write the executed notebook to .*no-such-folder.*does not exist/);
    expect(missing.stdout).not.toContain('cell ran');
    const folder = await stratum('run', file, '--out', dir);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('it is a folder');
    expect(folder.stdout).not.toContain('cell ran');
  });

  it('says a cell hit the --cell-timeout', async () => {
    const file = path.join(dir, 'loop.stratum.json');
    writeFileSync(file, notebook([{ id: 'loop0001', source: 'while (true) {}' }]));
    const r = await stratum('run', file, '--cell-timeout', '2');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cell 1 (id loop0001) failed: KernelInterrupted: the cell ran longer than the 2 s cell timeout and was interrupted');
  });

  it('on Ctrl+C interrupts the running cell, runs no further cell, writes the executed notebook and exits 130', async () => {
    const file = path.join(dir, 'wait.stratum.json');
    writeFileSync(file, notebook([
      { id: 'wait0001', source: 'console.log("waiting")\nawait new Promise((resolve) => setTimeout(resolve, 60_000))' },
      { id: 'next0001', source: 'console.log("second cell ran")' },
    ]));
    const child = spawn(process.execPath, [path.join(root, 'bin/stratum.mjs'), 'run', file], { cwd: dir });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('waiting') && !output.includes('interrupting')) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(output).toContain('interrupting the running cell');
    expect(output).toContain('cell 1 (id wait0001) failed: KernelInterrupted: interrupted (Ctrl+C)');
    expect(output).not.toContain('second cell ran');
    const executed = JSON.parse(readFileSync(path.join(dir, 'wait.executed.stratum.json'), 'utf8')) as { cells: Array<{ outputs: Array<{ type: string; ename?: string }> }> };
    expect(executed.cells[0]!.outputs.map((o) => o.ename ?? o.type)).toEqual(['stream', 'KernelInterrupted']);
    expect(executed.cells[1]!.outputs).toEqual([]);
  });

  it('names a missing notebook file', async () => {
    const r = await stratum('run', path.join(dir, 'nope.stratum.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.stratum\.json/);
  });
});

describe('stratum serve', () => {
  it('refuses a folder that is not a bundle, naming it', async () => {
    const r = await stratum('serve', dir, '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(dir);
  });

  it('rejects a bad port with a usage message', async () => {
    const r = await stratum('serve', dir, '--port', 'eighty');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/port/);
  });
});
