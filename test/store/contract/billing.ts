// The billing part of the store contract (see ../contract.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { cost, type Stores } from '../../../src/store/index.js';
import { expectError, row, T0 } from '../helpers.js';

/** Registers the billing tests; `stores()` is the current test's fresh stores. */
export function billingContract(stores: () => Stores): void {
  let s: Stores;
  beforeEach(() => {
    s = stores();
  });

  describe('billing', () => {
    const NOW = T0;

    it('starts with a zero balance, the monthly free tokens and no limit', async () => {
      expect(await s.billing.balance('default', NOW)).toEqual({
        balance_usd: 0, currency: 'usd', free_tokens_monthly: 10_000_000, free_tokens_used: 0, free_tokens_remaining: 10_000_000,
        period_start: '2030-01-01T00:00:00.000Z', period_end: '2030-02-01T00:00:00.000Z', spend_usd: 0, spend_limit_usd: null,
      });
    });

    it('keeps money as integer micro-dollars through credits and charges', async () => {
      for (let i = 0; i < 10; i++) await s.billing.credit('acme', 0.1, { now: NOW });
      expect((await s.billing.balance('acme', NOW)).balance_usd).toBe(1); // not 0.9999999999999999
      await s.billing.charge('acme', 10_000_000, 'standard', { now: NOW }); // all free
      const c = await s.billing.charge('acme', 14, 'fast', { now: NOW });
      expect(c).toEqual({ account: 'acme', kind: 'fast', tokens: 14, free_tokens: 0, paid_tokens: 14, cost_micros: 8, cost_usd: 0.000008 });
      await s.flush();
      expect(await s.billing.balance('acme', NOW)).toMatchObject({ balance_usd: 0.999992, spend_usd: 0.000008, free_tokens_used: 10_000_000, free_tokens_remaining: 0 });
    });

    it('durable charges: resolved means the charge and its usage row are recorded, priced like write-behind ones', async () => {
      await s.billing.credit('acme', 1, { now: NOW });
      const [a, b] = await Promise.all([
        s.billing.charge('acme', 10_000_000, 'standard', { now: NOW, durable: true }),
        s.billing.charge('acme', 14, 'fast', { now: NOW, durable: true, usage: row({ request_id: 'paid', tokens: 14, created_at: NOW }) }),
      ]);
      expect([a.free_tokens, b.cost_micros]).toEqual([10_000_000, 8]);
      expect(await s.billing.balance('acme', NOW)).toMatchObject({ balance_usd: 0.999992, spend_usd: 0.000008, free_tokens_remaining: 0 });
      expect((await s.usage.logs({ account: 'acme' })).data).toMatchObject([{ request_id: 'paid', cost_usd: 0.000008 }]);
    });

    it('uses free tokens first each month, then the price of the kind', async () => {
      const a = await s.billing.charge('default', 9_999_900, 'standard', { now: NOW });
      expect(a).toMatchObject({ free_tokens: 9_999_900, paid_tokens: 0, cost_micros: 0 });
      const b = await s.billing.charge('default', 1_000_100, 'standard', { now: NOW });
      expect(b).toMatchObject({ free_tokens: 100, paid_tokens: 1_000_000, cost_micros: 200_000 });
      const c = await s.billing.charge('default', 1_000_000, 'batch', { now: NOW });
      expect(c.cost_micros).toBe(80_000);
      expect(await s.billing.balance('default', NOW)).toMatchObject({ balance_usd: -0.28, spend_usd: 0.28, free_tokens_remaining: 0 });
      const nextMonth = await s.billing.charge('default', 500, 'fast', { now: Date.UTC(2030, 1, 1) });
      expect(nextMonth).toMatchObject({ free_tokens: 500, cost_micros: 0 });
      expect(await s.billing.balance('default', Date.UTC(2030, 1, 2))).toMatchObject({ free_tokens_used: 500, spend_usd: 0, balance_usd: -0.28 });
    });

    it('refuses nothing when not enforced, whatever the balance and limit', async () => {
      await s.billing.setSpendLimit('default', 0);
      await s.billing.charge('default', 20_000_000, 'fast', { now: NOW });
      const auth = await s.billing.authorize('default', 5_000_000, 'fast', { now: NOW });
      expect(auth).toEqual({ estimated_cost_usd: 3, free_tokens_remaining: 0, balance_usd: -6 });
      await expect(s.billing.authorize('default', 5_000_000, 'fast', { now: NOW, enforce: false })).resolves.toBeDefined();
    });

    it('is INSUFFICIENT_BALANCE when enforced and balance plus free tokens cannot cover', async () => {
      await s.billing.charge('default', 10_000_000, 'standard', { now: NOW });
      await expect(s.billing.authorize('default', 0, 'standard', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0 });
      await expectError(s.billing.authorize('default', 1_000_000, 'standard', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
      await s.billing.credit('default', 0.2, { now: NOW });
      await expect(s.billing.authorize('default', 1_000_000, 'standard', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0.2 });
      await expectError(s.billing.authorize('default', 1_000_010, 'standard', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
    });

    it('covers a request from free tokens without any balance', async () => {
      await expect(s.billing.authorize('default', 10_000_000, 'fast', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0, free_tokens_remaining: 10_000_000 });
      await expectError(s.billing.authorize('default', 10_000_001, 'fast', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
    });

    it('is SPENDING_LIMIT_REACHED when enforced and the month’s spend would pass the limit', async () => {
      await s.billing.credit('default', 100, { now: NOW });
      expect((await s.billing.setSpendLimit('default', 0.5)).spend_limit_usd).toBe(0.5);
      await s.billing.charge('default', 12_000_000, 'standard', { now: NOW }); // 0.40 USD paid
      await expect(s.billing.authorize('default', 500_000, 'standard', { now: NOW, enforce: true })).resolves.toBeDefined();
      await expectError(s.billing.authorize('default', 500_001 + 10, 'standard', { now: NOW, enforce: true }), 'SPENDING_LIMIT_REACHED');
      await s.billing.setSpendLimit('default', null);
      await expect(s.billing.authorize('default', 500_011, 'standard', { now: NOW, enforce: true })).resolves.toBeDefined();
      // A new month starts from zero spend.
      await s.billing.setSpendLimit('default', 0.5);
      await expect(s.billing.authorize('default', 12_000_000, 'standard', { now: Date.UTC(2030, 1, 1), enforce: true })).resolves.toBeDefined();
      await expectError(s.billing.authorize('default', 20_000_000, 'standard', { now: Date.UTC(2030, 1, 1), enforce: true }), 'SPENDING_LIMIT_REACHED');
    });

    it('writes a charge and its usage row together, with the same cost', async () => {
      await s.billing.charge('default', 10_000_000, 'standard', { now: NOW });
      const c = await s.billing.charge('default', 1000, 'fast', { now: NOW, usage: row({ request_id: 'req1', created_at: NOW, tokens: 1000, cost_micros: 999_999 }) });
      expect(c.cost_micros).toBe(600);
      const log = (await s.usage.logs({ request_id: 'req1' })).data[0];
      expect(log.cost_usd).toBe(0.0006);
      const usage = await s.usage.usage({ now: NOW });
      expect(usage.totals.cost_usd).toBe((await s.billing.balance('default', NOW)).spend_usd);
    });

    it('keeps accounts’ balances and free tokens apart', async () => {
      await s.billing.credit('acme', 5, { now: NOW });
      await s.billing.charge('acme', 1000, 'standard', { now: NOW });
      expect(await s.billing.balance('default', NOW)).toMatchObject({ balance_usd: 0, free_tokens_used: 0 });
      expect(await s.billing.balance('acme', NOW)).toMatchObject({ balance_usd: 5, free_tokens_used: 1000 });
    });

    it('rejects bad amounts, token counts and kinds with VALIDATION_ERROR', async () => {
      await expectError(s.billing.credit('default', -1), 'VALIDATION_ERROR', 'usd');
      await expectError(s.billing.credit('default', 0), 'VALIDATION_ERROR', 'usd');
      await expectError(s.billing.credit('default', Number.NaN), 'VALIDATION_ERROR', 'usd');
      await expectError(s.billing.setSpendLimit('default', -5), 'VALIDATION_ERROR', 'spend_limit_usd');
      await expectError(s.billing.charge('default', 1.5, 'standard'), 'VALIDATION_ERROR', 'tokens');
      await expectError(s.billing.charge('default', 10, 'slow' as never), 'VALIDATION_ERROR', 'kind');
      await expectError(s.billing.authorize('default', -1, 'standard'), 'VALIDATION_ERROR', 'estimated_tokens');
      await expectError(s.billing.charge('default', 10, 'standard', { usage: row({ request_id: '' }) }), 'VALIDATION_ERROR', 'request_id');
      expect((await s.billing.balance('default')).free_tokens_used).toBe(0);
    });
  });

  it('cost() prices paid tokens in integer micro-dollars', () => {
    expect(cost(1_000_000, 'standard')).toBe(200_000);
    expect(cost(1_000_000, 'fast')).toBe(600_000);
    expect(cost(1_000_000, 'batch')).toBe(80_000);
  });
}
