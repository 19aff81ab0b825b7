/**
 * Validation of a template form's values against the template's JSON Schema, in the browser and
 * without Ajv: the keywords the templates use (type, required, minimum/maximum and their exclusive
 * forms, enum, minLength, pattern, minItems/maxItems, uniqueItems, item types and bounds). Messages
 * name the field by its schema `title` ("Epochs must be at least 1"), as the engine's own
 * TEMPLATE_PARAMS errors do; the engine (renderTemplateCode) stays the authority at run time.
 */

/** The JSON Schema keywords of one template parameter that the form reads. */
export interface ParamSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  items?: ParamSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

function typeOf(schema: ParamSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The problem with one scalar value, as the predicate after the label ("must be at least 1"), or undefined. */
function scalarProblem(schema: ParamSchema, value: unknown): string | undefined {
  const type = typeOf(schema);
  if (type === 'integer' || type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
    if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `must be greater than ${schema.exclusiveMinimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return `must be less than ${schema.exclusiveMaximum}`;
  } else if (type === 'string') {
    if (typeof value !== 'string') return 'must be text';
    if (schema.minLength !== undefined && value.length < schema.minLength) return schema.minLength === 1 ? 'must not be empty' : `must be at least ${plural(schema.minLength, 'character')}`;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return `must match the pattern ${schema.pattern}`;
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') return 'must be true or false';
  }
  if (schema.enum && !schema.enum.includes(value)) return `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  return undefined;
}

/**
 * Validates one form field's value against its property schema.
 *
 * @param name - the property name (the label when the schema has no `title`)
 * @param schema - the property's JSON Schema
 * @param value - the field's current value; `undefined` when the field is empty (its default applies)
 * @param required - whether the template's schema lists the property in `required`
 * @returns the message to show under the field ("Epochs must be at least 1"), or `undefined` when valid
 * @example
 * ```ts
 * validateParam('epochs', { type: 'integer', title: 'Epochs', minimum: 1 }, -5, false); // 'Epochs must be at least 1'
 * ```
 */
export function validateParam(name: string, schema: ParamSchema, value: unknown, required: boolean): string | undefined {
  const label = schema.title ?? name;
  if (value === undefined) return required ? `${label} is required` : undefined;
  if (typeOf(schema) === 'array') {
    if (!Array.isArray(value)) return `${label} must be a list`;
    if (schema.minItems !== undefined && value.length < schema.minItems) return `${label} needs at least ${plural(schema.minItems, 'item')}`;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return `${label} takes at most ${plural(schema.maxItems, 'item')}`;
    if (schema.items) {
      for (const [i, item] of value.entries()) {
        const problem = scalarProblem(schema.items, item);
        if (problem) return `${label} item ${i + 1} (${JSON.stringify(item)}) ${problem}`;
      }
    }
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return `${label} must not repeat an item`;
    return undefined;
  }
  const problem = scalarProblem(schema, value);
  return problem ? `${label} ${problem}` : undefined;
}

/**
 * Validates every property of a template's parameter schema against the form's values.
 *
 * @param schema - the template's `paramsSchema` (an object schema with `properties` and `required`)
 * @param params - the form's values by property name
 * @returns the message of each invalid field by property name (empty when all are valid)
 */
export function validateParams(schema: Record<string, unknown>, params: Record<string, unknown>): Record<string, string> {
  const properties = (schema.properties ?? {}) as Record<string, ParamSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const errors: Record<string, string> = {};
  for (const [name, property] of Object.entries(properties)) {
    const message = validateParam(name, property, params[name], required.has(name));
    if (message !== undefined) errors[name] = message;
  }
  return errors;
}
