// Several writers on one file, in one process and in several, and a writer killed mid-burst.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/index.js';
import { row, tempDirs } from './helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Starts a writer child; `lines` collects its stdout lines, `ready` resolves once it opened the stores. */
function writer(dataDir: string, tag: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, tag, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const listeners: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const until = (pred: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => pred() && resolve();
      listeners.push(check);
      child.once('exit', (code) => (pred() ? resolve() : reject(new Error(`writer ${tag} exited ${code}: ${stderr}`))));
      check();
    });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, ready: until(() => lines.includes('ready')), until, exited, stderr: () => stderr };
}

// Ending stdin (not just writing a line) lets a child exit once done.
const go = (...children: ChildProcess[]) => children.forEach((c) => c.stdin!.end('go\n'));

function inspect(dir: string) {
  const db = new Database(join(dir, 'labelwise.db'));
  const q = <T>(sql: string) => db.prepare(sql).all() as T[];
  return { db, q };
}

describe('concurrent writers', () => {
  it('loses nothing with two stores on one file in one process', async () => {
    const dir = dirs.make();
    const [a, b] = await Promise.all([openStores({ dataDir: dir }), openStores({ dataDir: dir })]);
    const made: string[] = [];
    for (let i = 0; i < 40; i++) {
      const vs = await Promise.all([a, b].map((s, j) => s.classifiers.create({ name: 'shared', labels: [`l${i}-${j}`] })));
      made.push(...vs.map((v) => v.version));
      for (let r = 0; r < 30; r++) {
        a.usage.record(row({ request_id: `a-${i}-${r}` }));
        await b.billing.charge('default', 100, 'standard', { usage: row({ request_id: `b-${i}-${r}` }) });
      }
    }
    await Promise.all([a.close(), b.close()]);
    expect(made.map((v) => Number(v.slice(1))).sort((x, y) => x - y)).toEqual(range(80));

    const s = await openStores({ dataDir: dir });
    expect((await s.classifiers.get('shared')).versions).toEqual(range(80).map((n) => `v${n}`));
    const ids: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await s.usage.logs({ limit: 1000, cursor });
      ids.push(...page.data.map((l) => l.request_id));
      cursor = page.next_cursor;
    }
    expect(ids).toHaveLength(2400);
    expect(new Set(ids).size).toBe(2400);
    expect((await s.billing.balance()).free_tokens_used).toBe(120_000);
    await s.close();
  });

  it('loses nothing with two processes writing one file at once', async () => {
    const dir = dirs.make();
    const [p, q] = [writer(dir, 'p', 'burst', '30', '3000'), writer(dir, 'q', 'burst', '30', '3000')];
    await Promise.all([p.ready, q.ready]);
    go(p.child, q.child);
    expect(await p.exited, p.stderr()).toBe(0);
    expect(await q.exited, q.stderr()).toBe(0);
    const [rp, rq] = [p, q].map((w) => JSON.parse(w.lines[w.lines.length - 1]) as { versions: string[]; keys: string[] });
    const versions = [...rp.versions, ...rq.versions].map((v) => Number(v.slice(1))).sort((x, y) => x - y);
    expect(versions).toEqual(range(60));

    const { db, q: sql } = inspect(dir);
    expect(sql('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(sql('SELECT version FROM classifiers ORDER BY version').map((r: any) => r.version)).toEqual(range(60));
    expect(sql<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT request_id) AS d FROM usage')[0]).toEqual({ n: 6000, d: 6000 });
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM usage_inputs')[0].n).toBe(6000);
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM keys')[0].n).toBe(rp.keys.length + rq.keys.length);
    const ledger = sql<{ n: number; tokens: number }>("SELECT count(*) AS n, sum(tokens) AS tokens FROM ledger WHERE type = 'charge'")[0];
    expect(ledger).toEqual({ n: 3000, tokens: 3_000_000 });
    const period = sql<{ tokens: number; free: number }>('SELECT sum(tokens) AS tokens, sum(free_tokens_used) AS free FROM billing_periods')[0];
    expect(period).toEqual({ tokens: 3_000_000, free: 3_000_000 });
    db.close();
  }, 60_000);

  it.each([4, 12, 25])('leaves a consistent database when a writer is killed mid-burst (after %i commits)', async (commits) => {
    const dir = dirs.make();
    const w = writer(dir, 'k', 'forever');
    await w.ready;
    go(w.child);
    const committed = () => w.lines.filter((l) => l.startsWith('committed '));
    await w.until(() => committed().length >= commits);
    w.child.kill('SIGKILL');
    await w.exited;
    const [, lastVersion, lastRows] = committed().at(-1)!.split(' ');

    const { db, q } = inspect(dir);
    expect(q('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(q('PRAGMA foreign_key_check')).toEqual([]);
    const versions = q<{ version: number; labels: string; examples: string; created_at: number }>('SELECT * FROM classifiers ORDER BY version');
    expect(versions.length).toBeGreaterThanOrEqual(Number(lastVersion.slice(1)));
    expect(versions.map((v) => v.version)).toEqual(range(versions.length));
    for (const v of versions) {
      expect(JSON.parse(v.labels)).toHaveLength(200);
      expect(Object.keys(JSON.parse(v.examples))).toHaveLength(20);
      expect(v.created_at).toBeGreaterThan(0);
    }
    const keys = q<{ hash: Buffer; prefix: string; scopes: string }>('SELECT * FROM keys');
    expect(keys.length).toBeGreaterThanOrEqual(versions.length - 1);
    for (const k of keys) {
      expect(k.hash).toHaveLength(32);
      expect(k.prefix).toMatch(/^lw_live_/);
      expect(JSON.parse(k.scopes)).toEqual(['classify', 'batch', 'manage']);
    }
    const usage = q<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT request_id) AS d FROM usage')[0];
    expect(usage.n).toBeGreaterThanOrEqual(Number(lastRows));
    expect(usage.d).toBe(usage.n);
    db.close();

    // The stores open it again and carry on from the last committed version.
    const s = await openStores({ dataDir: dir });
    expect((await s.classifiers.create({ name: 'shared', labels: ['after'] })).version).toBe(`v${versions.length + 1}`);
    await s.close();
  }, 60_000);
});
