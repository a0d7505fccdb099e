/**
 * A key can only hand on what it holds (issue #8, defect 3): over the real adapter, every
 * issuer tier × issuer scope set asks for every tier × scope set; plus input logging,
 * retention, expiry, revocation, and the admin path (in-process / `labelwise serve`'s key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import type { Scope, Tier } from '../../src/store/index.js';
import { expectError, serveApi, startEngine, type ApiCall } from '../support/http-server.js';

const TIERS: Tier[] = ['public', 'developer', 'production'];
const SCOPES: Scope[] = ['classify', 'batch', 'manage'];
/** Every non-empty subset of the scopes, in canonical order. */
const SCOPE_SETS: Scope[][] = Array.from({ length: 7 }, (_, m) => SCOPES.filter((_, i) => (m + 1) & (1 << i)));
const rank = (t: Tier) => TIERS.indexOf(t);

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let call: ApiCall;

beforeAll(async () => {
  engine = await startEngine();
  // Room for hundreds of management calls per key within the minute, whatever its tier.
  const roomy = { requestsPerMinute: 10_000 };
  srv = await serveApi(engine, { tiers: { public: roomy, developer: roomy, production: roomy } });
  call = srv.api;
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

describe('POST /v1/keys is capped by the calling key', () => {
  it('for every issuer tier × scopes and every requested tier × scopes: 201 exactly when tier ≤ and scopes ⊆ the issuer', async () => {
    let created = 0;
    for (const issuerTier of TIERS) {
      for (const issuerScopes of SCOPE_SETS) {
        const issuer = (await engine.keys.create({ name: `issuer-${issuerTier}-${issuerScopes.join('+')}`, tier: issuerTier, scopes: issuerScopes })).key;
        for (const tier of TIERS) {
          for (const scopes of SCOPE_SETS) {
            const res = await call('POST', '/keys', { key: issuer, body: { tier, scopes } });
            const label = `${issuerTier}/${issuerScopes} → ${tier}/${scopes}`;
            if (!issuerScopes.includes('manage')) {
              expectError(res, 403, 'PERMISSION_DENIED');
              expect(res.body.details, label).toEqual({ scope: 'manage', reason: 'scope_missing' });
            } else if (rank(tier) > rank(issuerTier)) {
              expectError(res, 403, 'PERMISSION_DENIED', 'tier');
              expect(res.body.details.allowed, label).toEqual(TIERS.slice(0, rank(issuerTier) + 1));
            } else if (scopes.some((s) => !issuerScopes.includes(s))) {
              expectError(res, 403, 'PERMISSION_DENIED', 'scopes');
              expect(res.body.details.allowed, label).toEqual(issuerScopes);
            } else {
              expect(res.status, `${label}: ${res.text}`).toBe(201);
              expect(res.body).toMatchObject({ tier, scopes });
              // What the new secret really grants, not just what the answer says.
              expect(await engine.keys.verify(res.body.key)).toMatchObject({ tier, scopes });
              created++;
            }
          }
        }
      }
    }
    // 12 issuers with manage; each may create (rank + 1) tiers × 2^(|scopes| − 1)... counted directly:
    const expected = TIERS.flatMap((it) => SCOPE_SETS.filter((s) => s.includes('manage')).map((is) => (rank(it) + 1) * SCOPE_SETS.filter((s) => s.every((x) => is.includes(x))).length));
    expect(created).toBe(expected.reduce((a, b) => a + b, 0));
  });

  it('omitted tier and scopes default to at most the issuer’s (a public manage key makes public manage keys)', async () => {
    const issuer = (await engine.keys.create({ tier: 'public', scopes: ['manage'] })).key;
    const res = await call('POST', '/keys', { key: issuer });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tier: 'public', scopes: ['manage'] });
    const prod = (await engine.keys.create({ tier: 'production' })).key;
    // A stronger issuer still gets the spec's defaults.
    expect((await call('POST', '/keys', { key: prod, body: {} })).body).toMatchObject({ tier: 'developer', scopes: SCOPES });
  });

  it('input logging, retention and expiry cannot exceed the issuer’s', async () => {
    const day = 86_400_000;
    const expiresAt = new Date(Date.now() + 10 * day).toISOString();
    const issuer = (await engine.keys.create({ tier: 'production', log_inputs: false, log_retention_days: 7, expires_at: expiresAt })).key;
    expectError(await call('POST', '/keys', { key: issuer, body: { log_inputs: true } }), 403, 'PERMISSION_DENIED', 'log_inputs');
    expectError(await call('POST', '/keys', { key: issuer, body: { log_retention_days: 8 } }), 403, 'PERMISSION_DENIED', 'log_retention_days');
    expectError(await call('POST', '/keys', { key: issuer, body: { expires_at: null } }), 403, 'PERMISSION_DENIED', 'expires_at');
    expectError(await call('POST', '/keys', { key: issuer, body: { expires_at: new Date(Date.now() + 11 * day).toISOString() } }), 403, 'PERMISSION_DENIED', 'expires_at');
    // Omitted, they inherit the issuer's limits; within them, they are kept.
    const inherited = await call('POST', '/keys', { key: issuer });
    expect(inherited.status).toBe(201);
    expect(inherited.body).toMatchObject({ log_inputs: false, log_retention_days: 7, expires_at: expiresAt });
    const sooner = new Date(Date.now() + 2 * day).toISOString();
    expect((await call('POST', '/keys', { key: issuer, body: { log_retention_days: 3, expires_at: sooner } })).body).toMatchObject({ log_retention_days: 3, expires_at: sooner });
    const logging = (await engine.keys.create({ log_inputs: true, log_retention_days: 90 })).key;
    expect((await call('POST', '/keys', { key: logging, body: { log_inputs: true, log_retention_days: 90 } })).status).toBe(201);
  });

  it('a key cannot revoke a stronger key; it can revoke one it could have made, itself included', async () => {
    const admin = await engine.keys.create({ name: 'admin', tier: 'production' });
    const dev = await engine.keys.create({ tier: 'developer', scopes: ['manage'] });
    const wide = await engine.keys.create({ tier: 'developer', scopes: ['classify', 'manage'] });
    expectError(await call('DELETE', `/keys/${admin.id}`, { key: dev.key }), 403, 'PERMISSION_DENIED', 'tier');
    expectError(await call('DELETE', `/keys/${wide.id}`, { key: dev.key }), 403, 'PERMISSION_DENIED', 'scopes');
    expect(await engine.keys.verify(admin.key)).not.toBeNull();
    const child = await call('POST', '/keys', { key: dev.key, body: { tier: 'public' } });
    expect((await call('DELETE', `/keys/${child.body.id}`, { key: dev.key })).body).toMatchObject({ id: child.body.id, revoked: true });
    expect((await call('DELETE', `/keys/${wide.id}`, { key: admin.key })).status).toBe(200);
    expect((await call('DELETE', `/keys/${dev.id}`, { key: dev.key })).status).toBe(200);
    expectError(await call('GET', '/keys', { key: dev.key }), 401, 'INVALID_API_KEY');
  });

  it('the admin key (production, every scope, as `labelwise serve` creates it) is the way to production keys; in-process creation is uncapped', async () => {
    const admin = (await engine.keys.create({ name: 'admin', tier: 'production' })).key;
    const res = await call('POST', '/keys', { key: admin, body: { tier: 'production', log_inputs: true, log_retention_days: 3650 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tier: 'production', scopes: SCOPES, log_inputs: true, log_retention_days: 3650 });
    expect((await engine.keys.create({ tier: 'production', log_inputs: true })).tier).toBe('production');
  });
});
