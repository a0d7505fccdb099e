/**
 * Graceful shutdown of `labelwise serve` (the built CLI, as users run it): SIGTERM lets every
 * in-flight request finish with 200, the process exits 0, and every answered request is in the
 * logs after a restart on the same data dir. `npm test` builds dist/ first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Served {
  child: ChildProcess;
  base: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once `text` has appeared on stderr. */
  stderrShows: (text: string) => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
let dataDir: string;

function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (d: Buffer) => (out += d));
  child.stderr?.on('data', (d: Buffer) => {
    err += d;
    for (const w of waiters.splice(0)) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stderrShows = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => (err.includes(text) ? resolve() : waiters.push(check));
      check();
    });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, base: m[1], stdout: () => out, stderr: () => err, stderrShows, exit });
    });
    void exit.then(({ code }) => reject(new Error(`serve exited early with ${code}: ${err}`)));
  });
}

interface Answer {
  status: number;
  requestId: string;
  body: any;
}

/** A JSON request over node:http (keep-alive agent, like a long-lived client), reporting when its socket connected. */
function send(url: string, key: string, agent: Agent, body?: unknown, onConnect?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method: payload ? 'POST' : 'GET', agent, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode as number, requestId: res.headers['x-request-id'] as string, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.on('socket', (s) => (s.connecting ? s.once('connect', () => onConnect?.()) : onConnect?.()));
    req.end(payload);
  });
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
  dataDir = mkdtempSync(join(tmpdir(), 'labelwise-serve-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('labelwise serve', () => {
  it('SIGTERM finishes in-flight requests, exits 0, and a restart sees every answered request in the logs', async () => {
    const first = await serve(dataDir);
    const adminLines = first.stdout().split('\n').filter((l) => /admin key/i.test(l));
    expect(adminLines).toHaveLength(1);
    const key = /(lw_live_[A-Za-z0-9]+)/.exec(adminLines[0])?.[1] as string;
    expect(key).toMatch(/^lw_live_[A-Za-z0-9]{40}$/);

    const agent = new Agent({ keepAlive: true });
    const slowBody = (n: number) => ({ texts: Array.from({ length: 500 }, (_, i) => `shutdown text ${n}-${i}: my parcel is late`), labels: ['billing', 'shipping'], cache: false });
    const slow: Promise<Answer>[] = [];
    let signalled = false;
    let answeredBeforeSignal = 0;
    let connected = 0;
    const allConnected = new Promise<void>((resolve) => {
      const onConnect = () => ++connected === 3 && resolve();
      slow.push(...[1, 2, 3].map((n) => send(`${first.base}/classify/batch`, key, agent, slowBody(n), onConnect)));
    });
    for (const p of slow) void p.then(() => !signalled && answeredBeforeSignal++, () => undefined);
    await allConnected;
    // Connections are accepted in order: once a later one is answered, the slow ones were accepted too.
    const quick = await send(`${first.base}/balance`, key, new Agent({ keepAlive: false }));
    expect(quick.status).toBe(200);

    first.child.kill('SIGTERM');
    signalled = true;
    await first.stderrShows('finishing in-flight requests');
    // Shutdown began: new connections are refused…
    await expect(fetch(`${first.base}/balance`, { headers: { authorization: `Bearer ${key}` } })).rejects.toThrow();
    // …and every in-flight request still completes.
    const answers = await Promise.all(slow);
    expect(answeredBeforeSignal).toBe(0); // they really were in flight when the signal came
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.results).toHaveLength(500);
      expect(a.requestId).toMatch(/^req_/);
    }
    agent.destroy(); // a client that is done closes its kept-alive connections
    expect(await first.exit).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('stopped cleanly');

    const second = await serve(dataDir);
    expect(second.stdout()).not.toMatch(/admin key/i);
    const logs = await send(`${second.base}/logs?limit=100`, key, new Agent({ keepAlive: false }));
    expect(logs.status).toBe(200);
    const logged = new Map(logs.body.data.map((e: { request_id: string; status: number }) => [e.request_id, e.status]));
    for (const a of [...answers, quick]) expect(logged.get(a.requestId), a.requestId).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  });
});
