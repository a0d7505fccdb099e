/**
 * Requests nobody vouches for cannot grow the database (issue #8, defect 2): keyless and
 * bad-key answers write no rows (only `handler.stats()` counters) and are rate limited per
 * client address; rows of keyed requests store route templates, never the raw path.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingOf } from '../../src/engine/ports.js';
import type { Engine } from '../../src/index.js';
import { createHandler, type HandlerOptions } from '../../src/http/index.js';
import { apiClient, expectError, listen, startEngine } from '../support/http-server.js';
import { expectOptionError } from '../support/options.js';

let dataDir: string;
let engine: Engine;
let key: string;
let keyId: string;
const closers: (() => Promise<void>)[] = [];

async function server(options?: HandlerOptions) {
  const handler = createHandler(engine, options);
  const s = await listen(handler);
  closers.push(s.close);
  return { ...s, handler, api: apiClient(`${s.origin}/v1`) };
}

/** Bytes of the database files (main file and WAL). */
function dbBytes(): number {
  return readdirSync(dataDir).reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'labelwise-unauth-'));
  engine = await startEngine({ dataDir });
  const k = await engine.keys.create({ name: 'owner' });
  [key, keyId] = [k.key, k.id];
});
afterAll(async () => {
  for (const close of closers) await close();
  await engine?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('requests without a valid key', () => {
  it('1,000 keyless GET /v1/<8,000 characters> write no row: the database does not grow, the logs stay empty', async () => {
    const { api, handler } = await server();
    const before = (await engine.logs({ limit: 100 })).data.length;
    await engine.usage(); // flush anything pending before measuring
    const bytes = dbBytes();
    const path = `/${'a'.repeat(8_000)}`;
    const statuses: number[] = [];
    for (let wave = 0; wave < 20; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => api('GET', path)));
      statuses.push(...answers.map((r) => r.status));
    }
    // The first 60 of the minute are answered 404, the rest 429 (per address, see below).
    expect(statuses.filter((s) => s === 404)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(940);
    expect((await engine.logs({ limit: 100 })).data.length).toBe(before);
    const grown = dbBytes() - bytes;
    console.log(`database growth after 1,000 keyless 8,000-character paths: ${grown} bytes`);
    expect(grown).toBe(0);
    expect(handler.stats()).toEqual({ unauthenticated: { 404: 60, 429: 940 }, rateLimitedUnlogged: 0 });
  });

  it('401s, bad keys, keyless 404/405 and the keyless OpenAPI document share one per-address budget; Retry-After on the 429', async () => {
    const { api } = await server({ unauthenticatedPerMinute: 4 });
    expectError(await api('GET', '/keys'), 401, 'INVALID_API_KEY');
    expectError(await api('GET', '/keys', { key: `lw_live_${'x'.repeat(40)}` }), 401, 'INVALID_API_KEY');
    expectError(await api('PUT', '/classify'), 405, 'METHOD_NOT_ALLOWED');
    expect((await api('GET', '/openapi.json')).status).toBe(200);
    const over = await api('GET', '/keys');
    expectError(over, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // A valid key is not counted against its address.
    expect((await api('GET', '/keys', { key })).status).toBe(200);
    expect((await api('GET', '/openapi.json', { key })).status).toBe(200);
  });

  it('with trustProxy each forwarded address has its own budget; IPv6 counts per /64, IPv4-mapped IPv6 as its IPv4', async () => {
    const { api } = await server({ unauthenticatedPerMinute: 2, trustProxy: true });
    const from = (address: string) => api('GET', '/balance', { headers: { 'x-forwarded-for': address } });
    for (const address of ['198.51.100.7', '198.51.100.7']) expect((await from(address)).status).toBe(401);
    expectError(await from('::ffff:198.51.100.7'), 429, 'RATE_LIMIT_EXCEEDED');
    expect((await from('198.51.100.8')).status).toBe(401);
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::2']) expect((await from(address)).status).toBe(401);
    expectError(await from('2001:db8:1:2:ffff:ffff:ffff:ffff'), 429, 'RATE_LIMIT_EXCEEDED');
    expect((await from('2001:db8:1:3::1')).status).toBe(401);
    // The client's own entries to the left of our proxy's cannot buy a fresh budget.
    expectError(await from('203.0.113.1, 198.51.100.7'), 429, 'RATE_LIMIT_EXCEEDED');
  });

  it('limits that could never be met are refused when the handler is made', async () => {
    await expectOptionError(() => createHandler(engine, { tiers: { developer: { concurrent: 0 } } }), 'tiers.developer.concurrent');
    await expectOptionError(() => createHandler(engine, { tiers: { developer: { requestsPerMinute: 0.5 } } }), 'tiers.developer.requestsPerMinute', /"tiers\.developer\.requestsPerMinute" must be a positive integer/);
    await expectOptionError(() => createHandler(engine, { tiers: { gold: {} } as never }), 'tiers.gold', /known options: tiers\.public, tiers\.developer, tiers\.production/);
    await expectOptionError(() => createHandler(engine, { unauthenticatedPerMinute: -1 }), 'unauthenticatedPerMinute');
  });
});

describe('rows of keyed requests', () => {
  it('store the route template as endpoint, never the raw path; messages quote at most 64 characters of it', async () => {
    const { api } = await server();
    const long = 'x'.repeat(5_000);
    const answers = [
      [await api('GET', `/classifiers/${long}`, { key }), 404, 'CLASSIFIER_NOT_FOUND', '/classifiers/{name}'],
      [await api('DELETE', `/keys/key_${long}`, { key }), 404, 'KEY_NOT_FOUND', '/keys/{id}'],
      [await api('GET', `/${long}`, { key }), 404, 'NOT_FOUND', '(no route)'],
      [await api('PUT', `/classifiers/${long}`, { key }), 405, 'METHOD_NOT_ALLOWED', '/classifiers/{name}'],
      [await api('GET', '/openapi.json', { key }), 200, undefined, '/openapi.json'],
    ] as const;
    for (const [res, status, code, endpoint] of answers) {
      if (code) {
        expectError(res, status, code);
        expect(res.text.length, res.text.slice(0, 200)).toBeLessThan(600);
      }
      const [row] = (await engine.logs({ request_id: res.requestId as string })).data;
      expect(row).toMatchObject({ endpoint, status, key_id: keyId });
    }
    expect(answers[0][0].body.message).toBe(`classifier "${'x'.repeat(64)}…" not found`);
    expect(answers[0][0].body.details.classifier).toHaveLength(65);
  });

  it('a key retrying without backoff gets every 429 answered, but only the first of the window is logged', async () => {
    const { api, handler } = await server({ tiers: { developer: { requestsPerMinute: 2 } } });
    const k = await engine.keys.create({ name: 'hammering' });
    const statuses: number[] = [];
    for (let i = 0; i < 52; i++) statuses.push((await api('GET', '/balance', { key: k.key })).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50);
    const rows = (await engine.logs({ key_id: k.id, limit: 100 })).data;
    expect(rows.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect(handler.stats().rateLimitedUnlogged).toBe(49);
  });

  it('the usage store refuses an over-long endpoint or method through the accounting port (a raw path must not slip in)', async () => {
    const row = { request_id: 'req_longendpoint000000000000000000', endpoint: `/${'y'.repeat(300)}`, method: 'GET', status: 404, tokens: 0, latency_ms: 1 };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    accountingOf(engine).recordRaw(row);
    accountingOf(engine).recordRaw({ ...row, request_id: 'req_longmethod00000000000000000000', endpoint: '/x', method: 'M'.repeat(40) });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect((await engine.logs({ request_id: row.request_id })).data).toEqual([]);
    expect((await engine.logs({ request_id: 'req_longmethod00000000000000000000' })).data).toEqual([]);
    expect(warnings.join('\n')).toMatch(/endpoint must be at most 200 characters/);
  });
});
