// Money is integer micro-dollars (spec §9): every amount a caller gives is read exactly from
// its decimal form, finer-than-a-micro-dollar and out-of-range amounts are refused by name.
import { describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/index.js';
import { MAX_USD, parseUsdMicros } from '../../src/store/pricing.js';
import { expectError } from './helpers.js';
import { expectOptionError } from '../support/options.js';

describe('parseUsdMicros', () => {
  it('reads decimal strings exactly, without floating-point arithmetic', () => {
    expect(parseUsdMicros('20', 'usd')).toBe(20_000_000);
    expect(parseUsdMicros('0.000001', 'usd')).toBe(1);
    expect(parseUsdMicros('999999999.999999', 'usd')).toBe(999_999_999_999_999);
    expect(parseUsdMicros(' 1.10 ', 'usd')).toBe(1_100_000);
    expect(parseUsdMicros('.5', 'usd')).toBe(500_000);
    expect(parseUsdMicros('1e3', 'usd')).toBe(1_000_000_000);
    expect(parseUsdMicros('1e-6', 'usd')).toBe(1);
    expect(parseUsdMicros('0.25E1', 'usd')).toBe(2_500_000);
  });

  it('reads numbers through their shortest decimal form', () => {
    expect(parseUsdMicros(0.1, 'usd') + parseUsdMicros(0.2, 'usd')).toBe(parseUsdMicros(0.3, 'usd'));
    expect(parseUsdMicros(1e-6, 'usd')).toBe(1);
    expect(parseUsdMicros(12.5, 'usd')).toBe(12_500_000);
  });

  it('refuses sub-micro-dollar precision instead of rounding it away', () => {
    for (const v of ['0.0000001', 0.0000001, '1.0000005', '1.5e-6'] as const) {
      expect(() => parseUsdMicros(v, 'usd')).toThrow(/more than 6 decimal places/);
    }
    expect(parseUsdMicros('1.000000000', 'usd')).toBe(1_000_000); // trailing zeros are not precision
  });

  it('refuses out-of-range, negative, zero (when positive) and non-numeric amounts, naming the field', () => {
    const bad: [unknown, RegExp][] = [
      ['1e13', /at most 1000000000 USD/],
      [1e13, /at most/],
      ['9007199254.740993', /at most/],
      ['1e9999', /at most/],
      ['-1', /positive/],
      [0, /positive/],
      ['0', /positive/],
      ['abc', /amount of USD/],
      ['', /amount of USD/],
      ['1,5', /amount of USD/],
      [Number.NaN, /amount of USD/],
      [Infinity, /amount of USD/],
      ['0x10', /amount of USD/],
      ['9'.repeat(101), /amount of USD/],
    ];
    for (const [v, message] of bad) {
      let thrown: any;
      try {
        parseUsdMicros(v, 'usd', { positive: true });
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(v)).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'usd' } });
      expect(thrown.message).toMatch(message);
    }
    expect(parseUsdMicros(MAX_USD, 'usd')).toBe(MAX_USD * 1_000_000);
    expect(parseUsdMicros('-0', 'limit')).toBe(0);
  });
});

describe('billing store amounts', () => {
  it('credit refuses sub-micro and out-of-range top-ups with VALIDATION_ERROR, never INTERNAL_ERROR', async () => {
    const s = await openStores();
    try {
      await expectError(s.billing.credit('default', 1e13), 'VALIDATION_ERROR', 'usd');
      await expectError(s.billing.credit('default', 0.0000001), 'VALIDATION_ERROR', 'usd');
      await expectError(s.billing.credit('default', 9007199254.740993), 'VALIDATION_ERROR', 'usd');
      expect((await s.billing.balance()).balance_usd).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('keeps every micro-dollar of large balances and refuses a balance above the maximum', async () => {
    const s = await openStores();
    try {
      await s.billing.credit('default', 999_999_999.999998);
      expect((await s.billing.credit('default', 0.000001)).balance_usd).toBe(999_999_999.999999);
      await expectError(s.billing.credit('default', 0.000002), 'VALIDATION_ERROR', 'usd');
      expect((await s.billing.balance()).balance_usd).toBe(999_999_999.999999);
    } finally {
      await s.close();
    }
  });

  it('spend limits and prices follow the same rules', async () => {
    const s = await openStores();
    try {
      expect((await s.billing.setSpendLimit('default', 0.000001)).spend_limit_usd).toBe(0.000001);
      await expectError(s.billing.setSpendLimit('default', 0.0000001), 'VALIDATION_ERROR', 'spend_limit_usd');
      await expectError(s.billing.setSpendLimit('default', 1e13), 'VALIDATION_ERROR', 'spend_limit_usd');
    } finally {
      await s.close();
    }
    await expectOptionError(openStores({ prices: { standard: 0.0000001 } }), 'prices.standard', /more than 6 decimal places/);
    await expectOptionError(openStores({ prices: { batch: 1e13 } }), 'prices.batch', /at most 1000000000 USD/);
  });
});
