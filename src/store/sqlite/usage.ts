/** The `usage` and `usage_inputs` tables: one row per request, reports and logs (spec §10). */
import type Database from 'better-sqlite3';
import { validationError } from '../../errors.js';
import { microsToUsd } from '../pricing.js';
import { DAY_MS, HOUR_MS, iso, monthStart, nextMonthStart, toMs, toMsOr } from '../time.js';
import type {
  LogEntry,
  LoggedLabel,
  LogsPage,
  LogsQuery,
  TimeInput,
  UsageBucket,
  UsageCounters,
  UsageGroupBy,
  UsageReport,
  UsageRow,
  UsageQuery,
  UsageStore,
} from '../types.js';
import { accountOf, DEFAULT_RETENTION_DAYS, normalizeUsageRow, type UsageRecord } from '../validate.js';
import { USAGE_GROUPS } from '../../vocabulary.js';
import type { Db } from './database.js';
import { hourlyWriter, UsageReports, type GroupRow } from './usage-report.js';
import type { WriteBuffer } from './write-buffer.js';

const GROUP_BY = USAGE_GROUPS;

interface LogRow extends UsageRecord {
  id: number;
}

const LOG_SELECT = `
  SELECT u.*, i.input AS input FROM usage u
  LEFT JOIN usage_inputs i ON i.usage_id = u.id AND i.expires_at > @now
  WHERE u.account = @account AND u.created_at >= @start AND u.created_at < @end
    AND NOT (u.created_at = @cursor_t AND u.id >= @cursor_id)
    AND (@endpoint IS NULL OR u.endpoint = @endpoint)
    AND (@status IS NULL OR u.status = @status)
    AND (@key_id IS NULL OR u.key_id = @key_id)`;
const LOG_ORDER = 'ORDER BY u.created_at DESC, u.id DESC LIMIT @limit';

const encodeCursor = (t: number, id: number) => Buffer.from(`${t}.${id}`).toString('base64url');

function decodeCursor(cursor: string): [number, number] {
  const m = typeof cursor === 'string' ? /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString()) : null;
  if (!m) throw validationError('cursor', 'cursor is not a next_cursor of this endpoint');
  return [Number(m[1]), Number(m[2])];
}

/** Inserts usage rows, their inputs and their hourly sums, inside the caller's transaction. */
export function usageWriter(db: Db): (rows: UsageRecord[]) => void {
  const insert = db.prepare(`
    INSERT INTO usage (account, request_id, key_id, endpoint, method, status, priority, tokens, visual_tokens,
      cached, latency_ms, cost_micros, error_code, label, labels, created_at)
    VALUES (@account, @request_id, @key_id, @endpoint, @method, @status, @priority, @tokens, @visual_tokens,
      @cached, @latency_ms, @cost_micros, @error_code, @label, @labels, @created_at)`);
  // Retention is the key's, fixed when the row is written (keys' retention never changes).
  const insertInput = db.prepare(`
    INSERT INTO usage_inputs (usage_id, input, expires_at)
    VALUES (?, ?, ? + coalesce((SELECT log_retention_days FROM keys WHERE id = ?), ${DEFAULT_RETENTION_DAYS}) * ${DAY_MS})`);
  const addHourly = hourlyWriter(db);
  return (rows) => {
    for (const row of rows) {
      const { input, ...rest } = row;
      const id = insert.run(rest).lastInsertRowid;
      if (input !== null) insertInput.run(id, input, row.created_at, row.key_id);
    }
    addHourly(rows);
  };
}

export class SqliteUsageStore implements UsageStore {
  readonly #buffer: WriteBuffer;
  readonly #reports: UsageReports;
  readonly #logs: Database.Statement<[Record<string, unknown>], LogRow>;
  readonly #logsByRequest: Database.Statement<[Record<string, unknown>], LogRow>;
  readonly #purge: Database.Statement<[number]>;

  constructor(db: Db, buffer: WriteBuffer) {
    this.#buffer = buffer;
    this.#reports = new UsageReports(db);
    this.#logs = db.prepare(`${LOG_SELECT} ${LOG_ORDER}`);
    // With request_id the request index is far more selective than the time range.
    this.#logsByRequest = db.prepare(`${LOG_SELECT.replace('u.account = @account', 'u.request_id = @request_id AND +u.account = @account')} ${LOG_ORDER}`);
    this.#purge = db.prepare('DELETE FROM usage_inputs WHERE expires_at <= ?');
  }

  record(row: UsageRow): void {
    this.#buffer.push({ usage: normalizeUsageRow(row, Date.now()) });
  }

  async commit(row: UsageRow): Promise<void> {
    return this.#buffer.commit({ usage: normalizeUsageRow(row, Date.now()) });
  }

  async flush(): Promise<void> {
    this.#buffer.flush();
  }

  async usage(query: UsageQuery = {}): Promise<UsageReport> {
    const account = accountOf(query.account);
    const groupBy = query.group_by ?? 'day';
    if (!GROUP_BY.includes(groupBy)) throw validationError('group_by', `group_by must be one of ${GROUP_BY.join(', ')}`);
    const now = toMsOr(query.now, 'now', Date.now());
    const start = toMsOr(query.start, 'start', monthStart(now));
    const end = toMsOr(query.end, 'end', nextMonthStart(now));
    if (end <= start) throw validationError('end', 'end must be after start');
    this.#buffer.flush();

    const rows = this.#reports.groups(groupBy === 'month' ? 'day' : groupBy, account, start, end);
    const totals = emptySums();
    const data: (Sums & Partial<UsageBucket>)[] = [];
    for (const r of rows) {
      addSums(totals, r);
      if (groupBy === 'month') {
        // Days arrive in order, so a month's days are adjacent.
        const period = iso(monthStart(Number(r.g) * DAY_MS));
        const last = data.at(-1);
        if (last?.period === period) addSums(last, r);
        else data.push(addSums({ period, ...emptySums() }, r));
      } else {
        data.push(addSums({ ...grouping(groupBy, r.g), ...emptySums() }, r));
      }
    }
    return { start: iso(start), end: iso(end), group_by: groupBy, totals: toCounters(totals), data: data.map(toCounters) };
  }

  async logs(query: LogsQuery = {}): Promise<LogsPage> {
    const account = accountOf(query.account);
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validationError('limit', 'limit must be an integer from 1 to 1000');
    if (query.status !== undefined && !Number.isInteger(query.status)) throw validationError('status', 'status must be an integer');
    const now = toMsOr(query.now, 'now', Date.now());
    let start = toMsOr(query.start, 'start', Number.MIN_SAFE_INTEGER);
    let end = toMsOr(query.end, 'end', Number.MAX_SAFE_INTEGER);
    // The cursor is the last row returned: continue strictly below (created_at, id).
    const [cursorT, cursorId] = query.cursor == null ? [Number.MIN_SAFE_INTEGER, 0] : decodeCursor(query.cursor);
    if (query.cursor != null) end = Math.min(end, cursorT + 1);
    if (end < start) start = end;
    this.#buffer.flush();

    const params = {
      account,
      now,
      start,
      end,
      cursor_t: cursorT,
      cursor_id: cursorId,
      endpoint: optional(query.endpoint, 'endpoint'),
      status: query.status ?? null,
      key_id: optional(query.key_id, 'key_id'),
      request_id: optional(query.request_id, 'request_id'),
      limit: limit + 1,
    };
    const rows = (params.request_id === null ? this.#logs : this.#logsByRequest).all(params);
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { data: rows.map(toLogEntry), next_cursor: more ? encodeCursor(last.created_at, last.id) : null };
  }

  async purgeExpiredInputs(now?: TimeInput): Promise<number> {
    return this.#purge.run(now === undefined ? Date.now() : toMs(now, 'now')).changes;
  }
}

function optional(value: string | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw validationError(field, `${field} must be a string`);
  return value;
}

type Sums = Omit<GroupRow, 'g'>;

const emptySums = (): Sums => ({ requests: 0, tokens: 0, visual_tokens: 0, cached_requests: 0, errors: 0, cost_micros: 0 });

function addSums<T extends Sums>(into: T, r: Sums): T {
  into.requests += r.requests;
  into.tokens += r.tokens;
  into.visual_tokens += r.visual_tokens;
  into.cached_requests += r.cached_requests;
  into.errors += r.errors;
  into.cost_micros += r.cost_micros;
  return into;
}

function grouping(groupBy: Exclude<UsageGroupBy, 'month'>, g: GroupRow['g']): Partial<UsageBucket> {
  switch (groupBy) {
    case 'day':
      return { period: iso(Number(g) * DAY_MS) };
    case 'hour':
      return { period: iso(Number(g) * HOUR_MS) };
    case 'key':
      return { key_id: g as string | null };
    default:
      return { [groupBy]: g };
  }
}

/** Money stays integer micro-dollars until here. */
function toCounters<T extends Sums>({ cost_micros, ...rest }: T): Omit<T, 'cost_micros'> & UsageCounters {
  return { ...rest, cost_usd: microsToUsd(cost_micros) };
}

function toLogEntry(r: LogRow): LogEntry {
  const entry: LogEntry = {
    request_id: r.request_id,
    created_at: iso(r.created_at),
    endpoint: r.endpoint,
    method: r.method,
    status: r.status,
    key_id: r.key_id,
    priority: r.priority,
    tokens: r.tokens,
    visual_tokens: r.visual_tokens,
    cached: r.cached === 1,
    latency_ms: r.latency_ms,
    cost_usd: microsToUsd(r.cost_micros),
    error_code: r.error_code,
  };
  if (r.label !== null) entry.label = r.label;
  if (r.labels !== null) entry.labels = JSON.parse(r.labels) as LoggedLabel[];
  if (r.input !== null) entry.input = r.input;
  return entry;
}
