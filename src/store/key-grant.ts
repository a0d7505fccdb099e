/**
 * A key can only hand on what it holds: keys created with an `issuer` (the HTTP adapter's
 * calling key) are capped by its grant, shared by every store backend. Without an issuer
 * (in-process calls, the CLI, `labelwise serve`'s admin key) nothing is capped.
 */
import { grantExceedsIssuer, revokeDenied } from '../errors.js';
import { SCOPES as ALL_SCOPES } from '../vocabulary.js';
import type { KeyGrant, Scope, Tier } from './types.js';

const TIER_RANK: Readonly<Record<Tier, number>> = Object.freeze({ public: 0, developer: 1, production: 2 });

/** A checked key creation request with every default applied (what `capToIssuer` caps). */
export interface NormalizedKeyInput {
  name: string | null;
  scopes: Scope[];
  tier: Tier;
  expires_at: number | null;
  log_inputs: boolean;
  log_retention_days: number;
}

/** What the caller gave explicitly (defaults are derived from the issuer instead). */
export interface GivenKeyFields {
  scopes: boolean;
  tier: boolean;
  expires_at: boolean;
  log_retention_days: boolean;
}

const denied = grantExceedsIssuer;

/**
 * Applies `issuer`'s caps to a checked key input: omitted fields default to the issuer's value
 * where the usual default would exceed it; explicit values beyond it are PERMISSION_DENIED.
 *
 * Each cap is an escalation if left open: a higher tier raises the rate limits; an extra scope
 * opens routes; turning on input logging or a longer retention stores (and keeps) callers'
 * texts the issuer itself may not store; a later or no expiry outlives the issuer's deadline.
 */
export function capToIssuer(v: NormalizedKeyInput, given: GivenKeyFields, issuer: KeyGrant): NormalizedKeyInput {
  const out = { ...v };
  if (!given.tier && TIER_RANK[out.tier] > TIER_RANK[issuer.tier]) out.tier = issuer.tier;
  if (TIER_RANK[out.tier] > TIER_RANK[issuer.tier]) {
    const allowed = (Object.keys(TIER_RANK) as Tier[]).filter((t) => TIER_RANK[t] <= TIER_RANK[issuer.tier]);
    throw denied('tier', `a ${issuer.tier}-tier key cannot create a ${out.tier}-tier key`, out.tier, allowed);
  }
  if (!given.scopes) out.scopes = out.scopes.filter((s) => issuer.scopes.includes(s));
  const extra = out.scopes.filter((s) => !issuer.scopes.includes(s));
  if (extra.length > 0) throw denied('scopes', `this key cannot grant scopes it lacks: ${extra.join(', ')}`, out.scopes, issuer.scopes);
  if (issuer.expires_at !== null) {
    const limit = Date.parse(issuer.expires_at);
    if (!given.expires_at) out.expires_at = limit;
    if (out.expires_at === null || out.expires_at > limit) {
      throw denied('expires_at', `this key expires ${issuer.expires_at}; a key it creates must expire no later`, out.expires_at === null ? null : new Date(out.expires_at).toISOString(), issuer.expires_at);
    }
  }
  // The top grant (production, every scope, no expiry: what `labelwise serve` makes as the
  // admin key) may set input logging freely: it can already make a key equal to itself, and
  // no lower key can reach it. Below it, logging settings are capped like the rest.
  if (isTopGrant(issuer)) return out;
  if (out.log_inputs && !issuer.log_inputs) throw denied('log_inputs', 'this key does not log inputs, so it cannot create a key that does', true, false);
  if (!given.log_retention_days) out.log_retention_days = Math.min(out.log_retention_days, issuer.log_retention_days);
  if (out.log_retention_days > issuer.log_retention_days) {
    throw denied('log_retention_days', `log_retention_days cannot exceed this key's ${issuer.log_retention_days}`, out.log_retention_days, issuer.log_retention_days);
  }
  return out;
}

/** Production, every scope, never expires: nothing is above it. */
function isTopGrant(g: KeyGrant): boolean {
  return g.tier === 'production' && g.expires_at === null && ALL_SCOPES.every((s) => g.scopes.includes(s));
}

/** PERMISSION_DENIED unless `issuer` could have created `target` (a lower key cannot revoke a stronger one). */
export function assertCanRevoke(target: { tier: Tier; scopes: string[] }, issuer: KeyGrant): void {
  if (TIER_RANK[target.tier] > TIER_RANK[issuer.tier]) {
    throw revokeDenied('tier', `a ${issuer.tier}-tier key cannot revoke a ${target.tier}-tier key`);
  }
  if (target.scopes.some((s) => !issuer.scopes.includes(s as KeyGrant['scopes'][number]))) {
    throw revokeDenied('scopes', 'this key cannot revoke a key with scopes it lacks');
  }
}
