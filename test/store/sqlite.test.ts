// The SQLite stores: the shared contract on a file and in memory, plus what only a file shows.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openStores } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { expectError, row, T0, tempDirs } from './helpers.js';
import { expectOptionError } from '../support/options.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

storeContract('SQLite file', () => openStores({ dataDir: dirs.make() }));
storeContract('SQLite :memory:', () => openStores({ dataDir: ':memory:' }));

const countRows = (dir: string) => {
  const db = new Database(join(dir, 'labelwise.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM usage').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('SQLite stores on a file', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates <dataDir>/labelwise.db in WAL mode with foreign keys on', async () => {
    const dir = join(dirs.make(), 'nested', 'data');
    const s = await openStores({ dataDir: dir });
    await s.close();
    expect(existsSync(join(dir, 'labelwise.db'))).toBe(true);
    const db = new Database(join(dir, 'labelwise.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT id FROM accounts').all()).toEqual([{ id: 'default' }]);
    db.close();
  });

  it('keeps keys, classifiers, usage rows and the ledger across close and reopen', async () => {
    const dir = dirs.make();
    const a = await openStores({ dataDir: dir });
    const key = await a.keys.create({ name: 'kept', log_inputs: true }, { account: 'acme' });
    await a.classifiers.create({ name: 'support', labels: ['billing', 'shipping'] }, { account: 'acme' });
    await a.classifiers.create({ name: 'support', labels: ['refund'] }, { account: 'acme' });
    await a.billing.credit('acme', 12.5, { now: T0 });
    await a.billing.charge('acme', 10_000_500, 'standard', { now: T0, usage: row({ request_id: 'billed', account: 'acme', created_at: T0, key_id: key.id, input: 'kept text' }) });
    for (let i = 0; i < 20; i++) a.usage.record(row({ request_id: `r${i}`, account: 'acme', created_at: T0 + i }));
    await a.close(); // no explicit flush: close writes the buffered rows

    const b = await openStores({ dataDir: dir });
    expect(await b.keys.verify(key.key)).toMatchObject({ key_id: key.id, account: 'acme', log_inputs: true });
    expect((await b.classifiers.get('support', { account: 'acme' })).versions).toEqual(['v1', 'v2']);
    const logs = await b.usage.logs({ account: 'acme', limit: 100, now: T0 });
    expect(logs.data).toHaveLength(21);
    expect(logs.data.find((l) => l.request_id === 'billed')).toMatchObject({ cost_usd: 0.0001, input: 'kept text' });
    expect(await b.billing.balance('acme', T0)).toMatchObject({ balance_usd: 12.4999, spend_usd: 0.0001, free_tokens_used: 10_000_000 });
    await b.close();
  });

  it('never stores a secret in clear, only its SHA-256', async () => {
    const dir = dirs.make();
    const s = await openStores({ dataDir: dir });
    const keys = await Promise.all([1, 2, 3].map(() => s.keys.create()));
    // The database and its WAL, as raw bytes: whatever was written, committed or not yet checkpointed.
    const bytes = () => Buffer.concat(['labelwise.db', 'labelwise.db-wal'].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f)));
    const check = () => {
      const b = bytes();
      for (const { key, prefix } of keys) {
        expect(b.includes(key)).toBe(false);
        expect(b.includes(key.slice(12))).toBe(false); // the part the listing never shows
        expect(b.includes(prefix)).toBe(true); // proves the scan sees the key rows
        expect(b.includes(createHash('sha256').update(key).digest())).toBe(true);
      }
    };
    check();
    await s.close(); // checkpoints the WAL into the database file
    check();
  });

  it('writes buffered rows after 250 ms, or at once at 500 rows', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = dirs.make();
    const s = await openStores({ dataDir: dir });
    s.usage.record(row({ request_id: 'a' }));
    expect(countRows(dir)).toBe(0);
    vi.advanceTimersByTime(249);
    expect(countRows(dir)).toBe(0);
    vi.advanceTimersByTime(1);
    expect(countRows(dir)).toBe(1);
    for (let i = 0; i < 499; i++) s.usage.record(row({ request_id: `b${i}` }));
    expect(countRows(dir)).toBe(1);
    s.usage.record(row({ request_id: 'b499' }));
    expect(countRows(dir)).toBe(501);
    await s.close();
  });

  it('refuses to record once closed', async () => {
    const s = await openStores({ dataDir: dirs.make() });
    await s.close();
    await s.close(); // idempotent
    await expectError(() => s.usage.record(row({ request_id: 'late' })), 'OVERLOADED');
  });

  it('rejects a misspelled option with the fix in the message', async () => {
    await expectOptionError(openStores({ datadir: 'x' } as never), 'datadir', 'unknown option "datadir"; did you mean "dataDir"?');
    await expectOptionError(openStores({ flushMaxRows: 0 }), 'flushMaxRows', /must be a positive integer/);
  });

  it('purges expired inputs when opened', async () => {
    const dir = dirs.make();
    const a = await openStores({ dataDir: dir });
    const key = await a.keys.create({ log_inputs: true, log_retention_days: 1 });
    a.usage.record(row({ request_id: 'old', key_id: key.id, input: 'secret text', created_at: Date.now() - 2 * 86_400_000 }));
    await a.close();
    const db = new Database(join(dir, 'labelwise.db'));
    expect(db.prepare('SELECT count(*) AS n FROM usage_inputs').get()).toEqual({ n: 1 });
    db.close();
    const b = await openStores({ dataDir: dir });
    await b.close();
    const db2 = new Database(join(dir, 'labelwise.db'));
    expect(db2.prepare('SELECT count(*) AS n FROM usage_inputs').get()).toEqual({ n: 0 });
    db2.close();
  });
});
