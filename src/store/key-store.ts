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

/** What a valid secret grants. */
export interface VerifiedKey {
  key_id: string;
  account: string;
  scopes: Scope[];
  tier: Tier;
  log_inputs: boolean;
  log_retention_days: number;
}

/** API keys of spec §1.1 and §10. */
export interface KeyStore {
  /**
   * Creates a key and returns its secret once.
   * @throws `VALIDATION_ERROR` with `details.field`.
   * @example
   * ```ts
   * const { key, id } = await stores.keys.create({ name: 'ci', scopes: ['classify'] });
   * ```
   */
  create(input?: KeyCreateInput, options?: AccountOption): Promise<CreatedKey>;
  /** The account's keys, oldest first, revoked ones included. */
  list(options?: AccountOption): Promise<{ keys: KeyInfo[] }>;
  /**
   * Revokes a key (idempotent) and returns it.
   * @throws `KEY_NOT_FOUND` for an unknown id or another account's key.
   */
  revoke(id: string, options?: AccountOption): Promise<KeyInfo>;
  /** What `secret` grants, or `null` when it is unknown, revoked or expired. */
  verify(secret: string, options?: { now?: TimeInput }): Promise<VerifiedKey | null>;
}
