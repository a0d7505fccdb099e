/**
 * Child process of bench/http-load.ts: a real node:http server with the /v1 adapter on
 * 127.0.0.1, an engine on a SQLite file in a temp dir, and a production-tier key. Prints
 * `{ port, key, keyId, dataDir }` as one JSON line, then answers IPC messages:
 *   cpu     → CPU/event-loop snapshot of this process (HTTP phases are measured from outside)
 *   drain   → replies once no HTTP request is in flight (clients cut at the phase end leave some;
 *             engine.close() with inference still running aborts the process, see the report)
 *   inproc  → runs the same mix in-process on the SAME engine: concurrent async loops
 * SIGTERM: stop accepting, finish in-flight requests, close the engine (flushes every log row), exit 0.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/index.js';
import { createHandler } from '../../src/http/index.js';
import { isLabelwiseError } from '../../src/errors.js';
import { LABELS_10, loadTexts } from './data.js';
import { cpuDelta, cpuSnap, mixer, newTally, record, type Tally } from './http-load-mix.js';

export type ToServer = { type: 'cpu' } | { type: 'drain' } | { type: 'inproc'; seconds: number; concurrency: number; seed: number };
export type FromServer =
  | { type: 'cpu'; snap: ReturnType<typeof cpuSnap> }
  | { type: 'drain' }
  | { type: 'inproc'; tally: Tally; seconds: number; cpuMs: number; mainBusy: number };

const dataDir = mkdtempSync(join(tmpdir(), 'labelwise-http-load-'));
const engine = await createEngine({ dataDir });
const created = await engine.keys.create({ name: 'http-load', tier: 'production' });
const verified = await engine.keys.verify(created.key);
if (!verified) throw new Error('fresh key does not verify');
const { texts } = loadTexts(1900);

// Limits far above the load: this measures the adapter, not the limiter.
const handler = createHandler(engine, { tiers: { production: { requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000, concurrent: 1000 } } });
let inflight = 0;
let onIdle: (() => void) | undefined;
const server = createServer((req, res) => {
  inflight++;
  // Done when the handler answers (res.end), not when the socket closes: a client cut at the
  // phase end closes its socket at once while the engine still works on its request.
  const end = res.end.bind(res) as (...a: unknown[]) => typeof res;
  let done = false;
  res.end = ((...a: unknown[]) => {
    if (!done && (done = true) && --inflight === 0) onIdle?.();
    return end(...a);
  }) as typeof res.end;
  handler(req, res);
});
await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;

// Warm-up outside timing: prototypes for the 10 labels, a session in every worker.
await engine.classifyBatch({ texts: texts.slice(0, 64), labels: LABELS_10, cache: false });
process.stdout.write(`${JSON.stringify({ port, key: created.key, keyId: created.id, dataDir })}\n`);

/** The mix through engine.classify/tag/classifyBatch, as the HTTP routes call it (same account, key, logging). */
async function inProcess(e: Engine, seconds: number, concurrency: number, seed: number): Promise<FromServer> {
  const tally = newTally();
  const before = cpuSnap();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let n = 0;
  // CPU over the window only, like the HTTP side (whose snapshot is taken when autocannon stops).
  let after: ReturnType<typeof cpuSnap> | undefined;
  const timer = setTimeout(() => (after = cpuSnap()), seconds * 1000);
  const loop = async (i: number) => {
    const next = mixer(seed + i, texts);
    while (performance.now() < deadline) {
      const r = next();
      const options = { account: verified!.account, keyId: created.id, requestId: `inproc_${seed}_${n++}`, method: 'POST' };
      const t0 = performance.now();
      let status = 200;
      try {
        if (r.endpoint === 'classify') await e.classify(r.body as never, options);
        else if (r.endpoint === 'tag') await e.tag(r.body as never, options);
        else await e.classifyBatch(r.body as never, options);
      } catch (err) {
        status = isLabelwiseError(err) ? err.status : 500;
      }
      const t1 = performance.now();
      // Like autocannon: answers that arrive after the window are not counted.
      if (t1 <= deadline) record(tally, r.endpoint, status, t1 - t0, r.texts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  clearTimeout(timer);
  return { type: 'inproc', tally, seconds, ...cpuDelta(before, after ?? cpuSnap()) };
}

const reply = (m: FromServer) => process.send?.(m);
process.on('message', (m: ToServer) => {
  if (m.type === 'cpu') reply({ type: 'cpu', snap: cpuSnap() });
  else if (m.type === 'drain') {
    if (inflight === 0) reply({ type: 'drain' });
    else onIdle = () => ((onIdle = undefined), reply({ type: 'drain' }));
  } else if (m.type === 'inproc') void inProcess(engine, m.seconds, m.concurrency, m.seed).then(reply);
});

process.once('SIGTERM', () => {
  const force = setTimeout(() => server.closeAllConnections(), 10_000).unref();
  server.close(async () => {
    clearTimeout(force);
    await engine.close(); // flushes every buffered log row
    process.stderr.write('http-load server: stopped cleanly\n');
    process.disconnect?.();
  });
  server.closeIdleConnections();
});
