import ipaddr from 'ipaddr.js';
import type { Engine } from '../engine/engine.js';
import { apiKeyInvalid, apiKeyMalformed, apiKeyMissing, scopeMissing, type LabelwiseError } from '../errors.js';
import type { ResolvedHandlerOptions } from './options.js';
import { header, type RequestHeaders } from './host.js';
import type { Caller, Route } from './route.js';

/** What identifying a caller reads from a request. */
export interface Peer {
  headers: RequestHeaders;
  remoteAddress: string | undefined;
}

/**
 * Who is calling, per spec §1.1: the verified key behind `Authorization: Bearer <key>`; in
 * public mode, an anonymous caller of `/classify` and `/tag` limited per client address; or
 * `null` when nobody vouches for the request (no key, or an unknown, revoked or expired one).
 * The handler decides what `null` means for the route (401, or the keyless OpenAPI document).
 */
export async function identify(engine: Engine, req: Peer, route: Route | null, options: ResolvedHandlerOptions): Promise<Caller | null> {
  if (header(req, 'authorization')) return keyCaller(engine, req);
  if (route?.publicAllowed && options.publicMode) {
    return { account: 'public', keyId: null, scopes: ['classify'], tier: 'public', logInputs: false, subject: `ip:${clientAddress(req, options.trustProxy)}`, grant: null };
  }
  return null;
}

/** The 401 for a route that needs a key the request did not (validly) present. */
export function unauthenticated(req: Peer): LabelwiseError {
  if (!header(req, 'authorization')) return apiKeyMissing();
  if (!bearer(req)) return apiKeyMalformed();
  return apiKeyInvalid();
}

/** 403 PERMISSION_DENIED unless the caller's key has the route's scope. */
export function requireScope(caller: Caller | null, route: Route): void {
  if (caller && route.scope && !caller.scopes.includes(route.scope)) {
    throw scopeMissing(route.scope);
  }
}

/** The caller behind a valid Bearer key, or null (no header, malformed, unknown, revoked, expired). */
async function keyCaller(engine: Engine, req: Peer): Promise<Caller | null> {
  const secret = bearer(req);
  const key = secret ? await engine.keys.verify(secret) : null;
  return key && { account: key.account, keyId: key.key_id, scopes: key.scopes, tier: key.tier, logInputs: key.log_inputs, subject: `key:${key.key_id}`, grant: key };
}

function bearer(req: Peer): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization'))?.[1];
}

/**
 * The address rate limits of callers without a key are counted against. An IPv6 client
 * usually holds a whole /64 (2^64 addresses), so it is counted per /64, not per address;
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`) counts as the IPv4 address it is.
 */
export function clientAddress(req: Peer, trustProxy: boolean): string {
  const raw = (trustProxy && forwardedFor(req)) || req.remoteAddress || 'unknown';
  if (!ipaddr.isValid(raw)) return raw.slice(0, 64);
  const addr = ipaddr.process(raw);
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

function forwardedFor(req: Peer): string | undefined {
  // The rightmost entry is the one our own proxy appended; entries to its left are whatever
  // the client sent and must not decide whose rate limit applies.
  const forwarded = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
  return hops.at(-1);
}

