/**
 * The request mix of the HTTP load benchmark, shared by the HTTP clients and the in-process
 * reference so both sides draw the same kind of work, plus a per-endpoint tally that survives IPC.
 */
import { LABELS_10 } from './data.js';
import { percentile } from './stats.js';

export type Endpoint = 'classify' | 'tag' | 'classify/batch';
export const ENDPOINTS: Endpoint[] = ['classify', 'tag', 'classify/batch'];
export const BATCH_SIZE = 20;

export interface MixBody {
  text?: string;
  texts?: string[];
  labels: string[];
  cache: boolean;
}

export interface MixRequest {
  endpoint: Endpoint;
  body: MixBody;
  /** Texts this request classifies (1, or BATCH_SIZE for a batch). */
  texts: number;
}

/** mulberry32: a seeded PRNG, so every run draws the same sequence per client. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 60% classify, 25% tag, 15% classify/batch of 20; 80% with `cache: false` so the model really runs. */
export function mixer(seed: number, texts: string[]): () => MixRequest {
  const r = rng(seed);
  const text = () => texts[Math.floor(r() * texts.length)];
  return () => {
    const x = r();
    const endpoint: Endpoint = x < 0.6 ? 'classify' : x < 0.85 ? 'tag' : 'classify/batch';
    const cache = r() >= 0.8;
    if (endpoint === 'classify/batch') return { endpoint, texts: BATCH_SIZE, body: { texts: Array.from({ length: BATCH_SIZE }, text), labels: LABELS_10, cache } };
    return { endpoint, texts: 1, body: { text: text(), labels: LABELS_10, cache } };
  };
}

/** Plain data (JSON/IPC-safe): per endpoint, a status histogram, latencies (ms) and texts answered. */
export type Tally = Record<Endpoint, { statuses: Record<string, number>; latencies: number[]; texts: number }>;

export function newTally(): Tally {
  const empty = () => ({ statuses: {} as Record<string, number>, latencies: [] as number[], texts: 0 });
  return { classify: empty(), tag: empty(), 'classify/batch': empty() };
}

export function record(t: Tally, endpoint: Endpoint, status: number, ms: number, texts: number): void {
  const e = t[endpoint];
  e.statuses[status] = (e.statuses[status] ?? 0) + 1;
  e.latencies.push(ms);
  if (status === 200) e.texts += texts;
}

export function merge(into: Tally, from: Tally): Tally {
  for (const k of ENDPOINTS) {
    for (const [s, n] of Object.entries(from[k].statuses)) into[k].statuses[s] = (into[k].statuses[s] ?? 0) + n;
    for (const x of from[k].latencies) into[k].latencies.push(x);
    into[k].texts += from[k].texts;
  }
  return into;
}

export interface Summary {
  requests: number;
  rps: number;
  textsPerSec: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

/** One endpoint's numbers, or all of them (`endpoint` omitted), over `seconds` of load. */
export function summarize(t: Tally, seconds: number, endpoint?: Endpoint): Summary {
  const keys = endpoint ? [endpoint] : ENDPOINTS;
  const lat = keys.flatMap((k) => t[k].latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const k of keys) for (const [s, n] of Object.entries(t[k].statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const texts = keys.reduce((sum, k) => sum + t[k].texts, 0);
  return { requests: lat.length, rps: lat.length / seconds, textsPerSec: texts / seconds, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), statuses };
}

/** CPU seconds (user + system, all threads) and main-thread event-loop busy time between two snapshots. */
export interface CpuSnap {
  cpu: NodeJS.CpuUsage;
  elu: { idle: number; active: number };
}

export function cpuSnap(): CpuSnap {
  const { idle, active } = performance.eventLoopUtilization();
  return { cpu: process.cpuUsage(), elu: { idle, active } };
}

export function cpuDelta(a: CpuSnap, b: CpuSnap): { cpuMs: number; mainBusy: number } {
  const cpuMs = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;
  const active = b.elu.active - a.elu.active;
  return { cpuMs, mainBusy: active / (active + b.elu.idle - a.elu.idle) };
}
