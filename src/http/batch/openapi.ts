/**
 * The OpenAPI view of the batch routes (spec §7): request and response schemas, success
 * statuses and the non-JSON bodies (the multipart form, the raw NDJSON upload, the download).
 * The job config reuses the tag request's field schemas, which the engine validates with.
 */
import * as z from 'zod';
import { JOB_MODES, JOB_STATUSES } from '../../jobs/types.js';
import { tagRequestSchema } from '../../schema/index.js';

const tag = tagRequestSchema.shape;
const iso = z.string().describe('ISO-8601 UTC');

const jobCreateSchema = z.object({
  labels: tag.labels,
  classifier: tag.classifier,
  descriptions: tag.descriptions,
  examples: tag.examples,
  text_type: tag.text_type,
  mode: z.enum(JOB_MODES).optional().describe('single: one label per line; multi: every label that applies'),
  threshold: tag.threshold,
});

const createdSchema = z.object({
  job_id: z.string(),
  status: z.literal('pending'),
  upload_url: z.string().describe('Absolute URL: POST the multipart form here (or PUT the NDJSON)'),
  upload_fields: z.object({ key: z.string(), token: z.string() }).describe('Send every entry as a form field, before the file'),
  input_key: z.string(),
  expires_at: iso.describe('When the upload token expires'),
});

const jobInfoSchema = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  mode: z.enum(JOB_MODES),
  requests_total: z.number().int(),
  requests_completed: z.number().int(),
  requests_failed: z.number().int(),
  estimated_tokens: z.number().int().nullable(),
  actual_tokens: z.number().int().nullable(),
  created_at: iso,
  started_at: iso.nullable(),
  completed_at: iso.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const summarySchema = jobInfoSchema.pick({ job_id: true, status: true, requests_total: true, requests_completed: true, created_at: true });

const json = (schema: z.ZodType, io: 'input' | 'output') => ({ 'application/json': { schema: z.toJSONSchema(schema, { io }) } });
const ndjson = { 'application/x-ndjson': { schema: { type: 'string', description: 'One JSON object per line' } } };
const tokenParam = { name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'The upload or download token (or send it as Authorization: Bearer <token>)' };

/** One operation's documentation beyond what the route table says. */
export interface OperationDoc {
  status?: string;
  /** `null`: the operation takes no body. */
  requestBody?: { required: boolean; content: object } | null;
  responseContent?: object;
  parameters?: object[];
}

/** By `METHOD path`. */
export function batchOperationDocs(): Record<string, OperationDoc> {
  const info = json(jobInfoSchema, 'output');
  return {
    'POST /batch': { status: '201', requestBody: { required: true, content: json(jobCreateSchema, 'input') }, responseContent: json(createdSchema, 'output') },
    'GET /batch': { responseContent: json(z.array(summarySchema), 'output') },
    'GET /batch/{id}': { responseContent: info },
    'POST /batch/{id}/start': { status: '202', requestBody: null, responseContent: json(z.object({ job_id: z.string(), status: z.literal('processing') }), 'output') },
    'POST /batch/{id}/cancel': { status: '200', requestBody: null, responseContent: info },
    'GET /batch/{id}/results': { responseContent: json(z.object({ job_id: z.string(), download_url: z.string(), expires_at: iso }), 'output') },
    'DELETE /batch/{id}': { responseContent: json(z.object({ job_id: z.string(), deleted: z.literal(true) }), 'output') },
    'POST /batch/{id}/upload': {
      status: '200',
      parameters: [tokenParam],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: { type: 'object', required: ['token', 'file'], properties: { key: { type: 'string' }, token: { type: 'string' }, file: { type: 'string', format: 'binary' } } },
            encoding: { file: { contentType: 'application/x-ndjson' } },
          },
        },
      },
      responseContent: info,
    },
    'PUT /batch/{id}/upload': { parameters: [tokenParam], requestBody: { required: true, content: ndjson }, responseContent: info },
    'GET /batch/{id}/download': { parameters: [tokenParam], responseContent: ndjson },
  };
}
