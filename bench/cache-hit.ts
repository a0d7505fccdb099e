/**
 * Q5 — a repeated identical classify served from the response cache. Beside the full call, the
 * hit path's pieces are timed on their own (same inputs) to show where the time goes; when the
 * target is missed (or BENCH_PROFILE=1) a CPU profile of hits names the hottest functions.
 */
import { canonicalKey, ResponseCache } from '../src/engine/response-cache.js';
import { createEngine } from '../src/index.js';
import { parseClassifyRequest } from '../src/schema/index.js';
import { configHash } from '../src/scoring/prototypes.js';
import { LABELS_10, SHORT_TEXT } from './lib/data.js';
import { profileHotspots } from './lib/profile.js';
import { fmt, ms, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

const TARGET_MS = 0.1;

export async function cacheHit(): Promise<Row[]> {
  const engine = await createEngine();
  try {
    const request = { text: SHORT_TEXT, labels: LABELS_10 };
    const first = await engine.classify(request);
    const second = await engine.classify(request);
    if (first.cached || !second.cached) throw new Error('expected a miss then a hit');
    // The pieces of Engine.#single on a hit, fed what the engine feeds them.
    const config = { labels: LABELS_10, descriptions: {}, examples: {}, text_type: undefined };
    const keyParts = {
      account: 'default', endpoint: 'classify', text: SHORT_TEXT, labels: [...LABELS_10].sort(),
      descriptions: {}, examples: {}, text_type: null, classifier: null, threshold: null, model: engine.modelId,
    };
    const lru = new ResponseCache<object>({ max: 10_000, ttlMs: { developer: 3_600_000 } });
    const key = canonicalKey(keyParts);
    lru.set(key, { label: 'x', confidence: 1, tokens: 1 });
    const parts = {
      'parseClassifyRequest (zod + normalize)': () => parseClassifyRequest(request),
      'configHash (sha256 of label config)': () => configHash(config),
      'canonicalKey (sortDeep + JSON + sha256)': () => canonicalKey(keyParts),
      'ResponseCache.get (LRU)': () => lru.get(key),
    };
    const stats = await interleave(
      { 'engine.classify, cache hit': () => engine.classify(request), ...parts },
      { rounds: 2, time: 400, iterations: 200, warmupIterations: 500 },
    );
    const hit = stats['engine.classify, cache hit'];
    const sum = Object.keys(parts).reduce((n, k) => n + stats[k].p50, 0);
    const breakdown = Object.keys(parts).map((k) => `${k} ${fmt(stats[k].p50 * 1000, 1)} µs`).join('; ');
    let hot = '';
    if (hit.p50 > TARGET_MS || process.env.BENCH_PROFILE === '1') {
      const spots = await profileHotspots(() => engine.classify(request), 1500, 8);
      hot = ` CPU profile of hits (self time, top 8): ${spots.map((s) => `${s.name} (${s.where}) ${fmt(s.pct, 1)}%`).join('; ')}.`;
    }
    return [
      {
        question: 'Q5',
        metric: 'cache hit: repeated identical classify (10 labels): p50 (p99)',
        measured: `${ms(hit.p50)} (p99 ${ms(hit.p99)})`,
        reference: `${ms(sum)} (sum of the hit path's parts, p50)`,
        ratio: fmt(hit.p50 / sum),
        target: `p50 ≤ ${TARGET_MS} ms`,
        pass: hit.p50 <= TARGET_MS,
        notes: `${hit.n} samples. Parts (p50, each timed alone): ${breakdown}.${hot}`,
        data: { stats },
      },
    ];
  } finally {
    await engine.close();
  }
}
