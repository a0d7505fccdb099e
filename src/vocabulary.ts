/**
 * The words labelwise speaks, each defined once: the const arrays are the source of truth,
 * the types are derived from them. A leaf module — it imports nothing, so every folder
 * (schema, stores, HTTP, engine, CLI) can depend on it without a cycle.
 */

/** Rate-limit and cache tiers of a key (spec §9, §11). */
export const TIERS = Object.freeze(['public', 'developer', 'production'] as const);
/** A rate-limit tier (spec §11); also how long answers stay cached (spec §9). */
export type Tier = (typeof TIERS)[number];

/** Key scopes (spec §1.1). */
export const SCOPES = Object.freeze(['classify', 'batch', 'manage'] as const);
/** A key scope (spec §1.1). */
export type Scope = (typeof SCOPES)[number];

/** Request priorities (spec §2). */
export const PRIORITIES = Object.freeze(['standard', 'fast'] as const);
/** `fast` skips micro-batching and is billed at the fast price. */
export type Priority = (typeof PRIORITIES)[number];

/**
 * Inference lanes. `realtime` serves requests; `batch` serves async jobs on workers of the lowest
 * CPU priority, so a running job takes only the CPU that real-time requests leave idle.
 */
export const LANES = Object.freeze(['realtime', 'batch'] as const);
/** Which inference lane an embed call runs in (see `LANES`). */
export type Lane = (typeof LANES)[number];

/** What a charge is priced as (spec §9): the two priorities plus batch jobs. */
export const PRICE_KINDS = Object.freeze([...PRIORITIES, 'batch'] as const);
/** What a charge is priced as (spec §9). */
export type PriceKind = (typeof PRICE_KINDS)[number];

/** How `UsageStore.usage` groups rows (`group_by`, spec §10). */
export const USAGE_GROUPS = Object.freeze(['day', 'hour', 'month', 'endpoint', 'key', 'priority'] as const);
/** How `UsageStore.usage` groups rows. */
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

/** When a call's usage row and charge reach the database (see `EngineOptions.durability`). */
export const DURABILITY_MODES = Object.freeze(['buffered', 'durable'] as const);
/** See `EngineOptions.durability`. */
export type Durability = (typeof DURABILITY_MODES)[number];

/** The two scoring endpoints. */
export const ENDPOINT_KINDS = Object.freeze(['classify', 'tag'] as const);
/** `classify` picks one label, `tag` scores each independently. */
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

// Literal patterns (not built from a shared string) so the ReDoS check of `npm test` can read
// them; test/vocabulary.test.ts keeps the reference's name part equal to CLASSIFIER_NAME.

/** A saved classifier's name (spec §6): `support`, `billing-v2`. */
export const CLASSIFIER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * A reference to a saved classifier: `name` (latest) or `name@vN` (pinned). Group 1 is the
 * name, group 2 the version digits when pinned.
 */
export const CLASSIFIER_REF = /^([a-z0-9][a-z0-9_-]{0,63})(?:@v([1-9][0-9]*))?$/;
