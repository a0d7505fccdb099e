/**
 * `GET /v1/usage` over the `usage_hourly` sums: whole hours of the range come from the sums,
 * the partial hours at either edge from the raw rows, merged by group. The sums are written
 * in the flush transaction that writes the rows, so both always agree.
 */
import type Database from 'better-sqlite3';
import { HOUR_MS, DAY_MS } from '../time.js';
import type { UsageGroupBy } from '../common.js';
import type { UsageRecord } from '../validate.js';
import type { Db } from './database.js';

/** Sums of one group; `g` is an hour or day number, or a column value. */
export interface GroupRow {
  g: number | string | null;
  requests: number;
  tokens: number;
  visual_tokens: number;
  cached_requests: number;
  errors: number;
  cost_micros: number;
}

/** `month` is grouped by day, then merged by the caller. */
export type SqlGroup = Exclude<UsageGroupBy, 'month'>;

const RAW_GROUPS: Record<SqlGroup, string> = {
  day: `created_at / ${DAY_MS}`,
  hour: `created_at / ${HOUR_MS}`,
  endpoint: 'endpoint',
  key: 'key_id',
  priority: 'priority',
};
const HOURLY_GROUPS: Record<SqlGroup, string> = {
  day: 'hour / 24',
  hour: 'hour',
  endpoint: 'endpoint',
  key: "nullif(key_id, '')",
  priority: "nullif(priority, '')",
};
const RAW_SUMS = `count(*) AS requests, sum(tokens) AS tokens, sum(visual_tokens) AS visual_tokens,
  sum(cached) AS cached_requests, sum(status >= 400) AS errors, sum(cost_micros) AS cost_micros`;
const HOURLY_SUMS = `sum(requests) AS requests, sum(tokens) AS tokens, sum(visual_tokens) AS visual_tokens,
  sum(cached_requests) AS cached_requests, sum(errors) AS errors, sum(cost_micros) AS cost_micros`;

type Range = [string, number, number];

export class UsageReports {
  readonly #raw: Record<SqlGroup, Database.Statement<Range, GroupRow>>;
  readonly #hourly: Record<SqlGroup, Database.Statement<Range, GroupRow>>;
  readonly #snapshot: (fn: () => GroupRow[]) => GroupRow[];

  constructor(db: Db) {
    const each = (f: (g: SqlGroup) => Database.Statement<Range, GroupRow>) =>
      Object.fromEntries((Object.keys(RAW_GROUPS) as SqlGroup[]).map((g) => [g, f(g)])) as Record<SqlGroup, Database.Statement<Range, GroupRow>>;
    this.#raw = each((g) =>
      db.prepare(`SELECT ${RAW_GROUPS[g]} AS g, ${RAW_SUMS} FROM usage WHERE account = ? AND created_at >= ? AND created_at < ? GROUP BY g`),
    );
    this.#hourly = each((g) =>
      db.prepare(`SELECT ${HOURLY_GROUPS[g]} AS g, ${HOURLY_SUMS} FROM usage_hourly WHERE account = ? AND hour >= ? AND hour < ? GROUP BY g`),
    );
    this.#snapshot = db.transaction((fn: () => GroupRow[]) => fn());
  }

  /** Sums over `[start, end)` per group, ordered by group (nulls first). */
  groups(group: SqlGroup, account: string, start: number, end: number): GroupRow[] {
    const firstHour = Math.ceil(start / HOUR_MS) * HOUR_MS;
    const lastHour = Math.floor(end / HOUR_MS) * HOUR_MS;
    const parts = this.#snapshot(() => {
      if (firstHour >= lastHour) return this.#raw[group].all(account, start, end);
      return [
        ...this.#raw[group].all(account, start, firstHour),
        ...this.#hourly[group].all(account, firstHour / HOUR_MS, lastHour / HOUR_MS),
        ...this.#raw[group].all(account, lastHour, end),
      ];
    });
    const merged = new Map<GroupRow['g'], GroupRow>();
    for (const r of parts) {
      const m = merged.get(r.g);
      if (!m) merged.set(r.g, { ...r });
      else for (const k of ['requests', 'tokens', 'visual_tokens', 'cached_requests', 'errors', 'cost_micros'] as const) m[k] += r[k];
    }
    return [...merged.values()].sort((a, b) => (a.g === b.g ? 0 : a.g === null ? -1 : b.g === null ? 1 : a.g < b.g ? -1 : 1));
  }
}

/** Adds a batch of rows to `usage_hourly`, one upsert per (account, hour, endpoint, key, priority). */
export function hourlyWriter(db: Db): (rows: UsageRecord[]) => void {
  const upsert = db.prepare(`
    INSERT INTO usage_hourly (account, hour, endpoint, key_id, priority, requests, tokens, visual_tokens, cached_requests, errors, cost_micros)
    VALUES (@account, @hour, @endpoint, @key_id, @priority, @requests, @tokens, @visual_tokens, @cached_requests, @errors, @cost_micros)
    ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens,
      visual_tokens = visual_tokens + excluded.visual_tokens, cached_requests = cached_requests + excluded.cached_requests,
      errors = errors + excluded.errors, cost_micros = cost_micros + excluded.cost_micros`);
  return (rows) => {
    const sums = new Map<string, HourSums>();
    for (const r of rows) {
      const hour = Math.floor(r.created_at / HOUR_MS);
      const key_id = r.key_id ?? '';
      const priority = r.priority ?? '';
      const id = JSON.stringify([r.account, hour, r.endpoint, key_id, priority]);
      let s = sums.get(id);
      if (!s) {
        s = { account: r.account, hour, endpoint: r.endpoint, key_id, priority, requests: 0, tokens: 0, visual_tokens: 0, cached_requests: 0, errors: 0, cost_micros: 0 };
        sums.set(id, s);
      }
      s.requests += 1;
      s.tokens += r.tokens;
      s.visual_tokens += r.visual_tokens;
      s.cached_requests += r.cached;
      s.errors += r.status >= 400 ? 1 : 0;
      s.cost_micros += r.cost_micros;
    }
    for (const s of sums.values()) upsert.run(s);
  };
}

interface HourSums extends Omit<GroupRow, 'g'> {
  account: string;
  hour: number;
  endpoint: string;
  key_id: string;
  priority: string;
}
