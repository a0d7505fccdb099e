/**
 * The schema as an ordered list of migrations; `PRAGMA user_version` is the number applied.
 * Never edit a shipped migration: append one. Every table is STRICT, every time is integer
 * epoch milliseconds (UTC), every amount integer micro-dollars.
 */
import type Database from 'better-sqlite3';
import { schemaTooNew } from '../../errors.js';

export interface Migration {
  /** 1-based position; equals the `user_version` after it ran. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'accounts, keys, saved classifiers',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE keys (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(id),
        name TEXT,
        prefix TEXT NOT NULL,
        hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
        scopes TEXT NOT NULL CHECK (json_valid(scopes)),
        tier TEXT NOT NULL CHECK (tier IN ('public', 'developer', 'production')),
        log_inputs INTEGER NOT NULL CHECK (log_inputs IN (0, 1)),
        log_retention_days INTEGER NOT NULL CHECK (log_retention_days > 0),
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX keys_by_account ON keys(account, created_at);

      CREATE TABLE classifiers (
        account TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        labels TEXT NOT NULL CHECK (json_valid(labels)),
        descriptions TEXT NOT NULL CHECK (json_valid(descriptions)),
        examples TEXT NOT NULL CHECK (json_valid(examples)),
        text_type TEXT,
        threshold REAL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name, version)
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'usage rows, hourly sums and logged inputs, ledger, billing periods',
    sql: `
      ALTER TABLE accounts ADD COLUMN balance_micros INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE accounts ADD COLUMN spend_limit_micros INTEGER;

      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(id),
        request_id TEXT NOT NULL,
        key_id TEXT,
        endpoint TEXT NOT NULL,
        method TEXT NOT NULL,
        status INTEGER NOT NULL,
        priority TEXT,
        tokens INTEGER NOT NULL,
        visual_tokens INTEGER NOT NULL,
        cached INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL,
        cost_micros INTEGER NOT NULL,
        error_code TEXT,
        label TEXT,
        labels TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      -- Range scans for usage and logs; the implicit rowid makes (created_at, id) a total order.
      CREATE INDEX usage_by_time ON usage(account, created_at);
      CREATE INDEX usage_by_request ON usage(request_id);

      -- Hourly sums of usage, kept in the same transactions as the rows: reports read these
      -- (at most a few thousand rows a month) and raw rows only for partial hours at the edges.
      -- '' stands for a null key_id or priority (primary key columns cannot be null).
      CREATE TABLE usage_hourly (
        account TEXT NOT NULL REFERENCES accounts(id),
        hour INTEGER NOT NULL,
        endpoint TEXT NOT NULL,
        key_id TEXT NOT NULL,
        priority TEXT NOT NULL,
        requests INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        visual_tokens INTEGER NOT NULL,
        cached_requests INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        cost_micros INTEGER NOT NULL,
        PRIMARY KEY (account, hour, endpoint, key_id, priority)
      ) STRICT, WITHOUT ROWID;

      -- Inputs live apart so usage rows stay small and purging is one indexed DELETE.
      CREATE TABLE usage_inputs (
        usage_id INTEGER PRIMARY KEY REFERENCES usage(id) ON DELETE CASCADE,
        input TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX usage_inputs_by_expiry ON usage_inputs(expires_at);

      CREATE TABLE ledger (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(id),
        type TEXT NOT NULL CHECK (type IN ('credit', 'charge')),
        amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
        kind TEXT,
        tokens INTEGER NOT NULL DEFAULT 0,
        free_tokens INTEGER NOT NULL DEFAULT 0,
        request_id TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX ledger_by_time ON ledger(account, created_at);

      -- Running monthly sums of the ledger's charges, kept in the same transactions.
      CREATE TABLE billing_periods (
        account TEXT NOT NULL REFERENCES accounts(id),
        period TEXT NOT NULL,
        tokens INTEGER NOT NULL DEFAULT 0,
        free_tokens_used INTEGER NOT NULL DEFAULT 0,
        spend_micros INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, period)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'async batch jobs with their checkpoints; store secrets',
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(id),
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
        mode TEXT NOT NULL CHECK (mode IN ('single', 'multi')),
        config TEXT NOT NULL CHECK (json_valid(config)),
        -- The input file's name in the job's folder (each upload a new name, swapped in here).
        input_name TEXT,
        input_bytes INTEGER CHECK (input_bytes >= 0),
        input_lines INTEGER NOT NULL DEFAULT 0 CHECK (input_lines >= 0),
        estimated_tokens INTEGER,
        -- The checkpoint: lines answered, where the next line starts in the input, how many
        -- bytes of the partial results file are committed. Written with the chunk's charge.
        next_line INTEGER NOT NULL DEFAULT 0 CHECK (next_line >= 0),
        input_offset INTEGER NOT NULL DEFAULT 0 CHECK (input_offset >= 0),
        output_bytes INTEGER NOT NULL DEFAULT 0 CHECK (output_bytes >= 0),
        failed_lines INTEGER NOT NULL DEFAULT 0 CHECK (failed_lines >= 0),
        tokens INTEGER NOT NULL DEFAULT 0 CHECK (tokens >= 0),
        chunks INTEGER NOT NULL DEFAULT 0 CHECK (chunks >= 0),
        error_code TEXT,
        error_message TEXT,
        -- Which engine runs the job (host:pid:nonce) and until when its claim holds.
        runner TEXT,
        lease_until INTEGER,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        completed_at INTEGER
      ) STRICT;
      CREATE INDEX jobs_by_account ON jobs(account, created_at);
      -- One processing job per account, enforced by the database (several processes may share it).
      CREATE UNIQUE INDEX jobs_one_processing ON jobs(account) WHERE status = 'processing';

      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL CHECK (length(value) >= 32)
      ) STRICT;
    `,
  },
]);

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to `migrations.length`, all pending migrations in one IMMEDIATE transaction, so
 * a crash leaves the previous version and concurrent openers run them once.
 * @throws `INTERNAL_ERROR` when the file's schema is newer than `migrations` (never touched).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const target = migrations.length;
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const check = (current: number) => {
    if (current > target) {
      throw schemaTooNew(current, target);
    }
  };
  check(version());
  if (version() === target) return;
  db.transaction(() => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    const current = version();
    check(current);
    for (const m of migrations.slice(current)) db.exec(m.sql);
    db.pragma(`user_version = ${target}`);
  }).immediate();
}
