/**
 * Wire details of issue #8 (defects 5 and 7): limits a request can never fit are 413 without
 * Retry-After, validation runs before the token estimate, every `details` object is
 * snake_case, non-object bodies are 422, the OpenAPI document carries rate-limit headers for a
 * key, and a client hang-up is logged as 499 CLIENT_CLOSED_REQUEST, not 400 INVALID_JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { expectError, rawHead, rawRequest, serveApi, startEngine, type ApiResponse } from '../support/http-server.js';

const LABELS = ['billing', 'shipping'];
const LIMIT_HEADERS = ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset'];

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let key: string;
let publicKey: string;

beforeAll(async () => {
  engine = await startEngine();
  key = (await engine.keys.create({ name: 'wire' })).key;
  publicKey = (await engine.keys.create({ name: 'public-tier', tier: 'public' })).key;
  // Public-tier keys get room for several requests a minute, so only the token limit is in play.
  srv = await serveApi(engine, { tiers: { public: { requestsPerMinute: 100 }, developer: { tokensPerMinute: 20_000 } } });
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

/** Every key of every object in `value`, recursively. */
function keysOf(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(Array.isArray(value) ? [] : [k]), ...keysOf(v)]);
}

describe('a request that can never fit a limit', () => {
  it('a public-tier key with 45 KB of text is 413 naming the limit, without Retry-After, every time', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await srv.api('POST', '/classify', { key: publicKey, body: { text: 'word '.repeat(9_000), labels: LABELS } });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(res.headers.get('retry-after')).toBeNull();
      expect(res.body.details).toMatchObject({ limit: 'tokens_per_minute', limit_tokens: 10_000, tier: 'public' });
      expect(res.body.details.estimated_tokens).toBeGreaterThan(10_000);
    }
    // The budget was not touched: a request that fits is answered.
    const fits = await srv.api('POST', '/classify', { key: publicKey, body: { text: 'word '.repeat(100), labels: LABELS } });
    expect(fits.status).toBe(200);
  });

  it('a batch whose texts together exceed the window is 413 too; bad items do not count', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `${i} ${'parcel '.repeat(300)}`);
    const res = await srv.api('POST', '/classify/batch', { key, body: { texts, labels: LABELS } });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.details).toMatchObject({ limit: 'tokens_per_minute', limit_tokens: 20_000, tier: 'developer' });
    const ok = await srv.api('POST', '/classify/batch', { key, body: { texts: ['late parcel', ...Array.from({ length: 999 }, () => '   ')], labels: LABELS } });
    expect(ok.status).toBe(200);
  });

  it('document bytes are not counted as text: a public-tier key’s 60 KB base64 image is read (here: 422 unreadable), not refused for its size', async () => {
    const image = Buffer.alloc(45_000, 7).toString('base64'); // 60 KB of base64 that is no image
    const res = await srv.api('POST', '/classify', { key: publicKey, body: { image, labels: LABELS } });
    expectError(res, 422, 'DOCUMENT_ERROR');
  });

  it('validation runs before the estimate: 7,000 images are 422 on image, like 21', async () => {
    for (const n of [21, 7_000]) {
      const res = await srv.api('POST', '/classify', { key, body: { image: Array.from({ length: n }, () => 'https://example.com/a.png'), labels: LABELS } });
      expectError(res, 422, 'VALIDATION_ERROR', 'image');
    }
  });
});

describe('wire shapes', () => {
  it('a 429 carries details.rate_limit in snake_case; every details object of every error here is snake_case', async () => {
    const tight = await serveApi(engine, { tiers: { developer: { requestsPerMinute: 1 } } });
    try {
      const k = (await engine.keys.create({ name: 'tight' })).key;
      const errors: ApiResponse[] = [];
      expect((await tight.api('GET', '/balance', { key: k })).status).toBe(200);
      const limited = await tight.api('GET', '/balance', { key: k });
      expectError(limited, 429, 'RATE_LIMIT_EXCEEDED');
      expect(Object.keys(limited.body.details.rate_limit).sort()).toEqual(['limit_requests', 'limit_tokens', 'remaining_requests', 'remaining_tokens', 'reset']);
      errors.push(limited);
      errors.push(await srv.api('POST', '/classify', { key: publicKey, body: { text: 'word '.repeat(9_000), labels: LABELS } }));
      errors.push(await srv.api('POST', '/classify', { key, body: { text: 'x', labels: ['a', 'a'] } }));
      errors.push(await srv.api('POST', '/classify', { key, body: 'x', headers: { 'content-type': 'text/plain' } }));
      errors.push(await srv.api('GET', '/classifiers/missing', { key }));
      errors.push(await srv.api('POST', '/keys', { key: (await engine.keys.create({ tier: 'public', scopes: ['manage'] })).key, body: { tier: 'production' } }));
      errors.push(await srv.api('POST', '/classify', { key, body: Buffer.alloc(1_048_577, 0x20) }));
      for (const res of errors) {
        expect(res.body.details, res.text).toBeDefined();
        for (const name of keysOf(res.body.details)) expect(name, res.text).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    } finally {
      await tight.close();
    }
  });

  it.each(['/keys', '/classifiers', '/classify', '/tag', '/classify/batch', '/tag/batch'])('POST %s with a null, array, number or string body is 422 on body, and creates nothing', async (path) => {
    const before = (await engine.keys.list()).keys.length;
    for (const body of ['null', '[]', '[{}]', '5', '"key"', 'true']) {
      expectError(await srv.api('POST', path, { key, body }), 422, 'VALIDATION_ERROR', 'body');
    }
    expect((await engine.keys.list()).keys.length).toBe(before);
    if (path === '/keys') expect((await srv.api('POST', path, { key })).status).toBe(201); // an empty body still means defaults
  });

  it('GET /v1/openapi.json with a key carries the X-RateLimit-* headers; without one it has none', async () => {
    const keyed = await srv.api('GET', '/openapi.json', { key });
    const anonymous = await srv.api('GET', '/openapi.json');
    for (const name of LIMIT_HEADERS) {
      expect(keyed.headers.get(name), name).toMatch(/^\d+$/);
      expect(anonymous.headers.get(name), name).toBeNull();
    }
  });
});

describe('a client that hangs up', () => {
  /** Waits (bounded) for the key's first log row: a hung-up client never sees its request id. */
  async function firstRow(keyId: string) {
    for (let i = 0; i < 200; i++) {
      const [row] = (await engine.logs({ key_id: keyId, limit: 1 })).data;
      if (row) return row;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no log row for ${keyId}`);
  }

  it('mid-body is logged as 499 CLIENT_CLOSED_REQUEST, not 400 INVALID_JSON', async () => {
    const k = await engine.keys.create({ name: 'hangs-up-mid-body' });
    const head = rawHead('POST', '/v1/classify', { Authorization: `Bearer ${k.key}`, 'Content-Type': 'application/json', 'Content-Length': 1000 });
    // Sends half the body, then gives up at once (a 50 ms liveness bound, not a timing assertion).
    await rawRequest(srv.port, [head, '{"text": "half a bo'], { waitMs: 50 });
    expect(await firstRow(k.id)).toMatchObject({ status: 499, error_code: 'CLIENT_CLOSED_REQUEST', endpoint: '/classify' });
  });

  it('while the engine works is logged as 499 by the engine too', async () => {
    const k = await engine.keys.create({ name: 'hangs-up-while-working' });
    const body = JSON.stringify({ texts: Array.from({ length: 1000 }, (_, i) => `a text to hang up on ${i}`), labels: LABELS, cache: false });
    const head = rawHead('POST', '/v1/classify/batch', { Authorization: `Bearer ${k.key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    await rawRequest(srv.port, [head, body], { waitMs: 100 });
    expect(await firstRow(k.id)).toMatchObject({ status: 499, error_code: 'CLIENT_CLOSED_REQUEST', endpoint: '/classify/batch' });
  });
});
