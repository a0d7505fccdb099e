/**
 * The store interfaces (spec §1.1, §6, §9, §10). Callers depend on these only, so another
 * backend (e.g. a shared PostgreSQL) can implement them without touching callers; every
 * implementation runs the contract suite in `test/store/contract/` (entry `test/store/contract.ts`).
 *
 * Payloads keep the wire's snake_case (spec: "the library and the wire use the same field
 * names"); methods are camelCase. Every method is async except `UsageRecorder.record`, which
 * only buffers. Each store's payloads and interface live in its own `*-store.ts`.
 */
export type * from './billing-store.js';
export type * from './classifier-store.js';
export type * from './common.js';
export type * from './job-store.js';
export type * from './key-store.js';
export type * from './stores.js';
export type * from './usage-store.js';
