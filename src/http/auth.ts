import type { IncomingMessage } from 'node:http';
import type { Engine } from '../engine/engine.js';
import { LabelwiseError } from '../errors.js';
import type { ResolvedHandlerOptions } from './options.js';
import type { Caller, Route } from './router.js';

/**
 * Authenticates a request per spec §1.1: `Authorization: Bearer <key>`, verified against the
 * stored hash; in public mode `/classify` and `/tag` also accept anonymous callers, limited
 * per client IP. Scopes are checked separately ({@link requireScope}), after rate limiting has
 * counted the call, so a 403 carries rate-limit headers like any authenticated response.
 */
export async function authenticate(engine: Engine, req: IncomingMessage, route: Route, options: ResolvedHandlerOptions): Promise<Caller | null> {
  if (route.scope === null) return null;
  const header = req.headers.authorization;
  if (!header && options.publicMode && route.publicAllowed) {
    const ip = clientIp(req, options.trustProxy);
    return { account: 'public', keyId: null, scopes: ['classify'], tier: 'public', logInputs: false, subject: `ip:${ip}` };
  }
  if (!bearer(req)) throw new LabelwiseError('INVALID_API_KEY', header ? 'Authorization must be "Bearer <key>"' : 'an API key is required (Authorization: Bearer <key>)');
  const caller = await keyCaller(engine, req);
  if (!caller) throw new LabelwiseError('INVALID_API_KEY', 'the API key is unknown, revoked or expired');
  return caller;
}

/** 403 PERMISSION_DENIED unless the caller's key has the route's scope. */
export function requireScope(caller: Caller | null, route: Route): void {
  if (caller && route.scope && !caller.scopes.includes(route.scope)) {
    throw new LabelwiseError('PERMISSION_DENIED', `this key lacks the "${route.scope}" scope`, { scope: route.scope });
  }
}

/** The caller behind a valid Bearer key, or null (no header, malformed, unknown, revoked, expired). */
export async function keyCaller(engine: Engine, req: IncomingMessage): Promise<Caller | null> {
  const secret = bearer(req);
  const key = secret ? await engine.keys.verify(secret) : null;
  return key && { account: key.account, keyId: key.key_id, scopes: key.scopes, tier: key.tier, logInputs: key.log_inputs, subject: `key:${key.key_id}` };
}

function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    // The rightmost entry is the one our own proxy appended; entries to its left are whatever
    // the client sent and must not decide whose rate limit applies.
    const forwarded = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
    const last = hops.at(-1);
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
