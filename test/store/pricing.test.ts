// Prices and the integer micro-dollar arithmetic (spec §9).
import { describe, expect, it } from 'vitest';
import { cost, DEFAULT_PRICES, microsToUsd, openStores, usdToMicros } from '../../src/store/index.js';
import { expectError } from './helpers.js';
import { expectOptionError } from '../support/options.js';

describe('pricing', () => {
  it('defaults to 0.20 / 0.60 / 0.08 USD per 1M tokens', () => {
    expect(DEFAULT_PRICES).toEqual({ standard: 0.2, fast: 0.6, batch: 0.08 });
    expect([cost(1_000_000, 'standard'), cost(1_000_000, 'fast'), cost(1_000_000, 'batch')]).toEqual([200_000, 600_000, 80_000]);
  });

  it('rounds each charge half up to a whole micro-dollar', () => {
    expect(cost(0, 'fast')).toBe(0);
    expect(cost(1, 'batch')).toBe(0); // 0.08
    expect(cost(7, 'batch')).toBe(1); // 0.56
    expect(cost(14, 'fast')).toBe(8); // 8.4
    expect(cost(5, 'standard')).toBe(1); // 1.0
    expect(cost(25, 'batch')).toBe(2); // 2.0
    expect(cost(1_000_000_000, 'fast')).toBe(600_000_000);
  });

  it('stays exact on integers where floating-point dollars drift', () => {
    expect(usdToMicros(0.1) + usdToMicros(0.2)).toBe(usdToMicros(0.3));
    expect(microsToUsd(Array.from({ length: 10 }, () => usdToMicros(0.1)).reduce((a, b) => a + b))).toBe(1);
  });

  it('takes custom prices and free allowance from the options', async () => {
    const s = await openStores({ prices: { fast: 1 }, freeTokensMonthly: 100 });
    const c = await s.billing.charge('default', 1_000_100, 'fast');
    expect(c).toMatchObject({ free_tokens: 100, paid_tokens: 1_000_000, cost_micros: 1_000_000 });
    expect((await s.billing.balance()).free_tokens_monthly).toBe(100);
    await s.close();
    await expectOptionError(openStores({ prices: { fast: -1 } }), 'prices.fast', /non-negative amount of USD/);
  });

  it('names the account field when an account id is invalid', async () => {
    const s = await openStores();
    await expectError(s.keys.list({ account: '' }), 'VALIDATION_ERROR', 'account');
    await expectError(s.billing.balance('x'.repeat(201)), 'VALIDATION_ERROR', 'account');
    await s.close();
  });
});
