/**
 * The `ledger` and `billing_periods` tables and the balance on `accounts` (spec §9).
 *
 * Charges are write-behind like usage rows (or durable, group-committed, with `durable: true`):
 * `charge()` prices the tokens at once (free tokens first) and buffers a ledger entry, with the request's usage row when given, so both land in
 * the same transaction. Each flush also adds the charges to the account's balance and to its
 * monthly `billing_periods` sums, so `balance()` and `authorize()` read one row each instead
 * of summing the ledger. Buffered charges are added from memory, so this process never
 * double-spends free tokens or balance; another process sees them once flushed (≤ 250 ms).
 */
import type Database from 'better-sqlite3';
import { insufficientBalance, spendingLimitReached, validationError } from '../../errors.js';
import { cost, MAX_MICROS, MAX_USD, microsToUsd, usdToMicros } from '../pricing.js';
import { iso, monthStart, nextMonthStart, periodKey, toMsOr } from '../time.js';
import type { Authorization, Balance, BillingStore, Charge, ChargeOptions, PriceKind, Prices, TimeInput } from '../types.js';
import { accountOf, checkTokens, checkUsd, normalizeUsageRow } from '../validate.js';
import { PRICE_KINDS } from '../../vocabulary.js';
import { Accounts, type Db } from './database.js';
import type { BufferedEntry, ChargeRecord, WriteBuffer } from './write-buffer.js';

export interface BillingOptions {
  prices: Prices;
  freeTokensMonthly: number;
}

interface Sums {
  tokens: number;
  free_tokens_used: number;
  spend_micros: number;
}

/** What the account has, committed plus buffered. */
interface State extends Sums {
  balance_micros: number;
  spend_limit_micros: number | null;
}

const KINDS: readonly PriceKind[] = PRICE_KINDS;
const periodId = (account: string, period: string) => `${account}\u0000${period}`;

export class SqliteBillingStore implements BillingStore {
  readonly #buffer: WriteBuffer;
  readonly #options: BillingOptions;
  readonly #accounts: Accounts;
  readonly #account: Database.Statement<[string], { balance_micros: number; spend_limit_micros: number | null }>;
  readonly #period: Database.Statement<[string, string], Sums>;
  readonly #insertLedger: Database.Statement;
  readonly #addBalance: Database.Statement<[number, string]>;
  readonly #addPeriod: Database.Statement;
  readonly #setLimit: Database.Statement<[number | null, string]>;
  readonly #credit: (account: string, micros: number, now: number) => void;
  /** Buffered (not yet committed) charges, per account and per account+period. */
  readonly #pendingBalance = new Map<string, number>();
  readonly #pendingPeriod = new Map<string, Sums>();

  constructor(db: Db, buffer: WriteBuffer, options: BillingOptions) {
    this.#buffer = buffer;
    this.#options = options;
    this.#accounts = new Accounts(db);
    this.#account = db.prepare('SELECT balance_micros, spend_limit_micros FROM accounts WHERE id = ?');
    this.#period = db.prepare('SELECT tokens, free_tokens_used, spend_micros FROM billing_periods WHERE account = ? AND period = ?');
    this.#insertLedger = db.prepare(`
      INSERT INTO ledger (account, type, amount_micros, kind, tokens, free_tokens, request_id, created_at)
      VALUES (@account, @type, @amount_micros, @kind, @tokens, @free_tokens, @request_id, @created_at)`);
    this.#addBalance = db.prepare('UPDATE accounts SET balance_micros = balance_micros + ? WHERE id = ?');
    this.#addPeriod = db.prepare(`
      INSERT INTO billing_periods (account, period, tokens, free_tokens_used, spend_micros)
      VALUES (@account, @period, @tokens, @free_tokens_used, @spend_micros)
      ON CONFLICT (account, period) DO UPDATE SET tokens = tokens + excluded.tokens,
        free_tokens_used = free_tokens_used + excluded.free_tokens_used, spend_micros = spend_micros + excluded.spend_micros`);
    this.#setLimit = db.prepare('UPDATE accounts SET spend_limit_micros = ? WHERE id = ?');
    this.#credit = db
      .transaction((account: string, micros: number, now: number) => {
        this.#accounts.ensure(account, now);
        // Checked inside the transaction so two concurrent top-ups cannot jointly overflow it.
        if ((this.#account.get(account)?.balance_micros ?? 0) + micros > MAX_MICROS) {
          throw validationError('usd', `usd would take the balance over ${MAX_USD} USD`);
        }
        this.#insertLedger.run({ account, type: 'credit', amount_micros: micros, kind: null, tokens: 0, free_tokens: 0, request_id: null, created_at: now });
        this.#addBalance.run(micros, account);
      })
      .immediate;
  }

  async credit(account: string, usd: number, options?: { now?: TimeInput }): Promise<Balance> {
    const id = accountOf(account);
    const micros = usdToMicros(checkUsd(usd, 'usd', { positive: true }));
    const now = toMsOr(options?.now, 'now', Date.now());
    this.#credit(id, micros, now);
    return this.balance(id, now);
  }

  async balance(account?: string, now?: TimeInput): Promise<Balance> {
    const id = accountOf(account);
    const at = toMsOr(now, 'now', Date.now());
    const s = this.#state(id, at);
    const free = this.#options.freeTokensMonthly;
    return {
      balance_usd: microsToUsd(s.balance_micros),
      currency: 'usd',
      free_tokens_monthly: free,
      free_tokens_used: s.free_tokens_used,
      free_tokens_remaining: Math.max(0, free - s.free_tokens_used),
      period_start: iso(monthStart(at)),
      period_end: iso(nextMonthStart(at)),
      spend_usd: microsToUsd(s.spend_micros),
      spend_limit_usd: s.spend_limit_micros === null ? null : microsToUsd(s.spend_limit_micros),
    };
  }

  async setSpendLimit(account: string, usd: number | null): Promise<Balance> {
    const id = accountOf(account);
    const micros = usd === null ? null : usdToMicros(checkUsd(usd, 'spend_limit_usd'));
    this.#accounts.ensure(id, Date.now());
    this.#setLimit.run(micros, id);
    return this.balance(id);
  }

  async authorize(
    account: string,
    estimatedTokens: number,
    kind: PriceKind,
    options?: { enforce?: boolean; now?: TimeInput },
  ): Promise<Authorization> {
    const id = accountOf(account);
    const tokens = checkTokens(estimatedTokens, 'estimated_tokens');
    checkKind(kind);
    const s = this.#state(id, toMsOr(options?.now, 'now', Date.now()));
    const freeRemaining = Math.max(0, this.#options.freeTokensMonthly - s.free_tokens_used);
    const estimated = cost(Math.max(0, tokens - freeRemaining), kind, this.#options.prices);
    if (options?.enforce) {
      if (s.spend_limit_micros !== null && s.spend_micros + estimated > s.spend_limit_micros) {
        throw spendingLimitReached(microsToUsd(s.spend_micros), microsToUsd(s.spend_limit_micros));
      }
      if (estimated > 0 && estimated > s.balance_micros) {
        throw insufficientBalance(microsToUsd(s.balance_micros), microsToUsd(estimated));
      }
    }
    return { estimated_cost_usd: microsToUsd(estimated), free_tokens_remaining: freeRemaining, balance_usd: microsToUsd(s.balance_micros) };
  }

  async charge(account: string, tokens: number, kind: PriceKind, options: ChargeOptions = {}): Promise<Charge> {
    const id = accountOf(account);
    checkTokens(tokens, 'tokens');
    checkKind(kind);
    const now = toMsOr(options.now, 'now', Date.now());
    const s = this.#state(id, now);
    const free = Math.min(tokens, Math.max(0, this.#options.freeTokensMonthly - s.free_tokens_used));
    const micros = cost(tokens - free, kind, this.#options.prices);
    // Checked before anything is buffered, so a bad row leaves no charge behind.
    const usage = options.usage === undefined ? undefined : normalizeUsageRow({ ...options.usage, account: id, cost_micros: micros }, now);
    const record: ChargeRecord = {
      account: id,
      kind,
      tokens,
      free_tokens: free,
      amount_micros: micros,
      request_id: options.request_id ?? usage?.request_id ?? null,
      created_at: now,
      period: periodKey(now),
    };
    // Pending first: a push that fills the buffer flushes at once and subtracts it again.
    this.#addPending(record, 1);
    const entry: BufferedEntry = usage ? { usage, charge: record } : { charge: record };
    try {
      if (options.durable) await this.#buffer.commit(entry); // a failed commit subtracts it via settled()
      else this.#buffer.push(entry);
    } catch (err) {
      if (!options.durable) this.#addPending(record, -1);
      throw err;
    }
    return { account: id, kind, tokens, free_tokens: free, paid_tokens: tokens - free, cost_micros: micros, cost_usd: microsToUsd(micros) };
  }

  /**
   * Prices a charge that the caller writes itself, at once, inside its own transaction (with
   * {@link writeCharges}): a batch job's chunk, committed together with its checkpoint.
   */
  priceCharge(account: string, tokens: number, kind: PriceKind, now: number, requestId: string): ChargeRecord {
    checkTokens(tokens, 'tokens');
    checkKind(kind);
    const s = this.#state(account, now);
    const free = Math.min(tokens, Math.max(0, this.#options.freeTokensMonthly - s.free_tokens_used));
    const micros = cost(tokens - free, kind, this.#options.prices);
    return { account, kind, tokens, free_tokens: free, amount_micros: micros, request_id: requestId, created_at: now, period: periodKey(now) };
  }

  /** Writes charges inside the flush transaction: ledger rows, then one update per sum. */
  writeCharges(charges: ChargeRecord[]): void {
    const balances = new Map<string, number>();
    const periods = new Map<string, Sums & { account: string; period: string }>();
    for (const c of charges) {
      const { period: _period, ...row } = c;
      this.#insertLedger.run({ ...row, type: 'charge' });
      balances.set(c.account, (balances.get(c.account) ?? 0) + c.amount_micros);
      const key = periodId(c.account, c.period);
      const p = periods.get(key) ?? { account: c.account, period: c.period, tokens: 0, free_tokens_used: 0, spend_micros: 0 };
      p.tokens += c.tokens;
      p.free_tokens_used += c.free_tokens;
      p.spend_micros += c.amount_micros;
      periods.set(key, p);
    }
    for (const [account, micros] of balances) if (micros !== 0) this.#addBalance.run(-micros, account);
    for (const p of periods.values()) this.#addPeriod.run(p);
  }

  /** After a flush committed (charges now in the tables) or dropped durable entries: no longer pending. */
  settled(entries: BufferedEntry[]): void {
    for (const e of entries) if (e.charge) this.#addPending(e.charge, -1);
  }

  #addPending(c: ChargeRecord, sign: 1 | -1): void {
    const balance = (this.#pendingBalance.get(c.account) ?? 0) - sign * c.amount_micros;
    if (balance === 0) this.#pendingBalance.delete(c.account);
    else this.#pendingBalance.set(c.account, balance);
    const key = periodId(c.account, c.period);
    const p = this.#pendingPeriod.get(key) ?? { tokens: 0, free_tokens_used: 0, spend_micros: 0 };
    p.tokens += sign * c.tokens;
    p.free_tokens_used += sign * c.free_tokens;
    p.spend_micros += sign * c.amount_micros;
    if (p.tokens === 0 && p.free_tokens_used === 0 && p.spend_micros === 0) this.#pendingPeriod.delete(key);
    else this.#pendingPeriod.set(key, p);
  }

  #state(account: string, now: number): State {
    const period = periodKey(now);
    const a = this.#account.get(account);
    const p = this.#period.get(account, period);
    const pending = this.#pendingPeriod.get(periodId(account, period));
    return {
      balance_micros: (a?.balance_micros ?? 0) + (this.#pendingBalance.get(account) ?? 0),
      spend_limit_micros: a?.spend_limit_micros ?? null,
      tokens: (p?.tokens ?? 0) + (pending?.tokens ?? 0),
      free_tokens_used: (p?.free_tokens_used ?? 0) + (pending?.free_tokens_used ?? 0),
      spend_micros: (p?.spend_micros ?? 0) + (pending?.spend_micros ?? 0),
    };
  }
}

function checkKind(kind: PriceKind): void {
  if (!KINDS.includes(kind)) throw validationError('kind', 'kind must be standard, fast or batch');
}
