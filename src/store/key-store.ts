/** The API key store (spec §1.1, §10). */
import type { AccountOption, Scope, Tier, TimeInput } from './common.js';

/** Body of `POST /v1/keys` (spec §10). Unknown fields are ignored. */
export interface KeyCreateInput {
  /** Free label, ≤ 100 characters. @default null */
  name?: string | null;
  /** Non-empty subset of the scopes. @default ['classify', 'batch', 'manage'] */
  scopes?: Scope[];
  /** @default 'developer' */
  tier?: Tier;
  /** ISO-8601 time in the future after which the key stops working. @default null (never) */
  expires_at?: string | null;
  /** Whether requests made with this key store their input text in the logs. @default false */
  log_inputs?: boolean;
  /** Days a logged input is kept, 1–3650. @default 30 */
  log_retention_days?: number;
}

/** A key as listed by `GET /v1/keys`: never the secret, never its hash. */
export interface KeyInfo {
  /** `key_` + 16 base62 characters. */
  id: string;
  name: string | null;
  /** First 12 characters of the secret, e.g. `lw_live_a1B2`, to recognise it. */
  prefix: string;
  scopes: Scope[];
  tier: Tier;
  created_at: string;
  expires_at: string | null;
  /** Updated on use, at most once a minute. */
  last_used_at: string | null;
  revoked: boolean;
  log_inputs: boolean;
  log_retention_days: number;
}

/** A freshly created key: the stored fields plus the secret, returned this once only. */
export interface CreatedKey extends KeyInfo {
  /** The secret (`lw_live_` + 40 base62 characters). Only its SHA-256 is stored. */
  key: string;
}

/**
 * What a key may hand on to the keys it creates (see {@link KeyCreateOptions.issuer}): a new
 * key gets at most this tier, a subset of these scopes, input logging only if this key logs
 * inputs, no longer a retention, and no later an expiry.
 */
export interface KeyGrant {
  scopes: Scope[];
  tier: Tier;
  log_inputs: boolean;
  log_retention_days: number;
  /** ISO-8601, or null for a key that never expires. */
  expires_at: string | null;
}

/** What a valid secret grants. */
export interface VerifiedKey extends KeyGrant {
  key_id: string;
  account: string;
}

/** Options of {@link KeyStore.create} and {@link KeyStore.revoke}. */
export interface KeyCreateOptions extends AccountOption {
  /**
   * The key making the change (the HTTP adapter passes the caller's key). A key can only
   * create keys within its own grant and only revoke keys it could have created; a violation
   * is `PERMISSION_DENIED` (403) naming the field. Omitted fields of a new key default to the
   * issuer's values where the usual default would exceed them (e.g. a public-tier issuer's
   * keys default to `public`, an expiring issuer's keys expire with it).
   * Without an issuer (in-process calls, the CLI, `labelwise serve`'s admin key) nothing is
   * capped: that is the only way to a higher tier.
   * @default undefined
   */
  issuer?: KeyGrant;
}

/** API keys of spec §1.1 and §10. */
export interface KeyStore {
  /**
   * Creates a key and returns its secret once.
   * @throws `VALIDATION_ERROR` with `details.field`; `PERMISSION_DENIED` (with `details.field`)
   * when the input exceeds `options.issuer`'s grant.
   * @example
   * ```ts
   * const { key, id } = await stores.keys.create({ name: 'ci', scopes: ['classify'] });
   * ```
   */
  create(input?: KeyCreateInput, options?: KeyCreateOptions): Promise<CreatedKey>;
  /** The account's keys, oldest first, revoked ones included. */
  list(options?: AccountOption): Promise<{ keys: KeyInfo[] }>;
  /**
   * Revokes a key (idempotent) and returns it.
   * @throws `KEY_NOT_FOUND` for an unknown id or another account's key; `PERMISSION_DENIED`
   * when `options.issuer` could not have created it (a lower key cannot revoke a stronger one).
   */
  revoke(id: string, options?: KeyCreateOptions): Promise<KeyInfo>;
  /** What `secret` grants, or `null` when it is unknown, revoked or expired. */
  verify(secret: string, options?: { now?: TimeInput }): Promise<VerifiedKey | null>;
}
