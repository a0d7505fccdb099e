/**
 * SIGKILL during a burst (issue #8, defect 6): a server process (the built `labelwise serve`,
 * and the HTTP adapter with billing on) answers a stream of concurrent classify/tag requests
 * and is SIGKILLed when the Nth answer arrives, at several points and several times on the same
 * data dir. A fresh engine on that dir must then log every request the client got a 200 for
 * (by X-Request-ID), and every charge must match its usage row. Real processes, real SQLite.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BILLED = fileURLToPath(new URL('./fixtures/billed-server.mjs', import.meta.url));
const BURST = 150;
/** In flight at once (under the production tier's 50 concurrent requests). */
const IN_FLIGHT = 40;
/**
 * The answer on whose arrival the server is killed, one round each. Each leaves more than
 * IN_FLIGHT requests unsent (BURST − killAt − IN_FLIGHT ≥ 20), so a kill is always mid-burst:
 * at 120, a loaded server could answer all 30 remaining before the signal landed.
 */
const KILL_AT = [1, 45, 90];

const SERVERS = {
  'labelwise serve': (dir: string) => [BIN, 'serve', '--port', '0', '--data', dir],
  'HTTP adapter, billing on': (dir: string) => [BILLED, dir],
};

const children: ChildProcess[] = [];
const dirs: string[] = [];

interface Started {
  child: ChildProcess;
  base: string;
  key: string | undefined;
  exit: Promise<NodeJS.Signals | null>;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d));
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, base: m[1], key: /(lw_live_[A-Za-z0-9]+)/.exec(out)?.[1], exit });
    });
    void exit.then((signal) => reject(new Error(`server exited early (${signal}): ${err}`)));
  });
}

interface Answer {
  status: number;
  requestId: string;
}

function post(url: string, key: string, agent: Agent, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode as number, requestId: res.headers['x-request-id'] as string }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Fires the burst; SIGKILLs the server the moment the `killAt`-th 200 arrives. */
async function burst(server: Started, key: string, round: number, killAt: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const answered: string[] = [];
  let failed = 0;
  const calls = Array.from({ length: BURST }, (_, i) => {
    const tag = i % 3 === 2;
    const body = { text: `round ${round} request ${i}: my card was charged twice for parcel ${i}`, labels: ['billing', 'shipping', 'returns'], cache: false };
    return post(`${server.base}/${tag ? 'tag' : 'classify'}`, key, agent, body).then(
      (a) => {
        if (a.status !== 200) return;
        answered.push(a.requestId);
        if (answered.length === killAt) server.child.kill('SIGKILL');
      },
      () => failed++, // the connection died with the server
    );
  });
  await Promise.all(calls);
  agent.destroy();
  expect(await server.exit).toBe('SIGKILL');
  return { answered, failed };
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(Object.entries(SERVERS))('SIGKILL mid-burst: %s', (_name, args) => {
  it(`loses no answered request and no charge over ${KILL_AT.length} kills`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labelwise-crash-'));
    dirs.push(dir);
    const answered: string[] = [];
    let key: string | undefined;
    for (const [round, killAt] of KILL_AT.entries()) {
      const server = await start(args(dir));
      key ??= server.key;
      expect(key, 'the first start prints the admin key').toMatch(/^lw_live_/);
      const r = await burst(server, key as string, round, killAt);
      expect(r.answered.length).toBeGreaterThanOrEqual(killAt);
      expect(r.failed, 'the kill came mid-burst: some requests were never answered').toBeGreaterThan(0);
      answered.push(...r.answered);
    }

    const engine = await createEngine({ dataDir: dir, pool: { workers: 1 } });
    const logged = new Map<string, number>();
    try {
      let cursor: string | null = null;
      do {
        const page = await engine.logs({ limit: 1000, cursor });
        for (const e of page.data) logged.set(e.request_id, e.status);
        cursor = page.next_cursor;
      } while (cursor);
    } finally {
      await engine.close();
    }
    const missing = answered.filter((id) => logged.get(id) !== 200);
    expect(missing, `${missing.length} of ${answered.length} answered requests missing from the log`).toEqual([]);

    // Charges: one ledger charge per billed usage row, same tokens and amount; sums consistent.
    const db = new Database(join(dir, 'labelwise.db'), { readonly: true });
    try {
      const q = (sql: string) => db.prepare(sql).get() as Record<string, number>;
      expect(q(`SELECT count(*) AS n FROM usage u WHERE u.tokens > 0 AND (SELECT count(*) FROM ledger l WHERE l.type = 'charge' AND l.request_id = u.request_id AND l.tokens = u.tokens AND l.amount_micros = u.cost_micros) != 1`).n).toBe(0);
      expect(q(`SELECT count(*) AS n FROM ledger l WHERE l.type = 'charge' AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.request_id = l.request_id)`).n).toBe(0);
      const usage = q('SELECT count(*) AS n, sum(tokens) AS tokens, sum(cost_micros) AS micros FROM usage WHERE tokens > 0');
      const periods = q('SELECT sum(tokens) AS tokens, sum(spend_micros) AS micros FROM billing_periods');
      const ledger = q("SELECT sum(CASE type WHEN 'charge' THEN amount_micros ELSE 0 END) AS charged, sum(CASE type WHEN 'credit' THEN amount_micros ELSE 0 END) AS credited FROM ledger");
      const balance = q("SELECT balance_micros AS micros FROM accounts WHERE id = 'default'");
      expect(usage.n).toBeGreaterThanOrEqual(answered.length);
      expect(periods).toEqual({ tokens: usage.tokens, micros: usage.micros });
      expect(ledger.charged).toBe(usage.micros);
      expect(balance.micros).toBe(ledger.credited - ledger.charged);
    } finally {
      db.close();
    }
  });
});
