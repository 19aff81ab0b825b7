import { describe, expect, it } from 'vitest';
import { formFields, isSecretRef, unionTag, validateParam, validateParams, type ParamSchema } from './param-validation.ts';

const epochs: ParamSchema = { type: 'integer', title: 'Epochs', minimum: 1, maximum: 100000, default: 50 };
const testFraction: ParamSchema = { type: 'number', title: 'Test fraction', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 };

describe('validateParam', () => {
  it('checks integer bounds and type, naming the field by its title', () => {
    expect(validateParam('epochs', epochs, -5, false)).toBe('Epochs must be at least 1');
    expect(validateParam('epochs', epochs, 0, false)).toBe('Epochs must be at least 1');
    expect(validateParam('epochs', epochs, 1, false)).toBeUndefined(); // the bound itself is allowed
    expect(validateParam('epochs', epochs, 100000, false)).toBeUndefined();
    expect(validateParam('epochs', epochs, 100001, false)).toBe('Epochs must be at most 100000');
    expect(validateParam('epochs', epochs, 2.5, false)).toBe('Epochs must be a whole number');
    expect(validateParam('epochs', epochs, Number.NaN, false)).toBe('Epochs must be a number');
    expect(validateParam('epochs', epochs, '3', false)).toBe('Epochs must be a number');
  });

  it('checks exclusive bounds: 0 and 1 are out, 0.2 is in', () => {
    expect(validateParam('testFraction', testFraction, 0, false)).toBe('Test fraction must be greater than 0');
    expect(validateParam('testFraction', testFraction, 1, false)).toBe('Test fraction must be less than 1');
    expect(validateParam('testFraction', testFraction, 0.2, false)).toBeUndefined();
  });

  it('an empty field is fine unless required; without a title the property name is the label', () => {
    expect(validateParam('epochs', epochs, undefined, false)).toBeUndefined(); // the default applies
    expect(validateParam('target', { type: 'string', title: 'Target column', minLength: 1 }, undefined, true)).toBe('Target column is required');
    expect(validateParam('target', { type: 'string', minLength: 1 }, undefined, true)).toBe('target is required');
  });

  it('checks strings: pattern and enum', () => {
    const data: ParamSchema = { type: 'string', title: 'Data', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$' };
    expect(validateParam('data', data, 'weather', true)).toBeUndefined();
    expect(validateParam('data', data, '1abc', true)).toBe('Data must match the pattern ^[A-Za-z_$][A-Za-z0-9_$]*$');
    const unseen: ParamSchema = { type: 'string', title: 'Unseen categories', enum: ['error', 'ignore'] };
    expect(validateParam('unseen', unseen, 'drop', false)).toBe('Unseen categories must be one of "error", "ignore"');
    expect(validateParam('unseen', unseen, 'ignore', false)).toBeUndefined();
  });

  it('checks arrays: item count, each item (1-based), uniqueness', () => {
    const hidden: ParamSchema = { type: 'array', title: 'Hidden layers', items: { type: 'integer', minimum: 1, maximum: 4096 }, maxItems: 2 };
    expect(validateParam('hiddenLayers', hidden, [64, 0], false)).toBe('Hidden layers item 2 (0) must be at least 1');
    expect(validateParam('hiddenLayers', hidden, [64, 'x'], false)).toBe('Hidden layers item 2 ("x") must be a number');
    expect(validateParam('hiddenLayers', hidden, [1, 2, 3], false)).toBe('Hidden layers takes at most 2 items');
    expect(validateParam('hiddenLayers', hidden, [64, 64], false)).toBeUndefined();
    const features: ParamSchema = { type: 'array', title: 'Feature columns', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true };
    expect(validateParam('features', features, [], true)).toBe('Feature columns needs at least 1 item');
    expect(validateParam('features', features, ['wind', 'wind'], true)).toBe('Feature columns must not repeat an item');
  });
});

describe('validateParams', () => {
  it('returns a message per invalid field of an object schema, none for valid ones', () => {
    const schema = { type: 'object', required: ['target'], properties: { target: { type: 'string', title: 'Target column', minLength: 1 }, epochs, testFraction } };
    expect(validateParams(schema, { epochs: -5 })).toEqual({ target: 'Target column is required', epochs: 'Epochs must be at least 1' });
    expect(validateParams(schema, { target: 'weather', epochs: 10, testFraction: 0.25 })).toEqual({});
  });
});

describe('discriminated unions, secrets and scalar alternatives (the data.load form)', () => {
  // Shaped like templates/data.ts's schema: `kind` selects a oneOf branch with that source's fields.
  const secret: ParamSchema = { type: 'object', title: 'Password (stored secret)', properties: { secret: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } }, required: ['secret'] };
  const pagination: ParamSchema = {
    title: 'Pagination',
    type: 'object',
    discriminator: { propertyName: 'type' },
    oneOf: [
      { type: 'object', properties: { type: { const: 'none' } }, required: ['type'] },
      { type: 'object', properties: { type: { const: 'offset' }, limit: { type: 'integer', minimum: 1 } }, required: ['type', 'limit'] },
    ],
  };
  const schema: ParamSchema & Record<string, unknown> = {
    type: 'object',
    required: ['kind'],
    discriminator: { propertyName: 'kind' },
    properties: { kind: { type: 'string', title: 'Source', enum: ['sqlite', 'postgres', 'excel', 'http'] }, resultName: { type: 'string', title: 'Result variable', default: 'df' } },
    oneOf: [
      { type: 'object', title: 'SQLite database', properties: { kind: { const: 'sqlite' }, resultName: true, path: { type: 'string', minLength: 1, title: 'Database file' }, table: { type: 'string', title: 'Table' } }, required: ['kind', 'path'] },
      { type: 'object', title: 'PostgreSQL', properties: { kind: { const: 'postgres' }, resultName: true, host: { type: 'string', title: 'Host' }, password: secret }, required: ['kind', 'host'] },
      { type: 'object', title: 'Excel', properties: { kind: { const: 'excel' }, resultName: true, sheet: { title: 'Sheet', oneOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }] } }, required: ['kind'] },
      { type: 'object', title: 'HTTP', properties: { kind: { const: 'http' }, resultName: true, pagination }, required: ['kind'] },
    ],
  };

  it('shows the top-level fields plus those of the branch the tag selects, with the branch titles as choices', () => {
    const none = formFields(schema, {});
    expect(Object.keys(none.properties)).toEqual(['kind', 'resultName']);
    expect(none.tag).toBe('kind');
    expect(none.tagTitles).toEqual({ sqlite: 'SQLite database', postgres: 'PostgreSQL', excel: 'Excel', http: 'HTTP' });
    const sqlite = formFields(schema, { kind: 'sqlite' });
    expect(Object.keys(sqlite.properties)).toEqual(['kind', 'resultName', 'path', 'table']);
    expect([...sqlite.required].sort()).toEqual(['kind', 'path']);
  });

  it('validates the selected branch only, naming fields by title', () => {
    expect(validateParams(schema, {})).toEqual({ kind: 'Source is required' });
    expect(validateParams(schema, { kind: 'sqlite' })).toEqual({ path: 'Database file is required' });
    expect(validateParams(schema, { kind: 'sqlite', path: 'a.db' })).toEqual({});
    expect(validateParams(schema, { kind: 'postgres', host: 'h', password: { secret: 'pg main' } })).toEqual({ password: 'Password (stored secret): a secret name is letters, digits, . _ or -' });
    expect(validateParams(schema, { kind: 'postgres', host: 'h', password: { secret: '' } })).toEqual({ password: 'Password (stored secret) must name a stored secret' });
    expect(validateParams(schema, { kind: 'postgres', host: 'h', password: { secret: 'pg-main' } })).toEqual({});
  });

  it('accepts either scalar alternative and checks nested unions', () => {
    expect(validateParams(schema, { kind: 'excel', sheet: 2 })).toEqual({});
    expect(validateParams(schema, { kind: 'excel', sheet: 'Data' })).toEqual({});
    expect(validateParams(schema, { kind: 'excel', sheet: -1 })).toEqual({ sheet: 'Sheet must be string or integer' });
    expect(validateParams(schema, { kind: 'http', pagination: { type: 'offset' } })).toEqual({ pagination: 'Pagination limit is required' });
    expect(validateParams(schema, { kind: 'http', pagination: { type: 'offset', limit: 0 } })).toEqual({ pagination: 'Pagination limit must be at least 1' });
    expect(validateParams(schema, { kind: 'http', pagination: { type: 'none' } })).toEqual({});
    expect(isSecretRef(secret)).toBe(true);
    expect(isSecretRef(pagination)).toBe(false);
    expect(unionTag(pagination)).toBe('type');
  });
});
