import * as z from 'zod';
import {
  classifyBatchRequestSchema,
  classifyRequestSchema,
  tagBatchRequestSchema,
  tagRequestSchema,
} from '../schema/index.js';
import {
  classifyBatchResponseSchema,
  classifyResponseSchema,
  tagBatchResponseSchema,
  tagResponseSchema,
} from '../schema/response.js';
import { labelConfigSchema } from '../schema/index.js';
import { CLASSIFIER_NAME, keyCreateSchema } from '../store/validate.js';
import { batchOperationDocs } from './batch/openapi.js';
import type { Route } from './route.js';

// Saved classifiers: the label rules are the same schema that validates them; name and
// threshold are checked beside it (src/store/validate.ts).
const config = labelConfigSchema.shape;
const classifierCreateSchema = z.object({
  name: z.string().regex(CLASSIFIER_NAME),
  labels: config.labels,
  descriptions: config.descriptions.optional(),
  examples: config.examples.optional(),
  text_type: config.text_type,
  threshold: z.number().min(0).max(1).nullish(),
});

const SCHEMAS: Record<string, { request?: z.ZodType; response?: z.ZodType }> = {
  'POST /classify': { request: classifyRequestSchema, response: classifyResponseSchema },
  'POST /tag': { request: tagRequestSchema, response: tagResponseSchema },
  'POST /classify/batch': { request: classifyBatchRequestSchema, response: classifyBatchResponseSchema },
  'POST /tag/batch': { request: tagBatchRequestSchema, response: tagBatchResponseSchema },
  'POST /classifiers': { request: classifierCreateSchema },
  'POST /keys': { request: keyCreateSchema },
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'code', 'message', 'detail'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    detail: { type: 'string', description: 'Repeats message (the official SDKs read it).' },
    details: { type: 'object' },
  },
};

/**
 * OpenAPI 3.1 document of the mounted surface, generated from the route table and the same
 * zod schemas that validate the classification requests (z.toJSONSchema).
 */
export function buildOpenApi(routes: Route[], basePath: string): object {
  const paths: Record<string, Record<string, object>> = {};
  const batchDocs = batchOperationDocs();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const schemas = SCHEMAS[key];
    const doc = batchDocs[key] ?? {};
    const op: Record<string, unknown> = {
      summary: route.summary,
      operationId: key.replace(/[^a-z0-9]+/gi, '_').toLowerCase(),
      // Token-authorized routes (batch upload/download) carry their token, not a key.
      security: route.scope === null ? [] : route.publicAllowed ? [{ bearer: [] }, {}] : [{ bearer: [] }],
      parameters: [...[...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })), ...(doc.parameters ?? [])],
      responses: {
        [doc.status ?? (route.method === 'POST' && !route.classification ? '201' : '200')]: {
          description: 'OK',
          content: doc.responseContent ?? { 'application/json': { schema: schemas?.response ? z.toJSONSchema(schemas.response, { io: 'output' }) : { type: 'object' } } },
        },
        default: { description: 'Error (spec §1.2)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (doc.requestBody !== undefined) {
      if (doc.requestBody) op.requestBody = doc.requestBody;
    } else if (route.method === 'POST') {
      op.requestBody = {
        required: route.path !== '/keys',
        content: { 'application/json': { schema: schemas?.request ? z.toJSONSchema(schemas.request, { io: 'input' }) : { type: 'object' } } },
      };
    }
    (paths[`${basePath}${route.path}`] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'labelwise /v1 (Classer-compatible)', version: '1.0.0' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

/** `GET /openapi.json`: needs no key. */
export function openapiRoute(routes: Route[], basePath: string): Route {
  let cached: object | undefined;
  return {
    method: 'GET',
    path: '/openapi.json',
    scope: null,
    summary: 'This document',
    handle: async () => ({ status: 200, body: (cached ??= buildOpenApi(routes, basePath)) }),
  };
}
