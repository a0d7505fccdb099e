/** `openStores`: every store over one SQLite file, sharing one write buffer (write-behind and group commit). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { storesClosed } from '../../errors.js';
import { resolveStoresOptions, type OpenStoresOptions, type ResolvedStoresOptions } from '../options.js';
import type { Stores } from '../types.js';
import type { UsageRecord } from '../validate.js';
import { SqliteBillingStore } from './billing.js';
import { SqliteClassifierStore } from './classifiers.js';
import { Accounts, openDatabase, type Db } from './database.js';
import { SqliteJobStore } from './jobs.js';
import { SqliteKeyStore } from './keys.js';
import { SqliteUsageStore, usageWriter } from './usage.js';
import { WriteBuffer, type BufferedEntry, type ChargeRecord } from './write-buffer.js';

/**
 * A store whose methods fail with OVERLOADED once the database is closed, instead of
 * better-sqlite3's TypeError (a request racing a shutdown gets a retryable 503, not a 500).
 */
function guarded<T extends object>(target: T, isClosed: () => boolean): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (isClosed()) {
          const err = storesClosed();
          // Keep the sync/async shape of the method: async store methods reject, sync ones throw.
          if (value.constructor.name === 'AsyncFunction') return Promise.reject(err);
          throw err;
        }
        return value.apply(t, args);
      };
    },
  });
}

class SqliteStores implements Stores {
  readonly keys: SqliteKeyStore;
  readonly classifiers: SqliteClassifierStore;
  readonly usage: SqliteUsageStore;
  readonly billing: SqliteBillingStore;
  readonly jobs: SqliteJobStore;
  readonly #db: Db;
  readonly #buffer: WriteBuffer;
  readonly #purgeTimer: NodeJS.Timeout;
  #closed = false;

  constructor(db: Db, o: ResolvedStoresOptions) {
    this.#db = db;
    const accounts = new Accounts(db);
    const writeUsage = usageWriter(db);
    const write = db.transaction((entries: BufferedEntry[]) => {
      const now = Date.now();
      const rows: UsageRecord[] = [];
      const charges: ChargeRecord[] = [];
      const seen = new Set<string>();
      for (const e of entries) {
        for (const r of [e.usage, e.charge]) {
          if (r && !seen.has(r.account)) {
            seen.add(r.account);
            accounts.ensure(r.account, now);
          }
        }
        if (e.usage) rows.push(e.usage);
        if (e.charge) charges.push(e.charge);
      }
      if (rows.length > 0) writeUsage(rows);
      if (charges.length > 0) this.billing.writeCharges(charges);
    });
    this.#buffer = new WriteBuffer({
      intervalMs: o.flushIntervalMs,
      maxRows: o.flushMaxRows,
      write: write.immediate,
      committed: (entries) => this.billing.settled(entries),
      dropped: (entries) => this.billing.settled(entries),
    });
    const isClosed = () => this.#closed;
    this.keys = guarded(new SqliteKeyStore(db), isClosed);
    this.classifiers = guarded(new SqliteClassifierStore(db), isClosed);
    this.usage = guarded(new SqliteUsageStore(db, this.#buffer), isClosed);
    const billing = new SqliteBillingStore(db, this.#buffer, { prices: o.prices, freeTokensMonthly: o.freeTokensMonthly });
    this.billing = guarded(billing, isClosed);
    this.jobs = guarded(new SqliteJobStore(db, billing, writeUsage), isClosed);
    this.#purgeTimer = setInterval(() => {
      this.usage.purgeExpiredInputs().catch(() => {});
    }, o.purgeIntervalMs);
    this.#purgeTimer.unref();
  }

  async flush(): Promise<void> {
    this.#buffer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // If this throws, everything stays open and buffered, so close() can be retried.
    this.#buffer.close();
    this.#closed = true;
    clearInterval(this.#purgeTimer);
    this.#db.close();
  }
}

/**
 * Opens every store over `<dataDir>/labelwise.db` (or in memory): applies pending migrations,
 * creates the `default` account and purges logged inputs past retention (then hourly).
 * Call `close()` on shutdown: it writes the buffered usage rows and charges.
 *
 * @throws `INTERNAL_ERROR` if the file's schema is newer than this labelwise knows.
 * @example
 * ```ts
 * const stores = await openStores({ dataDir: './data' });
 * const { key } = await stores.keys.create({ name: 'ci' });
 * await stores.close();
 * ```
 */
export async function openStores(options: OpenStoresOptions = {}): Promise<Stores> {
  const o = resolveStoresOptions(options);
  let file = ':memory:';
  if (o.dataDir !== undefined && o.dataDir !== ':memory:') {
    mkdirSync(o.dataDir, { recursive: true });
    file = join(o.dataDir, 'labelwise.db');
  }
  const stores = new SqliteStores(openDatabase(file, { busyTimeoutMs: o.busyTimeoutMs }), o);
  await stores.usage.purgeExpiredInputs();
  return stores;
}
