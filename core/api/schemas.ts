/**
 * JSON Schemas (draft-07, Ajv's default) of every API request, keyed by method name like
 * {@link ApiMethods}. One schema per method, used by the HTTP server and the Electron main process
 * alike (core/api/validate.ts), so both edges accept exactly the same requests.
 *
 * Limits here are the edge's distrust of callers: bounded string lengths, safe path characters,
 * no unknown fields. Whether a path stays inside the workspace is checked by core/workspace/paths.ts
 * (it needs the file system).
 */
import { CELL_ID_PATTERN, NOTEBOOK_SCHEMA } from '../notebook/schema.ts';
import type { ApiMethod } from './contract.ts';

/** A workspace-relative path: no NUL or control characters, at most 1024 characters. */
const relativePath = { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000-\\u001f]+$' } as const;

/** A notebook path: a relative path ending in `.stratum.json`. */
const notebookPath = { ...relativePath, pattern: '^[^\\u0000-\\u001f]+\\.stratum\\.json$' } as const;

/** A Jupyter notebook path: a relative path ending in `.ipynb`. */
const ipynbPath = { ...relativePath, pattern: '^[^\\u0000-\\u001f]+\\.ipynb$' } as const;

const empty = { type: 'object', additionalProperties: false, properties: {} } as const;

const pathOnly = { type: 'object', additionalProperties: false, required: ['path'], properties: { path: notebookPath } } as const;

/** Id of a template (`area.name`). */
const templateId = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } as const;

/** Cell source: up to 1 MiB of text. */
const source = { type: 'string', maxLength: 1024 * 1024 } as const;

/** A run id: 12 lowercase hex characters (core/store/ids.ts). */
const runId = { type: 'string', pattern: '^[0-9a-f]{12}$' } as const;

/** A registered model's name (core/store/ids.ts). */
const modelName = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;

/** A model version alias (`champion`, `challenger`, user-defined; core/store/ids.ts). */
const aliasName = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' } as const;

/** Request schemas by method. */
export const REQUEST_SCHEMAS: Record<ApiMethod, Record<string, unknown>> = {
  'workspace.info': empty,
  'workspace.listFiles': empty,
  'workspace.readNotebook': pathOnly,
  'workspace.saveNotebook': {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'notebook', 'baseRevision'],
    properties: {
      path: notebookPath,
      notebook: { $ref: NOTEBOOK_SCHEMA.$id },
      baseRevision: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[0-9a-f]{1,128}$' }] },
    },
  },
  'workspace.createNotebook': {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'starter'],
    properties: { path: notebookPath, starter: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } },
  },
  'workspace.exportIpynb': pathOnly,
  'workspace.importIpynb': {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: { path: ipynbPath, out: notebookPath, overwrite: { type: 'boolean' } },
  },
  'templates.list': empty,
  'templates.renderCode': {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'params'],
    properties: { id: templateId, params: { type: 'object' } },
  },
  'kernel.execute': {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'runId', 'cell'],
    properties: {
      path: notebookPath,
      runId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      cell: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'source'],
        properties: {
          id: { type: 'string', pattern: CELL_ID_PATTERN },
          type: { enum: ['code', 'template'] },
          source,
          language: { enum: ['typescript', 'javascript'] },
          template: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'params'],
            properties: { id: templateId, params: { type: 'object' } },
          },
        },
        if: { properties: { type: { const: 'template' } } },
        then: { required: ['template'] },
      },
    },
  },
  'kernel.interrupt': pathOnly,
  'kernel.restart': pathOnly,
  'kernel.shutdown': pathOnly,
  'kernel.status': pathOnly,
  'runs.list': {
    type: 'object',
    additionalProperties: false,
    properties: {
      experiment: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
      template: templateId,
      status: { enum: ['running', 'finished', 'failed', 'cancelled'] },
      notebook: notebookPath,
      limit: { type: 'integer', minimum: 1, maximum: 1000 },
    },
  },
  'runs.get': { type: 'object', additionalProperties: false, required: ['id'], properties: { id: runId } },
  'runs.compare': {
    type: 'object',
    additionalProperties: false,
    required: ['ids'],
    properties: { ids: { type: 'array', minItems: 2, maxItems: 20, items: runId } },
  },
  'models.list': empty,
  'models.register': {
    type: 'object',
    additionalProperties: false,
    required: ['runId', 'name'],
    properties: {
      runId,
      name: modelName,
      aliases: { type: 'array', maxItems: 16, uniqueItems: true, items: aliasName },
      description: { type: 'string', maxLength: 2000 },
    },
  },
  'models.setAlias': {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'alias', 'version'],
    properties: {
      name: modelName,
      alias: aliasName,
      version: { anyOf: [{ type: 'integer', minimum: 1, maximum: 1_000_000_000 }, { type: 'string', pattern: '^(v?[1-9][0-9]{0,8}|[a-z][a-z0-9_-]{0,63})$' }] },
    },
  },
};
