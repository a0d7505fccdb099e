/** The `keys` table: API keys stored as SHA-256 hashes (spec §1.1, §10). */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { isoOrNull, iso, toMsOr } from '../time.js';
import { keyNotFound } from '../../errors.js';
import { assertCanRevoke } from '../key-grant.js';
import type { AccountOption, CreatedKey, KeyCreateInput, KeyCreateOptions, KeyInfo, KeyStore, Scope, Tier, VerifiedKey } from '../types.js';
import { accountOf, normalizeKeyInput } from '../validate.js';
import { Accounts, type Db } from './database.js';

const SECRET_PREFIX = 'lw_live_';
const SECRET_RANDOM_CHARS = 40; // ≈ 238 bits
const LISTED_PREFIX_CHARS = 12;
/** `last_used_at` is rewritten at most this often per key, so verify() rarely writes. */
const TOUCH_INTERVAL_MS = 60_000;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` uniformly random base62 characters (rejection sampling: 248 = 4 × 62). */
export function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const byte of randomBytes(n + 8)) {
      if (byte < 248 && out.length < n) out += BASE62[byte % 62];
    }
  }
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

interface KeyRow {
  id: string;
  account: string;
  name: string | null;
  prefix: string;
  hash: Buffer;
  scopes: string;
  tier: Tier;
  log_inputs: number;
  log_retention_days: number;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

function toInfo(r: KeyRow): KeyInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: JSON.parse(r.scopes) as Scope[],
    tier: r.tier,
    created_at: iso(r.created_at),
    expires_at: isoOrNull(r.expires_at),
    last_used_at: isoOrNull(r.last_used_at),
    revoked: r.revoked_at !== null,
    log_inputs: r.log_inputs === 1,
    log_retention_days: r.log_retention_days,
  };
}

export class SqliteKeyStore implements KeyStore {
  readonly #accounts: Accounts;
  readonly #insert: Database.Statement;
  readonly #list: Database.Statement<[string], KeyRow>;
  readonly #get: Database.Statement<[string, string], KeyRow>;
  readonly #revoke: Database.Statement<[number, string, string]>;
  readonly #byHash: Database.Statement<[Buffer], KeyRow>;
  readonly #touch: Database.Statement<[number, string]>;
  readonly #create: (row: Omit<KeyRow, 'revoked_at' | 'last_used_at'>) => void;

  constructor(db: Db) {
    this.#accounts = new Accounts(db);
    this.#insert = db.prepare(`
      INSERT INTO keys (id, account, name, prefix, hash, scopes, tier, log_inputs, log_retention_days, created_at, expires_at)
      VALUES (@id, @account, @name, @prefix, @hash, @scopes, @tier, @log_inputs, @log_retention_days, @created_at, @expires_at)`);
    this.#list = db.prepare('SELECT * FROM keys WHERE account = ? ORDER BY created_at, rowid');
    this.#get = db.prepare('SELECT * FROM keys WHERE id = ? AND account = ?');
    this.#revoke = db.prepare('UPDATE keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND account = ?');
    this.#byHash = db.prepare('SELECT * FROM keys WHERE hash = ?');
    this.#touch = db.prepare('UPDATE keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?');
    this.#create = db.transaction((row) => {
      this.#accounts.ensure(row.account, row.created_at);
      this.#insert.run(row);
    });
  }

  async create(input?: KeyCreateInput, options?: KeyCreateOptions): Promise<CreatedKey> {
    const account = accountOf(options?.account);
    const now = Date.now();
    const v = normalizeKeyInput(input, now, options?.issuer);
    const key = SECRET_PREFIX + randomBase62(SECRET_RANDOM_CHARS);
    const row = {
      id: 'key_' + randomBase62(16),
      account,
      name: v.name,
      prefix: key.slice(0, LISTED_PREFIX_CHARS),
      hash: sha256(key),
      scopes: JSON.stringify(v.scopes),
      tier: v.tier,
      log_inputs: v.log_inputs ? 1 : 0,
      log_retention_days: v.log_retention_days,
      created_at: now,
      expires_at: v.expires_at,
    };
    this.#create(row);
    return { key, ...toInfo({ ...row, last_used_at: null, revoked_at: null }) };
  }

  async list(options?: AccountOption): Promise<{ keys: KeyInfo[] }> {
    return { keys: this.#list.all(accountOf(options?.account)).map(toInfo) };
  }

  async revoke(id: string, options?: KeyCreateOptions): Promise<KeyInfo> {
    const account = accountOf(options?.account);
    const target = typeof id === 'string' ? this.#get.get(id, account) : undefined;
    if (!target) throw keyNotFound(id);
    if (options?.issuer) assertCanRevoke({ tier: target.tier, scopes: JSON.parse(target.scopes) as Scope[] }, options.issuer);
    this.#revoke.run(Date.now(), id, account);
    return toInfo(this.#get.get(id, account)!);
  }

  async verify(secret: string, options?: { now?: number | string | Date }): Promise<VerifiedKey | null> {
    if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX) || secret.length > 200) return null;
    const now = toMsOr(options?.now, 'now', Date.now());
    const hash = sha256(secret);
    const row = this.#byHash.get(hash);
    // The lookup is by hash already; comparing in constant time as well keeps any future
    // lookup by prefix from turning into a timing oracle.
    if (!row || !timingSafeEqual(row.hash, hash)) return null;
    if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
      try {
        this.#touch.run(now, row.id);
      } catch {
        // Only bookkeeping: a busy database must not fail the request the key authorizes.
      }
    }
    return {
      key_id: row.id,
      account: row.account,
      scopes: JSON.parse(row.scopes) as Scope[],
      tier: row.tier,
      log_inputs: row.log_inputs === 1,
      log_retention_days: row.log_retention_days,
      expires_at: isoOrNull(row.expires_at),
    };
  }
}
