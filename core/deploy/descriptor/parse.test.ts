import { describe, expect, it } from 'vitest';
import { cleanYamlMessage, parseDescriptorText, validateDescriptor } from './parse.ts';

const NOT_A_DESCRIPTOR = 'not a Stratum descriptor (expected apiVersion: stratum.dev/v1 and kind: Application)';

describe('parseDescriptorText: YAML syntax errors', () => {
  it('reports only the first syntax error, as one sentence with its line and column (no code frame)', () => {
    const text = [
      'apiVersion: stratum.dev/v1', // 1
      'kind: Application', // 2
      'metadata: { name: t }', // 3
      'components: [a, b', // 4  flow sequence never closed: detected where the next key starts
      'nodes: {', // 5  flow map never closed: a second, consequential error
      '  x: 1', // 6
    ].join('\n');
    const source = parseDescriptorText(text, '/tmp');
    expect(source.value).toBeUndefined();
    expect(source.yamlFindings).toHaveLength(1);
    expect(source.yamlFindings[0]).toMatchObject({
      severity: 'error',
      rule: 'yaml',
      line: 5,
      message: 'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ] (line 5, column 1)',
    });
    expect(source.yamlFindings[0]!.message).not.toMatch(/:\.|\n/);
  });

  it('reports a duplicate key at its line', () => {
    const source = parseDescriptorText('apiVersion: stratum.dev/v1\nkind: Application\nkind: Application\n', '/tmp');
    expect(source.yamlFindings).toEqual([expect.objectContaining({ rule: 'yaml', line: 3, message: 'YAML syntax: Map keys must be unique (line 3, column 1)' })]);
  });

  it('cleans the yaml package\'s pretty message (position suffix and code frame)', () => {
    expect(cleanYamlMessage('Implicit keys need to be on a single line at line 21, column 1:\n\nfoo\n^\n')).toBe('Implicit keys need to be on a single line');
    expect(cleanYamlMessage('Map keys must be unique')).toBe('Map keys must be unique');
  });
});

describe('parseDescriptorText: not a descriptor', () => {
  it.each([
    ['a Markdown README', '# Stratum\n\nA desktop, low-code: workbench\n- item\n  - nested: [x\n'],
    ['a plain string', 'hello world\n'],
    ['an empty file', ''],
    ['a list', '- apiVersion: stratum.dev/v1\n'],
    ['a mapping without apiVersion or kind', 'name: t\ncomponents: []\n'],
  ])('says so once for %s', async (_what, text) => {
    const { findings } = await validateDescriptor({ text, baseDir: '/tmp' });
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'descriptor', line: 1, message: NOT_A_DESCRIPTOR })]);
  });

  it('still gives schema findings for a mapping that has a kind (a descriptor with mistakes)', async () => {
    const { findings } = await validateDescriptor({ text: 'apiVersion: stratum.dev/v2\nkind: Application\n', baseDir: '/tmp' });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule === 'schema')).toBe(true);
    expect(findings.find((f) => f.path === 'apiVersion')).toMatchObject({ line: 1, message: 'must be "stratum.dev/v1", found "stratum.dev/v2"' });
  });
});

describe('schema finding fixes', () => {
  it('uses "an" before a vowel: write an object', async () => {
    const text = 'apiVersion: stratum.dev/v1\nkind: Application\nmetadata: 5\ncomponents: []\nnodes: []\n';
    const { findings } = await validateDescriptor({ text, baseDir: '/tmp' });
    expect(findings.find((f) => f.path === 'metadata')).toMatchObject({ line: 3, message: 'must be object, found 5', fix: 'write an object' });
  });
});
