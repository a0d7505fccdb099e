/** Response headers of spec §1 and §1.3 through real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { serveApi, startEngine, type ApiCall, type ApiResponse } from '../support/http-server.js';

const LABELS = ['billing', 'shipping', 'technical'];

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let call: ApiCall;
let key: string;
let classifyOnly: string;

beforeAll(async () => {
  engine = await startEngine();
  key = (await engine.keys.create({ name: 'headers' })).key;
  classifyOnly = (await engine.keys.create({ name: 'narrow', scopes: ['classify'] })).key;
  srv = await serveApi(engine);
  call = srv.api;
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

const h = (res: ApiResponse, name: string) => res.headers.get(name);
const num = (res: ApiResponse, name: string) => Number(res.headers.get(name));

describe('X-Request-ID and Content-Type', () => {
  it('every response, success or error, carries a fresh X-Request-ID and a JSON content type', async () => {
    const responses = [
      await call('POST', '/classify', { key, body: { text: 'hello', labels: LABELS } }),
      await call('POST', '/classify', { key, body: { text: 'hello', labels: LABELS } }),
      await call('GET', '/keys', { key }),
      await call('POST', '/classifiers', { key, body: { name: 'hdr', labels: LABELS } }),
      await call('GET', '/openapi.json'),
      await call('GET', '/keys'), // 401
      await call('GET', '/keys', { key: classifyOnly }), // 403
      await call('GET', '/nowhere', { key }), // 404
      await call('PUT', '/classify', { key }), // 405
      await call('POST', '/classify', { key, body: 'x', headers: { 'content-type': 'text/plain' } }), // 415
      await call('POST', '/classify', { key, body: '{"text":' }), // 400
      await call('POST', '/classify', { key, body: { text: 'x' } }), // 422
      await call('POST', '/classify', { key, body: Buffer.alloc(1_048_577, 0x20) }), // 413
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 201, 200, 401, 403, 404, 405, 415, 400, 422, 413]);
    const ids = responses.map((r) => r.requestId);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of responses) expect(h(r, 'content-type')).toBe('application/json; charset=utf-8');
  });
});

describe('cache headers', () => {
  it('MISS then HIT with X-Cache-Age and the same X-Cache-Key; X-Tokens-Used is 0 on a hit', async () => {
    const body = { text: 'Please send me a copy of last month invoice', labels: LABELS };
    const miss = await call('POST', '/classify', { key, body });
    expect(h(miss, 'x-cache')).toBe('MISS');
    expect(h(miss, 'x-cache-key')).toMatch(/^[0-9a-f]{16}$/);
    expect(h(miss, 'x-cache-age')).toBeNull();
    expect(num(miss, 'x-tokens-used')).toBe(miss.body.tokens);
    expect(miss.body.tokens).toBeGreaterThan(0);

    const hit = await call('POST', '/classify', { key, body: { ...body, labels: [...LABELS].reverse(), priority: 'fast' } });
    expect(h(hit, 'x-cache')).toBe('HIT');
    expect(h(hit, 'x-cache-key')).toBe(h(miss, 'x-cache-key'));
    expect(Number.isInteger(num(hit, 'x-cache-age')) && num(hit, 'x-cache-age') >= 0).toBe(true);
    expect(h(hit, 'x-tokens-used')).toBe('0');
    expect(hit.body).toMatchObject({ cached: true, tokens: miss.body.tokens });

    const other = await call('POST', '/classify', { key, body: { ...body, text: `${body.text}!` } });
    expect(h(other, 'x-cache')).toBe('MISS');
    expect(h(other, 'x-cache-key')).not.toBe(h(miss, 'x-cache-key'));
  });

  it('tag is cached apart from classify; cache:false is a MISS that still stores the answer', async () => {
    const body = { text: 'The app crashes when I open settings', labels: LABELS };
    const classify = await call('POST', '/classify', { key, body });
    const tag = await call('POST', '/tag', { key, body: { ...body, cache: false } });
    expect(h(tag, 'x-cache')).toBe('MISS');
    expect(h(tag, 'x-cache-key')).not.toBe(h(classify, 'x-cache-key'));
    const tagAgain = await call('POST', '/tag', { key, body });
    expect([h(tagAgain, 'x-cache'), h(tagAgain, 'x-tokens-used')]).toEqual(['HIT', '0']);
    expect(h(tagAgain, 'x-cache-key')).toBe(h(tag, 'x-cache-key'));
  });

  it('batches report X-Tokens-Used = total_tokens and X-Cache HIT only when every item hit', async () => {
    const body = { texts: ['refund request for order 1', 'parcel lost in transit 2'], labels: LABELS };
    const first = await call('POST', '/classify/batch', { key, body });
    expect([h(first, 'x-cache'), num(first, 'x-tokens-used')]).toEqual(['MISS', first.body.total_tokens]);
    const again = await call('POST', '/classify/batch', { key, body });
    expect([h(again, 'x-cache'), h(again, 'x-tokens-used')]).toEqual(['HIT', '0']);
    const mixed = await call('POST', '/classify/batch', { key, body: { ...body, texts: [...body.texts, 'a brand new text 3'] } });
    expect(h(mixed, 'x-cache')).toBe('MISS');
    expect(num(mixed, 'x-tokens-used')).toBe(mixed.body.results[2].tokens);
  });
});

describe('rate-limit headers', () => {
  const NAMES = ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset'];

  it('appear on every authenticated response, count down, and tokens drop by X-Tokens-Used (not on hits)', async () => {
    const a = await call('GET', '/balance', { key });
    const miss = await call('POST', '/classify', { key, body: { text: 'rate limit header probe one', labels: LABELS } });
    const hit = await call('POST', '/classify', { key, body: { text: 'rate limit header probe one', labels: LABELS } });
    const invalid = await call('POST', '/tag', { key, body: { text: 'x', labels: LABELS, threshold: 7 } });
    const notFound = await call('GET', '/classifiers/none', { key });
    const noRoute = await call('GET', '/no-such-route', { key });
    const wrongMethod = await call('PUT', '/classify', { key });
    expect([noRoute.status, wrongMethod.status]).toEqual([404, 405]);
    for (const r of [a, miss, hit, invalid, notFound, noRoute, wrongMethod]) {
      for (const name of NAMES) expect(h(r, name), `${r.status} ${name}`).toMatch(/^\d+$/);
    }
    expect(num(a, 'x-ratelimit-limit-requests')).toBe(60);
    expect(num(a, 'x-ratelimit-limit-tokens')).toBe(500_000);
    expect(num(miss, 'x-ratelimit-remaining-requests')).toBe(num(a, 'x-ratelimit-remaining-requests') - 1);
    expect(num(hit, 'x-ratelimit-remaining-requests')).toBe(num(miss, 'x-ratelimit-remaining-requests') - 1);
    expect(num(miss, 'x-ratelimit-remaining-tokens')).toBe(num(a, 'x-ratelimit-remaining-tokens') - num(miss, 'x-tokens-used'));
    expect(num(hit, 'x-ratelimit-remaining-tokens')).toBe(num(miss, 'x-ratelimit-remaining-tokens'));
    const now = Date.now() / 1000;
    expect(num(a, 'x-ratelimit-reset')).toBeGreaterThan(now - 1);
    expect(num(a, 'x-ratelimit-reset')).toBeLessThanOrEqual(Math.ceil(now) + 61);
  });

  it('are absent where no key was verified (401, the public OpenAPI document)', async () => {
    for (const r of [await call('GET', '/keys'), await call('GET', '/openapi.json')]) {
      for (const name of NAMES) expect(h(r, name)).toBeNull();
    }
  });
});
