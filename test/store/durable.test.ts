/**
 * Durable recording (issue #8, defect 6): `usage.commit` and `billing.charge({ durable })`
 * resolve only once their transaction committed, group-committed with concurrent callers; a
 * failed transaction rejects with a clear error and writes (and keeps) nothing. Real SQLite
 * files; failures are real (a second connection's trigger or write lock), not mocks.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { WriteBuffer } from '../../src/store/sqlite/write-buffer.js';
import { captureWarnings } from '../support/warnings.js';
import { expectError, row, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: Stores[] = [];
const conns: Database.Database[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const s of open.splice(0)) await s.close().catch(() => {});
  dirs.cleanup();
});

async function stores(dir: string, extra: Parameters<typeof openStores>[0] = {}): Promise<Stores> {
  const s = await openStores({ dataDir: dir, ...extra });
  open.push(s);
  return s;
}

/** A second connection to the same file, as another process would have. */
function other(dir: string): Database.Database {
  const db = new Database(join(dir, 'labelwise.db'));
  conns.push(db);
  return db;
}

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('durable usage rows', () => {
  it('the file is in WAL with synchronous=NORMAL: a commit survives a process kill (only power loss can roll back the last ones)', () => {
    const db = openDatabase(join(dirs.make(), 'labelwise.db'), { busyTimeoutMs: 100 });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    } finally {
      db.close();
    }
  });

  it('commit resolves once the row is on disk for another connection; record() only buffers', async () => {
    const dir = dirs.make();
    const s = await stores(dir);
    const peer = other(dir);
    s.usage.record(row({ request_id: 'behind' }));
    await s.usage.commit(row({ request_id: 'durable' }));
    // The durable row's transaction also carried the buffered row written before it.
    expect(count(peer, "SELECT count(*) AS n FROM usage WHERE request_id IN ('behind', 'durable')")).toBe(2);
    s.usage.record(row({ request_id: 'behind-2' }));
    expect(count(peer, "SELECT count(*) AS n FROM usage WHERE request_id = 'behind-2'")).toBe(0); // the documented crash window
  });

  it('group commit: 200 concurrent commits share one transaction, each caller resolved after it', async () => {
    const writes: number[] = [];
    const buffer = new WriteBuffer({ intervalMs: 250, maxRows: 500, write: (e) => writes.push(e.length), committed: () => {}, dropped: () => {} });
    const settled: number[] = [];
    const all = Array.from({ length: 200 }, (_, i) => buffer.commit({}).then(() => settled.push(writes.length)));
    expect(writes).toEqual([]); // nothing written yet: the batch closes at the end of this turn
    await Promise.all(all);
    expect(writes).toEqual([200]);
    expect(settled.every((n) => n === 1)).toBe(true);
  });

  it('a failing transaction rejects every durable caller with INTERNAL_ERROR and writes nothing; buffered rows are kept for retry', async () => {
    const dir = dirs.make();
    const s = await stores(dir);
    const peer = other(dir);
    peer.exec("CREATE TRIGGER no_rows BEFORE INSERT ON usage BEGIN SELECT RAISE(ABORT, 'test trigger refuses usage rows'); END");
    s.usage.record(row({ request_id: 'kept' }));
    const warnings = captureWarnings('LABELWISE_STORE_FLUSH_FAILED');
    const results = await Promise.allSettled([s.usage.commit(row({ request_id: 'd1' })), s.usage.commit(row({ request_id: 'd2' }))]).finally(() => warnings.restore());
    // One transaction, one warning: the durable callers failed, the buffered row waits for a retry.
    expect(warnings.messages('LABELWISE_STORE_FLUSH_FAILED')).toEqual(['labelwise: writing usage rows failed, will retry: test trigger refuses usage rows']);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
      expect((r as PromiseRejectedResult).reason.message).toMatch(/could not be recorded.*not answered/);
      expect(String((r as PromiseRejectedResult).reason.cause)).toMatch(/test trigger refuses usage rows/); // for logs, not for clients
    }
    peer.exec('DROP TRIGGER no_rows');
    await s.usage.commit(row({ request_id: 'after' }));
    const ids = peer.prepare('SELECT request_id FROM usage ORDER BY id').all().map((r) => (r as { request_id: string }).request_id);
    expect(ids).toEqual(['kept', 'after']); // failed durable rows never come back later
  });

  it('a database locked past the busy timeout rejects with OVERLOADED (retryable)', async () => {
    const dir = dirs.make();
    const s = await stores(dir, { busyTimeoutMs: 20 });
    const peer = other(dir);
    peer.exec('BEGIN IMMEDIATE');
    const warnings = captureWarnings('LABELWISE_STORE_FLUSH_FAILED');
    await expectError(s.usage.commit(row({ request_id: 'locked' })), 'OVERLOADED').finally(() => warnings.restore());
    expect(warnings.messages('LABELWISE_STORE_FLUSH_FAILED')).toEqual(['labelwise: writing usage rows failed, the calls failed: database is locked']);
    peer.exec('ROLLBACK');
    await s.usage.commit(row({ request_id: 'unlocked' }));
    expect(count(peer, 'SELECT count(*) AS n FROM usage')).toBe(1);
  });

  it('commit after close rejects with OVERLOADED', async () => {
    const s = await stores(dirs.make());
    await s.close();
    await expectError(s.usage.commit(row({ request_id: 'late' })), 'OVERLOADED');
  });
});

describe('durable charges', () => {
  it('charge({ durable }) resolves with ledger entry and usage row committed together', async () => {
    const dir = dirs.make();
    const s = await stores(dir, { freeTokensMonthly: 0 });
    await s.billing.credit('default', 1);
    const peer = other(dir);
    const charges = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.billing.charge('default', 1000, 'standard', { usage: row({ request_id: `c${i}`, tokens: 1000 }), durable: true })),
    );
    expect(count(peer, "SELECT count(*) AS n FROM ledger WHERE type = 'charge'")).toBe(50);
    expect(count(peer, "SELECT count(*) AS n FROM usage u JOIN ledger l ON l.request_id = u.request_id AND l.amount_micros = u.cost_micros")).toBe(50);
    const spent = charges.reduce((sum, c) => sum + c.cost_micros, 0);
    expect(count(peer, "SELECT balance_micros AS n FROM accounts WHERE id = 'default'")).toBe(1_000_000 - spent);
  });

  it('a failed durable charge is not spent: balance and free tokens are as before, nothing in the ledger', async () => {
    const dir = dirs.make();
    const s = await stores(dir, { freeTokensMonthly: 1500 });
    const peer = other(dir);
    peer.exec("CREATE TRIGGER no_charge BEFORE INSERT ON ledger WHEN NEW.type = 'charge' BEGIN SELECT RAISE(ABORT, 'test trigger refuses charges'); END");
    const before = await s.billing.balance();
    const warnings = captureWarnings('LABELWISE_STORE_FLUSH_FAILED');
    await expectError(s.billing.charge('default', 1000, 'standard', { usage: row({ request_id: 'x', tokens: 1000 }), durable: true }), 'INTERNAL_ERROR').finally(() => warnings.restore());
    expect(warnings.messages('LABELWISE_STORE_FLUSH_FAILED')).toEqual(['labelwise: writing usage rows failed, the calls failed: test trigger refuses charges']);
    expect(await s.billing.balance()).toEqual(before); // pending charge released, not double-counted
    expect(count(peer, 'SELECT count(*) AS n FROM usage')).toBe(0); // row and charge fail together
    peer.exec('DROP TRIGGER no_charge');
    const ok = await s.billing.charge('default', 1000, 'standard', { usage: row({ request_id: 'y', tokens: 1000 }), durable: true });
    expect(ok.free_tokens).toBe(1000); // the failed charge did not use up the allowance
    expect((await s.billing.balance()).free_tokens_used).toBe(1000);
  });
});
