/**
 * Turns a cell's source (TypeScript or JavaScript) into a script that runs in the kernel's shared
 * global scope, the way Node's REPL does for top-level await (`processTopLevelAwait` in
 * `lib/internal/repl/await.js`):
 *
 * 1. TypeScript types are erased with `ts-blank-space`, which replaces them by spaces so every
 *    character keeps its position.
 * 2. Top-level declarations become assignments to global `var`s, so later cells see them and
 *    re-running a cell never fails with "already declared":
 *    `const {a, b} = x` -> `;(     {a, b} = x)`, `class C {}` -> `C = class C {};`,
 *    `function f() {}` stays (hoisted inside the wrapper) and is published with `this.f = f`,
 *    `var` anywhere outside functions is hoisted the same way,
 *    `import d, {a} from 'm'` -> `;({default: d, a} = await __stratumImport('m'))`.
 * 3. The last expression statement becomes `return (...)`: its value is the cell's result.
 * 4. Everything is wrapped in `var ...; (async () => { ... \n})()` on the cell's own first line,
 *    so line N of the script is line N of the cell; {@link TransformResult.mapPosition} undoes the
 *    few column shifts for tracebacks.
 *
 * The same pass reports the names a cell defines and the free names it uses, for stale marking.
 */
import ts from 'typescript';
import { blankSourceFile } from 'ts-blank-space';
import type { CellLanguage } from '../notebook/types.ts';

/** Options of {@link transformCell}. */
export interface TransformOptions {
  /** Source language; `typescript` (default) has its types erased first. */
  language?: CellLanguage;
  /**
   * Name of the global function static `import` declarations are rewritten to call; it receives the
   * specifier (and import attributes) and returns a promise of the module namespace.
   * Default `__stratumImport` (provided by the kernel scope).
   */
  importFunction?: string;
}

/** A 1-based position in a cell or in the generated script. */
export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
}

/** The runnable form of a cell and what it declares. */
export interface TransformResult {
  /**
   * A script (not a module) whose completion value is a promise of the cell's result: the value of
   * its last expression statement, or `undefined`. Line N of the script is line N of the cell.
   */
  code: string;
  /** Names the cell defines at top level (declarations, imports, assignments to undeclared names), in source order. */
  defines: string[];
  /** Free names the cell reads (not declared in the cell), in source order; includes globals such as `console`. */
  uses: string[];
  /** Maps a position in {@link code} back to the cell; `undefined` inside the wrapper the transform added. */
  mapPosition(position: SourcePosition): SourcePosition | undefined;
}

/** A syntax error in a cell (or TypeScript syntax that cannot be erased), with its position in the cell. */
export class CellSyntaxError extends Error {
  /** 1-based line in the cell. */
  readonly line: number;
  /** 1-based column in the cell. */
  readonly column: number;

  /**
   * @param message - what is wrong
   * @param position - where, in the cell's own coordinates
   */
  constructor(message: string, position: SourcePosition) {
    super(message);
    this.name = 'SyntaxError';
    this.line = position.line;
    this.column = position.column;
  }
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

type FunctionLike = ts.FunctionLikeDeclaration | ts.ClassStaticBlockDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
}

/** Names bound by a binding name (`a`, `{a, b: [c]}`, `[d = 1, ...e]`). */
function bindingNames(name: ts.BindingName, out: string[] = []): string[] {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, out);
  return out;
}

function isVarList(list: ts.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.BlockScoped) === 0;
}

/** `var` declarations of a function body or of the cell, not entering nested functions. */
function collectVarLists(root: ts.Node): ts.VariableDeclarationList[] {
  const found: ts.VariableDeclarationList[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isVariableDeclarationList(node) && isVarList(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(root, visit);
  return found;
}

/** Names declared directly in a statement list (let/const/var statements, functions, classes, imports). */
function statementNames(statements: readonly ts.Statement[]): string[] {
  const names: string[] = [];
  for (const s of statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bindingNames(d.name, names);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.push(s.name.text);
    else if (ts.isImportDeclaration(s)) names.push(...importNames(s).map((b) => b.local));
  }
  return names;
}

function importNames(node: ts.ImportDeclaration): Array<{ imported: string | undefined; local: string }> {
  const clause = node.importClause;
  if (!clause) return [];
  const out: Array<{ imported: string | undefined; local: string }> = [];
  if (clause.name) out.push({ imported: 'default', local: clause.name.text });
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) out.push({ imported: undefined, local: bindings.name.text });
  else if (bindings) for (const e of bindings.elements) out.push({ imported: (e.propertyName ?? e.name).text, local: e.name.text });
  return out;
}

function addUnique(list: string[], names: Iterable<string>): void {
  for (const n of names) if (!list.includes(n)) list.push(n);
}

/** Is this identifier a read/write of a variable (as opposed to a property name, label or declaration)? */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.expression === id;
  if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) return p.name !== id;
  if (ts.isBindingElement(p)) return p.initializer === id;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) return p.name !== id;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p) || ts.isMetaProperty(p)) return false;
  if (ts.isImportClause(p) || ts.isImportSpecifier(p) || ts.isNamespaceImport(p) || ts.isExportSpecifier(p)) return false;
  if (ts.isEnumMember(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) return false;
  return true;
}

type Access = 'read' | 'write' | 'readwrite';

function accessOf(id: ts.Identifier): Access {
  const p = id.parent;
  if (ts.isBinaryExpression(p) && p.left === id) {
    const op = p.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) return 'write';
    if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) return 'readwrite';
  }
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return 'readwrite';
  return 'read';
}

/** Free names read, and free names written, by the cell (simple lexical scope analysis). */
function analyzeScopes(file: ts.SourceFile, topNames: readonly string[]): { uses: string[]; writes: string[] } {
  const uses: string[] = [];
  const writes: string[] = [];
  const visit = (node: ts.Node, scopes: ReadonlyArray<ReadonlySet<string>>): void => {
    let inner = scopes;
    if (isFunctionLike(node)) {
      const names: string[] = ['arguments'];
      if ((ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node)) && node.name) names.push(node.name.text);
      if (!ts.isClassStaticBlockDeclaration(node)) for (const p of node.parameters) bindingNames(p.name, names);
      if (node.body) {
        for (const list of collectVarLists(node.body)) for (const d of list.declarations) bindingNames(d.name, names);
        if (ts.isBlock(node.body)) names.push(...statementNames(node.body.statements));
      }
      inner = [...scopes, new Set(names)];
    } else if (ts.isBlock(node) || ts.isCaseBlock(node)) {
      const statements = ts.isBlock(node) ? node.statements : node.clauses.flatMap((c) => [...c.statements]);
      inner = [...scopes, new Set(statementNames(statements))];
    } else if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
      inner = [...scopes, new Set(node.initializer.declarations.flatMap((d) => bindingNames(d.name)))];
    } else if (ts.isCatchClause(node) && node.variableDeclaration) {
      inner = [...scopes, new Set(bindingNames(node.variableDeclaration.name))];
    } else if (ts.isClassLike(node) && node.name) {
      inner = [...scopes, new Set([node.name.text])];
    } else if (ts.isIdentifier(node) && isReference(node) && !scopes.some((s) => s.has(node.text))) {
      const access = accessOf(node);
      if (access !== 'write') addUnique(uses, [node.text]);
      if (access !== 'read') addUnique(writes, [node.text]);
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  const top = new Set(topNames);
  ts.forEachChild(file, (child) => visit(child, [top]));
  return { uses, writes };
}

function firstToken(node: ts.Node, kind: ts.SyntaxKind, file: ts.SourceFile): ts.Node | undefined {
  return node.getChildren(file).find((c) => c.kind === kind);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetToPosition(starts: readonly number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

function diagnosticError(file: ts.SourceFile, diagnostic: ts.DiagnosticWithLocation | ts.Diagnostic): CellSyntaxError {
  const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  return new CellSyntaxError(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '), { line: line + 1, column: character + 1 });
}

function parse(text: string, kind: ts.ScriptKind): ts.SourceFile {
  const file = ts.createSourceFile(kind === ts.ScriptKind.TS ? 'cell.ts' : 'cell.js', text, ts.ScriptTarget.Latest, true, kind);
  // parseDiagnostics is not in the public typings but has been on every SourceFile since TS 1.x.
  const diagnostics = (file as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (first) throw diagnosticError(file, first);
  return file;
}

/**
 * Transforms one cell for the kernel (see the module comment for the rewrites).
 *
 * @param source - the cell's source
 * @param options - language and the name of the import helper
 * @returns the script, the names defined and used, and a position mapper for tracebacks
 * @throws CellSyntaxError with the cell's line and column when the source does not parse, or uses
 *   TypeScript syntax that has runtime semantics (`enum`, `namespace`, constructor parameter properties)
 * @example
 * ```ts
 * const t = transformCell('const x: number = 1\nx + 1');
 * t.code;    // 'var x; (async () => { ;(     x         = 1)\nreturn (x + 1)\n})()'
 * t.defines; // ['x']
 * ```
 */
export function transformCell(source: string, options: TransformOptions = {}): TransformResult {
  const language = options.language ?? 'typescript';
  const importFunction = options.importFunction ?? '__stratumImport';
  let js = source;
  if (language === 'typescript') {
    const tsFile = parse(source, ts.ScriptKind.TS);
    let unsupported: ts.Node | undefined;
    js = blankSourceFile(tsFile, (node) => {
      unsupported ??= node;
    });
    if (unsupported) {
      const { line, character } = tsFile.getLineAndCharacterOfPosition(unsupported.getStart(tsFile));
      throw new CellSyntaxError(
        `TypeScript ${ts.SyntaxKind[unsupported.kind]} is not supported in cells (types are erased, not compiled): use a plain object, a module-free function or an explicit field assignment instead`,
        { line: line + 1, column: character + 1 },
      );
    }
  }
  const file = parse(js, ts.ScriptKind.JS);
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const published: string[] = [];
  const topNames: string[] = [];
  const insert = (at: number, text: string): void => void edits.push({ start: at, end: at, text });
  const replace = (start: number, end: number, text: string): void => void edits.push({ start, end, text });
  const blankModifiers = (node: ts.Node): void => {
    const modifiers = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
    for (const m of modifiers) {
      if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) replace(m.getStart(file), m.end, ' '.repeat(m.end - m.getStart(file)));
    }
  };

  // Rewrites a var/let/const declaration list into assignments to hoisted globals.
  const rewriteDeclarations = (list: ts.VariableDeclarationList, statement: ts.VariableStatement | undefined): void => {
    const keywordStart = list.getStart(file);
    const keyword = /^(const|let|var)\b/.exec(js.slice(keywordStart))?.[1];
    if (!keyword) return; // `using` declarations: leave to the engine
    const names = list.declarations.flatMap((d) => bindingNames(d.name));
    addUnique(hoisted, names);
    if (!statement) {
      // for (var i = 0; ...) / for (var x of xs): drop the keyword.
      replace(keywordStart, keywordStart + keyword.length, ' '.repeat(keyword.length));
      return;
    }
    blankModifiers(statement);
    // `;(` guards against the previous line continuing into a call; not when the statement is the
    // body of an if/while/label, where `;` would become the body.
    const inList = ts.isSourceFile(statement.parent) || ts.isBlock(statement.parent) || ts.isCaseClause(statement.parent) || ts.isDefaultClause(statement.parent);
    const open = inList ? ';(' : '(';
    replace(keywordStart, keywordStart + keyword.length, open.padEnd(keyword.length, ' '));
    for (const d of list.declarations) if (!d.initializer && keyword !== 'var') insert(d.name.end, ' = undefined');
    insert(list.end, ')');
  };

  for (const list of collectVarLists(file)) {
    const parent = list.parent;
    rewriteDeclarations(list, ts.isVariableStatement(parent) ? parent : undefined);
  }

  const statements = file.statements;
  statements.forEach((statement, index) => {
    if (ts.isVariableStatement(statement)) {
      topNames.push(...statement.declarationList.declarations.flatMap((d) => bindingNames(d.name)));
      if (!isVarList(statement.declarationList)) rewriteDeclarations(statement.declarationList, statement);
    } else if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
      const name = statement.name.text;
      topNames.push(name);
      addUnique(hoisted, [name]);
      addUnique(published, [name]);
      blankModifiers(statement);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      const name = statement.name.text;
      topNames.push(name);
      addUnique(hoisted, [name]);
      blankModifiers(statement);
      const keyword = firstToken(statement, ts.SyntaxKind.ClassKeyword, file);
      insert(keyword ? keyword.getStart(file) : statement.getStart(file), `${name} = `);
      insert(statement.end, ';');
    } else if (ts.isImportDeclaration(statement)) {
      const bindings = importNames(statement);
      const names = bindings.map((b) => b.local);
      topNames.push(...names);
      addUnique(hoisted, names);
      const attributes = statement.attributes ? `, { with: { ${statement.attributes.elements.map((e) => e.getText(file)).join(', ')} } }` : '';
      const call = `await ${importFunction}(${statement.moduleSpecifier.getText(file)}${attributes})`;
      const namespace = bindings.find((b) => b.imported === undefined);
      const named = bindings.filter((b) => b.imported !== undefined);
      let code: string;
      if (named.length === 0) code = namespace ? `;(${namespace.local} = ${call});` : `;${call};`;
      else {
        const pattern = `{ ${named.map((b) => (b.imported === b.local ? b.local : `${JSON.stringify(b.imported)}: ${b.local}`)).join(', ')} }`;
        code = `;(${pattern} = ${namespace ? `(${namespace.local} = ${call})` : call});`;
      }
      const start = statement.getStart(file);
      const original = js.slice(start, statement.end);
      replace(start, statement.end, code + '\n'.repeat(original.split('\n').length - 1));
    }
    if (index === statements.length - 1 && ts.isExpressionStatement(statement)) {
      insert(statement.expression.getStart(file), 'return (');
      insert(statement.expression.end, ')');
    }
  });
  addUnique(topNames, hoisted);

  const { uses, writes } = analyzeScopes(file, topNames);
  const defines = [...topNames];
  addUnique(defines, writes);

  // Assemble prefix + edited body + suffix, remembering where each piece came from.
  const prefix = `${hoisted.length ? `var ${hoisted.join(', ')}; ` : ''}(async () => { ${published.map((n) => `this.${n} = ${n}; `).join('')}`;
  const pieces: Array<{ gen: number; orig: number; kind: 'copy' | 'synthetic' | 'wrapper' }> = [];
  let code = '';
  const emit = (text: string, orig: number, kind: 'copy' | 'synthetic' | 'wrapper'): void => {
    if (text.length === 0) return;
    pieces.push({ gen: code.length, orig, kind });
    code += text;
  };
  emit(prefix, 0, 'wrapper');
  // Stable sort: edits at the same offset keep their insertion order.
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.start < cursor) continue; // overlapping edit: cannot happen for well-formed input; keep the first
    emit(js.slice(cursor, edit.start), cursor, 'copy');
    emit(edit.text, edit.start, 'synthetic');
    cursor = edit.end;
  }
  emit(js.slice(cursor), cursor, 'copy');
  emit('\n})()', js.length, 'wrapper');

  const genStarts = lineStarts(code);
  const origStarts = lineStarts(source);
  const mapPosition = (position: SourcePosition): SourcePosition | undefined => {
    const offset = (genStarts[position.line - 1] ?? Number.NaN) + position.column - 1;
    if (!Number.isFinite(offset) || offset < 0 || offset > code.length) return undefined;
    let piece = pieces[0];
    for (const p of pieces) {
      if (p.gen <= offset) piece = p;
      else break;
    }
    if (!piece || piece.kind === 'wrapper') return undefined;
    const orig = piece.kind === 'copy' ? piece.orig + (offset - piece.gen) : piece.orig;
    return offsetToPosition(origStarts, Math.min(orig, source.length));
  };
  return { code, defines, uses, mapPosition };
}

/**
 * The names a cell defines and uses, without producing code (for stale marking in the workbench).
 *
 * @throws CellSyntaxError as {@link transformCell}
 */
export function analyzeCell(source: string, language: CellLanguage = 'typescript'): { defines: string[]; uses: string[] } {
  const { defines, uses } = transformCell(source, { language });
  return { defines, uses };
}
