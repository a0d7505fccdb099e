/**
 * One HTTP load phase with autocannon: `connections` keep-alive clients, each drawing its next
 * request from the mix (setupRequest), for `seconds`. Collects every X-Request-ID received and a
 * per-endpoint tally of statuses and latencies (autocannon's own per-response timing).
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { cpuDelta, cpuSnap, mixer, newTally, record, type Endpoint, type Tally } from './http-load-mix.js';

// autocannon ships no types: the slice of its API used here.
interface AcContext {
  endpoint?: Endpoint;
  texts?: number;
}
interface AcRequest {
  method?: string;
  path?: string;
  body?: string;
  setupRequest?: (req: AcRequest, ctx: AcContext) => AcRequest;
  onResponse?: (status: number, body: string, ctx: AcContext, headers: Record<string, string | string[]>) => void;
}
interface AcResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { total: number; sent: number };
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  method: string;
  headers: Record<string, string>;
  requests: AcRequest[];
}
type Autocannon = (opts: AcOptions, cb: (err: Error | null, result: AcResult) => void) => EventEmitter;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface HttpPhase {
  tally: Tally;
  ids: string[];
  /** Connection errors and timeouts: requests sent that got no answer. */
  errors: number;
  timeouts: number;
  /** CPU of this (load-generator) process during the phase, ms, and its main-thread busy share. */
  clientCpuMs: number;
  clientBusy: number;
}

export function httpPhase(port: number, key: string, texts: string[], seconds: number, connections: number, seed: number): Promise<HttpPhase> {
  const tally = newTally();
  const ids: string[] = [];
  // One mix for all clients: autocannon re-clones the context per request, so it cannot hold one per client.
  const next = mixer(seed, texts);
  let last: AcContext = {};
  const before = cpuSnap();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        timeout: 60, // a stalled answer must show as a timeout, not silently end the phase
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req, ctx) => {
              const r = next();
              ctx.endpoint = r.endpoint;
              ctx.texts = r.texts;
              return { ...req, method: 'POST', path: `/v1/${r.endpoint}`, body: JSON.stringify(r.body) };
            },
            onResponse: (status, _body, ctx, headers) => {
              const id = headers['X-Request-ID'] ?? headers['x-request-id'];
              if (typeof id === 'string') ids.push(id);
              last = ctx; // autocannon emits 'response' (with the timing) right after this, synchronously
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const { cpuMs, mainBusy } = cpuDelta(before, cpuSnap());
        resolve({ tally, ids, errors: result.errors, timeouts: result.timeouts, clientCpuMs: cpuMs, clientBusy: mainBusy });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (last.endpoint) record(tally, last.endpoint, status, ms, last.texts ?? 0);
      last = {};
    });
  });
}
