/** Errors of accounts: saved things that are not there, money, and what a key may do. */
import { echo, type LabelwiseError } from '../error.js';
import { make } from '../make.js';

/** 404: no saved classifier (or version) of that name in this account; the name is echoed bounded. */
export function classifierNotFound(ref: string): LabelwiseError {
  return make('classifier_not_found', `classifier "${echo(ref)}" not found`, { classifier: echo(ref) });
}

/** 404: no key of that id in this account. */
export function keyNotFound(id: string): LabelwiseError {
  return make('key_not_found', `API key "${echo(id)}" not found`, { key_id: echo(id) });
}

/** 402: balance plus free tokens cannot cover the request's estimated cost. */
export function insufficientBalance(balanceUsd: string | number, estimatedCostUsd: string | number): LabelwiseError {
  return make('insufficient_balance', undefined, { balance_usd: balanceUsd, estimated_cost_usd: estimatedCostUsd });
}

/** 402: the request would take this month's spend over the account's limit. */
export function spendingLimitReached(spendUsd: string | number, spendLimitUsd: string | number): LabelwiseError {
  return make('spending_limit_reached', undefined, { spend_usd: spendUsd, spend_limit_usd: spendLimitUsd });
}

/** 403: the key lacks the route's scope. */
export function scopeMissing(scope: string): LabelwiseError {
  return make('scope_missing', `this key lacks the "${scope}" scope`, { scope });
}

/** 403: managing keys needs an API key (not the anonymous or in-process caller). */
export function keyRequired(): LabelwiseError {
  return make('key_required', 'managing keys needs an API key');
}

/**
 * 403: a key asked to create a key with more than it has itself; `details` names the field,
 * what was requested and what the issuer allows.
 */
export function grantExceedsIssuer(field: string, message: string, requested: unknown, allowed: unknown): LabelwiseError {
  return make('grant_exceeds_issuer', message, { field, requested, allowed });
}

/** 403: a key may not revoke a key of a higher tier or with scopes it lacks. */
export function revokeDenied(field: 'tier' | 'scopes', message: string): LabelwiseError {
  return make('revoke_denied', message, { field });
}
