// The key part of the store contract (see ../contract.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../../src/store/index.js';
import { expectError, HOUR, MINUTE } from '../helpers.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Registers the key tests; `stores()` is the current test's fresh stores. */
export function keysContract(stores: () => Stores): void {
  let s: Stores;
  beforeEach(() => {
    s = stores();
  });

  describe('keys', () => {
    it('returns the secret once with the stored fields, and lists the key without it', async () => {
      const created = await s.keys.create({ name: 'ci', scopes: ['manage', 'classify'], tier: 'production', log_inputs: true, log_retention_days: 7 });
      expect(created.key).toMatch(/^lw_live_[0-9A-Za-z]{32,}$/);
      expect(created).toMatchObject({
        name: 'ci',
        prefix: created.key.slice(0, 12),
        scopes: ['classify', 'manage'],
        tier: 'production',
        expires_at: null,
        last_used_at: null,
        revoked: false,
        log_inputs: true,
        log_retention_days: 7,
      });
      expect(created.id).toMatch(/^key_[0-9A-Za-z]{16}$/);
      expect(Date.parse(created.created_at)).toBeGreaterThan(0);
      const { keys } = await s.keys.list();
      expect(keys).toHaveLength(1);
      const { key: _secret, ...stored } = created;
      expect(keys[0]).toEqual(stored);
      expect(JSON.stringify(keys)).not.toContain(created.key);
    });

    it('defaults to every scope, the developer tier, no input logging and 30 days retention', async () => {
      const k = await s.keys.create();
      expect(k).toMatchObject({ name: null, scopes: ['classify', 'batch', 'manage'], tier: 'developer', log_inputs: false, log_retention_days: 30 });
    });

    it('makes a different secret and id every time', async () => {
      const [a, b] = await Promise.all([s.keys.create(), s.keys.create()]);
      expect(a.key).not.toBe(b.key);
      expect(a.id).not.toBe(b.id);
    });

    it('verifies a secret to its account, scopes, tier and logging settings', async () => {
      const k = await s.keys.create({ scopes: ['classify'], tier: 'public', log_inputs: true, log_retention_days: 3 }, { account: 'acme' });
      expect(await s.keys.verify(k.key)).toEqual({ key_id: k.id, account: 'acme', scopes: ['classify'], tier: 'public', log_inputs: true, log_retention_days: 3, expires_at: null });
    });

    it('rejects unknown, malformed and almost-right secrets', async () => {
      const k = await s.keys.create();
      expect(await s.keys.verify('lw_live_' + 'x'.repeat(40))).toBeNull();
      expect(await s.keys.verify('')).toBeNull();
      expect(await s.keys.verify(k.key.slice(0, -1))).toBeNull();
      expect(await s.keys.verify(k.key + 'a')).toBeNull();
      expect(await s.keys.verify(undefined as unknown as string)).toBeNull();
    });

    it('fails verify once revoked; revoking is idempotent', async () => {
      const k = await s.keys.create();
      const revoked = await s.keys.revoke(k.id);
      expect(revoked).toMatchObject({ id: k.id, revoked: true });
      expect(await s.keys.verify(k.key)).toBeNull();
      expect((await s.keys.revoke(k.id)).revoked).toBe(true);
      expect((await s.keys.list()).keys[0].revoked).toBe(true);
    });

    it('fails verify once expired', async () => {
      const now = Date.now();
      const k = await s.keys.create({ expires_at: iso(now + HOUR) });
      expect(k.expires_at).toBe(iso(now + HOUR));
      expect(await s.keys.verify(k.key, { now: now + 30 * MINUTE })).not.toBeNull();
      expect(await s.keys.verify(k.key, { now: now + HOUR })).toBeNull();
      expect(await s.keys.verify(k.key, { now: now + 2 * HOUR })).toBeNull();
    });

    it('records last use, rewriting it at most once a minute', async () => {
      const k = await s.keys.create();
      const t = Date.now() + HOUR;
      await s.keys.verify(k.key, { now: t });
      expect((await s.keys.list()).keys[0].last_used_at).toBe(iso(t));
      await s.keys.verify(k.key, { now: t + 30_000 });
      expect((await s.keys.list()).keys[0].last_used_at).toBe(iso(t));
      await s.keys.verify(k.key, { now: t + 61_000 });
      expect((await s.keys.list()).keys[0].last_used_at).toBe(iso(t + 61_000));
    });

    it('hides one account’s keys from another: listing, and revoke is KEY_NOT_FOUND', async () => {
      const k = await s.keys.create({ name: 'theirs' }, { account: 'acme' });
      expect((await s.keys.list()).keys).toEqual([]);
      expect((await s.keys.list({ account: 'acme' })).keys.map((x) => x.name)).toEqual(['theirs']);
      await expectError(s.keys.revoke(k.id), 'KEY_NOT_FOUND');
      expect(await s.keys.verify(k.key)).not.toBeNull();
    });

    it('is KEY_NOT_FOUND to revoke an unknown id', async () => {
      await expectError(s.keys.revoke('key_nope'), 'KEY_NOT_FOUND');
    });

    it('caps a key made by an issuer to the issuer’s grant: PERMISSION_DENIED naming the field, nothing stored', async () => {
      const issuer = { tier: 'developer', scopes: ['classify', 'manage'], log_inputs: false, log_retention_days: 30, expires_at: null } as const;
      for (const [input, field] of [
        [{ tier: 'production' }, 'tier'],
        [{ scopes: ['batch'] }, 'scopes'],
        [{ log_inputs: true }, 'log_inputs'],
        [{ log_retention_days: 31 }, 'log_retention_days'],
      ] as const) {
        await expectError(s.keys.create(input as never, { issuer: { ...issuer, scopes: [...issuer.scopes] } }), 'PERMISSION_DENIED', field);
      }
      expect((await s.keys.list()).keys).toEqual([]);
      const k = await s.keys.create({ tier: 'public' }, { issuer: { ...issuer, scopes: [...issuer.scopes] } });
      expect(k).toMatchObject({ tier: 'public', scopes: ['classify', 'manage'] });
      const strong = await s.keys.create({ tier: 'production' });
      await expectError(s.keys.revoke(strong.id, { issuer: { ...issuer, scopes: [...issuer.scopes] } }), 'PERMISSION_DENIED', 'tier');
      expect(await s.keys.verify(strong.key)).not.toBeNull();
    });

    it.each([null, [], 5, 'key'])('refuses %j as the input with VALIDATION_ERROR naming body (only undefined means defaults)', async (input) => {
      await expectError(s.keys.create(input as never), 'VALIDATION_ERROR', 'body');
      expect((await s.keys.list()).keys).toEqual([]);
    });

    it.each([
      [{ scopes: ['admin'] }, 'scopes.0'],
      [{ scopes: [] }, 'scopes'],
      [{ tier: 'gold' }, 'tier'],
      [{ name: 5 }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ expires_at: 'tomorrow' }, 'expires_at'],
      [{ expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      [{ log_inputs: 'yes' }, 'log_inputs'],
      [{ log_retention_days: 0 }, 'log_retention_days'],
      [{ log_retention_days: 1.5 }, 'log_retention_days'],
    ])('rejects %j with VALIDATION_ERROR naming %s', async (input, field) => {
      await expectError(s.keys.create(input as never), 'VALIDATION_ERROR', field);
      expect((await s.keys.list()).keys).toEqual([]);
    });
  });
}
