import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CellSyntaxError, analyzeCell, transformCell } from './transform.ts';

/** Runs cells in order in one fresh context, as the kernel does, and returns each cell's result. */
async function runCells(...cells: string[]): Promise<{ results: unknown[]; context: vm.Context }> {
  const context = vm.createContext({ setTimeout, __stratumImport: async (s: string) => ({ default: `default of ${s}`, named: `named of ${s}` }) });
  const results: unknown[] = [];
  for (const [i, source] of cells.entries()) {
    const { code } = transformCell(source);
    results.push(await (new vm.Script(code, { filename: `cell[c${i}]` }).runInContext(context) as Promise<unknown>));
  }
  return { results, context };
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

describe('transformCell rewrites', () => {
  it('erases TypeScript types keeping positions, and turns const into a global assignment', () => {
    const t = transformCell('const x: number = 1\nx + 1');
    // `const` (5 chars) -> `;(   `, the type annotation -> spaces, so columns after the keyword are unchanged.
    expect(t.code).toBe('var x; (async () => { ;(    x         = 1)\nreturn (x + 1)\n})()');
    expect(t.defines).toEqual(['x']);
  });

  it('rewrites destructuring and declarations without initializer', () => {
    const t = transformCell('let a, {b, c: [d = 2, ...e]} = obj', { language: 'javascript' });
    expect(t.code).toBe('var a, b, d, e; (async () => { ;(  a = undefined, {b, c: [d = 2, ...e]} = obj)\n})()');
    expect(t.defines).toEqual(['a', 'b', 'd', 'e']);
    expect(t.uses).toEqual(['obj']);
  });

  it('publishes function declarations from the top of the wrapper (hoisting kept)', () => {
    const t = transformCell('f()\nfunction f() { return 1 }');
    expect(t.code).toBe('var f; (async () => { this.f = f; f()\nfunction f() { return 1 }\n})()');
  });

  it('turns a class declaration into an assignment of a class expression', () => {
    expect(transformCell('class C extends B {}').code).toBe('var C; (async () => { C = class C extends B {};\n})()');
  });

  it('hoists var in nested blocks and loops, not in functions; leaves let/const of blocks alone', () => {
    const t = transformCell('if (a) { var h = 1 } else var k = 2\nfor (var i = 0; i < 3; i++) { let z = i }\nfunction g() { var local = 1 }', { language: 'javascript' });
    expect(t.code).toBe('var h, k, i, g; (async () => { this.g = g; if (a) { ;(  h = 1) } else (   k = 2)\nfor (    i = 0; i < 3; i++) { let z = i }\nfunction g() { var local = 1 }\n})()');
    expect(t.defines).toEqual(['g', 'h', 'k', 'i']);
  });

  it('rewrites static imports to the import helper without changing the line count', () => {
    const source = "import d, { named as n } from 'm'\nimport * as ns from 'node:path'\nimport {\n  x\n} from './local.js'\nimport 'side'\nd";
    const t = transformCell(source);
    expect(lineCount(t.code)).toBe(lineCount(source) + 1); // + the wrapper's closing line
    expect(t.code).toContain(";({ \"default\": d, \"named\": n } = await __stratumImport('m'));");
    expect(t.code).toContain(";(ns = await __stratumImport('node:path'));");
    expect(t.code).toContain(";({ x } = await __stratumImport('./local.js'));\n\n\n");
    expect(t.code).toContain(";await __stratumImport('side');");
    expect(t.defines).toEqual(['d', 'n', 'ns', 'x']);
  });

  it('strips export modifiers', () => {
    expect(transformCell('export const q = 1').code).toBe('var q; (async () => {        ;(    q = 1)\n})()');
  });

  it('returns the last expression statement only', () => {
    expect(transformCell('1\n2').code).toBe('(async () => { 1\nreturn (2)\n})()');
    expect(transformCell('const a = 1').code).not.toContain('return');
    expect(transformCell('x // trailing comment').code).toBe('(async () => { return (x) // trailing comment\n})()');
  });

  it('guards against the previous line continuing into the rewritten statement', () => {
    // Without the leading `;`, `f()\n(x = 1)` would call f's result.
    expect(transformCell('f()\nlet x = 1').code).toContain('f()\n;(  x = 1)');
  });
});

describe('transformed cells run in a shared scope', () => {
  it('shares declarations across cells and allows re-running a const', async () => {
    const { results } = await runCells('const x = 2\nfunction sq(n: number) { return n * n }\nclass P { v = 3 }', 'sq(x) + new P().v', 'const x = 5', 'sq(x)');
    expect(results).toEqual([undefined, 7, undefined, 25]);
  });

  it('supports top-level await and awaits the last expression', async () => {
    const { results } = await runCells('const v = await Promise.resolve(41)\nv + 1', 'await new Promise((r) => setTimeout(() => r("late"), 5))');
    expect(results).toEqual([42, 'late']);
  });

  it('keeps var values when re-declared without initializer, resets let', async () => {
    const { results } = await runCells('var a = 1; let b = 2', 'var a; let b\n[a, b]');
    expect(results).toEqual([undefined, [1, undefined]]);
  });

  it('imports through the helper', async () => {
    const { results } = await runCells("import d, { named } from 'm'\nimport * as ns from 'n'\n[d, named, ns.named]");
    expect(results).toEqual([['default of m', 'named of m', 'named of n']]);
  });

  it('keeps line numbers: an error thrown on line 3 reports line 3', async () => {
    const source = 'const a = 1\nconst b: string = "x"\nnull.boom\n';
    const t = transformCell(source);
    const context = vm.createContext({});
    const error = await (new vm.Script(t.code, { filename: 'cell[e]' }).runInContext(context) as Promise<unknown>).catch((e: Error) => e);
    const frame = /cell\[e\]:(\d+):(\d+)/.exec((error as Error).stack ?? '');
    expect(frame).not.toBeNull();
    // `null.boom` starts at line 3, column 1; V8 points at the property access (column 6).
    expect(t.mapPosition({ line: Number(frame?.[1]), column: Number(frame?.[2]) })).toEqual({ line: 3, column: 6 });
  });

  it('maps columns of line 1 back past the wrapper prefix', () => {
    const t = transformCell('let x = 1; y.z');
    const generated = t.code.indexOf('y.z') + 1;
    expect(t.mapPosition({ line: 1, column: generated })).toEqual({ line: 1, column: 12 });
    expect(t.mapPosition({ line: 1, column: 1 })).toBeUndefined(); // inside `var x; (async () => {`
    expect(t.mapPosition({ line: 2, column: 3 })).toBeUndefined(); // the closing `})()`
  });
});

describe('defines and uses', () => {
  it('finds free identifiers with scopes, ignoring property names and locals', () => {
    const { defines, uses } = analyzeCell(
      'const model = fit(df, { epochs })\nfunction f(a) { const local = a + shared; return local.prop }\ntry { g() } catch (err) { log(err) }\nfor (const r of rows) use(r)\nobj.key = other',
    );
    expect(defines).toEqual(['model', 'f']);
    expect(uses).toEqual(['fit', 'df', 'epochs', 'shared', 'g', 'log', 'rows', 'use', 'obj', 'other']);
  });

  it('counts assignment to an undeclared name as a definition, compound assignment as both', () => {
    const { defines, uses } = analyzeCell('count = 0\ntotal += 1');
    expect(defines).toEqual(['count', 'total']);
    expect(uses).toEqual(['total']);
  });
});

describe('syntax errors', () => {
  it('reports the cell line and column', () => {
    try {
      transformCell('const a = 1\nconst b = 2\nconst c = 3 +* 4');
      throw new Error('expected a syntax error');
    } catch (error) {
      expect(error).toBeInstanceOf(CellSyntaxError);
      expect((error as CellSyntaxError).line).toBe(3);
      expect((error as CellSyntaxError).column).toBe(14); // the `*`
    }
  });

  it('rejects TypeScript syntax with runtime semantics', () => {
    expect(() => transformCell('let y = 1\nenum E { A }')).toThrow(/EnumDeclaration is not supported/);
    try {
      transformCell('let y = 1\nenum E { A }');
    } catch (error) {
      expect((error as CellSyntaxError).line).toBe(2);
    }
  });
});
