/**
 * Load benchmark of the HTTP adapter on loopback: 50 concurrent clients mixing classify (60%),
 * tag (25%) and classify/batch of 20 (15%) against a real node:http server in a child process,
 * alternated with the same mix in-process on the same engine (same concurrency, same duration),
 * so the adapter's overhead is a side-by-side ratio. Then the server stops cleanly and its SQLite
 * file must hold a log row for every X-Request-ID a client received; no answer may be a 5xx.
 *
 *   node --import tsx bench/http-load.ts          # LOAD_SECONDS=30 of HTTP load (and 30 in-process)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStores } from '../src/store/index.js';
import { loadTexts, ROOT } from './lib/data.js';
import { httpPhase, type HttpPhase } from './lib/http-load-client.js';
import { cpuDelta, ENDPOINTS, merge, newTally, summarize, type CpuSnap, type Summary } from './lib/http-load-mix.js';
import type { FromServer, ToServer } from './lib/http-load-server.js';
import { fmt, markdownNotes, markdownTable, type Row } from './lib/report.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const ROUNDS = 3; // in-process and HTTP alternate, order flipped each round, so neighbours' noise is shared
const PHASE = SECONDS / ROUNDS;
const CONCURRENCY = 50;
const started = Date.now();
const loadBefore = loadavg();
// Bounded in time whatever happens: the whole run may not exceed this.
const guard = setTimeout(() => (console.error('http-load: overall time limit hit'), process.exit(1)), (SECONDS * 2 + 180) * 1000).unref();

const { texts, source } = loadTexts(1900);
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/http-load-server.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const server = JSON.parse(line) as { port: number; key: string; keyId: string; dataDir: string };

async function ask<T extends FromServer['type']>(m: ToServer & { type: T }): Promise<Extract<FromServer, { type: T }>> {
  child.send(m);
  const [reply] = (await once(child, 'message')) as [FromServer];
  if (reply.type !== m.type) throw new Error(`server answered ${reply.type} to ${m.type}`);
  return reply as Extract<FromServer, { type: T }>;
}

const http = { tally: newTally(), ids: [] as string[], errors: 0, timeouts: 0, serverCpuMs: 0, busy: [] as number[], clientCpuMs: 0 };
const inproc = { tally: newTally(), serverCpuMs: 0, busy: [] as number[] };
const perRound: string[] = [];
const perRoundLat: string[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let rHttp: Summary | undefined;
  let rIn: Summary | undefined;
  for (const side of round % 2 === 0 ? ['inproc', 'http'] : ['http', 'inproc']) {
    if (side === 'inproc') {
      const r = await ask({ type: 'inproc', seconds: PHASE, concurrency: CONCURRENCY, seed: 1000 * round });
      merge(inproc.tally, r.tally);
      inproc.serverCpuMs += r.cpuMs;
      inproc.busy.push(r.mainBusy);
      rIn = summarize(r.tally, PHASE);
    } else {
      const before: CpuSnap = (await ask({ type: 'cpu' })).snap;
      const p: HttpPhase = await httpPhase(server.port, server.key, texts, PHASE, CONCURRENCY, 1000 * round + 500);
      const d = cpuDelta(before, (await ask({ type: 'cpu' })).snap);
      await ask({ type: 'drain' }); // requests cut at the phase end must not run into the next phase
      merge(http.tally, p.tally);
      http.ids.push(...p.ids);
      Object.assign(http, { errors: http.errors + p.errors, timeouts: http.timeouts + p.timeouts, clientCpuMs: http.clientCpuMs + p.clientCpuMs });
      http.serverCpuMs += d.cpuMs;
      http.busy.push(d.mainBusy);
      rHttp = summarize(p.tally, PHASE);
    }
  }
  perRound.push(fmt(rHttp!.textsPerSec / rIn!.textsPerSec));
  perRoundLat.push(`${fmt(rHttp!.p99, 0)}/${fmt(rIn!.p99, 0)}`);
}

// Graceful stop: the server finishes, the engine flushes its log rows, the process exits 0.
child.kill('SIGTERM');
const [exitCode] = (await once(child, 'exit')) as [number | null];

// Every X-Request-ID a client received must be a row in the SQLite file the server left.
const stores = await openStores({ dataDir: server.dataDir });
const logged = new Set<string>();
let logged5xx = 0;
let cursor: string | null = null;
do {
  const page = await stores.usage.logs({ key_id: server.keyId, limit: 1000, cursor });
  for (const row of page.data) {
    logged.add(row.request_id);
    if (row.method === 'POST' && !row.request_id.startsWith('inproc_') && row.status >= 500) logged5xx++;
  }
  cursor = page.next_cursor;
} while (cursor);
await stores.close();
rmSync(server.dataDir, { recursive: true, force: true });
const lost = http.ids.filter((id) => !logged.has(id)).length;

const H = summarize(http.tally, SECONDS);
const I = summarize(inproc.tally, SECONDS);
const fiveXX = Object.entries(H.statuses).reduce((n, [s, c]) => n + (Number(s) >= 500 ? c : 0), 0);
const other = Object.entries(H.statuses).filter(([s]) => s !== '200');
const ms = (x: number) => `${fmt(x, x < 10 ? 2 : 0)} ms`;
const lat = (s: Summary) => `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`;
const textsH = H.textsPerSec * SECONDS;
const textsI = I.textsPerSec * SECONDS;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${fmt(100 * x, 0)}%`;

const rows: Row[] = [
  {
    question: 'H1', metric: `throughput, ${CONCURRENCY} clients, mix 60/25/15, 80% cache off: HTTP / in-process`,
    measured: `${fmt(H.rps, 1)} req/s, ${fmt(H.textsPerSec, 0)} texts/s`, reference: `${fmt(I.rps, 1)} req/s, ${fmt(I.textsPerSec, 0)} texts/s (in-process)`,
    ratio: fmt(H.textsPerSec / I.textsPerSec), target: '— (report)', pass: null,
    notes: `texts/s ratio per round (alternating, order flipped): ${perRound.join(', ')}; ${H.requests} HTTP vs ${I.requests} in-process answers in ${SECONDS} s each; ` +
      `server process CPU ${fmt(http.serverCpuMs / SECONDS / 1000)} cores under HTTP vs ${fmt(inproc.serverCpuMs / SECONDS / 1000)} in-process (a ratio above 1 means the in-process loops left cores idle, not that HTTP is cheaper: see H6)`,
  },
  {
    question: 'H2', metric: 'latency, all requests: HTTP / in-process (p50 ratio)', measured: lat(H), reference: lat(I), ratio: fmt(H.p50 / I.p50), target: '— (report)', pass: null,
    notes: `p99 ratio ${fmt(H.p99 / I.p99)}; p99 per round, HTTP/in-process ms: ${perRoundLat.join(', ')} (one stall delays all ${CONCURRENCY} requests in flight, so p99 moves with the neighbours)`,
  },
  ...ENDPOINTS.map((e, i): Row => {
    const h = summarize(http.tally, SECONDS, e);
    const n = summarize(inproc.tally, SECONDS, e);
    return { question: `H${3 + i}`, metric: `${e}: latency HTTP / in-process (p50 ratio)`, measured: `${lat(h)} (${h.requests} req)`, reference: `${lat(n)} (${n.requests} req)`, ratio: fmt(h.p50 / n.p50), target: '— (report)', pass: null };
  }),
  {
    question: 'H6', metric: 'CPU per text answered (all threads): HTTP server / in-process', measured: ms(http.serverCpuMs / textsH), reference: ms(inproc.serverCpuMs / textsI),
    ratio: fmt(http.serverCpuMs / textsH / (inproc.serverCpuMs / textsI)), target: '— (report)', pass: null,
    notes: `robust to neighbours (CPU, not wall time). The load generator (autocannon, same 2 cores) used a further ${ms(http.clientCpuMs / textsH)} per text; server main thread busy ${pct(mean(http.busy))} under HTTP vs ${pct(mean(inproc.busy))} in-process, ` +
      `i.e. ${ms((mean(http.busy) * SECONDS * 1000) / H.requests)} vs ${ms((mean(inproc.busy) * SECONDS * 1000) / I.requests)} of main-thread time per request`,
  },
  { question: 'H7', metric: '5xx answers under load', measured: `${fiveXX} of ${H.requests}`, reference: `${logged5xx} 5xx rows in the log`, ratio: '—', target: '0', pass: fiveXX === 0 && logged5xx === 0 },
  {
    question: 'H8', metric: 'lost log rows: received X-Request-IDs missing from the SQLite log after a clean stop', measured: `${lost} of ${http.ids.length}`,
    reference: `${logged.size} rows logged for the key (incl. in-process calls and requests cut at phase ends)`, ratio: '—', target: `0, server exit 0`, pass: lost === 0 && exitCode === 0 && http.ids.length === H.requests,
    notes: `server exit code ${exitCode}; ids received ${http.ids.length} = answers counted ${H.requests}; connection errors ${http.errors}, timeouts ${http.timeouts}; non-200 statuses: ${other.length ? other.map(([s, c]) => `${s}×${c}`).join(', ') : 'none'}`,
  },
];

const header = [
  '# HTTP adapter load benchmark (loopback)',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus()[0]?.model ?? '?'} × ${cpus().length} · load avg before ${loadBefore.map((x) => fmt(x)).join(' ')}, after ${loadavg().map((x) => fmt(x)).join(' ')} · ${fmt((Date.now() - started) / 1000, 0)} s`,
  '',
  `Server: node:http + createHandler in a child process, engine on a SQLite file, production-tier key (limits raised far above the load). ` +
    `Load: autocannon, ${CONCURRENCY} keep-alive connections, ${ROUNDS}×${fmt(PHASE, 1)} s of HTTP alternated with ${ROUNDS}×${fmt(PHASE, 1)} s of the same mix in-process on the same engine (${CONCURRENCY} async loops). Texts: ${source}; 10 labels.`,
  'Shared, noisy 2-core host: read the ratios. The load generator shares the cores with the server, as any loopback client does.',
  '',
];
const md = [...header, markdownTable(rows), '', markdownNotes(rows), ''].join('\n');
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/http-load.md'), md);
console.log(md);
clearTimeout(guard);
process.exitCode = rows.every((r) => r.pass !== false) ? 0 : 1;
