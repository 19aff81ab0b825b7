/**
 * Validation of a template form's values against the template's JSON Schema, in the browser and
 * without Ajv: the keywords the templates use (type, required, minimum/maximum and their exclusive
 * forms, enum, minLength, pattern, minItems/maxItems, uniqueItems, item types and bounds; objects,
 * stored-secret references, scalar `oneOf`s and discriminated `oneOf` unions of objects). Messages
 * name the field by its schema `title` ("Epochs must be at least 1"), as the engine's own
 * TEMPLATE_PARAMS errors do; the engine (renderTemplateCode) stays the authority at run time.
 */

/** The JSON Schema keywords of one template parameter that the form reads. */
export interface ParamSchema {
  type?: string | string[];
  /** A fixed value (the tag of a `oneOf` branch). */
  const?: unknown;
  /** Nested fields of an object parameter. */
  properties?: Record<string, ParamSchema | boolean>;
  /** Required nested fields of an object parameter. */
  required?: string[];
  /** Alternatives: scalar types (`string` or `integer`), or objects told apart by a tag property. */
  oneOf?: ParamSchema[];
  /** The property whose value selects the `oneOf` branch (OpenAPI `discriminator`). */
  discriminator?: { propertyName: string };
  /** Values of a map-like object parameter. */
  additionalProperties?: ParamSchema | boolean;
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

/**
 * True for a stored-secret reference schema (an object whose only field is `secret`, as
 * core/secrets' `SECRET_REF_SCHEMA`): the form shows one text field for the secret's name.
 */
export function isSecretRef(schema: ParamSchema): boolean {
  const keys = Object.keys(schema.properties ?? {});
  return keys.length === 1 && keys[0] === 'secret';
}

/** The tag property of a discriminated `oneOf` of objects (declared, or the one every branch fixes with `const`). */
export function unionTag(schema: ParamSchema): string | undefined {
  if (!Array.isArray(schema.oneOf) || schema.oneOf.length === 0) return undefined;
  if (schema.discriminator?.propertyName) return schema.discriminator.propertyName;
  const consts = schema.oneOf.map((b) => Object.entries(b.properties ?? {}).filter(([, p]) => typeof p === 'object' && p.const !== undefined).map(([k]) => k));
  return consts[0]?.find((k) => consts.every((c) => c.includes(k)));
}

/** The `oneOf` branch whose tag property has this value, if any. */
export function unionBranch(schema: ParamSchema, tag: string, value: unknown): ParamSchema | undefined {
  return schema.oneOf?.find((b) => {
    const p = b.properties?.[tag];
    return typeof p === 'object' && p.const === value;
  });
}

/** The fields a form shows for an object schema and its current value: its own properties, plus those of the selected `oneOf` branch. */
export interface FormFields {
  /** Field schemas by name, in display order (the tag first). */
  properties: Record<string, ParamSchema>;
  /** Names of the required fields. */
  required: Set<string>;
  /** The tag property of a discriminated union, if the schema is one. */
  tag?: string;
  /** Tag value -> branch title, for the tag's choices. */
  tagTitles?: Record<string, string>;
}

/**
 * Resolves the fields of an object schema for a value: its `properties` and `required`, and for a
 * discriminated union (`oneOf` + `discriminator`) also those of the branch the value's tag selects
 * (branch properties that are `true` or only restate the tag are skipped).
 */
export function formFields(schema: ParamSchema, value: Record<string, unknown>): FormFields {
  const properties: Record<string, ParamSchema> = {};
  const required = new Set(schema.required ?? []);
  for (const [k, p] of Object.entries(schema.properties ?? {})) if (typeof p === 'object') properties[k] = p;
  const tag = unionTag(schema);
  if (tag === undefined) return { properties, required };
  const tagTitles: Record<string, string> = {};
  for (const b of schema.oneOf ?? []) {
    const p = b.properties?.[tag];
    if (typeof p === 'object' && p.const !== undefined) tagTitles[String(p.const)] = typeof b.title === 'string' ? b.title : String(p.const);
  }
  if (properties[tag] === undefined) properties[tag] = { type: 'string', title: tag, enum: Object.keys(tagTitles) };
  required.add(tag);
  const branch = unionBranch(schema, tag, value[tag]);
  for (const [k, p] of Object.entries(branch?.properties ?? {})) if (typeof p === 'object' && k !== tag && properties[k] === undefined) properties[k] = p;
  for (const r of branch?.required ?? []) required.add(r);
  return { properties, required, tag, tagTitles };
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
  if (isSecretRef(schema)) {
    const secret = typeof value === 'object' && value !== null ? (value as { secret?: unknown }).secret : undefined;
    const pattern = (schema.properties?.secret as ParamSchema | undefined)?.pattern;
    if (typeof secret !== 'string' || secret === '') return `${label} must name a stored secret`;
    if (pattern !== undefined && !new RegExp(pattern, 'u').test(secret)) return `${label}: a secret name is letters, digits, . _ or -`;
    return undefined;
  }
  if (schema.oneOf && unionTag(schema) === undefined) {
    // Scalar alternatives (e.g. a sheet name or index): valid when one alternative accepts it.
    return schema.oneOf.some((alt) => scalarProblem(alt, value) === undefined) ? undefined : `${label} must be ${schema.oneOf.map((alt) => typeOf(alt) ?? 'a value').join(' or ')}`;
  }
  if (typeOf(schema) === 'object' || unionTag(schema) !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${label} must be an object`;
    const fields = formFields(schema, value as Record<string, unknown>);
    for (const [k, p] of Object.entries(fields.properties)) {
      const problem = validateParam(k, p, (value as Record<string, unknown>)[k], fields.required.has(k));
      if (problem !== undefined) return `${label} ${problem}`;
    }
    return undefined;
  }
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
 * Validates every property of a template's parameter schema against the form's values (for a
 * discriminated union, the properties of the branch the tag selects too; see {@link formFields}).
 *
 * @param schema - the template's `paramsSchema` (an object schema with `properties` and `required`, maybe a `oneOf` union)
 * @param params - the form's values by property name
 * @returns the message of each invalid field by property name (empty when all are valid)
 */
export function validateParams(schema: Record<string, unknown>, params: Record<string, unknown>): Record<string, string> {
  const { properties, required } = formFields(schema as ParamSchema, params);
  const errors: Record<string, string> = {};
  for (const [name, property] of Object.entries(properties)) {
    const message = validateParam(name, property, params[name], required.has(name));
    if (message !== undefined) errors[name] = message;
  }
  return errors;
}
