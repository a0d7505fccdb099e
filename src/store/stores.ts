/** The bundle of every store over one database. */
import type { BillingStore } from './billing-store.js';
import type { ClassifierStore } from './classifier-store.js';
import type { JobStore } from './job-store.js';
import type { KeyStore } from './key-store.js';
import type { UsageStore } from './usage-store.js';

/** Every store, over one database. */
export interface Stores {
  readonly keys: KeyStore;
  readonly classifiers: ClassifierStore;
  readonly usage: UsageStore;
  readonly billing: BillingStore;
  readonly jobs: JobStore;
  /** Writes every buffered usage row and charge. */
  flush(): Promise<void>;
  /** Stops timers, flushes, then closes the database. Idempotent. */
  close(): Promise<void>;
}
