import { describe, expect, it } from 'vitest';
import { validateParam, validateParams, type ParamSchema } from './param-validation.ts';

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
