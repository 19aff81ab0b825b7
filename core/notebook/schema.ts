/**
 * JSON Schema (draft-07, as used by Ajv's default export) of a notebook document, schema version 1.
 * Exported as a `const` so the UI can reuse it (forms, editors) and so the validator in
 * `document.ts` and the TypeScript types in `types.ts` describe the same document.
 *
 * Cells and outputs are discriminated by `type` with `if`/`then` rather than `oneOf`, so a
 * validation error points at the offending field (`cells[3].type`) instead of listing every branch.
 */

/** Pattern of a cell id: 1-64 characters of `A-Z a-z 0-9 _ -` (they appear in tracebacks as `cell[<id>]`). */
export const CELL_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

const freeObject = { type: 'object' } as const;

const mimeBundle = {
  type: 'object',
  description: 'MIME type -> JSON value',
  propertyNames: { pattern: '^[a-z]+/[A-Za-z0-9.+_-]+$' },
} as const;

const outputSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['display', 'stream', 'error', 'result'] },
  },
  allOf: [
    {
      if: { required: ['type'], properties: { type: { const: 'display' } } },
      then: {
        required: ['data'],
        additionalProperties: false,
        properties: { type: {}, data: mimeBundle, cellLine: { type: 'integer', minimum: 1 } },
      },
    },
    {
      if: { required: ['type'], properties: { type: { const: 'stream' } } },
      then: {
        required: ['name', 'text'],
        additionalProperties: false,
        properties: { type: {}, name: { enum: ['stdout', 'stderr'] }, text: { type: 'string' } },
      },
    },
    {
      if: { required: ['type'], properties: { type: { const: 'error' } } },
      then: {
        required: ['ename', 'evalue', 'traceback'],
        additionalProperties: false,
        properties: {
          type: {},
          ename: { type: 'string' },
          evalue: { type: 'string' },
          traceback: { type: 'array', items: { type: 'string' } },
          code: { type: 'string' },
          detail: freeObject,
          hint: { type: 'string' },
        },
      },
    },
    {
      if: { required: ['type'], properties: { type: { const: 'result' } } },
      then: {
        required: ['data'],
        additionalProperties: false,
        properties: { type: {}, data: mimeBundle },
      },
    },
  ],
} as const;

const cellSchema = {
  type: 'object',
  required: ['id', 'type', 'source'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: CELL_ID_PATTERN },
    type: { enum: ['markdown', 'code', 'template'] },
    source: { type: 'string' },
    language: { enum: ['typescript', 'javascript'] },
    template: {
      type: 'object',
      required: ['id', 'params'],
      additionalProperties: false,
      properties: { id: { type: 'string', minLength: 1 }, params: freeObject },
    },
    outputs: { type: 'array', items: outputSchema, default: [] },
    executionCount: { type: ['integer', 'null'], minimum: 0, default: null },
    metadata: freeObject,
  },
  allOf: [
    {
      if: { required: ['type'], properties: { type: { const: 'template' } } },
      then: { required: ['template'] },
    },
  ],
} as const;

/**
 * JSON Schema of a notebook document. `outputs` (default `[]`), `executionCount` (default `null`)
 * and `metadata` (default `{}`) may be omitted in hand-written files; the loader fills them in.
 */
export const NOTEBOOK_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://stratum.dev/schemas/notebook-v1.json',
  title: 'Stratum notebook',
  type: 'object',
  required: ['schemaVersion', 'cells'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1 },
    metadata: {
      type: 'object',
      default: {},
      properties: {
        title: { type: 'string' },
        created: { type: 'string' },
        modified: { type: 'string' },
      },
    },
    cells: { type: 'array', items: cellSchema },
  },
} as const;
