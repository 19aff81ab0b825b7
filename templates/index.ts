/**
 * The registry of model templates and the one way to turn a template cell into code:
 * {@link renderTemplateCode} (validate the params against the template's schema, apply its
 * defaults, render).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { StratumError } from '../core/errors.ts';
import { tabularClassificationTemplate } from './tabular-classification.ts';
import { tabularModelTemplates } from './tabular-models.ts';
import type { ModelTemplate } from './types.ts';

export type { ModelTemplate, TemplateTask } from './types.ts';
export { tabularClassificationTemplate, type TabularClassificationParams } from './tabular-classification.ts';
export {
  decisionTreeTemplate, kmeansTemplate, linearRegressionTemplate, logisticRegressionTemplate, mlpRegressorTemplate, naiveBayesTemplate, randomForestTemplate,
  tabularModelTemplates, type TabularTemplateParams,
} from './tabular-models.ts';

/** Every known template, in picker order: classification, then regression, then clustering. */
export const templates: ModelTemplate[] = [tabularClassificationTemplate as ModelTemplate, ...(tabularModelTemplates as ModelTemplate[])];

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

const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();

function validatorFor(template: ModelTemplate): ValidateFunction {
  let validate = validators.get(template.id);
  if (!validate) {
    validate = ajv.compile(template.paramsSchema);
    validators.set(template.id, validate);
  }
  return validate;
}

/** `params.features[2]`-style name of the value an Ajv error is about. */
function errorField(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = (error.params as { missingProperty?: string; additionalProperty?: string });
  if (error.keyword === 'required' && missing.missingProperty) parts.push(missing.missingProperty);
  if (error.keyword === 'additionalProperties' && missing.additionalProperty) parts.push(missing.additionalProperty);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), 'params');
}

function errorText(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a parameter of this template';
  if (error.keyword === 'enum') return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? 'is invalid';
}

/**
 * Validates a template cell's parameters against the template's schema (applying its defaults)
 * and renders the code the kernel will run.
 *
 * @param id - template id, e.g. `tabular.mlp-classifier`
 * @param params - the cell's parameters (not modified)
 * @returns TypeScript source
 * @throws StratumError `TEMPLATE_UNKNOWN` for an unknown id; `TEMPLATE_PARAMS` naming the bad
 *   parameter (e.g. `params.epochs must be >= 1`), all problems listed in `detail.errors`
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
    const errors = (validate.errors ?? []).map((e) => ({ field: errorField(e), message: errorText(e) }));
    const first = errors[0] ?? { field: 'params', message: 'is invalid' };
    throw new StratumError('TEMPLATE_PARAMS', `template ${id}: ${first.field} ${first.message}`, {
      detail: { field: first.field.replace(/^params\.?/, '') || 'params', errors },
    });
  }
  return template.renderCode(copy);
}
