/**
 * Every error labelwise can report: one table of codes (spec §1.2), one error class, and a
 * factory per situation that fixes code, message and `details.reason`. The HTTP adapter and
 * the library share all of it, so an in-process caller sees the same `status`, `code`,
 * `message` and `details` as an HTTP client.
 *
 * Errors are built only by the factories (checked by test/errors-factories.test.ts).
 */
export * from './errors/table.js';
export * from './errors/error.js';
export * from './errors/reasons.js';
export * from './errors/factories/accounts.js';
export * from './errors/factories/documents.js';
export * from './errors/factories/jobs.js';
export * from './errors/factories/lifecycle.js';
export * from './errors/factories/models.js';
export * from './errors/factories/request.js';
