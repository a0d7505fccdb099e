// The usage and logs part of the store contract (see ../contract.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../../src/store/index.js';
import { DAY, expectError, HOUR, MINUTE, row, T0 } from '../helpers.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Registers the usage and logs tests; `stores()` is the current test's fresh stores. */
export function usageContract(stores: () => Stores): void {
  let s: Stores;
  beforeEach(() => {
    s = stores();
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

    it('commit writes durably: resolved rows are logged, bad rows reject with VALIDATION_ERROR and write nothing', async () => {
      await Promise.all([s.usage.commit(row({ request_id: 'c1', created_at: T0 })), s.usage.commit(row({ request_id: 'c2', created_at: T0 + 1 }))]);
      await expectError(s.usage.commit(row({ request_id: 'c3', tokens: -1 })), 'VALIDATION_ERROR', 'tokens');
      expect((await s.usage.logs()).data.map((e) => e.request_id)).toEqual(['c2', 'c1']);
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
}
