/**
 * Durable accounting through the engine (issue #8, defect 6): with `durability: 'durable'` a
 * call returns only once its usage row and charge are committed (another connection sees them
 * the moment the call resolves); a failed commit fails the call with a clear error, charges
 * nothing, and leaves nothing cached that a retry could get for free. Real model, real SQLite
 * file; the failure is a real SQLite error (a trigger made by a second connection).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingOf } from '../../src/engine/ports.js';
import { createEngine, LabelwiseError, type Engine } from '../../src/index.js';
import { captureWarnings } from '../support/warnings.js';
import { expectOptionError } from '../support/options.js';

const LABELS = ['billing', 'shipping'];
let dir: string;
let engine: Engine;
let peer: Database.Database;

const logged = (id: string) => (peer.prepare('SELECT count(*) AS n FROM usage WHERE request_id = ?').get(id) as { n: number }).n;
const ledger = (id: string) => peer.prepare("SELECT tokens, amount_micros FROM ledger WHERE type = 'charge' AND request_id = ?").all(id);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-durable-'));
  engine = await createEngine({ dataDir: dir, pool: { workers: 1 }, billing: { enabled: true, freeTokensMonthly: 0 } });
  await engine.billing.credit('default', 1);
  peer = new Database(join(dir, 'labelwise.db'));
});
afterAll(async () => {
  peer?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('durability option', () => {
  it('is durable by default with billing on, and refuses "buffered" with billing on or an unknown value', async () => {
    await expectOptionError(createEngine({ billing: { enabled: true }, durability: 'buffered' }), 'durability', /cannot be "buffered" with billing enabled/);
    await expectOptionError(createEngine({ durability: 'later' as 'durable' }), 'durability', 'option "durability" must be "buffered" or "durable" (got "later")');
  });

  it('buffered (the in-process default without billing) answers before the row is written: the stated crash window', async () => {
    const bdir = mkdtempSync(join(tmpdir(), 'lw-buffered-'));
    const buffered = await createEngine({ dataDir: bdir, pool: { workers: 1 } });
    const bpeer = new Database(join(bdir, 'labelwise.db'));
    try {
      await buffered.classify({ text: 'Where is my parcel?', labels: LABELS }, { requestId: 'req_buffered' });
      expect((bpeer.prepare("SELECT count(*) AS n FROM usage WHERE request_id = 'req_buffered'").get() as { n: number }).n).toBe(0);
    } finally {
      bpeer.close();
      await buffered.close();
      rmSync(bdir, { recursive: true, force: true });
    }
  });
});

describe('durable engine', () => {
  it('every concurrent call is committed, with its charge, by the time it resolves', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `req_burst_${i}`);
    const seen: number[] = [];
    await Promise.all(
      ids.map((id, i) =>
        (i % 2 ? engine.tag({ text: `parcel ${i} late`, labels: LABELS, cache: false }, { requestId: id }) : engine.classifyBatch({ texts: [`card ${i}`, `box ${i}`], labels: LABELS }, { requestId: id })).then(() => {
          seen.push(logged(id) + ledger(id).length); // read at the moment the call resolves
        }),
      ),
    );
    expect(seen).toEqual(ids.map(() => 2));
  });

  it('management rows (the accounting port) are committed when the promise resolves', async () => {
    await accountingOf(engine).recordRaw({ request_id: 'req_mgmt', endpoint: '/v1/keys', method: 'GET', status: 200, tokens: 0, latency_ms: 1 });
    expect(logged('req_mgmt')).toBe(1);
  });

  it('a failed commit fails the call (INTERNAL_ERROR), charges nothing, caches nothing; the retry is billed', async () => {
    const req = { text: 'I was charged twice for one order', labels: LABELS };
    const before = await engine.balance();
    peer.exec("CREATE TRIGGER no_charge BEFORE INSERT ON ledger WHEN NEW.type = 'charge' BEGIN SELECT RAISE(ABORT, 'test trigger refuses charges'); END");
    const warnings = captureWarnings('LABELWISE_STORE_FLUSH_FAILED', 'LABELWISE_USAGE');
    try {
      const failed = await engine.classify(req, { requestId: 'req_fail' }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(LabelwiseError);
      expect(failed).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
      expect((failed as Error).message).toMatch(/could not be recorded.*not answered/);
      expect(String((failed as Error).cause)).toMatch(/test trigger refuses charges/);
      const batch = await engine.classifyBatch({ texts: [req.text, 'another'], labels: LABELS }, { requestId: 'req_fail_batch' }).catch((e: unknown) => e);
      expect(batch).toMatchObject({ code: 'INTERNAL_ERROR' });
      const mgmt = await accountingOf(engine).recordRaw({ request_id: 'req_mgmt_fail', endpoint: '/v1/keys', method: 'GET', status: 200, tokens: 0, latency_ms: 1 }).catch((e: unknown) => e);
      expect(mgmt).toBeUndefined(); // a 0-token row has no charge: the trigger does not touch it
      // The store reports each failed group commit once (the single call's, the batch's); the
      // calls themselves failed, so nothing is left to warn about as unrecorded usage.
      expect(warnings.messages('LABELWISE_STORE_FLUSH_FAILED')).toEqual(Array(2).fill('labelwise: writing usage rows failed, the calls failed: test trigger refuses charges'));
      expect(warnings.messages('LABELWISE_USAGE')).toEqual([]);
    } finally {
      warnings.restore();
      peer.exec('DROP TRIGGER no_charge');
    }
    expect(ledger('req_fail')).toEqual([]);
    expect((await engine.balance()).balance_usd).toBe(before.balance_usd);
    // The failure itself is logged (a 0-token row): the log shows the call was not answered.
    const entry = (await engine.logs({ request_id: 'req_fail' })).data;
    expect(entry.map((e) => [e.status, e.error_code, e.tokens])).toEqual([[500, 'INTERNAL_ERROR', 0]]);
    const retry = await engine.classify(req, { requestId: 'req_retry' });
    expect(retry.cached).toBe(false); // not a free cache hit
    expect(retry.tokens).toBeGreaterThan(0);
    expect(ledger('req_retry')).toHaveLength(1);
    expect((await engine.balance()).balance_usd).toBeLessThan(before.balance_usd);
  });

  it('a failed management-row commit rejects the promise of the accounting port', async () => {
    peer.exec("CREATE TRIGGER no_rows BEFORE INSERT ON usage BEGIN SELECT RAISE(ABORT, 'test trigger refuses usage rows'); END");
    const warnings = captureWarnings('LABELWISE_STORE_FLUSH_FAILED', 'LABELWISE_USAGE');
    try {
      await expect(accountingOf(engine).recordRaw({ request_id: 'req_mgmt_x', endpoint: '/v1/keys', method: 'GET', status: 200, tokens: 0, latency_ms: 1 })).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
      // Also warned about: a caller that does not await the port still hears of the lost row.
      expect(warnings.messages('LABELWISE_STORE_FLUSH_FAILED')).toEqual(['labelwise: writing usage rows failed, the calls failed: test trigger refuses usage rows']);
      expect(warnings.messages('LABELWISE_USAGE')).toEqual([expect.stringMatching(/could not record usage: the call could not be recorded/)]);
    } finally {
      warnings.restore();
      peer.exec('DROP TRIGGER no_rows');
    }
    expect(logged('req_mgmt_x')).toBe(0);
  });
});
