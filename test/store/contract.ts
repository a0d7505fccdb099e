// What every Stores implementation must do, whatever database is behind it. Call
// `storeContract(name, make)` from a test file to register these tests for one backend; each
// test gets fresh stores from `make` and closes them afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cost, type Stores } from '../../src/store/index.js';
import { DAY, expectError, HOUR, MINUTE, row, T0 } from './helpers.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function storeContract(name: string, make: () => Promise<Stores>): void {
  describe(`Stores contract: ${name}`, () => {
    let s: Stores;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.close();
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
        expect(await s.keys.verify(k.key)).toEqual({ key_id: k.id, account: 'acme', scopes: ['classify'], tier: 'public', log_inputs: true, log_retention_days: 3 });
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

    describe('saved classifiers', () => {
      const support = { name: 'support', labels: ['billing', 'shipping'], descriptions: { billing: 'money' }, examples: { shipping: ['where is my parcel'] }, text_type: 'ticket', threshold: 0.4 };

      it('creates v1 with the stored shape', async () => {
        const v1 = await s.classifiers.create(support);
        expect(v1).toEqual({ ...support, version: 'v1', created_at: expect.any(String) });
        expect(new Date(v1.created_at).toISOString()).toBe(v1.created_at);
      });

      it('creates the next version for an existing name and keeps old versions unchanged', async () => {
        await s.classifiers.create(support);
        const v2 = await s.classifiers.create({ name: 'support', labels: ['refund'] });
        expect(v2).toMatchObject({ version: 'v2', labels: ['refund'], descriptions: {}, examples: {}, text_type: null, threshold: null });
        expect(await s.classifiers.get('support')).toMatchObject({ version: 'v2', labels: ['refund'], versions: ['v1', 'v2'] });
        expect(await s.classifiers.get('support@v1')).toEqual({ ...support, version: 'v1', created_at: expect.any(String), versions: ['v1', 'v2'] });
      });

      it('lists classifiers with latest version, versions and times', async () => {
        await s.classifiers.create(support);
        await s.classifiers.create({ name: 'support', labels: ['refund'] });
        await s.classifiers.create({ name: 'alpha', labels: ['x'] });
        const { classifiers } = await s.classifiers.list();
        expect(classifiers.map((c) => c.name)).toEqual(['alpha', 'support']);
        const sup = classifiers[1];
        expect(sup).toEqual({ name: 'support', latest_version: 'v2', versions: ['v1', 'v2'], created_at: expect.any(String), updated_at: expect.any(String) });
        expect(sup.updated_at >= sup.created_at).toBe(true);
      });

      it('gives concurrent creators distinct, contiguous versions', async () => {
        const made = await Promise.all(Array.from({ length: 25 }, (_, i) => s.classifiers.create({ name: 'busy', labels: [`l${i}`] })));
        expect(made.map((v) => v.version).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(Array.from({ length: 25 }, (_, i) => `v${i + 1}`));
        expect((await s.classifiers.get('busy')).versions).toHaveLength(25);
      });

      it('trims labels and matches description and example keys to them', async () => {
        const v = await s.classifiers.create({ name: 'trim', labels: [' a ', 'b'], descriptions: { ' a': 'x' }, examples: { 'b ': [' ex '] } });
        expect(v).toMatchObject({ labels: ['a', 'b'], descriptions: { a: 'x' }, examples: { b: ['ex'] } });
      });

      it('is CLASSIFIER_NOT_FOUND for an unknown name, unknown version or malformed reference', async () => {
        await s.classifiers.create(support);
        await expectError(s.classifiers.get('nope'), 'CLASSIFIER_NOT_FOUND');
        await expectError(s.classifiers.get('support@v2'), 'CLASSIFIER_NOT_FOUND');
        await expectError(s.classifiers.get('Support!'), 'CLASSIFIER_NOT_FOUND');
        await expectError(s.classifiers.delete('nope'), 'CLASSIFIER_NOT_FOUND');
      });

      it('deletes every version', async () => {
        await s.classifiers.create(support);
        await s.classifiers.create(support);
        expect(await s.classifiers.delete('support')).toEqual({ name: 'support', deleted: true });
        await expectError(s.classifiers.get('support'), 'CLASSIFIER_NOT_FOUND');
        await expectError(s.classifiers.get('support@v1'), 'CLASSIFIER_NOT_FOUND');
        expect((await s.classifiers.list()).classifiers).toEqual([]);
      });

      it('hides one account’s classifiers from another', async () => {
        await s.classifiers.create(support, { account: 'acme' });
        await expectError(s.classifiers.get('support'), 'CLASSIFIER_NOT_FOUND');
        await expectError(s.classifiers.delete('support'), 'CLASSIFIER_NOT_FOUND');
        expect((await s.classifiers.list()).classifiers).toEqual([]);
        expect((await s.classifiers.create(support)).version).toBe('v1');
        expect((await s.classifiers.get('support', { account: 'acme' })).versions).toEqual(['v1']);
      });

      it.each([
        [{ name: 'Bad Name', labels: ['a'] }, 'name'],
        [{ name: '-x', labels: ['a'] }, 'name'],
        [{ name: 'x'.repeat(65), labels: ['a'] }, 'name'],
        [{ name: 'ok', labels: [] }, 'labels'],
        [{ name: 'ok', labels: ['a', ' a'] }, 'labels'],
        [{ name: 'ok', labels: ['a', ''] }, 'labels.1'],
        [{ name: 'ok', labels: ['a'], descriptions: { b: 'x' } }, 'descriptions.b'],
        [{ name: 'ok', labels: ['a'], examples: { a: 'x' } }, 'examples.a'],
        [{ name: 'ok', labels: ['a'], text_type: 'x'.repeat(101) }, 'text_type'],
        [{ name: 'ok', labels: ['a'], threshold: 1.5 }, 'threshold'],
      ])('rejects %j with VALIDATION_ERROR naming %s', async (input, field) => {
        await expectError(s.classifiers.create(input as never), 'VALIDATION_ERROR', field);
        expect((await s.classifiers.list()).classifiers).toEqual([]);
      });
    });

    describe('usage', () => {
      it('groups by day, hour and month in UTC, with totals', async () => {
        const times = [T0, T0 + 10 * MINUTE, T0 + HOUR, T0 + DAY, Date.UTC(2030, 1, 1), Date.UTC(2030, 1, 28, 23, 59)];
        times.forEach((t, i) => s.usage.record(row({ request_id: `r${i}`, created_at: t, tokens: 10 * (i + 1), cost_micros: 1000 })));
        s.usage.record(row({ request_id: 'out', created_at: Date.UTC(2030, 2, 1), tokens: 999 }));
        const range = { start: '2030-01-01T00:00:00Z', end: '2030-03-01T00:00:00Z' };

        const days = await s.usage.usage({ ...range, group_by: 'day' });
        expect(days).toMatchObject({ start: '2030-01-01T00:00:00.000Z', end: '2030-03-01T00:00:00.000Z', group_by: 'day' });
        expect(days.totals).toEqual({ requests: 6, tokens: 210, visual_tokens: 0, cached_requests: 0, errors: 0, cost_usd: 0.006 });
        expect(days.data.map((d) => [d.period, d.requests, d.tokens])).toEqual([
          ['2030-01-15T00:00:00.000Z', 3, 60],
          ['2030-01-16T00:00:00.000Z', 1, 40],
          ['2030-02-01T00:00:00.000Z', 1, 50],
          ['2030-02-28T00:00:00.000Z', 1, 60],
        ]);
        const hours = await s.usage.usage({ ...range, group_by: 'hour' });
        expect(hours.data.map((d) => [d.period, d.requests])).toEqual([
          ['2030-01-15T12:00:00.000Z', 2],
          ['2030-01-15T13:00:00.000Z', 1],
          ['2030-01-16T12:00:00.000Z', 1],
          ['2030-02-01T00:00:00.000Z', 1],
          ['2030-02-28T23:00:00.000Z', 1],
        ]);
        const months = await s.usage.usage({ ...range, group_by: 'month' });
        expect(months.data).toEqual([
          { period: '2030-01-01T00:00:00.000Z', requests: 4, tokens: 100, visual_tokens: 0, cached_requests: 0, errors: 0, cost_usd: 0.004 },
          { period: '2030-02-01T00:00:00.000Z', requests: 2, tokens: 110, visual_tokens: 0, cached_requests: 0, errors: 0, cost_usd: 0.002 },
        ]);
        expect(months.totals).toEqual(days.totals);
      });

      it('groups by endpoint, key and priority, counting cached requests and errors', async () => {
        const k = await s.keys.create();
        s.usage.record(row({ request_id: 'a', created_at: T0, key_id: k.id, cached: true, visual_tokens: 3 }));
        s.usage.record(row({ request_id: 'b', created_at: T0, key_id: k.id, endpoint: '/v1/tag', priority: 'fast', status: 422, error_code: 'VALIDATION_ERROR', label: null }));
        s.usage.record(row({ request_id: 'c', created_at: T0, endpoint: '/v1/tag', status: 500 }));
        const q = { start: T0 - DAY, end: T0 + DAY };
        const byEndpoint = await s.usage.usage({ ...q, group_by: 'endpoint' });
        expect(byEndpoint.data).toEqual([
          { endpoint: '/v1/classify', requests: 1, tokens: 10, visual_tokens: 3, cached_requests: 1, errors: 0, cost_usd: 0 },
          { endpoint: '/v1/tag', requests: 2, tokens: 20, visual_tokens: 0, cached_requests: 0, errors: 2, cost_usd: 0 },
        ]);
        expect(byEndpoint.totals).toMatchObject({ requests: 3, cached_requests: 1, errors: 2, visual_tokens: 3 });
        const byKey = await s.usage.usage({ ...q, group_by: 'key' });
        expect(byKey.data.map((d) => [d.key_id, d.requests])).toEqual([[null, 1], [k.id, 2]]);
        const byPriority = await s.usage.usage({ ...q, group_by: 'priority' });
        expect(byPriority.data.map((d) => [d.priority, d.requests])).toEqual([['fast', 1], ['standard', 2]]);
      });

      it('counts exactly the rows in [start, end), whatever the range’s alignment to hours', async () => {
        let seed = 42;
        const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
        const rows = Array.from({ length: 400 }, (_, i) =>
          row({
            request_id: `r${i}`,
            created_at: T0 + rand(3 * DAY),
            endpoint: ['/v1/classify', '/v1/tag'][rand(2)],
            key_id: [null, 'key_a', 'key_b'][rand(3)],
            priority: [null, 'standard', 'fast'][rand(3)],
            status: [200, 200, 422][rand(3)],
            tokens: rand(1000),
            cached: rand(4) === 0,
            cost_micros: rand(100),
          }),
        );
        rows.forEach((r) => s.usage.record(r));
        const keyOf = { day: (r: typeof rows[0]) => iso(Math.floor((r.created_at as number) / DAY) * DAY), hour: (r: typeof rows[0]) => iso(Math.floor((r.created_at as number) / HOUR) * HOUR),
          endpoint: (r: typeof rows[0]) => r.endpoint, key: (r: typeof rows[0]) => r.key_id ?? null, priority: (r: typeof rows[0]) => r.priority ?? null } as const;
        const field = { day: 'period', hour: 'period', endpoint: 'endpoint', key: 'key_id', priority: 'priority' } as const;
        for (let q = 0; q < 12; q++) {
          const start = T0 + rand(2 * DAY) - HOUR;
          const end = start + 1 + rand(q % 3 === 0 ? 40 * MINUTE : 2 * DAY);
          const inRange = rows.filter((r) => (r.created_at as number) >= start && (r.created_at as number) < end);
          for (const g of ['day', 'hour', 'endpoint', 'key', 'priority'] as const) {
            const expected = new Map<string | null, { requests: number; tokens: number; errors: number; cached_requests: number; cost_micros: number }>();
            for (const r of inRange) {
              const k = keyOf[g](r);
              const e = expected.get(k) ?? { requests: 0, tokens: 0, errors: 0, cached_requests: 0, cost_micros: 0 };
              e.requests++;
              e.tokens += r.tokens;
              e.errors += r.status >= 400 ? 1 : 0;
              e.cached_requests += r.cached ? 1 : 0;
              e.cost_micros += r.cost_micros!;
              expected.set(k, e);
            }
            const report = await s.usage.usage({ start, end, group_by: g });
            const got = new Map(report.data.map((d) => [d[field[g]] ?? null, { requests: d.requests, tokens: d.tokens, errors: d.errors, cached_requests: d.cached_requests, cost_micros: Math.round(d.cost_usd * 1e6) }]));
            expect(got, `${g} ${iso(start)}..${iso(end)}`).toEqual(expected);
            expect(report.totals.requests).toBe(inRange.length);
          }
        }
      });

      it('defaults to the current calendar month and to grouping by day', async () => {
        const now = Date.UTC(2030, 4, 20);
        s.usage.record(row({ request_id: 'in', created_at: Date.UTC(2030, 4, 1) }));
        s.usage.record(row({ request_id: 'before', created_at: Date.UTC(2030, 3, 30, 23, 59) }));
        s.usage.record(row({ request_id: 'after', created_at: Date.UTC(2030, 5, 1) }));
        const r = await s.usage.usage({ now });
        expect(r).toMatchObject({ start: '2030-05-01T00:00:00.000Z', end: '2030-06-01T00:00:00.000Z', group_by: 'day' });
        expect(r.totals.requests).toBe(1);
        const empty = await s.usage.usage();
        expect(empty.totals).toEqual({ requests: 0, tokens: 0, visual_tokens: 0, cached_requests: 0, errors: 0, cost_usd: 0 });
        expect(empty.data).toEqual([]);
      });

      it('hides one account’s usage and logs from another', async () => {
        s.usage.record(row({ request_id: 'theirs', account: 'acme', created_at: T0 }));
        s.usage.record(row({ request_id: 'mine', created_at: T0 }));
        const q = { start: T0 - DAY, end: T0 + DAY };
        expect((await s.usage.usage(q)).totals.requests).toBe(1);
        expect((await s.usage.usage({ ...q, account: 'acme' })).totals.requests).toBe(1);
        expect((await s.usage.logs()).data.map((l) => l.request_id)).toEqual(['mine']);
        expect((await s.usage.logs({ request_id: 'theirs' })).data).toEqual([]);
      });

      it('rejects bad queries and rows with VALIDATION_ERROR naming the field', async () => {
        await expectError(s.usage.usage({ group_by: 'week' as never }), 'VALIDATION_ERROR', 'group_by');
        await expectError(s.usage.usage({ start: 'soon' }), 'VALIDATION_ERROR', 'start');
        await expectError(s.usage.usage({ start: T0, end: T0 }), 'VALIDATION_ERROR', 'end');
        await expectError(s.usage.logs({ limit: 0 }), 'VALIDATION_ERROR', 'limit');
        await expectError(s.usage.logs({ limit: 1001 }), 'VALIDATION_ERROR', 'limit');
        await expectError(s.usage.logs({ cursor: 'not-a-cursor' }), 'VALIDATION_ERROR', 'cursor');
        await expectError(() => s.usage.record(row({ request_id: '' })), 'VALIDATION_ERROR', 'request_id');
        await expectError(() => s.usage.record(row({ request_id: 'x', tokens: -1 })), 'VALIDATION_ERROR', 'tokens');
        await expectError(() => s.usage.record(row({ request_id: 'x', status: 42 })), 'VALIDATION_ERROR', 'status');
        await expectError(() => s.usage.record(row({ request_id: 'x', created_at: 'later' })), 'VALIDATION_ERROR', 'created_at');
        expect((await s.usage.logs()).data).toEqual([]);
      });
    });

    describe('logs', () => {
      it('returns the §10 shape, newest first, with label or labels', async () => {
        const k = await s.keys.create();
        s.usage.record(row({ request_id: 'one', created_at: T0, key_id: k.id, latency_ms: 12.4, cost_micros: 2500 }));
        s.usage.record(row({ request_id: 'many', created_at: T0 + 1, endpoint: '/v1/tag', label: null, labels: [{ label: 'x', confidence: 0.91 }], cached: true, priority: 'fast' }));
        s.usage.record(row({ request_id: 'err', created_at: T0 + 2, status: 422, error_code: 'VALIDATION_ERROR', label: null, tokens: 0 }));
        const page = await s.usage.logs();
        expect(page.next_cursor).toBeNull();
        expect(page.data.map((l) => l.request_id)).toEqual(['err', 'many', 'one']);
        expect(page.data[2]).toEqual({
          request_id: 'one', created_at: iso(T0), endpoint: '/v1/classify', method: 'POST', status: 200, key_id: k.id, priority: 'standard',
          tokens: 10, visual_tokens: 0, cached: false, latency_ms: 12, cost_usd: 0.0025, error_code: null, label: 'a',
        });
        expect(page.data[1]).toMatchObject({ cached: true, priority: 'fast', labels: [{ label: 'x', confidence: 0.91 }] });
        expect(page.data[1]).not.toHaveProperty('label');
        expect(page.data[0]).toMatchObject({ status: 422, error_code: 'VALIDATION_ERROR' });
        expect(page.data[0]).not.toHaveProperty('label');
        expect(page.data[0]).not.toHaveProperty('input');
      });

      it('pages through every row exactly once, ties on created_at included', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 137; i++) {
          ids.push(`r${i}`);
          s.usage.record(row({ request_id: `r${i}`, created_at: T0 + Math.floor(i / 7) * 1000 }));
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await s.usage.logs({ limit: 10, cursor });
          seen.push(...page.data.map((l) => l.request_id));
          cursor = page.next_cursor;
          pages++;
          // A row recorded mid-pagination, newer than the cursor, must not appear in later pages.
          if (pages === 3) s.usage.record(row({ request_id: 'late', created_at: T0 + DAY }));
        } while (cursor);
        expect(pages).toBe(14);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.sort()).toEqual([...ids].sort());
        const times = (await s.usage.logs({ limit: 1000 })).data.map((l) => l.created_at);
        expect([...times].sort().reverse()).toEqual(times);
      });

      it('filters by time range, endpoint, status, key and request id', async () => {
        s.usage.record(row({ request_id: 'a', created_at: T0, key_id: 'key_a' }));
        s.usage.record(row({ request_id: 'b', created_at: T0 + HOUR, endpoint: '/v1/tag', key_id: 'key_b' }));
        s.usage.record(row({ request_id: 'c', created_at: T0 + 2 * HOUR, status: 429, error_code: 'RATE_LIMIT_EXCEEDED' }));
        s.usage.record(row({ request_id: 'd', created_at: T0 + 3 * HOUR, endpoint: '/v1/tag', key_id: 'key_a' }));
        const ids = async (q: Parameters<Stores['usage']['logs']>[0]) => (await s.usage.logs(q)).data.map((l) => l.request_id);
        expect(await ids({ start: T0 + HOUR, end: T0 + 3 * HOUR })).toEqual(['c', 'b']);
        expect(await ids({ endpoint: '/v1/tag' })).toEqual(['d', 'b']);
        expect(await ids({ status: 429 })).toEqual(['c']);
        expect(await ids({ key_id: 'key_a' })).toEqual(['d', 'a']);
        expect(await ids({ request_id: 'b' })).toEqual(['b']);
        expect(await ids({ request_id: 'b', endpoint: '/v1/classify' })).toEqual([]);
        const first = await s.usage.logs({ key_id: 'key_a', limit: 1 });
        expect(await ids({ key_id: 'key_a', limit: 1, cursor: first.next_cursor })).toEqual(['a']);
      });

      it('shows an input only while within its key’s retention, and purges it after', async () => {
        const week = await s.keys.create({ log_inputs: true, log_retention_days: 7 });
        const month = await s.keys.create({ log_inputs: true });
        s.usage.record(row({ request_id: 'w', created_at: T0, key_id: week.id, input: 'weekly text' }));
        s.usage.record(row({ request_id: 'm', created_at: T0, key_id: month.id, input: 'monthly text' }));
        s.usage.record(row({ request_id: 'none', created_at: T0, key_id: month.id }));
        const inputs = async (now: number) => Object.fromEntries((await s.usage.logs({ now })).data.map((l) => [l.request_id, l.input]));
        expect(await inputs(T0 + DAY)).toEqual({ w: 'weekly text', m: 'monthly text', none: undefined });
        expect(await inputs(T0 + 8 * DAY)).toEqual({ w: undefined, m: 'monthly text', none: undefined });
        expect(await s.usage.purgeExpiredInputs(T0 + 6 * DAY)).toBe(0);
        expect(await s.usage.purgeExpiredInputs(T0 + 8 * DAY)).toBe(1);
        expect(await s.usage.purgeExpiredInputs(T0 + 31 * DAY)).toBe(1);
        expect(await inputs(T0 + DAY)).toEqual({ w: undefined, m: undefined, none: undefined });
        expect((await s.usage.logs()).data).toHaveLength(3);
      });
    });

    describe('billing', () => {
      const NOW = T0;

      it('starts with a zero balance, the monthly free tokens and no limit', async () => {
        expect(await s.billing.balance('default', NOW)).toEqual({
          balance_usd: 0, currency: 'usd', free_tokens_monthly: 10_000_000, free_tokens_used: 0, free_tokens_remaining: 10_000_000,
          period_start: '2030-01-01T00:00:00.000Z', period_end: '2030-02-01T00:00:00.000Z', spend_usd: 0, spend_limit_usd: null,
        });
      });

      it('keeps money as integer micro-dollars through credits and charges', async () => {
        for (let i = 0; i < 10; i++) await s.billing.credit('acme', 0.1, { now: NOW });
        expect((await s.billing.balance('acme', NOW)).balance_usd).toBe(1); // not 0.9999999999999999
        await s.billing.charge('acme', 10_000_000, 'standard', { now: NOW }); // all free
        const c = await s.billing.charge('acme', 14, 'fast', { now: NOW });
        expect(c).toEqual({ account: 'acme', kind: 'fast', tokens: 14, free_tokens: 0, paid_tokens: 14, cost_micros: 8, cost_usd: 0.000008 });
        await s.flush();
        expect(await s.billing.balance('acme', NOW)).toMatchObject({ balance_usd: 0.999992, spend_usd: 0.000008, free_tokens_used: 10_000_000, free_tokens_remaining: 0 });
      });

      it('uses free tokens first each month, then the price of the kind', async () => {
        const a = await s.billing.charge('default', 9_999_900, 'standard', { now: NOW });
        expect(a).toMatchObject({ free_tokens: 9_999_900, paid_tokens: 0, cost_micros: 0 });
        const b = await s.billing.charge('default', 1_000_100, 'standard', { now: NOW });
        expect(b).toMatchObject({ free_tokens: 100, paid_tokens: 1_000_000, cost_micros: 200_000 });
        const c = await s.billing.charge('default', 1_000_000, 'batch', { now: NOW });
        expect(c.cost_micros).toBe(80_000);
        expect(await s.billing.balance('default', NOW)).toMatchObject({ balance_usd: -0.28, spend_usd: 0.28, free_tokens_remaining: 0 });
        const nextMonth = await s.billing.charge('default', 500, 'fast', { now: Date.UTC(2030, 1, 1) });
        expect(nextMonth).toMatchObject({ free_tokens: 500, cost_micros: 0 });
        expect(await s.billing.balance('default', Date.UTC(2030, 1, 2))).toMatchObject({ free_tokens_used: 500, spend_usd: 0, balance_usd: -0.28 });
      });

      it('refuses nothing when not enforced, whatever the balance and limit', async () => {
        await s.billing.setSpendLimit('default', 0);
        await s.billing.charge('default', 20_000_000, 'fast', { now: NOW });
        const auth = await s.billing.authorize('default', 5_000_000, 'fast', { now: NOW });
        expect(auth).toEqual({ estimated_cost_usd: 3, free_tokens_remaining: 0, balance_usd: -6 });
        await expect(s.billing.authorize('default', 5_000_000, 'fast', { now: NOW, enforce: false })).resolves.toBeDefined();
      });

      it('is INSUFFICIENT_BALANCE when enforced and balance plus free tokens cannot cover', async () => {
        await s.billing.charge('default', 10_000_000, 'standard', { now: NOW });
        await expect(s.billing.authorize('default', 0, 'standard', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0 });
        await expectError(s.billing.authorize('default', 1_000_000, 'standard', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
        await s.billing.credit('default', 0.2, { now: NOW });
        await expect(s.billing.authorize('default', 1_000_000, 'standard', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0.2 });
        await expectError(s.billing.authorize('default', 1_000_010, 'standard', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
      });

      it('covers a request from free tokens without any balance', async () => {
        await expect(s.billing.authorize('default', 10_000_000, 'fast', { now: NOW, enforce: true })).resolves.toMatchObject({ estimated_cost_usd: 0, free_tokens_remaining: 10_000_000 });
        await expectError(s.billing.authorize('default', 10_000_001, 'fast', { now: NOW, enforce: true }), 'INSUFFICIENT_BALANCE');
      });

      it('is SPENDING_LIMIT_REACHED when enforced and the month’s spend would pass the limit', async () => {
        await s.billing.credit('default', 100, { now: NOW });
        expect((await s.billing.setSpendLimit('default', 0.5)).spend_limit_usd).toBe(0.5);
        await s.billing.charge('default', 12_000_000, 'standard', { now: NOW }); // 0.40 USD paid
        await expect(s.billing.authorize('default', 500_000, 'standard', { now: NOW, enforce: true })).resolves.toBeDefined();
        await expectError(s.billing.authorize('default', 500_001 + 10, 'standard', { now: NOW, enforce: true }), 'SPENDING_LIMIT_REACHED');
        await s.billing.setSpendLimit('default', null);
        await expect(s.billing.authorize('default', 500_011, 'standard', { now: NOW, enforce: true })).resolves.toBeDefined();
        // A new month starts from zero spend.
        await s.billing.setSpendLimit('default', 0.5);
        await expect(s.billing.authorize('default', 12_000_000, 'standard', { now: Date.UTC(2030, 1, 1), enforce: true })).resolves.toBeDefined();
        await expectError(s.billing.authorize('default', 20_000_000, 'standard', { now: Date.UTC(2030, 1, 1), enforce: true }), 'SPENDING_LIMIT_REACHED');
      });

      it('writes a charge and its usage row together, with the same cost', async () => {
        await s.billing.charge('default', 10_000_000, 'standard', { now: NOW });
        const c = await s.billing.charge('default', 1000, 'fast', { now: NOW, usage: row({ request_id: 'req1', created_at: NOW, tokens: 1000, cost_micros: 999_999 }) });
        expect(c.cost_micros).toBe(600);
        const log = (await s.usage.logs({ request_id: 'req1' })).data[0];
        expect(log.cost_usd).toBe(0.0006);
        const usage = await s.usage.usage({ now: NOW });
        expect(usage.totals.cost_usd).toBe((await s.billing.balance('default', NOW)).spend_usd);
      });

      it('keeps accounts’ balances and free tokens apart', async () => {
        await s.billing.credit('acme', 5, { now: NOW });
        await s.billing.charge('acme', 1000, 'standard', { now: NOW });
        expect(await s.billing.balance('default', NOW)).toMatchObject({ balance_usd: 0, free_tokens_used: 0 });
        expect(await s.billing.balance('acme', NOW)).toMatchObject({ balance_usd: 5, free_tokens_used: 1000 });
      });

      it('rejects bad amounts, token counts and kinds with VALIDATION_ERROR', async () => {
        await expectError(s.billing.credit('default', -1), 'VALIDATION_ERROR', 'usd');
        await expectError(s.billing.credit('default', 0), 'VALIDATION_ERROR', 'usd');
        await expectError(s.billing.credit('default', Number.NaN), 'VALIDATION_ERROR', 'usd');
        await expectError(s.billing.setSpendLimit('default', -5), 'VALIDATION_ERROR', 'spend_limit_usd');
        await expectError(s.billing.charge('default', 1.5, 'standard'), 'VALIDATION_ERROR', 'tokens');
        await expectError(s.billing.charge('default', 10, 'slow' as never), 'VALIDATION_ERROR', 'kind');
        await expectError(s.billing.authorize('default', -1, 'standard'), 'VALIDATION_ERROR', 'estimated_tokens');
        await expectError(s.billing.charge('default', 10, 'standard', { usage: row({ request_id: '' }) }), 'VALIDATION_ERROR', 'request_id');
        expect((await s.billing.balance('default')).free_tokens_used).toBe(0);
      });
    });

    it('cost() prices paid tokens in integer micro-dollars', () => {
      expect(cost(1_000_000, 'standard')).toBe(200_000);
      expect(cost(1_000_000, 'fast')).toBe(600_000);
      expect(cost(1_000_000, 'batch')).toBe(80_000);
    });
  });
}
