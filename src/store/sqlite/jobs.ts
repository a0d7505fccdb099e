/**
 * The `jobs` table (spec §7) and the `secrets` table. Every state change is one guarded UPDATE
 * (`WHERE status IN …`), so two processes sharing the file cannot both move a job; the partial
 * unique index `jobs_one_processing` makes "one processing job per account" the database's rule.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { batchConcurrencyLimit, batchInputMissing, batchInvalidState, batchNotFound } from '../../errors.js';
import type { JobCheckpoint, JobRecord, JobStore } from '../types.js';
import { accountOf, normalizeUsageRow } from '../validate.js';
import type { SqliteBillingStore } from './billing.js';
import { Accounts, type Db } from './database.js';
import type { usageWriter } from './usage.js';

type Row = Omit<JobRecord, 'config'> & { config: string };

const toRecord = (r: Row): JobRecord => ({ ...r, config: JSON.parse(r.config) as Record<string, unknown> });

export class SqliteJobStore implements JobStore {
  readonly #db: Db;
  readonly #accounts: Accounts;
  readonly #billing: SqliteBillingStore;
  readonly #writeUsage: ReturnType<typeof usageWriter>;
  readonly #get: Database.Statement<[string, string], Row>;
  readonly #list: Database.Statement<[string, number], Row>;
  readonly #processing: Database.Statement<[], Row>;
  readonly #insert: Database.Statement;
  readonly #setInput: Database.Statement;
  readonly #start: Database.Statement;
  readonly #advance: Database.Statement;
  readonly #finish: Database.Statement;
  readonly #claim: Database.Statement;
  readonly #release: Database.Statement<[string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #secret: Database.Statement<[string], { value: Buffer }>;
  readonly #addSecret: Database.Statement<[string, Buffer]>;

  constructor(db: Db, billing: SqliteBillingStore, writeUsage: ReturnType<typeof usageWriter>) {
    this.#db = db;
    this.#accounts = new Accounts(db);
    this.#billing = billing;
    this.#writeUsage = writeUsage;
    this.#get = db.prepare('SELECT * FROM jobs WHERE id = ? AND account = ?');
    this.#list = db.prepare('SELECT * FROM jobs WHERE account = ? ORDER BY created_at DESC, rowid DESC LIMIT ?');
    this.#processing = db.prepare("SELECT * FROM jobs WHERE status = 'processing' ORDER BY started_at");
    this.#insert = db.prepare(`INSERT INTO jobs (id, account, status, mode, config, created_at) VALUES (@id, @account, 'pending', @mode, @config, @created_at)`);
    this.#setInput = db.prepare(`
      UPDATE jobs SET status = 'pending', input_name = @name, input_bytes = @bytes, input_lines = @lines, estimated_tokens = NULL, next_line = 0,
        input_offset = 0, output_bytes = 0, failed_lines = 0, tokens = 0, chunks = 0, error_code = NULL, error_message = NULL,
        started_at = NULL, completed_at = NULL
      WHERE id = @id AND account = @account AND status IN ('pending', 'failed', 'cancelled')`);
    this.#start = db.prepare(`
      UPDATE jobs SET status = 'processing', estimated_tokens = @estimated, started_at = coalesce(started_at, @now),
        completed_at = NULL, error_code = NULL, error_message = NULL, runner = @runner, lease_until = @lease_until
      WHERE id = @id AND account = @account AND status IN ('pending', 'failed') AND input_bytes IS NOT NULL`);
    this.#advance = db.prepare(`
      UPDATE jobs SET next_line = @next_line, input_offset = @input_offset, output_bytes = @output_bytes,
        failed_lines = failed_lines + @failed, tokens = tokens + @tokens, chunks = chunks + 1, lease_until = @lease_until
      WHERE id = @id AND status = 'processing' AND runner = @runner`);
    this.#claim = db.prepare(`
      UPDATE jobs SET runner = @runner, lease_until = @lease_until
      WHERE id = @id AND status = 'processing' AND runner IS @expected`);
    this.#release = db.prepare("UPDATE jobs SET runner = NULL, lease_until = NULL WHERE id = ? AND runner = ? AND status = 'processing'");
    this.#finish = db.prepare(`
      UPDATE jobs SET status = @status, completed_at = @now, error_code = @error_code, error_message = @error_message,
        runner = NULL, lease_until = NULL
      WHERE id = @id AND (status = 'processing' OR (status = 'pending' AND @status = 'cancelled'))`);
    this.#delete = db.prepare("DELETE FROM jobs WHERE id = ? AND account = ? AND status <> 'processing'");
    this.#secret = db.prepare('SELECT value FROM secrets WHERE name = ?');
    this.#addSecret = db.prepare('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  }

  async insert(job: Pick<JobRecord, 'id' | 'account' | 'mode' | 'config' | 'created_at'>): Promise<JobRecord> {
    const account = accountOf(job.account);
    this.#db.transaction(() => {
      this.#accounts.ensure(account, job.created_at);
      this.#insert.run({ ...job, account, config: JSON.stringify(job.config) });
    }).immediate();
    return toRecord(this.#get.get(job.id, account) as Row);
  }

  async get(id: string, account: string): Promise<JobRecord | undefined> {
    const row = this.#get.get(id, accountOf(account));
    return row && toRecord(row);
  }

  async list(account: string, limit: number): Promise<JobRecord[]> {
    return this.#list.all(accountOf(account), limit).map(toRecord);
  }

  async processing(): Promise<JobRecord[]> {
    return this.#processing.all().map(toRecord);
  }

  async setInput(id: string, account: string, input: { name: string; bytes: number; lines: number }): Promise<{ job: JobRecord; replaced: string | null } | undefined> {
    const acct = accountOf(account);
    return this.#db.transaction(() => {
      const before = this.#get.get(id, acct);
      if (!before || this.#setInput.run({ id, account: acct, ...input }).changes !== 1) return undefined;
      return { job: toRecord(this.#get.get(id, acct) as Row), replaced: before.input_name };
    }).immediate();
  }

  async start(id: string, account: string, estimatedTokens: number, now: number, claim: { runner: string; leaseUntil: number }): Promise<JobRecord> {
    const acct = accountOf(account);
    return this.#db.transaction(() => {
      const job = this.#get.get(id, acct);
      if (!job) throw batchNotFound(id);
      if (job.status !== 'pending' && job.status !== 'failed') throw batchInvalidState(job.status, 'started');
      if (job.input_bytes === null) throw batchInputMissing();
      try {
        this.#start.run({ id, account: acct, estimated: estimatedTokens, now, runner: claim.runner, lease_until: claim.leaseUntil });
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw batchConcurrencyLimit();
        throw err;
      }
      return toRecord(this.#get.get(id, acct) as Row);
    }).immediate();
  }

  async claim(id: string, expected: string | null, claim: { runner: string; leaseUntil: number }): Promise<boolean> {
    return this.#claim.run({ id, expected, runner: claim.runner, lease_until: claim.leaseUntil }).changes === 1;
  }

  async release(id: string, runner: string): Promise<void> {
    this.#release.run(id, runner);
  }

  async checkpoint(id: string, runner: string, c: JobCheckpoint, now: number, leaseUntil: number): Promise<boolean> {
    return this.#db.transaction(() => {
      const moved = this.#advance.run({ id, runner, lease_until: leaseUntil, next_line: c.next_line, input_offset: c.input_offset, output_bytes: c.output_bytes, failed: c.failed, tokens: c.tokens }).changes;
      if (moved !== 1) return false;
      if (c.usage) {
        const account = accountOf(c.usage.account);
        const charge = c.tokens > 0 ? this.#billing.priceCharge(account, c.tokens, 'batch', now, c.usage.request_id) : undefined;
        this.#writeUsage([normalizeUsageRow({ ...c.usage, account, cost_micros: charge?.amount_micros ?? 0 }, now)]);
        if (charge) this.#billing.writeCharges([charge]);
      }
      return true;
    }).immediate();
  }

  async finish(id: string, status: 'completed' | 'failed' | 'cancelled', now: number, error?: { code: string; message: string }): Promise<boolean> {
    return this.#finish.run({ id, status, now, error_code: error?.code ?? null, error_message: error?.message ?? null }).changes === 1;
  }

  async delete(id: string, account: string): Promise<boolean> {
    return this.#delete.run(id, accountOf(account)).changes === 1;
  }

  async secret(name: string): Promise<Buffer> {
    this.#addSecret.run(name, randomBytes(32));
    return (this.#secret.get(name) as { value: Buffer }).value;
  }
}
