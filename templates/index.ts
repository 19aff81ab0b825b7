/**
 * The registry of model templates and the one way to turn a template cell into code:
 * {@link renderTemplateCode} (validate the params against the template's schema, apply its
 * defaults, render).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { StratumError } from '../core/errors.ts';
import { tabularClassificationTemplate } from './tabular-classification.ts';
import { tabularModelTemplates } from './tabular-models.ts';
import { searchTemplate } from './search.ts';
import { autoencoderAnomalyTemplate } from './anomaly.ts';
import { lstmForecastTemplate } from './forecasting.ts';
import { chartTemplates } from './charts.ts';
import { dataLoadTemplate } from './data.ts';
import type { ModelTemplate } from './types.ts';

export type { ModelTemplate, TemplateTask } from './types.ts';
export { tabularClassificationTemplate, type TabularClassificationParams } from './tabular-classification.ts';
export {
  decisionTreeTemplate, kmeansTemplate, linearRegressionTemplate, logisticRegressionTemplate, mlpRegressorTemplate, naiveBayesTemplate, randomForestTemplate,
  tabularModelTemplates, type TabularTemplateParams,
} from './tabular-models.ts';
export { searchTemplate, type SearchTemplateParams } from './search.ts';
export { autoencoderAnomalyTemplate, autoencoderParamsSchema, type AutoencoderTemplateParams } from './anomaly.ts';
export { lstmForecastParamsSchema, lstmForecastTemplate, type LstmForecastTemplateParams } from './forecasting.ts';
export { chartTemplates, type ChartTemplateParams } from './charts.ts';
export { dataLoadSchema, dataLoadTemplate, type DataLoadParams } from './data.ts';

/** Every known template, in picker order: classification, then regression, then clustering. */
export const templates: ModelTemplate[] = [tabularClassificationTemplate as ModelTemplate, ...(tabularModelTemplates as ModelTemplate[]), autoencoderAnomalyTemplate as ModelTemplate, lstmForecastTemplate as ModelTemplate, searchTemplate as ModelTemplate, dataLoadTemplate as ModelTemplate, ...(chartTemplates as ModelTemplate[])];

/**
 * Returns the template with this id.
 *
 * @throws StratumError `TEMPLATE_UNKNOWN` listing the known ids
 */
export function getTemplate(id: string): ModelTemplate {
  const template = templates.find((t) => t.id === id);
  if (!template) {
    throw new StratumError('TEMPLATE_UNKNOWN', `unknown template ${JSON.stringify(id)}; known templates: ${templates.map((t) => t.id).join(', ')}`, {
      detail: { field: 'template.id', known: templates.map((t) => t.id) },
    });
  }
  return template;
}

// `discriminator`: the OpenAPI keyword for a `oneOf` selected by a property (data.load's `kind`), so
// Ajv validates and applies defaults in the selected branch only.
const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: true, discriminator: true });
const validators = new Map<string, ValidateFunction>();

function validatorFor(template: ModelTemplate): ValidateFunction {
  let validate = validators.get(template.id);
  if (!validate) {
    validate = ajv.compile(template.paramsSchema);
    validators.set(template.id, validate);
  }
  return validate;
}

/** JSON path segments of the value an Ajv error is about (`['features', '2']`). */
function errorSegments(error: ErrorObject): string[] {
  const parts = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = (error.params as { missingProperty?: string; additionalProperty?: string });
  if (error.keyword === 'required' && missing.missingProperty) parts.push(missing.missingProperty);
  if (error.keyword === 'additionalProperties' && missing.additionalProperty) parts.push(missing.additionalProperty);
  return parts;
}

/** `params.features[2]`-style JSON path of the value an Ajv error is about. */
function errorField(error: ErrorObject): string {
  return errorSegments(error).reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), 'params');
}

/**
 * The label a user sees for the value an Ajv error is about: the property's schema `title`
 * ("Epochs"), with "item N" (1-based) for an array element ("Feature columns item 2"). Falls back
 * to the JSON path for a property without a title or one the schema does not declare.
 */
function errorLabel(error: ErrorObject, schema: Record<string, unknown>): string {
  const [name, ...rest] = errorSegments(error);
  if (name === undefined) return 'params';
  // An error inside a `oneOf` branch (a discriminated union) is labelled from that branch's properties.
  const branch = /^#\/oneOf\/(\d+)\//.exec(error.schemaPath);
  const branches = schema.oneOf as Array<Record<string, unknown>> | undefined;
  const scope = branch !== null && branches?.[Number(branch[1])] !== undefined ? branches[Number(branch[1])]! : schema;
  const properties = { ...(schema.properties ?? {}), ...(scope.properties ?? {}) } as Record<string, { title?: unknown }>;
  const title = Object.hasOwn(properties, name) && typeof properties[name]?.title === 'string' ? properties[name].title : undefined;
  if (title === undefined || error.keyword === 'additionalProperties') return errorField(error);
  return [title, ...rest.map((p) => (/^\d+$/.test(p) ? `item ${Number(p) + 1}` : p))].join(' ');
}

function errorText(error: ErrorObject): string {
  const p = error.params as { limit?: unknown; type?: unknown; allowedValues?: unknown[]; pattern?: unknown };
  switch (error.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not a parameter of this template';
    case 'enum': return `must be one of ${(p.allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum': return `must be at least ${String(p.limit)}`;
    case 'maximum': return `must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum': return `must be greater than ${String(p.limit)}`;
    case 'exclusiveMaximum': return `must be less than ${String(p.limit)}`;
    case 'type': return p.type === 'integer' ? 'must be a whole number' : `must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}`;
    case 'minItems': return `needs at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems': return `takes at most ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'minLength': return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'uniqueItems': return 'must not repeat an item';
    case 'pattern': return `must match pattern "${String(p.pattern)}"`;
    default: return error.message ?? 'is invalid';
  }
}

/**
 * Validates a template cell's parameters against the template's schema (applying its defaults)
 * and renders the code the kernel will run.
 *
 * @param id - template id, e.g. `tabular.mlp-classifier`
 * @param params - the cell's parameters (not modified)
 * @returns TypeScript source
 * @throws StratumError `TEMPLATE_UNKNOWN` for an unknown id; `TEMPLATE_PARAMS` naming the bad
 *   parameter by its schema title (e.g. `Epochs must be at least 1`), with its JSON path in
 *   `detail.field` (`epochs`) and all problems (`{ field: 'params.epochs', label, message }`) in `detail.errors`
 * @example
 * ```ts
 * renderTemplateCode('tabular.mlp-classifier', { data: 'weather', target: 'weather', features: ['wind'] });
 * ```
 */
export function renderTemplateCode(id: string, params: unknown): string {
  const template = getTemplate(id);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new StratumError('TEMPLATE_PARAMS', `template ${id}: params must be an object`, { detail: { field: 'params' } });
  }
  const copy: unknown = structuredClone(params);
  const validate = validatorFor(template);
  if (!validate(copy)) {
    const errors = (validate.errors ?? []).map((e) => ({ field: errorField(e), label: errorLabel(e, template.paramsSchema), message: errorText(e) }));
    const first = errors[0] ?? { field: 'params', label: 'params', message: 'is invalid' };
    throw new StratumError('TEMPLATE_PARAMS', `template ${id}: ${first.label} ${first.message}`, {
      detail: { field: first.field.replace(/^params\.?/, '') || 'params', errors },
    });
  }
  return template.renderCode(copy);
}
