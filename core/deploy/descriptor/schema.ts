/**
 * The published JSON Schema (draft 2020-12) of Stratum application descriptors,
 * `apiVersion: stratum.dev/v1`, `kind: Application`. docs/descriptor.md documents every field;
 * the checker (core/deploy/checker) adds what a schema cannot say (references, fit, QoS).
 *
 * The schema is plain data so editors (Monaco, VS Code's YAML extension) can use it for completion:
 * `stratum validate` and {@link DESCRIPTOR_SCHEMA} are the same thing.
 */
import { DESCRIPTOR_API_VERSION, DESCRIPTOR_KIND, LAYERS } from '../types.ts';

/** `$id` of the schema; bump the version segment with `apiVersion`. */
export const DESCRIPTOR_SCHEMA_ID = 'https://stratum.dev/schemas/descriptor/v1.json';

/** DNS-1123 label (Kubernetes object names): lowercase letters, digits and `-`, at most 63 characters. */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** Registry reference `name@alias` or `name@version` (e.g. `seattle-weather@champion`, `seattle-weather@3`). */
export const MODEL_REF_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$';

/** Agent address `host:port`, host a DNS name, IPv4 address or bracketed IPv6 address. */
export const ADDRESS_PATTERN = '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):[0-9]{1,5}$';

const name = { type: 'string', pattern: NAME_PATTERN, maxLength: 63, description: 'DNS-1123 label: lowercase letters, digits and "-", at most 63 characters.' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const layer = { enum: [...LAYERS], description: 'Tier of the compute continuum.' };

const capabilities = {
  type: 'object',
  description: 'What the node offers (all fields optional here: the agent reports the rest).',
  additionalProperties: false,
  properties: {
    cores: { type: 'number', exclusiveMinimum: 0, description: 'Logical CPU cores usable by services.' },
    memoryMiB: { type: 'number', exclusiveMinimum: 0, description: 'Memory available to services, MiB.' },
    diskMiB: { type: 'number', minimum: 0, description: 'Free disk for bundles, MiB.' },
    arch: { type: 'string', description: 'CPU architecture as process.arch names it: x64, arm64, arm.' },
    os: { type: 'string', description: 'Operating system as process.platform names it: linux, darwin, win32.' },
    runtimes: { ...stringMap, description: 'Runtime name to exact version, e.g. { node: "20.20.2", stratum: "0.1.0" }.' },
    tfjsBackends: { type: 'array', items: { type: 'string' }, description: 'TF.js backends available: cpu, wasm, tensorflow.' },
    accelerators: { type: 'array', items: { type: 'string' }, description: 'Accelerators present, e.g. gpu.' },
    layer,
    labels: { ...stringMap, description: 'Labels matched by placement.nodeSelector.' },
  },
} as const;

const requirements = {
  type: 'object',
  description: 'What ONE replica of the component needs from its node.',
  additionalProperties: false,
  properties: {
    cpu: { type: 'number', exclusiveMinimum: 0, description: 'CPU cores per replica (fractions allowed). Default 0.5 (model service) / 0.1 (data source).' },
    memoryMiB: { type: 'number', exclusiveMinimum: 0, description: 'Memory per replica, MiB. Raised to the bundle\'s derived footprint when lower.' },
    diskMiB: { type: 'number', minimum: 0, description: 'Disk per node, MiB. Raised to the bundle\'s size when lower.' },
    arch: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'Acceptable architectures (process.arch names).' },
    runtime: { ...stringMap, description: 'Runtime name to semver range, e.g. { node: ">=20" }.' },
    accelerator: { type: 'string', description: 'Accelerator the component needs, e.g. gpu.' },
    replicas: {
      type: 'object',
      additionalProperties: false,
      required: ['min', 'max'],
      properties: {
        min: { type: 'integer', minimum: 1, description: 'Replicas placed (and the autoscaler floor).' },
        max: { type: 'integer', minimum: 1, description: 'Autoscaler ceiling.' },
      },
    },
    qos: {
      type: 'object',
      additionalProperties: false,
      properties: {
        p95LatencyMs: { type: 'number', exclusiveMinimum: 0, description: 'Target p95 latency of one single-record prediction, ms.' },
        throughputRps: { type: 'number', exclusiveMinimum: 0, description: 'Target throughput across all replicas, requests/s.' },
      },
    },
  },
} as const;

const placement = {
  type: 'object',
  additionalProperties: false,
  description: 'Where the component may run; all given constraints must hold.',
  properties: {
    layer,
    nodeSelector: { ...stringMap, description: 'Only nodes whose labels contain all these pairs.' },
    node: { ...name, description: 'Exactly this node (nodes[].name).' },
  },
} as const;

/** The descriptor JSON Schema (draft 2020-12). */
export const DESCRIPTOR_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: DESCRIPTOR_SCHEMA_ID,
  title: 'Stratum application descriptor',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'components', 'nodes'],
  properties: {
    apiVersion: { const: DESCRIPTOR_API_VERSION },
    kind: { const: DESCRIPTOR_KIND },
    registry: {
      type: 'object',
      additionalProperties: false,
      description: 'Where `model: name@alias` references are resolved.',
      properties: {
        workspace: { type: 'string', minLength: 1, description: 'Folder whose .stratum/tracking.db holds the model registry, relative to this file. Default: the folder of this file.' },
      },
    },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name,
        description: { type: 'string' },
        labels: stringMap,
      },
    },
    components: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind'],
        properties: {
          name,
          kind: { enum: ['model-service', 'data-source'] },
          bundle: { type: 'string', minLength: 1, description: 'Bundle folder, relative to the descriptor file.' },
          model: { type: 'string', pattern: MODEL_REF_PATTERN, description: 'Registry reference name@alias or name@version.' },
          source: { type: 'string', minLength: 1, description: 'Data-source connector id, e.g. csv, postgres.' },
          config: { type: 'object', description: 'Connector settings (data source).' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          requirements,
          placement,
        },
        allOf: [
          {
            if: { properties: { kind: { const: 'model-service' } }, required: ['kind'] },
            then: { anyOf: [{ required: ['bundle'] }, { required: ['model'] }], required: ['port'] },
          },
          {
            if: { properties: { kind: { const: 'data-source' } }, required: ['kind'] },
            then: { required: ['source'] },
          },
          { not: { required: ['bundle', 'model'] } },
        ],
      },
    },
    connections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: name, to: name },
      },
    },
    nodes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'address', 'layer'],
        properties: {
          name,
          address: { type: 'string', pattern: ADDRESS_PATTERN, description: 'host:port of the node agent.' },
          layer,
          capabilities,
          labels: stringMap,
          latencyFactor: { type: 'number', exclusiveMinimum: 0, description: 'Latency multiplier relative to the exporting machine (default 1).' },
          tokenFile: { type: 'string', minLength: 1, description: 'File holding the agent bearer token, relative to the descriptor.' },
          tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding the agent bearer token.' },
        },
        not: { required: ['tokenFile', 'tokenEnv'] },
      },
    },
  },
} as const;
