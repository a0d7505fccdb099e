/**
 * What the batch routes share: the engine's jobs API, the job id check, the short-lived upload
 * and download tokens a request carries, and the upload size limit.
 */
import { batchNotFound, jobTokenMissing } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import { limitsOf } from '../../engine/ports.js';
import type { JobsApi, TokenGrant } from '../../jobs/types.js';
import { header } from '../host.js';
import type { RouteContext } from '../route.js';

/** Spec §7: `batch_` + 16 lowercase alphanumerics. */
const JOB_ID = /^batch_[a-z0-9]{16}$/;

export function jobsOf(engine: Engine): JobsApi {
  return engine.jobs;
}

/** The engine's upload limit in bytes (`jobs.maxUploadBytes`). */
export function maxUploadBytes(engine: Engine): number {
  return limitsOf(engine).maxUploadBytes;
}

/**
 * The `{id}` of the route, checked before it reaches the engine: anything that is not a job id
 * (a decoded `%2F`, a dot segment) is a plain 404 like an unknown job.
 */
export function jobId(ctx: RouteContext): string {
  const id = ctx.params.id;
  if (!JOB_ID.test(id)) throw batchNotFound(id);
  return id;
}

/**
 * The token a token-authorized request carries: the `token` form field (multipart uploads),
 * else the `token` query parameter, else `Authorization: Bearer <token>`; `''` when none.
 */
export function requestToken(ctx: RouteContext, field?: string): string {
  if (field) return field;
  const query = ctx.query.get('token');
  if (query) return query;
  return /^Bearer\s+(\S+)\s*$/i.exec(header({ headers: ctx.requestHeaders }, 'authorization'))?.[1] ?? '';
}

/**
 * Verifies the request's token for `purpose` on the job (401 `INVALID_API_KEY` when missing,
 * unknown, tampered or expired) and records the request under the job's account from then on.
 */
export async function authorizeToken(ctx: RouteContext, id: string, purpose: 'upload' | 'download', token: string): Promise<TokenGrant> {
  if (!token) throw jobTokenMissing(purpose);
  const grant = await jobsOf(ctx.engine).verifyToken(id, purpose, token);
  ctx.attribute(grant.account);
  return grant;
}
