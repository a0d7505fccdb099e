// What every Stores implementation must do, whatever database is behind it. Call
// `storeContract(name, make)` from a test file to register these tests for one backend; each
// test gets fresh stores from `make` and closes them afterwards. The tests themselves live in
// contract/<concern>.ts.
import { afterEach, beforeEach, describe } from 'vitest';
import type { Stores } from '../../src/store/index.js';
import { billingContract } from './contract/billing.js';
import { classifiersContract } from './contract/classifiers.js';
import { jobsContract } from './contract/jobs.js';
import { keysContract } from './contract/keys.js';
import { usageContract } from './contract/usage.js';

export function storeContract(name: string, make: () => Promise<Stores>): void {
  describe(`Stores contract: ${name}`, () => {
    let s: Stores;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.close();
    });

    keysContract(() => s);
    classifiersContract(() => s);
    usageContract(() => s);
    billingContract(() => s);
    jobsContract(() => s);
  });
}
