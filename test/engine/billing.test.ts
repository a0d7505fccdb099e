import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, LabelwiseError } from '../../src/index.js';

// Billing through the engine (spec §9), on a real SQLite file: refused before any work when on,
// recorded but never refused when off, and a cache hit costs nothing.
describe('engine billing', () => {
  it('refuses with 402 when billing is on and nothing covers the request; a top-up lets it through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-billing-'));
    const engine = await createEngine({ dataDir: dir, pool: { workers: 1 }, billing: { enabled: true, freeTokensMonthly: 0 } });
    try {
      const req = { text: 'My card was charged twice', labels: ['billing', 'shipping'] };
      const refused = await engine.classify(req).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LabelwiseError);
      expect((refused as LabelwiseError).status).toBe(402);
      expect((refused as LabelwiseError).code).toBe('INSUFFICIENT_BALANCE');
      await engine.billing.credit('default', 1);
      const ok = await engine.classify(req);
      expect(ok.label).toBe('billing');
      const before = await engine.balance();
      expect(before.spend_usd).toBeGreaterThan(0);
      expect(before.balance_usd).toBeLessThan(1);
      // A cache hit is free: balance and spend do not move.
      expect((await engine.classify(req)).cached).toBe(true);
      await engine.usage(); // flushes buffered charges
      const after = await engine.balance();
      expect(after.balance_usd).toBe(before.balance_usd);
      expect(after.spend_usd).toBe(before.spend_usd);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records spend but refuses nothing when billing is off (the default)', async () => {
    const engine = await createEngine({ pool: { workers: 1 }, billing: { freeTokensMonthly: 0 } });
    try {
      const res = await engine.classify({ text: 'Where is my parcel?', labels: ['billing', 'shipping'] });
      expect(res.label).toBe('shipping');
      await engine.usage();
      const balance = await engine.balance();
      expect(balance.spend_usd).toBeGreaterThan(0);
      expect(balance.balance_usd).toBeLessThan(0);
      const logs = await engine.logs({ limit: 5 });
      expect(logs.data[0]).toMatchObject({ endpoint: '/classify', status: 200, label: 'shipping' });
      expect(logs.data[0].cost_usd).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});
