/**
 * The data-source template cell `data.load`: a form to pick a connector (`kind`) and fill in its
 * config, rendering to one readable call, e.g.
 * `const df = await stratum.load({ kind: "postgres", host: "db", database: "shop", user: "me", password: { secret: "pg-main" }, table: "orders" });`.
 *
 * Its params schema is built from the connectors' own config schemas (connectors/schemas.ts, which
 * loads no driver): a
 * discriminated union on `kind` (JSON Schema `oneOf`, one branch per connector, with the OpenAPI
 * `discriminator` keyword that Ajv understands), so the form shows only the chosen connector's
 * fields and validation names them by their titles. Credentials are secret references
 * (`{ secret: name }`), so the notebook never holds them in clear.
 */
import { StratumError } from '../core/errors.ts';
import { CONNECTOR_SCHEMAS } from '../connectors/schemas.ts';
import type { ConnectorSchemaEntry } from '../connectors/schemas.ts';
import { checkIdentifier } from './tabular-classification.ts';
import type { ModelTemplate } from './types.ts';

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Parameters of the `data.load` template: the connector id, the result variable and the connector's config fields. */
export interface DataLoadParams {
  /** Connector id (`csv`, `sqlite`, `postgres`, ...). */
  kind: string;
  /** Variable that receives the DataFrame; default `df`. */
  resultName: string;
  /** The connector's config fields. */
  [field: string]: unknown;
}

type Schema = Record<string, unknown>;

/** Fields of which a connector needs exactly one (its schema's `oneOf: [{ required: [a] }, { required: [b] }]`), e.g. table / query. */
function exclusiveFields(schema: Schema): string[][] {
  const oneOf = schema.oneOf;
  if (!Array.isArray(oneOf)) return [];
  const groups = oneOf.map((branch) => (typeof branch === 'object' && branch !== null && Object.keys(branch).length === 1 && Array.isArray((branch as Schema).required) ? ((branch as Schema).required as string[]) : undefined));
  return groups.every((g) => g !== undefined) ? [groups.flat()] : [];
}

/**
 * A copy of a schema where each `oneOf` of objects that all fix the same property with `const`
 * (e.g. HTTP pagination's `type`) gets the `discriminator` keyword, so Ajv validates (and applies
 * defaults in) the branch that property selects.
 */
function withDiscriminators(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDiscriminators);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withDiscriminators(v)]));
  const oneOf = out.oneOf;
  if (Array.isArray(oneOf) && oneOf.length > 0 && out.discriminator === undefined) {
    const tags = oneOf.map((b) => {
      const props = (b as Schema).properties as Record<string, Schema> | undefined;
      return props === undefined ? [] : Object.keys(props).filter((p) => props[p]?.const !== undefined && ((b as Schema).required as string[] | undefined)?.includes(p));
    });
    const tag = tags[0]?.find((p) => tags.every((t) => t.includes(p)));
    if (tag !== undefined) Object.assign(out, { type: 'object', discriminator: { propertyName: tag } });
  }
  return out;
}

function branch(connector: ConnectorSchemaEntry): Schema {
  const schema = connector.configSchema as Schema;
  const properties = withDiscriminators(schema.properties ?? {}) as Schema;
  return {
    type: 'object',
    title: connector.title,
    properties: { kind: { const: connector.id }, resultName: true, ...properties },
    required: ['kind', ...((schema.required as string[] | undefined) ?? [])],
    additionalProperties: false,
  };
}

/**
 * The params JSON Schema of `data.load`: `kind` (a connector id), `resultName`, and a `oneOf`
 * with one branch per connector holding that connector's config properties (titles, defaults,
 * descriptions as the connector declares them).
 */
export function dataLoadSchema(connectors: readonly ConnectorSchemaEntry[] = CONNECTOR_SCHEMAS): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Load data',
    type: 'object',
    required: ['kind'],
    discriminator: { propertyName: 'kind' },
    properties: {
      kind: { type: 'string', title: 'Source', description: 'Kind of data source; the fields below are that source\'s settings.', enum: connectors.map((c) => c.id) },
      resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the DataFrame.', pattern: IDENTIFIER, default: 'df' },
    },
    oneOf: connectors.map(branch),
  };
}

const KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as a JS literal: objects with bare identifier keys (`{ secret: "pg-main" }`), strings and numbers as JSON. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${KEY.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/**
 * A config value without the fields equal to their schema `default` (the connector applies the
 * same defaults), looking into objects and into the branch of a discriminated `oneOf`.
 */
function withoutDefaults(value: unknown, schema: Schema | undefined): unknown {
  if (schema === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let scope: Schema = schema;
  const tag = (schema.discriminator as { propertyName?: string } | undefined)?.propertyName;
  if (tag !== undefined && Array.isArray(schema.oneOf)) {
    const chosen = (schema.oneOf as Schema[]).find((b) => ((b.properties as Record<string, Schema> | undefined)?.[tag]?.const) === (value as Record<string, unknown>)[tag]);
    if (chosen !== undefined) scope = chosen;
  }
  const properties = scope.properties as Record<string, Schema> | undefined;
  if (properties === undefined) return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([k, v]) => properties[k]?.default === undefined || JSON.stringify(v) !== JSON.stringify(properties[k]?.default))
    .map(([k, v]) => [k, withoutDefaults(v, properties[k])]));
}

/** Longest one-line call before the config object is written one field per line. */
const ONE_LINE = 110;

function renderLoad(p: DataLoadParams): string {
  checkIdentifier('resultName', p.resultName);
  const connector = CONNECTOR_SCHEMAS.find((c) => c.id === p.kind)!;
  const schema = connector.configSchema as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const group of exclusiveFields(schema)) {
    const given = group.filter((f) => p[f] !== undefined);
    if (given.length !== 1) {
      const titles = group.map((f) => String(properties[f]?.title ?? f)).join(' or ');
      throw new StratumError('TEMPLATE_PARAMS', `template data.load: ${connector.title} needs ${given.length === 0 ? 'a' : 'only one:'} ${titles}`, {
        detail: { field: given[1] ?? group[0]! },
        hint: `Fill in exactly one of ${titles}.`,
      });
    }
  }
  const branchProperties = (withDiscriminators(properties) ?? {}) as Record<string, Schema>;
  // Fields in the connector's order, left out when empty or equal to the connector's default.
  const fields = Object.keys(properties)
    .filter((name) => p[name] !== undefined && JSON.stringify(p[name]) !== JSON.stringify(properties[name]?.default))
    .map((name) => `${name}: ${literal(withoutDefaults(p[name], branchProperties[name]))}`);
  const entries = [`kind: ${JSON.stringify(p.kind)}`, ...fields];
  const head = `const ${p.resultName} = await stratum.load(`;
  const oneLine = `${head}{ ${entries.join(', ')} });`;
  const call = oneLine.length <= ONE_LINE ? [oneLine] : [`${head}{`, ...entries.map((e) => `  ${e},`), '});'];
  return [`// Template: Load data, ${connector.title} — generated code, edit freely after "convert to code"`, ...call, p.resultName, ''].join('\n');
}

/**
 * Template `data.load`: loads any connector's source into a Danfo DataFrame with
 * `stratum.load({ kind, ...config })` (the coercion report is shown with it), then shows the frame.
 */
export const dataLoadTemplate: ModelTemplate<DataLoadParams> = {
  id: 'data.load',
  title: 'Load data',
  task: 'data',
  description: 'Load a file, database table or query, or HTTP API into a DataFrame: pick the source, fill in its settings (passwords as stored secret names).',
  paramsSchema: dataLoadSchema(),
  renderCode: renderLoad,
};
