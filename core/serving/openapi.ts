/**
 * The service's contract: request limits, the JSON Schema of one input record as stored in a
 * bundle, and the OpenAPI 3.1 document describing `POST /predict`, `GET /health`,
 * `GET /metadata` and `GET /openapi.json`. Pure functions over JSON; no I/O.
 */
import type { ModelTask } from '../ml/model.ts';

/** Limits the prediction service enforces (and documents in the OpenAPI document). */
export const SERVICE_LIMITS = {
  /** Maximum number of records in one `POST /predict` batch; more gets a 413. */
  maxBatch: 10_000,
  /** Maximum request body size in bytes (8 MiB); more gets a 413. */
  bodyLimitBytes: 8 * 1024 * 1024,
  /** Maximum number of validation errors listed in one 400 response. */
  maxErrorsListed: 100,
} as const;

/** JSON Schema dialect of `input.schema.json` (OpenAPI 3.1's default dialect too). */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A JSON Schema object (2020-12), as plain JSON. */
export type JsonSchema = Record<string, unknown>;

/**
 * Completes the record schema produced by the preprocessor for publication in a bundle: declares
 * the 2020-12 dialect, a title, `type: object` and every feature as required (so a missing field
 * is a 400, never silently imputed at serving).
 *
 * @param recordSchema - from `inputJsonSchema(preprocessor)` (numeric -> `{type: 'number'}`, categorical -> `{type: 'string', enum}`)
 * @param features - feature names, all required
 * @param title - human title, e.g. `seattle-weather input record`
 */
export function buildInputSchema(recordSchema: JsonSchema, features: string[], title: string): JsonSchema {
  const declared = Array.isArray(recordSchema.required) ? (recordSchema.required as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title,
    ...recordSchema,
    type: 'object',
    required: [...new Set([...features, ...declared])],
  };
}

/** Facts about the model that the OpenAPI document states. */
export interface OpenApiInfo {
  /** Bundle (service) name. */
  name: string;
  /** Bundle version. */
  version: string;
  /** What `POST /predict` returns: `{label, probabilities}` (classification, the default), `{value}` (regression), `{cluster}` (clustering), `{score, anomaly}` (anomaly) or `{forecast}` (forecasting). */
  task?: ModelTask;
  /** Class labels, in model output order (classification; empty otherwise). */
  labels: string[];
  /** Column the model predicts (empty for clustering). */
  target: string;
  /** A valid example record (used as the request example). */
  example: Record<string, unknown>;
  /** Anomaly models: the score above which a record is flagged. */
  threshold?: number;
  /** Forecasting models: steps ahead in each `forecast`. */
  horizon?: number;
}

/**
 * Builds the OpenAPI 3.1 document of a bundle's service.
 *
 * The input record schema is embedded as `components.schemas.InputRecord` (without `$schema`,
 * which OpenAPI 3.1 sets document-wide through `jsonSchemaDialect`); `POST /predict` accepts one
 * record or a non-empty array of at most {@link SERVICE_LIMITS}.maxBatch records; the `Prediction`
 * schema follows `info.task`.
 *
 * @param info - model facts
 * @param inputSchema - the bundle's `input.schema.json`
 * @returns the document as plain JSON (spec: https://spec.openapis.org/oas/v3.1.0)
 */
export function buildOpenApi(info: OpenApiInfo, inputSchema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...inputRecord } = inputSchema;
  const task = info.task ?? 'classification';
  const labelProbabilities = Object.fromEntries(info.labels.map((l) => [l, { type: 'number', minimum: 0, maximum: 1 }]));
  const forecast: JsonSchema = {
    type: 'object',
    required: ['forecast'],
    properties: { forecast: { type: 'array', items: { type: 'number' }, minItems: info.horizon, maxItems: info.horizon, description: `The next ${String(info.horizon)} values of \`${info.target}\` after the history, in its units (step 1 first)` } },
  };
  const prediction: JsonSchema =
    task === 'forecasting' ? forecast : task === 'anomaly'
      ? {
          type: 'object',
          required: ['score', 'anomaly'],
          properties: {
            score: { type: 'number', minimum: 0, description: 'Anomaly score: mean squared difference between the preprocessed record and its autoencoder reconstruction (higher = more unusual)' },
            anomaly: { type: 'boolean', description: `True when score > threshold (${String(info.threshold)})` },
          },
        }
      : task === 'regression'
      ? { type: 'object', required: ['value'], properties: { value: { type: 'number', description: `Predicted \`${info.target}\`, in its units` } } }
      : task === 'clustering'
        ? { type: 'object', required: ['cluster'], properties: { cluster: { type: 'integer', minimum: 0, description: 'Id of the nearest cluster (0-based)' } } }
        : {
            type: 'object',
            required: ['label', 'probabilities'],
            properties: {
              label: { type: 'string', enum: info.labels, description: 'Most probable class' },
              probabilities: { type: 'object', properties: labelProbabilities, required: info.labels, additionalProperties: false, description: 'Probability of every class (sums to 1)' },
            },
          };
  const what =
    task === 'forecasting' ? `Forecasts the next ${String(info.horizon)} values of \`${info.target}\` from its recent history (\`{"history": [...]}\`, oldest first)` : task === 'anomaly'
      ? `Scores how unusual each record is and flags it as an anomaly when its score exceeds the threshold ${String(info.threshold)}`
      : task === 'regression' ? `Predicts the value of \`${info.target}\`` : task === 'clustering' ? 'Assigns each record to a cluster' : `Predicts \`${info.target}\` (one of ${info.labels.map((l) => `\`${l}\``).join(', ')})`;
  const summary = task === 'forecasting' ? 'Forecast the next values after one history or a batch' : task === 'anomaly' ? 'Score one record or a batch and flag anomalies' : task === 'regression' ? 'Predict the value of one record or a batch' : task === 'clustering' ? 'Assign one record or a batch to clusters' : 'Predict the label and class probabilities of one record or a batch';
  const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const errorResponse = (description: string) => json(ref('Error'), description);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: JSON_SCHEMA_DIALECT,
    info: {
      title: `${info.name} prediction service`,
      version: info.version,
      description: `${what} from one record or a batch of records. Served by \`stratum serve\`.`,
      ...(task === 'anomaly' ? { 'x-anomaly-threshold': info.threshold } : {}),
    },
    paths: {
      '/predict': {
        post: {
          operationId: 'predict',
          summary,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [ref('InputRecord'), ref('InputBatch')] },
                examples: { one: { value: info.example }, batch: { value: [info.example, info.example] } },
              },
            },
          },
          responses: {
            '200': json({ oneOf: [ref('Prediction'), { type: 'array', items: ref('Prediction') }] }, 'One prediction for one record; an array in request order for an array'),
            '400': errorResponse('Invalid request: malformed JSON, empty batch, or a record that does not match InputRecord (the error names the field, e.g. `records[3].temp_max must be number`)'),
            '413': errorResponse(`Batch larger than ${SERVICE_LIMITS.maxBatch} records or body larger than ${SERVICE_LIMITS.bodyLimitBytes} bytes`),
            '415': errorResponse('Content-Type is not application/json'),
            '500': errorResponse('Unexpected server error (reported with an id; see the server log)'),
          },
        },
      },
      '/health': {
        get: { operationId: 'health', summary: 'Liveness and model identity', responses: { '200': json(ref('Health'), 'Service is up') } },
      },
      '/metadata': {
        get: { operationId: 'metadata', summary: 'Bundle manifest (without the file list) and input schema', responses: { '200': json({ type: 'object' }, 'Model metadata') } },
      },
      '/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1 document') } },
      },
    },
    components: {
      schemas: {
        InputRecord: inputRecord,
        InputBatch: { type: 'array', items: ref('InputRecord'), minItems: 1, maxItems: SERVICE_LIMITS.maxBatch },
        Prediction: prediction,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'Stable code, e.g. REQUEST_INVALID' },
                message: { type: 'string', description: 'What is wrong, naming the field' },
                field: { type: 'string', description: 'Offending field, e.g. `temp_max` or `records[3].temp_max`' },
                id: { type: 'string', description: 'Error id to find in the server log (500 only)' },
              },
            },
            errors: {
              type: 'array',
              description: `Every validation error found (at most ${SERVICE_LIMITS.maxErrorsListed})`,
              items: { type: 'object', required: ['message'], properties: { field: { type: 'string' }, message: { type: 'string' }, record: { type: 'integer', minimum: 0 } } },
            },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'name', 'version', 'uptimeSeconds'],
          properties: { status: { const: 'ok' }, name: { type: 'string' }, version: { type: 'string' }, uptimeSeconds: { type: 'number' } },
        },
      },
    },
  };
}
