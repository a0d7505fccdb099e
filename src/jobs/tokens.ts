/**
 * Upload and download tokens: what the adapter's presigned-style URLs carry instead of an API
 * key. Stateless and signed (HMAC-SHA256 with a secret kept in the database, so tokens survive
 * a restart and any engine on the same data dir verifies them); each names its job, account,
 * purpose and expiry, and is compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { jobTokenExpired, jobTokenInvalid } from '../errors.js';
import type { TokenGrant } from './types.js';

export type TokenPurpose = 'upload' | 'download';

interface Claims {
  j: string;
  a: string;
  p: TokenPurpose;
  /** Expiry, epoch ms. */
  e: number;
}

/** Tokens are short strings; anything longer is refused before any work. */
const MAX_TOKEN_LENGTH = 1024;

export class JobTokens {
  readonly #secret: () => Promise<Buffer>;

  constructor(secret: () => Promise<Buffer>) {
    this.#secret = secret;
  }

  async issue(grant: TokenGrant, purpose: TokenPurpose, expiresAt: number): Promise<string> {
    const claims: Claims = { j: grant.job_id, a: grant.account, p: purpose, e: expiresAt };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `lwt_${body}.${await this.#sign(body)}`;
  }

  /** The grant of a genuine, unexpired token for this job and purpose; 401 otherwise. */
  async verify(jobId: string, purpose: TokenPurpose, token: unknown, now: number): Promise<TokenGrant> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith('lwt_')) throw jobTokenInvalid();
    const [body, signature, extra] = token.slice(4).split('.');
    if (!body || !signature || extra !== undefined) throw jobTokenInvalid();
    const expected = Buffer.from(await this.#sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw jobTokenInvalid();
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
    } catch {
      throw jobTokenInvalid();
    }
    if (claims.j !== jobId || claims.p !== purpose || typeof claims.a !== 'string' || !Number.isSafeInteger(claims.e)) throw jobTokenInvalid();
    if (claims.e <= now) throw jobTokenExpired(new Date(claims.e).toISOString());
    return { job_id: claims.j, account: claims.a };
  }

  async #sign(body: string): Promise<string> {
    return createHmac('sha256', await this.#secret()).update(body).digest('base64url');
  }
}
