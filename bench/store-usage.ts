// How fast do usage rows go in through the write-behind recorder, how long does a monthly
// report over them take, and how big is the file? Plain timing (each task runs once over a
// million rows; tinybench's many-iteration model does not fit a one-shot million-row load).
//   node --import tsx bench/store-usage.ts [rows=1000000]
// Reference beside the recorder: the same rows through a bare prepared INSERT, 500 per
// transaction, i.e. the floor the recorder's validation and buffering add to.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStores, type UsageRow } from '../src/store/index.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const MONTH = Date.UTC(2030, 0, 1);
const ENDPOINTS = ['/v1/classify', '/v1/tag', '/v1/classify/batch', '/v1/tag/batch'];
const KEYS = Array.from({ length: 20 }, (_, i) => `key_bench${String(i).padStart(8, '0')}`);

function makeRow(i: number): UsageRow {
  const labels = i % 4 === 1 ? [{ label: 'refund', confidence: 0.81 }, { label: 'urgent', confidence: 0.62 }] : null;
  return {
    request_id: `req_${i.toString(36).padStart(12, '0')}`,
    key_id: KEYS[i % KEYS.length],
    endpoint: ENDPOINTS[i % 4],
    method: 'POST',
    status: i % 97 === 0 ? 422 : 200,
    priority: i % 3 === 0 ? 'fast' : 'standard',
    tokens: 40 + (i % 200),
    visual_tokens: 0,
    cached: i % 5 === 0,
    latency_ms: 3 + (i % 40),
    cost_micros: 8 + (i % 50),
    error_code: i % 97 === 0 ? 'VALIDATION_ERROR' : null,
    label: labels ? null : 'billing',
    labels,
    // Spread over the 31 days of January, in time order as a live server writes them.
    created_at: MONTH + Math.floor((i / ROWS) * 31 * 86_400_000),
  };
}

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const fileSize = (dir: string) => ['labelwise.db', 'labelwise.db-wal'].reduce((s, f) => s + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function recorderRun(dir: string) {
  const stores = await openStores({ dataDir: dir });
  const t = process.hrtime.bigint();
  for (let i = 0; i < ROWS; i++) {
    stores.usage.record(makeRow(i));
    // Let timers and I/O run now and then, as on a server; record() itself flushes every 500 rows.
    if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
  }
  await stores.flush();
  const insertMs = ms(t);
  const reports: Record<string, number> = {};
  for (const group_by of ['day', 'hour', 'month', 'endpoint', 'key', 'priority'] as const) {
    const q = process.hrtime.bigint();
    const r = await stores.usage.usage({ group_by, start: MONTH, end: Date.UTC(2030, 1, 1) });
    reports[group_by] = ms(q);
    if (r.totals.requests !== ROWS) throw new Error(`expected ${ROWS} rows, report counted ${r.totals.requests}`);
  }
  const e = process.hrtime.bigint();
  await stores.usage.usage({ group_by: 'day', start: MONTH + 1_800_000, end: Date.UTC(2030, 1, 1) - 1_800_000 });
  reports['day, range not on hour boundaries'] = ms(e);
  const logs: Record<string, number> = {};
  for (const [name, q] of [
    ['first page', {}],
    ['first page, key_id filter', { key_id: KEYS[3] }],
    ['key_id of no row (scans every row of the account)', { key_id: 'key_unused' }],
  ] as const) {
    const l = process.hrtime.bigint();
    await stores.usage.logs({ limit: 50, ...q });
    logs[name] = ms(l);
  }
  await stores.close();
  // Reference: the same daily report straight from the raw rows (what the hourly sums replace).
  const db = new Database(join(dir, 'labelwise.db'), { readonly: true });
  const r = process.hrtime.bigint();
  db.prepare(`SELECT created_at / 86400000 AS g, count(*), sum(tokens), sum(visual_tokens), sum(cached), sum(status >= 400), sum(cost_micros)
    FROM usage WHERE account = 'default' AND created_at >= ? AND created_at < ? GROUP BY g`).all(MONTH, Date.UTC(2030, 1, 1));
  const rawDayMs = ms(r);
  db.close();
  return { insertMs, reports, rawDayMs, logs, bytes: fileSize(dir) };
}

function referenceRun(dir: string) {
  const db = new Database(join(dir, 'ref.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE usage (id INTEGER PRIMARY KEY, account TEXT NOT NULL, request_id TEXT NOT NULL, key_id TEXT, endpoint TEXT NOT NULL,
    method TEXT NOT NULL, status INTEGER NOT NULL, priority TEXT, tokens INTEGER NOT NULL, visual_tokens INTEGER NOT NULL, cached INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL, cost_micros INTEGER NOT NULL, error_code TEXT, label TEXT, labels TEXT, created_at INTEGER NOT NULL) STRICT;
    CREATE INDEX usage_by_time ON usage(account, created_at); CREATE INDEX usage_by_request ON usage(request_id);`);
  const insert = db.prepare(`INSERT INTO usage (account, request_id, key_id, endpoint, method, status, priority, tokens, visual_tokens, cached,
    latency_ms, cost_micros, error_code, label, labels, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const batch = db.transaction((rows: UsageRow[]) => {
    for (const r of rows) {
      insert.run('default', r.request_id, r.key_id, r.endpoint, r.method, r.status, r.priority, r.tokens, r.visual_tokens, r.cached ? 1 : 0,
        r.latency_ms, r.cost_micros, r.error_code, r.label, r.labels ? JSON.stringify(r.labels) : null, r.created_at as number);
    }
  });
  const t = process.hrtime.bigint();
  for (let i = 0; i < ROWS; i += 500) batch(Array.from({ length: Math.min(500, ROWS - i) }, (_, j) => makeRow(i + j)));
  const insertMs = ms(t);
  db.close();
  return { insertMs };
}

const dir = mkdtempSync(join(tmpdir(), 'labelwise-bench-store-'));
try {
  console.log(`store-usage: ${fmt(ROWS)} usage rows, Node ${process.version}, SQLite ${(new Database(':memory:').prepare('select sqlite_version() v').get() as { v: string }).v}`);
  const rec = await recorderRun(dir);
  const ref = referenceRun(dir);
  const rate = (t: number) => ROWS / (t / 1000);
  console.log(`insert, recorder (validate + buffer + 500/txn): ${fmt(rate(rec.insertMs))} rows/s (${fmt(rec.insertMs)} ms)`);
  console.log(`insert, bare prepared INSERT, 500/txn:          ${fmt(rate(ref.insertMs))} rows/s (${fmt(ref.insertMs)} ms)  → recorder at ${(ref.insertMs / rec.insertMs).toFixed(2)}× the bare rate`);
  for (const [g, t] of Object.entries(rec.reports)) console.log(`usage({ group_by: '${g}' }) over ${fmt(ROWS)} rows: ${t.toFixed(1)} ms`);
  console.log(`reference: GROUP BY day over the raw rows: ${fmt(rec.rawDayMs)} ms  → report via hourly sums ${(rec.rawDayMs / rec.reports.day).toFixed(0)}× faster`);
  for (const [name, t] of Object.entries(rec.logs)) console.log(`logs({ limit: 50 }) ${name}: ${t.toFixed(1)} ms`);
  console.log(`file size: ${(rec.bytes / 2 ** 20).toFixed(1)} MiB total, ${((rec.bytes / 2 ** 20) * (1_000_000 / ROWS)).toFixed(1)} MiB per million rows`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
