/**
 * Asynchronous batch jobs over HTTP (spec §7): create → upload → start → poll → results →
 * download → delete. The keyed routes need the `batch` scope; the upload and download URLs are
 * authorized by the job's short-lived tokens instead (they are what a presigned URL is to S3),
 * and are recorded under the job's account once the token holds.
 */
import { authorizeToken, jobId, jobsOf, maxUploadBytes, requestToken } from '../batch/access.js';
import { MULTIPART_OVERHEAD_BYTES } from '../batch/multipart.js';
import { uploadForm, uploadRaw } from '../batch/upload.js';
import type { Route, RouteContext } from '../route.js';

const account = (ctx: RouteContext) => ({ account: ctx.caller.account });
const jobs = (ctx: RouteContext) => jobsOf(ctx.engine);

/** `…/batch/{id}/upload` and `…/download` (no trailing slash, no query). */
const uploadPath = (id: string) => `/batch/${id}/upload`;
const downloadPath = (id: string) => `/batch/${id}/download`;

export const batchRoutes: Route[] = [
  {
    method: 'POST', path: '/batch', scope: 'batch', summary: 'Create a batch job; upload its NDJSON input to upload_url',
    handle: async (ctx) => {
      // The absolute URL first: a request it cannot be built for creates no job.
      const base = ctx.publicUrl('');
      const job = await jobs(ctx).create(await ctx.json(), account(ctx));
      const body = { job_id: job.job_id, status: job.status, upload_url: `${base}${uploadPath(job.job_id)}`, upload_fields: job.upload_fields, input_key: job.input_key, expires_at: job.expires_at };
      return { status: 201, body };
    },
  },
  { method: 'GET', path: '/batch', scope: 'batch', summary: 'The 20 newest batch jobs, newest first', handle: async (ctx) => ({ status: 200, body: await jobs(ctx).list(account(ctx)) }) },
  { method: 'GET', path: '/batch/{id}', scope: 'batch', summary: 'Status and progress of a batch job', handle: async (ctx) => ({ status: 200, body: await jobs(ctx).get(jobId(ctx), account(ctx)) }) },
  {
    method: 'POST', path: '/batch/{id}/start', scope: 'batch', summary: 'Start (or, after a failure, resume) a batch job',
    handle: async (ctx) => ({ status: 202, body: await jobs(ctx).start(jobId(ctx), account(ctx)) }),
  },
  {
    method: 'POST', path: '/batch/{id}/cancel', scope: 'batch', summary: '(ext) Stop a pending or processing batch job',
    handle: async (ctx) => ({ status: 200, body: await jobs(ctx).cancel(jobId(ctx), account(ctx)) }),
  },
  {
    method: 'GET', path: '/batch/{id}/results', scope: 'batch', summary: 'A short-lived download URL of a completed job\'s results',
    handle: async (ctx) => {
      const id = jobId(ctx);
      const base = ctx.publicUrl('');
      // 409 BATCH_INVALID_STATE unless the job completed.
      const { token, expires_at } = await jobs(ctx).issueToken(id, 'download', account(ctx));
      return { status: 200, body: { job_id: id, download_url: `${base}${downloadPath(id)}?token=${encodeURIComponent(token)}`, expires_at } };
    },
  },
  {
    method: 'DELETE', path: '/batch/{id}', scope: 'batch', summary: 'Delete a batch job and its input and results files',
    handle: async (ctx) => ({ status: 200, body: await jobs(ctx).delete(jobId(ctx), account(ctx)) }),
  },
  {
    method: 'POST', path: '/batch/{id}/upload', scope: null, summary: 'Upload the input: multipart/form-data with every upload_fields entry, then file',
    // The file's own limit is the engine's; the form may add its fields and boundaries around it.
    stream: (engine, options) => ({ maxBytes: maxUploadBytes(engine) + MULTIPART_OVERHEAD_BYTES, idleTimeoutMs: options.uploads.idleTimeoutMs }),
    handle: async (ctx) => ({ status: 200, body: await uploadForm(ctx) }),
  },
  {
    method: 'PUT', path: '/batch/{id}/upload', scope: null, summary: '(ext) Upload the input as a raw application/x-ndjson body',
    stream: (engine, options) => ({ maxBytes: maxUploadBytes(engine), idleTimeoutMs: options.uploads.idleTimeoutMs }),
    handle: async (ctx) => ({ status: 200, body: await uploadRaw(ctx) }),
  },
  {
    method: 'GET', path: '/batch/{id}/download', scope: null, summary: 'The results as NDJSON, one line per input line in input order (the download_url)',
    handle: async (ctx) => {
      const id = jobId(ctx);
      const grant = await authorizeToken(ctx, id, 'download', requestToken(ctx));
      const file = await jobs(ctx).download(id, { account: grant.account });
      // The URL carries a token: nothing on the way may keep the answer.
      const headers = { 'Cache-Control': 'private, no-store', 'Content-Disposition': `attachment; filename="${id}.results.ndjson"` };
      return { status: 200, stream: file.stream, contentType: 'application/x-ndjson', length: file.size, headers };
    },
  },
];
