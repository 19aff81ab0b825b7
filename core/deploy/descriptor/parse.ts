/**
 * Reading a descriptor: YAML text -> document with line positions -> JSON value -> schema findings.
 *
 * Parsing uses the `yaml` package's Document API with a `LineCounter`, so any YAML path
 * (`components[0].requirements.memoryMiB`) maps back to the 1-based line of its key in the text.
 * Schema validation is Ajv (draft 2020-12, `allErrors`) against {@link DESCRIPTOR_SCHEMA}.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { StratumError } from '../../errors.ts';
import type { ApplicationDescriptor, Finding } from '../types.ts';
import { DESCRIPTOR_SCHEMA } from './schema.ts';

/** Where a descriptor comes from: a file, or text with the folder its relative paths are resolved against. */
export type DescriptorInput = { path: string } | { text: string; baseDir: string; file?: string };

/** A path into the document: keys and array indices, e.g. `['components', 0, 'port']`. */
export type PathSegments = ReadonlyArray<string | number>;

/** A parsed descriptor source, before or after schema validation. */
export interface DescriptorSource {
  /** The YAML text. */
  text: string;
  /** Absolute folder that relative paths (bundles, token files) are resolved against. */
  baseDir: string;
  /** File name for diagnostics (the path given, or `<text>`). */
  file: string;
  /** The parsed YAML value (`undefined` when the text is empty or not parseable). */
  value: unknown;
  /** 1-based line of the key (or item) at `path`, or of its nearest existing ancestor. */
  lineOf(path: PathSegments): number | undefined;
  /** The first YAML syntax error (rule `yaml`), or the one finding that the text is not a descriptor at all (rule `descriptor`). */
  yamlFindings: Finding[];
}

/**
 * Formats path segments as a YAML path: `components[0].requirements.memoryMiB`.
 * Keys that are not identifiers are quoted: `labels["kubernetes.io/arch"]`.
 */
export function formatPath(path: PathSegments): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Reads and parses a descriptor (YAML syntax only; see {@link schemaFindings} for the schema).
 *
 * @param input - `{ path }` of a YAML file, or `{ text, baseDir }`
 * @returns the source with its parsed value and a path-to-line locator
 * @throws StratumError `FILE_NOT_FOUND` when the file does not exist
 */
export async function readDescriptorSource(input: DescriptorInput): Promise<DescriptorSource> {
  let text: string;
  let baseDir: string;
  let file: string;
  if ('path' in input) {
    file = input.path;
    baseDir = dirname(resolve(input.path));
    try {
      text = await readFile(input.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StratumError('FILE_NOT_FOUND', `descriptor ${input.path} not found`, { detail: { path: input.path }, hint: 'Pass the path of a descriptor YAML file (see docs/descriptor.md).' });
      }
      throw error;
    }
  } else {
    text = input.text;
    baseDir = resolve(input.baseDir);
    file = input.file ?? '<text>';
  }
  return parseDescriptorText(text, baseDir, file);
}

/** The finding for text that is not a descriptor at all (a README, a notebook, an empty file). */
const NOT_A_DESCRIPTOR = 'not a Stratum descriptor (expected apiVersion: stratum.dev/v1 and kind: Application)';

/**
 * One sentence from a `yaml` error message: the package may append " at line L, column C:" and a
 * code frame; both are dropped (the position is reported separately).
 */
export function cleanYamlMessage(message: string): string {
  const first = (message.split('\n')[0] ?? '').replace(/\s+at line \d+, column \d+:?\s*$/, '').trim();
  return first.replace(/[.:]$/, '');
}

/**
 * Parses descriptor text synchronously; see {@link readDescriptorSource}.
 *
 * YAML syntax problems give one finding (rule `yaml`): the first error only, since later ones are
 * usually its consequences. Text that is not a mapping with `apiVersion` or `kind` gives one
 * finding (rule `descriptor`) saying so, instead of a list of syntax or schema errors.
 */
export function parseDescriptorText(text: string, baseDir: string, file = '<text>'): DescriptorSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const lineOf = (path: PathSegments): number | undefined => locate(doc, path, lineAt);
  const contents = doc.contents;
  const looksLikeDescriptor = isMap(contents) && contents.items.some((p) => isScalar(p.key) && (p.key.value === 'apiVersion' || p.key.value === 'kind'));
  if (!looksLikeDescriptor) {
    const finding: Finding = { severity: 'error', rule: 'descriptor', path: '', line: 1, message: NOT_A_DESCRIPTOR, fix: 'pass a deployment descriptor YAML file (start from examples/descriptors/seattle-weather.yaml; see docs/descriptor.md)' };
    return { text, baseDir, file, value: undefined, lineOf, yamlFindings: [finding] };
  }
  const first = doc.errors[0];
  const yamlFindings: Finding[] = [];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    yamlFindings.push({
      severity: 'error',
      rule: 'yaml',
      path: '',
      line,
      message: `YAML syntax: ${cleanYamlMessage(first.message)} (line ${line}, column ${col})`,
      fix: 'Fix the YAML syntax at this line (indentation, a missing ":" or quote, or a duplicate key); later syntax errors are often consequences of this one.',
    });
  }
  const value: unknown = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { text, baseDir, file, value, lineOf, yamlFindings };
}

function locate(doc: Document, path: PathSegments, lineAt: (offset: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let line = node && (node as YamlNode).range ? lineAt((node as YamlNode).range![0]) : undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const key = pair.key as YamlNode | null;
      if (key?.range) line = lineAt(key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else {
      break;
    }
  }
  return line;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(DESCRIPTOR_SCHEMA);

/** Converts an Ajv instance path (`/components/0/port`) to segments (`['components', 0, 'port']`). */
function pointerSegments(pointer: string, value: unknown): Array<string | number> {
  if (pointer === '') return [];
  const segs: Array<string | number> = [];
  let cursor: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg = Array.isArray(cursor) && /^\d+$/.test(key) ? Number(key) : key;
    segs.push(seg);
    cursor = cursor !== null && typeof cursor === 'object' ? (cursor as Record<string | number, unknown>)[seg] : undefined;
  }
  return segs;
}

function describe(error: ErrorObject, value: unknown): { segs: Array<string | number>; message: string; fix: string } {
  const segs = pointerSegments(error.instancePath, value);
  const at = (): unknown => segs.reduce<unknown>((v, s) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined), value);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      segs.push(String(p.missingProperty));
      return { segs, message: `required field is missing`, fix: `add "${String(p.missingProperty)}" (see docs/descriptor.md)` };
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      segs.push(extra);
      if (/^(token|password|secret)$/i.test(extra)) {
        return { segs, message: `"${extra}" is not allowed: a descriptor never holds secrets`, fix: 'put the token in a file and reference it with tokenFile, or use tokenEnv' };
      }
      return { segs, message: `unknown field "${extra}"`, fix: 'remove it or fix its spelling (see docs/descriptor.md for the fields allowed here)' };
    }
    case 'type':
      return { segs, message: `must be ${String(p.type)}, found ${JSON.stringify(at())}`, fix: `write ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}${p.type === 'number' || p.type === 'integer' ? ' without quotes or units' : ''}` };
    case 'enum':
      return { segs, message: `${JSON.stringify(at())} is not one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, fix: 'use one of the allowed values' };
    case 'const':
      return { segs, message: `must be ${JSON.stringify(p.allowedValue)}, found ${JSON.stringify(at())}`, fix: `write ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { segs, message: `${JSON.stringify(at())} does not match the expected form ${String(p.pattern)}`, fix: segs.at(-1) === 'address' ? 'write host:port of the node agent, e.g. 10.0.0.7:7070' : segs.at(-1) === 'model' ? 'write name@alias or name@version, e.g. seattle-weather@champion' : 'use lowercase letters, digits and "-" (a DNS-1123 label, as Kubernetes requires)' };
    case 'anyOf':
      return { segs, message: 'a model-service needs a model source', fix: 'add "bundle: path/to/bundle" or "model: name@alias"' };
    case 'not':
      return segs[0] === 'nodes'
        ? { segs, message: 'tokenFile and tokenEnv are both set', fix: 'keep one of them' }
        : { segs, message: 'bundle and model are both set', fix: 'keep one source: a bundle folder or a registry reference' };
    default:
      return { segs, message: error.message ?? error.keyword, fix: 'see docs/descriptor.md for the allowed values' };
  }
}

/**
 * Validates a parsed descriptor value against {@link DESCRIPTOR_SCHEMA} and returns one finding
 * (rule `schema`) per problem, with its YAML path and line. Wrapper errors that only repeat
 * their children (`if`, `allOf`) are dropped; the `anyOf` alternatives are folded into one finding.
 */
export function schemaFindings(source: DescriptorSource): Finding[] {
  if (source.yamlFindings.length > 0) return [];
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return [{ severity: 'error', rule: 'schema', path: '', line: 1, message: 'the descriptor must be a YAML mapping (apiVersion, kind, metadata, components, nodes)', fix: 'start from examples/descriptors/seattle-weather.yaml' }];
  }
  if (validate(source.value)) return [];
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'if' || error.keyword === 'allOf' || /\/anyOf\/\d+\//.test(error.schemaPath)) continue;
    const { segs, message, fix } = describe(error, source.value);
    const path = formatPath(segs);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ severity: 'error', rule: 'schema', path, line: source.lineOf(segs), message, fix });
  }
  return findings;
}

/** Parses and schema-checks a descriptor; the typed value is returned only when there are no findings. */
export async function validateDescriptor(input: DescriptorInput): Promise<{ source: DescriptorSource; descriptor?: ApplicationDescriptor; findings: Finding[] }> {
  const source = await readDescriptorSource(input);
  const findings = [...source.yamlFindings, ...schemaFindings(source)];
  return findings.length === 0 ? { source, descriptor: source.value as ApplicationDescriptor, findings } : { source, findings };
}
