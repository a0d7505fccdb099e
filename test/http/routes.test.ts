/** Every route of spec §3–6 and §10 through real HTTP on node:http, with the §1.2 error shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingOf } from '../../src/engine/ports.js';
import type { Engine } from '../../src/index.js';
import { expectError, serveApi, startEngine, type ApiCall } from '../support/http-server.js';

const LABELS = ['billing', 'shipping', 'technical'];
const is4dp = (n: number) => n >= 0 && n <= 1 && Math.round(n * 10_000) / 10_000 === n;

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let call: ApiCall;
let key: string;

beforeAll(async () => {
  engine = await startEngine();
  key = (await engine.keys.create({ name: 'routes' })).key;
  srv = await serveApi(engine);
  call = srv.api;
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

describe('POST /v1/classify and /v1/tag', () => {
  it('classify answers exactly one label with the spec §3 shape, cached on repeat', async () => {
    const body = { text: 'I was charged twice for my subscription this month', labels: LABELS };
    const first = await call('POST', '/classify', { key, body });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['cached', 'confidence', 'label', 'latency_ms', 'tokens']);
    expect(first.body).toMatchObject({ label: 'billing', cached: false });
    expect(is4dp(first.body.confidence)).toBe(true);
    expect(Number.isInteger(first.body.latency_ms) && Number.isInteger(first.body.tokens)).toBe(true);
    const again = await call('POST', '/classify', { key, body });
    expect(again.body).toEqual({ ...first.body, latency_ms: again.body.latency_ms, cached: true });
  });

  it('tag answers every label over the threshold, sorted by confidence', async () => {
    const res = await call('POST', '/tag', { key, body: { text: 'The parcel arrived late and the invoice is wrong', labels: LABELS, threshold: 0.3 } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['cached', 'labels', 'latency_ms', 'tokens']);
    const confidences = res.body.labels.map((l: { confidence: number }) => l.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const l of res.body.labels) {
      expect(LABELS).toContain(l.label);
      expect(is4dp(l.confidence) && l.confidence >= 0.3).toBe(true);
    }
    const none = await call('POST', '/tag', { key, body: { text: 'The parcel arrived late', labels: LABELS, threshold: 1 } });
    expect(none.body.labels).toEqual([]);
  });
});

describe('synchronous batches', () => {
  const texts = ['My card was charged twice', '   ', 'Where is my parcel? It is a week late'];

  it('classify/batch answers texts[i] in results[i] with both cached and cache.hit', async () => {
    const first = await call('POST', '/classify/batch', { key, body: { texts, labels: LABELS, cache: false } });
    expect(first.status).toBe(200);
    const [a, bad, c] = first.body.results;
    expect(a).toMatchObject({ label: 'billing', cached: false, cache: { hit: false } });
    expect(c).toMatchObject({ label: 'shipping', cached: false, cache: { hit: false } });
    expect(bad).toEqual({ error: expect.any(String), code: 'VALIDATION_ERROR', tokens: 0, cached: false, cache: { hit: false } });
    expect(first.body.total_tokens).toBe(a.tokens + c.tokens);
    expect(Number.isInteger(first.body.latency_ms)).toBe(true);
    const again = await call('POST', '/classify/batch', { key, body: { texts, labels: LABELS } });
    for (const i of [0, 2]) {
      expect(again.body.results[i]).toEqual({ ...first.body.results[i], cached: true, cache: { hit: true, age: expect.any(Number) } });
    }
    expect(again.body.total_tokens).toBe(0);
  });

  it('tag/batch items carry labels instead of label/confidence', async () => {
    const res = await call('POST', '/tag/batch', { key, body: { texts, labels: LABELS, threshold: 0.2 } });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(3);
    for (const i of [0, 2]) {
      const item = res.body.results[i];
      expect(item).not.toHaveProperty('label');
      expect(item).toMatchObject({ labels: expect.any(Array), cached: expect.any(Boolean), cache: { hit: item.cached } });
    }
    expect(res.body.results[1].code).toBe('VALIDATION_ERROR');
  });

  it('an empty texts array is a 422 naming texts', async () => {
    expectError(await call('POST', '/classify/batch', { key, body: { texts: [], labels: LABELS } }), 422, 'VALIDATION_ERROR', 'texts');
  });
});

describe('saved classifiers', () => {
  it('create v1 → v2, list, get name and name@v1, classify with name@v1, delete, 404', async () => {
    const v1 = await call('POST', '/classifiers', { key, body: { name: 'support', labels: ['billing', 'shipping'] } });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ name: 'support', version: 'v1', labels: ['billing', 'shipping'], text_type: null, threshold: null });
    const v2 = await call('POST', '/classifiers', { key, body: { name: 'support', labels: LABELS, threshold: 0.4 } });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 'v2', labels: LABELS, threshold: 0.4 });

    const list = await call('GET', '/classifiers', { key });
    expect(list.body.classifiers).toEqual([
      { name: 'support', latest_version: 'v2', versions: ['v1', 'v2'], created_at: v1.body.created_at, updated_at: v2.body.created_at },
    ]);
    expect((await call('GET', '/classifiers/support', { key })).body).toEqual({ ...v2.body, versions: ['v1', 'v2'] });
    expect((await call('GET', '/classifiers/support@v1', { key })).body).toEqual({ ...v1.body, versions: ['v1', 'v2'] });

    const text = 'The technician could not fix the router';
    const pinned = await call('POST', '/classify', { key, body: { text, classifier: 'support@v1' } });
    const inline = await call('POST', '/classify', { key, body: { text, labels: ['billing', 'shipping'] } });
    expect(pinned.status).toBe(200);
    expect({ label: pinned.body.label, confidence: pinned.body.confidence }).toEqual({ label: inline.body.label, confidence: inline.body.confidence });
    const latest = await call('POST', '/classify', { key, body: { text, classifier: 'support' } });
    const inlineV2 = await call('POST', '/classify', { key, body: { text, labels: LABELS } });
    expect({ label: latest.body.label, confidence: latest.body.confidence }).toEqual({ label: inlineV2.body.label, confidence: inlineV2.body.confidence });
    expect(latest.body.confidence).not.toBe(pinned.body.confidence); // v2 has three labels, v1 two

    expectError(await call('POST', '/classify', { key, body: { text, labels: LABELS, classifier: 'support' } }), 422, 'VALIDATION_ERROR', 'classifier');
    expect((await call('DELETE', '/classifiers/support', { key })).body).toEqual({ name: 'support', deleted: true });
    expectError(await call('GET', '/classifiers/support', { key }), 404, 'CLASSIFIER_NOT_FOUND');
    expectError(await call('DELETE', '/classifiers/support', { key }), 404, 'CLASSIFIER_NOT_FOUND');
    expectError(await call('POST', '/classify', { key, body: { text, classifier: 'support@v1' } }), 404, 'CLASSIFIER_NOT_FOUND');
  });

  it('unknown versions are 404 and bad names 422', async () => {
    await call('POST', '/classifiers', { key, body: { name: 'topics', labels: ['a', 'b'] } });
    expectError(await call('GET', '/classifiers/topics@v9', { key }), 404, 'CLASSIFIER_NOT_FOUND');
    expectError(await call('GET', '/classifiers/nope', { key }), 404, 'CLASSIFIER_NOT_FOUND');
    expectError(await call('POST', '/classifiers', { key, body: { name: 'Bad Name!', labels: ['a'] } }), 422, 'VALIDATION_ERROR', 'name');
  });
});

describe('keys', () => {
  it('shows the secret once, never lists it, and a revoked key gets 401', async () => {
    const created = await call('POST', '/keys', { key, body: { name: 'ci', scopes: ['classify'] } });
    expect(created.status).toBe(201);
    const secret: string = created.body.key;
    expect(secret).toMatch(/^lw_live_[A-Za-z0-9]{40}$/);
    expect(created.body).toMatchObject({ name: 'ci', scopes: ['classify'], tier: 'developer', revoked: false, prefix: secret.slice(0, 12) });

    const list = await call('GET', '/keys', { key });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(secret);
    const listed = list.body.keys.find((k: { id: string }) => k.id === created.body.id);
    const { key: _secret, ...stored } = created.body;
    expect(listed).toEqual(stored);
    for (const k of list.body.keys) expect(Object.keys(k)).not.toContain('key');

    const ok = await call('POST', '/classify', { key: secret, body: { text: 'hello there', labels: ['greeting', 'complaint'] } });
    expect(ok.status).toBe(200);
    const revoked = await call('DELETE', `/keys/${created.body.id}`, { key });
    expect(revoked.body).toMatchObject({ id: created.body.id, revoked: true });
    expectError(await call('POST', '/classify', { key: secret, body: { text: 'hello there', labels: ['greeting', 'complaint'] } }), 401, 'INVALID_API_KEY');
    expectError(await call('DELETE', '/keys/key_doesnotexist0000', { key }), 404, 'KEY_NOT_FOUND');
  });
});

describe('balance, usage, logs', () => {
  it('GET /balance has every field of spec §10', async () => {
    const res = await call('GET', '/balance', { key });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['balance_usd', 'currency', 'free_tokens_monthly', 'free_tokens_remaining', 'free_tokens_used', 'period_end', 'period_start', 'spend_limit_usd', 'spend_usd'].sort(),
    );
    expect(res.body.currency).toBe('usd');
    expect(res.body.free_tokens_used + res.body.free_tokens_remaining).toBe(res.body.free_tokens_monthly);
    expect(res.body.period_start).toMatch(/^\d{4}-\d\d-01T00:00:00\.000Z$/);
  });

  it('GET /usage groups by every grouping of spec §10; a bad group_by is 422', async () => {
    const fields = { day: 'period', hour: 'period', month: 'period', endpoint: 'endpoint', key: 'key_id', priority: 'priority' } as const;
    for (const [groupBy, field] of Object.entries(fields)) {
      const res = await call('GET', `/usage?group_by=${groupBy}`, { key });
      expect(res.status, groupBy).toBe(200);
      expect(res.body.group_by).toBe(groupBy);
      expect(Object.keys(res.body.totals).sort()).toEqual(['cached_requests', 'cost_usd', 'errors', 'requests', 'tokens', 'visual_tokens']);
      expect(res.body.data.length).toBeGreaterThan(0);
      for (const row of res.body.data) expect(row).toHaveProperty(field);
      const sum = res.body.data.reduce((n: number, r: { requests: number }) => n + r.requests, 0);
      expect(sum).toBe(res.body.totals.requests);
    }
    const byDefault = await call('GET', '/usage', { key });
    expect(byDefault.body.group_by).toBe('day');
    expect(byDefault.body.start).toMatch(/-01T00:00:00\.000Z$/);
    expectError(await call('GET', '/usage?group_by=week', { key }), 422, 'VALIDATION_ERROR', 'group_by');
  });

  it('GET /logs pages newest first with a cursor and finds an earlier X-Request-ID', async () => {
    const earlier = await call('POST', '/classify', { key, body: { text: 'Refund my order please', labels: LABELS, cache: false } });
    expect(earlier.requestId).toMatch(/^req_/);
    const found = await call('GET', `/logs?request_id=${earlier.requestId}`, { key });
    expect(found.body.data).toHaveLength(1);
    expect(found.body.data[0]).toMatchObject({ request_id: earlier.requestId, endpoint: '/classify', method: 'POST', status: 200, label: earlier.body.label, tokens: earlier.body.tokens, cached: false });

    const page1 = await call('GET', '/logs?limit=3', { key });
    expect(page1.body.data).toHaveLength(3);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await call('GET', `/logs?limit=3&cursor=${encodeURIComponent(page1.body.next_cursor)}`, { key });
    expect(page2.body.data).toHaveLength(3);
    const all = [...page1.body.data, ...page2.body.data];
    expect(new Set(all.map((e) => e.request_id)).size).toBe(6);
    const times = all.map((e) => e.created_at);
    expect(times).toEqual([...times].sort().reverse());

    const errors = await call('GET', '/logs?status=422&limit=100', { key });
    expect(errors.body.data.length).toBeGreaterThan(0);
    for (const e of errors.body.data) expect(e).toMatchObject({ status: 422, error_code: 'VALIDATION_ERROR' });
    expectError(await call('GET', '/logs?cursor=garbage', { key }), 422, 'VALIDATION_ERROR', 'cursor');
  });

  it('GET /logs shows a logged input only within the retention window; the query cannot move the clock', async () => {
    const logging = await engine.keys.create({ name: 'logs-inputs', log_inputs: true, log_retention_days: 1 });
    const fresh = await call('POST', '/classify', { key: logging.key, body: { text: 'keep this input', labels: LABELS } });
    const freshLog = await call('GET', `/logs?request_id=${fresh.requestId}`, { key });
    expect(freshLog.body.data[0].input).toBe('keep this input');
    // A request of that key from two days ago: its 1-day retention is over (the hourly purge has not run yet).
    const old = { request_id: 'req_retention0000000000000000000000', key_id: logging.id, endpoint: '/classify', method: 'POST', status: 200, tokens: 1, latency_ms: 1 };
    accountingOf(engine).recordRaw({ ...old, input: 'expired input', created_at: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    const expired = await call('GET', `/logs?request_id=${old.request_id}`, { key });
    expect(expired.body.data).toHaveLength(1);
    expect(expired.body.data[0]).not.toHaveProperty('input');
    const rewound = await call('GET', `/logs?request_id=${old.request_id}&now=2000-01-01T00:00:00Z`, { key });
    expect(rewound.body.data[0]).not.toHaveProperty('input');
  });
});

describe('internal errors', () => {
  it('a 500 carries the generic body: no stack trace, no path, no internal message', async () => {
    // A real internal failure: an embedder that throws a plain Error with a path in it.
    const broken = await startEngine({
      embedder: {
        id: 'broken',
        dimension: 4,
        countTokens: (t: string) => t.length,
        embed: async () => {
          throw new Error('ENOENT: /srv/secret/model.onnx exploded');
        },
        close: async () => {},
      },
    });
    const brokenKey = (await broken.keys.create({ name: 'x' })).key;
    const s = await serveApi(broken);
    // The handler reports the real error as a process warning: captured (and asserted) here
    // rather than printed, so the expected failure does not read like a broken test run.
    const warnings: string[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => void warnings.push(String(warning))) as typeof process.emitWarning;
    try {
      const res = await s.api('POST', '/classify', { key: brokenKey, body: { text: 'hello', labels: ['a', 'b'] } });
      expectError(res, 500, 'INTERNAL_ERROR');
      expect(res.body).toEqual({ error: 'internal-error', code: 'INTERNAL_ERROR', message: 'Internal error', detail: 'Internal error', details: { reason: 'internal' } });
      expect(warnings.some((w) => w.includes(res.headers.get('x-request-id')!) && w.includes('/srv/secret/model.onnx exploded'))).toBe(true);
    } finally {
      process.emitWarning = emitWarning;
      await s.close();
      await broken.close();
    }
  });

  it('an engine closed under a live handler answers 503 OVERLOADED (retryable), not 500', async () => {
    const doomed = await startEngine();
    const doomedKey = (await doomed.keys.create({ name: 'x' })).key;
    const s = await serveApi(doomed);
    await doomed.close();
    try {
      const res = await s.api('GET', '/keys', { key: doomedKey });
      expectError(res, 503, 'OVERLOADED');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await s.close();
    }
  });
});
