/** Authentication, scopes, public mode, rate/token/concurrency limits and overload (spec §1.1, §11). */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/index.js';
import type { HandlerOptions } from '../../src/http/index.js';
import { expectError, serveApi, startEngine, type ApiResponse } from '../support/http-server.js';

const LABELS = ['billing', 'shipping'];
const classifyBody = (text = 'My card was charged twice') => ({ text, labels: LABELS });

let engine: Engine;
/** An engine with a tiny inference queue, for 503 OVERLOADED. */
let small: Engine;
let admin: string;
const servers: Awaited<ReturnType<typeof serveApi>>[] = [];
/** Every answer of this file, to find each one (or its absence) in the logs afterwards. */
const answered: { id: string; status: number; account: string; engine: () => Engine; logged: boolean }[] = [];

async function server(options?: HandlerOptions, on: () => Engine = () => engine) {
  const s = await serveApi(on(), options);
  servers.push(s);
  const call = async (method: string, path: string, opts?: Parameters<typeof s.api>[2], account = 'default'): Promise<ApiResponse> => {
    const res = await s.api(method, path, opts);
    // Only requests a valid key vouches for are logged, plus anonymous public calls the engine served.
    const logged = res.status !== 401 && (opts?.key !== undefined || (account === 'public' && res.status === 200));
    answered.push({ id: res.requestId as string, status: res.status, account, engine: on, logged });
    return res;
  };
  return { ...s, call };
}

beforeAll(async () => {
  [engine, small] = await Promise.all([startEngine(), startEngine({ pool: { maxQueue: 60 } })]);
  admin = (await engine.keys.create({ name: 'admin' })).key;
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await engine?.close();
  await small?.close();
});

describe('401 and 403', () => {
  it('401 INVALID_API_KEY for a missing, malformed, unknown, revoked or expired key', async () => {
    const { call } = await server();
    const revoked = await engine.keys.create({ name: 'revoked' });
    await engine.keys.revoke(revoked.id);
    // The key's lifetime runs on a fake clock (only Date is faked: timers, the pool and the
    // sockets run as usual), so a cold first call cannot outlive it however loaded the box is.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const expiresAt = Date.now() + 400;
      const expiring = await engine.keys.create({ name: 'expiring', expires_at: new Date(expiresAt).toISOString() });
      expect((await call('POST', '/classify', { key: expiring.key, body: classifyBody() })).status).toBe(200);
      vi.setSystemTime(expiresAt - 1);
      expect((await call('GET', '/balance', { key: expiring.key })).status).toBe(200);
      vi.setSystemTime(expiresAt); // expired at its deadline, not a millisecond later
      expectError(await call('POST', '/classify', { key: expiring.key, body: classifyBody() }), 401, 'INVALID_API_KEY');
    } finally {
      vi.useRealTimers();
    }
    expectError(await call('POST', '/classify', { body: classifyBody() }), 401, 'INVALID_API_KEY');
    expectError(await call('POST', '/classify', { body: classifyBody(), headers: { authorization: `Basic ${admin}` } }), 401, 'INVALID_API_KEY');
    expectError(await call('POST', '/classify', { key: `lw_live_${'x'.repeat(40)}`, body: classifyBody() }), 401, 'INVALID_API_KEY');
    expectError(await call('POST', '/classify', { key: 'x'.repeat(10_000), body: classifyBody() }), 401, 'INVALID_API_KEY');
    expectError(await call('GET', '/keys', { key: revoked.key }), 401, 'INVALID_API_KEY');
  });

  it('403 PERMISSION_DENIED for a key without the scope the route needs', async () => {
    const { call } = await server();
    const classifyOnly = (await engine.keys.create({ name: 'c', scopes: ['classify'] })).key;
    const manageOnly = (await engine.keys.create({ name: 'm', scopes: ['manage'] })).key;
    expectError(await call('GET', '/keys', { key: classifyOnly }), 403, 'PERMISSION_DENIED');
    expectError(await call('POST', '/keys', { key: classifyOnly, body: {} }), 403, 'PERMISSION_DENIED');
    expectError(await call('POST', '/classify', { key: manageOnly, body: classifyBody() }), 403, 'PERMISSION_DENIED');
    expectError(await call('POST', '/tag/batch', { key: manageOnly, body: { texts: ['x'], labels: LABELS } }), 403, 'PERMISSION_DENIED');
    expect((await call('POST', '/classify', { key: classifyOnly, body: classifyBody() })).status).toBe(200);
    expect((await call('GET', '/keys', { key: manageOnly })).status).toBe(200);
  });
});

describe('public mode', () => {
  it('classify/tag work without a key once per minute per IP, then 429; other routes still need a key', async () => {
    const { call } = await server({ publicMode: true });
    const first = await call('POST', '/classify', { body: classifyBody('public caller text') }, 'public');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('1');
    const second = await call('POST', '/tag', { body: classifyBody('public caller text') }, 'public');
    expectError(second, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // Without trustProxy a forged X-Forwarded-For does not buy a fresh budget.
    const forged = await call('POST', '/classify', { body: classifyBody(), headers: { 'x-forwarded-for': '203.0.113.9' } }, 'public');
    expectError(forged, 429, 'RATE_LIMIT_EXCEEDED');
    expectError(await call('GET', '/keys'), 401, 'INVALID_API_KEY');
    expectError(await call('POST', '/classify/batch', { body: { texts: ['x'], labels: LABELS } }), 401, 'INVALID_API_KEY');
    // A key still works normally in public mode.
    expect((await call('POST', '/classify', { key: admin, body: classifyBody() })).status).toBe(200);
  });

  it('with trustProxy each forwarded client IP has its own budget', async () => {
    const { call } = await server({ publicMode: true, trustProxy: true });
    // Our proxy appends the address it saw: the rightmost entry.
    const as = (forwarded: string) => call('POST', '/classify', { body: classifyBody(), headers: { 'x-forwarded-for': forwarded } }, 'public');
    expect((await as('198.51.100.1')).status).toBe(200);
    expect((await as('198.51.100.2')).status).toBe(200);
    expectError(await as('198.51.100.1'), 429, 'RATE_LIMIT_EXCEEDED');
    // Entries the client wrote to the left cannot buy it a fresh budget.
    expectError(await as('203.0.113.9, 198.51.100.2'), 429, 'RATE_LIMIT_EXCEEDED');
  });
});

describe('rate limits', () => {
  it('a rateLimiter factory shares windows between handlers (as a Redis store would between processes)', async () => {
    const { RateLimiterMemory } = await import('rate-limiter-flexible');
    const shared = new Map<string, InstanceType<typeof RateLimiterMemory>>();
    const rateLimiter: HandlerOptions['rateLimiter'] = (o) => {
      if (!shared.has(o.keyPrefix)) shared.set(o.keyPrefix, new RateLimiterMemory(o));
      return shared.get(o.keyPrefix) as InstanceType<typeof RateLimiterMemory>;
    };
    const options: HandlerOptions = { rateLimiter, tiers: { developer: { requestsPerMinute: 2 } } };
    const [a, b] = [await server(options), await server(options)];
    const key = (await engine.keys.create({ name: 'shared-window' })).key;
    expect((await a.call('POST', '/classify', { key, body: classifyBody() })).status).toBe(200);
    expect((await b.call('POST', '/classify', { key, body: classifyBody() })).status).toBe(200);
    expectError(await a.call('POST', '/classify', { key, body: classifyBody() }), 429, 'RATE_LIMIT_EXCEEDED');
  });

  it('requestsPerMinute 3: the 4th request is 429 with Retry-After and Remaining-Requests 0', async () => {
    const { call } = await server({ tiers: { developer: { requestsPerMinute: 3 } } });
    const key = (await engine.keys.create({ name: 'rpm' })).key;
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/classify', { key, body: classifyBody() });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining-requests') as string);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const fourth = await call('POST', '/classify', { key, body: classifyBody() });
    expectError(fourth, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(fourth.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(fourth.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // Another key of the same tier is counted on its own.
    const other = (await engine.keys.create({ name: 'rpm2' })).key;
    expect((await call('GET', '/balance', { key: other })).status).toBe(200);
  });

  it('tokensPerMinute: a request that fits the window but not what is left of it is 429 with Retry-After and costs nothing', async () => {
    const { call } = await server({ tiers: { developer: { tokensPerMinute: 60 } } });
    const key = (await engine.keys.create({ name: 'tpm' })).key;
    const first = await call('POST', '/classify', { key, body: { text: 'word '.repeat(20), labels: ['a', 'b'], cache: false } });
    expect(first.status).toBe(200);
    const left = Number(first.headers.get('x-ratelimit-remaining-tokens'));
    expect(left).toBe(60 - first.body.tokens);
    // ≈ 4 characters per token: an estimate under the whole budget but over what is left.
    const big = await call('POST', '/classify', { key, body: { text: 'word '.repeat(Math.ceil(((left + 5) * 4) / 5)), labels: ['a', 'b'] } });
    expectError(big, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(big.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(big.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const small = await call('POST', '/classify', { key, body: { text: 'hi', labels: ['a', 'b'] } });
    expect(small.status).toBe(200);
    expect(Number(small.headers.get('x-ratelimit-remaining-tokens'))).toBe(left - small.body.tokens);
  });

  it('concurrency cap 1: of two simultaneous large batches one gets 429 CONCURRENCY_LIMIT_EXCEEDED', async () => {
    const { call } = await server({ tiers: { developer: { concurrent: 1 } } });
    const key = (await engine.keys.create({ name: 'conc' })).key;
    const batch = (n: number) => ({ texts: Array.from({ length: 1000 }, (_, i) => `concurrent text ${n}-${i} about a late parcel`), labels: LABELS, cache: false });
    const results = await Promise.all([call('POST', '/classify/batch', { key, body: batch(1) }), call('POST', '/classify/batch', { key, body: batch(2) })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = results.find((r) => r.status === 429) as ApiResponse;
    expectError(refused, 429, 'CONCURRENCY_LIMIT_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The slot is free again once the first finished.
    expect((await call('POST', '/classify', { key, body: classifyBody() })).status).toBe(200);
  });
});

describe('overload', () => {
  it('a full inference queue is 503 OVERLOADED with Retry-After; a request that fits still works', async () => {
    const { call } = await server(undefined, () => small);
    const key = (await small.keys.create({ name: 'o' })).key;
    // Room for the label prototypes (18 template sentences per label) and a few concurrent callers.
    expect((await call('POST', '/classify', { key, body: { text: 'warm', labels: ['a', 'b'] } })).status).toBe(200);
    // Waves of 24 concurrent callers of 15 texts each: far more than the queue of 60 holds at once.
    // Whether one wave overlaps enough depends on the box's speed, so up to five waves are sent;
    // a queue that never refuses fails the test.
    const batch = (w: number, c: number) =>
      call('POST', '/classify/batch', { key, body: { texts: Array.from({ length: 15 }, (_, i) => `overload wave ${w} caller ${c} text ${i} `.repeat(4)), labels: ['a', 'b'], cache: false } });
    let res: ApiResponse | undefined;
    for (let wave = 0; wave < 5 && !res; wave++) {
      const answers = await Promise.all(Array.from({ length: 24 }, (_, c) => batch(wave, c)));
      expect(answers.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      res = answers.find((r) => r.status === 503);
    }
    expect(res).toBeDefined();
    expectError(res!, 503, 'OVERLOADED');
    expect(Number(res!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call('POST', '/classify', { key, body: { text: 'still fine', labels: ['a', 'b'] } })).status).toBe(200);
  });
});

describe('unknown routes and methods', () => {
  it('are answered 404/405 before any key check (logged only when a valid key made them, below)', async () => {
    const { call, origin } = await server();
    expectError(await call('GET', '/nowhere', { key: admin }), 404, 'NOT_FOUND');
    expectError(await call('GET', '/nowhere'), 404, 'NOT_FOUND');
    expectError(await call('PUT', '/classify', { body: {} }), 405, 'METHOD_NOT_ALLOWED');
    const outside = await fetch(`${origin}/outside/keys`);
    expect(outside.status).toBe(404);
    answered.push({ id: outside.headers.get('x-request-id') as string, status: 404, account: 'default', engine: () => engine, logged: false });
  });
});

describe('logs', () => {
  it('every answer made with a valid key (403, 429, 503 included) is in engine.logs() under its X-Request-ID; no keyless one is', async () => {
    expect(answered.filter((a) => a.logged).length).toBeGreaterThan(20);
    expect(answered.filter((a) => !a.logged).length).toBeGreaterThan(8);
    for (const { id, status, account, engine: on, logged } of answered) {
      expect(id).toMatch(/^req_/);
      const page = await on().logs({ request_id: id, account });
      expect(page.data.map((e) => [e.request_id, e.status]), `${id} (${status})`).toEqual(logged ? [[id, status]] : []);
      if (!logged) expect((await on().logs({ request_id: id, account: 'default' })).data).toEqual([]);
    }
  });
});
