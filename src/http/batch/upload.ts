/**
 * The upload URL of a batch job (spec §7): the presigned-style multipart form POST and the raw
 * `PUT` of NDJSON, both streamed into `engine.jobs.upload` (never held in memory) and both
 * authorized by the job's short-lived upload token, not by an API key.
 */
import { unsupportedMediaType } from '../../errors.js';
import type { JobInfo, JobInput } from '../../jobs/types.js';
import type { RouteContext, StreamBody } from '../route.js';
import { authorizeToken, jobId, jobsOf, requestToken } from './access.js';
import { readMultipart } from './multipart.js';

/** `POST {upload_url}`: `multipart/form-data` with every `upload_fields` entry, then `file`. */
export async function uploadForm(ctx: RouteContext): Promise<JobInfo> {
  const id = jobId(ctx);
  const body = streamed(ctx);
  return withBodyError(body, () =>
    readMultipart(body, async (fields, file) => {
      const grant = await authorizeToken(ctx, id, 'upload', requestToken(ctx, fields.get('token')));
      return store(ctx, id, file, grant.account);
    }),
  );
}

/** `PUT {upload_url}` with `Content-Type: application/x-ndjson` (ext). */
export async function uploadRaw(ctx: RouteContext): Promise<JobInfo> {
  const id = jobId(ctx);
  const body = streamed(ctx);
  const type = body.contentType.split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-ndjson') throw unsupportedMediaType(type || null, 'application/x-ndjson (or POST multipart/form-data)');
  return withBodyError(body, async () => {
    const grant = await authorizeToken(ctx, id, 'upload', requestToken(ctx));
    return store(ctx, id, body.readable, grant.account);
  });
}

function store(ctx: RouteContext, id: string, input: JobInput, account: string): Promise<JobInfo> {
  return jobsOf(ctx.engine).upload(id, input, { account, signal: ctx.signal });
}

function streamed(ctx: RouteContext): StreamBody {
  if (!ctx.body) throw new TypeError('labelwise: an upload route must declare `stream`');
  return ctx.body;
}

/**
 * Runs an upload; when the body itself failed (over the limit, stalled, the client gone), that
 * failure is the answer, whatever the engine made of the stream that broke under it.
 */
async function withBodyError<T>(body: StreamBody, run: () => Promise<T>): Promise<T> {
  let bodyError: unknown;
  const note = (err: unknown) => {
    bodyError ??= err;
  };
  body.readable.on('error', note);
  try {
    return await run();
  } catch (err) {
    throw bodyError ?? err;
  } finally {
    body.readable.off('error', note);
  }
}
