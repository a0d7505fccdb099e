/**
 * Hostile and malformed input: every case is answered with a 4xx (never a 5xx) and the server
 * stays healthy — a normal classify succeeds after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { expectError, rawHead, rawJson, rawRequest, serveApi, startEngine, type ApiCall } from '../support/http-server.js';

const LABELS = ['billing', 'shipping'];
const MB = 1_048_576;

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let call: ApiCall;
let key: string;
let auth: Record<string, string>;

beforeAll(async () => {
  engine = await startEngine();
  key = (await engine.keys.create({ name: 'hostile', tier: 'production' })).key;
  auth = { Authorization: `Bearer ${key}` };
  srv = await serveApi(engine, { limits: { timeoutMs: 500 } });
  call = srv.api;
});
afterEach(async () => {
  const res = await call('POST', '/classify', { key, body: { text: 'Is the server still healthy?', labels: ['yes', 'no'] } });
  expect(res.status, res.text).toBe(200);
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

describe('malformed JSON', () => {
  it('truncated or invalid JSON is 400 INVALID_JSON', async () => {
    for (const body of ['{"text":"hello","labels":["a"', '{text: "x"}', 'nope', '{"a":1}}', "{'text':'x'}", '\u0000']) {
      expectError(await call('POST', '/classify', { key, body }), 400, 'INVALID_JSON');
    }
  });

  it('invalid UTF-8 bytes are 400 INVALID_JSON', async () => {
    const body = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('","labels":["a","b"]}')]);
    const res = await call('POST', '/classify', { key, body });
    expectError(res, 400, 'INVALID_JSON');
    expect(res.body.message).toMatch(/UTF-8/);
  });

  it('deeply nested JSON within the size limit is 4xx (or ignored as an unknown field), never 500', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const d = deep(100_000);
    const cases: [string, string, boolean][] = [
      // [path, body, must be refused]
      ['/classify', d, true],
      ['/classify', deep(499_000), true],
      ['/classify', `{"text":"hi","labels":${d}}`, true],
      ['/tag', `{"text":"hi","labels":["a"],"descriptions":{"a":${d}}}`, true],
      ['/classify', `{"text":"hi","labels":["a"],"examples":{"a":${d}}}`, true],
      ['/classify/batch', `{"texts":["hi",${d}],"labels":["a","b"]}`, false],
      ['/classify', `{"text":"hi","labels":["a","b"],"extra":${d}}`, false],
      ['/tag/batch', `{"texts":["hi"],"labels":["a","b"],"extra":${d}}`, false],
      ['/classifiers', `{"name":"deep","labels":["a"],"extra":${d}}`, false],
      ['/keys', `{"name":"deep","extra":${d}}`, false],
    ];
    for (const [path, body, refused] of cases) {
      const res = await call('POST', path, { key, body });
      expect(res.status, `${path} ${body.slice(0, 40)}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
      if (refused) expect([400, 422]).toContain(res.status);
    }
  });
});

describe('wrong types', () => {
  const base = { text: 'hello', labels: LABELS };
  const cases: [string, Record<string, unknown> | unknown, string][] = [
    ['text number', { ...base, text: 5 }, 'text'],
    ['text missing', { labels: LABELS }, 'text'],
    ['labels string', { ...base, labels: 'billing' }, 'labels'],
    ['labels with non-strings', { ...base, labels: ['billing', 3] }, 'labels.1'],
    ['labels empty', { ...base, labels: [] }, 'labels'],
    ['descriptions array', { ...base, descriptions: ['billing'] }, 'descriptions'],
    ['descriptions value number', { ...base, descriptions: { billing: 5 } }, 'descriptions.billing'],
    ['examples non-array value', { ...base, examples: { billing: 'charged twice' } }, 'examples.billing'],
    ['examples string', { ...base, examples: 'x' }, 'examples'],
    ['priority slow', { ...base, priority: 'slow' }, 'priority'],
    ['cache yes', { ...base, cache: 'yes' }, 'cache'],
    ['text_type number', { ...base, text_type: 5 }, 'text_type'],
    ['classifier number', { text: 'hello', classifier: 5 }, 'classifier'],
    ['body array', [base], 'body'],
    ['body null', null, 'body'],
    ['body string', 'hello', 'body'],
  ];

  it.each(cases)('%s → 422 naming the field on /classify and /tag', async (_, body, field) => {
    for (const path of ['/classify', '/tag']) {
      expectError(await call('POST', path, { key, body: JSON.stringify(body) }), 422, 'VALIDATION_ERROR', field);
    }
  });

  it('threshold string, negative or 2 → 422 on /tag and the batches; ignored by /classify (spec §2: tag only)', async () => {
    for (const threshold of ['0.5', -0.1, 2]) {
      expectError(await call('POST', '/tag', { key, body: { ...base, threshold } }), 422, 'VALIDATION_ERROR', 'threshold');
      expectError(await call('POST', '/tag/batch', { key, body: { texts: ['x'], labels: LABELS, threshold } }), 422, 'VALIDATION_ERROR', 'threshold');
      // Documented in src/schema/request.ts: classify ignores threshold like any unknown field.
      expect((await call('POST', '/classify', { key, body: { ...base, threshold } })).status).toBe(200);
    }
  });

  it('batch texts of the wrong type: the whole request 422 for a non-array, a per-item error for a bad item', async () => {
    expectError(await call('POST', '/classify/batch', { key, body: { texts: 'x', labels: LABELS } }), 422, 'VALIDATION_ERROR', 'texts');
    const res = await call('POST', '/classify/batch', { key, body: { texts: ['fine', 5, null], labels: LABELS } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { code?: string }) => r.code ?? 'ok')).toEqual(['ok', 'VALIDATION_ERROR', 'VALIDATION_ERROR']);
  });

  // Known bug outside src/http (src/scoring/prototypes.ts reads descriptions[label] / examples[label]
  // through the prototype chain): a label named like an Object.prototype member is a 500.
  // Flip to `it` once fixed.
  it('labels named like Object.prototype members are classified, not a 500', async () => {
    const res = await call('POST', '/classify', { key, body: { text: 'hello', labels: ['constructor', 'toString'] } });
    expect(res.status).toBe(200);
  });
});

describe('body size and framing', () => {
  it('a 10 MB body with Content-Length is 413 PAYLOAD_TOO_LARGE and the connection is closed', async () => {
    const head = rawHead('POST', '/v1/classify', { ...auth, 'Content-Type': 'application/json', 'Content-Length': 10 * MB });
    const res = await rawRequest(srv.port, [head, Buffer.alloc(10 * MB, 0x20)]);
    expect(res.status, res.response.slice(0, 200)).toBe(413);
    expect(res.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(rawJson(res.response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit_bytes: MB } });
    expect(res.closed).toBe(true);
  });

  it('a 10 MB chunked body without Content-Length is 413 too', async () => {
    const head = rawHead('POST', '/v1/classify', { ...auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const res = await rawRequest(srv.port, [head, ...Array.from({ length: 40 }, () => frame), '0\r\n\r\n']);
    expect(res.status, res.response.slice(0, 200)).toBe(413);
    expect(rawJson(res.response).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('headers without a body are 400 INVALID_JSON (Content-Length: 0, or no length at all)', async () => {
    for (const extra of [{ 'Content-Length': 0 }, {}] as Record<string, number>[]) {
      const head = rawHead('POST', '/v1/classify', { ...auth, 'Content-Type': 'application/json', Connection: 'close', ...extra });
      const res = await rawRequest(srv.port, [head]);
      expect(res.status).toBe(400);
      expect(rawJson(res.response).code).toBe('INVALID_JSON');
    }
  });

  it('a client that sends half a body and stalls is answered (400) and disconnected within a bound', async () => {
    const head = rawHead('POST', '/v1/classify', { ...auth, 'Content-Type': 'application/json', 'Content-Length': 200 });
    const res = await rawRequest(srv.port, [head, '{"text":"half a bo'], { waitMs: 10_000 });
    expect(res.closed).toBe(true); // closed by the server, not by our 10 s bound
    expect(res.status).toBe(400);
    expect(rawJson(res.response)).toMatchObject({ code: 'INVALID_JSON', message: expect.stringMatching(/not received within 500 ms/) });
  });

  it('a client that aborts mid-body does not hurt the server', async () => {
    const head = rawHead('POST', '/v1/classify', { ...auth, 'Content-Type': 'application/json', 'Content-Length': 5000 });
    const res = await rawRequest(srv.port, [head, '{"text":"abort'], { waitMs: 50, end: true });
    expect(res.status === null || res.status === 400).toBe(true);
  });

  it('a request line that is not HTTP is refused by the server', async () => {
    const res = await rawRequest(srv.port, ['GARBAGE / NOT-HTTP\r\n\r\n']);
    expect(res.status).toBe(400);
  });
});

describe('methods, paths, media types', () => {
  it('PATCH/PUT/DELETE on known paths are 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['PATCH', '/classify', 'POST'],
      ['PUT', '/tag/batch', 'POST'],
      ['GET', '/classify', 'POST'],
      ['PUT', '/classifiers/support', 'GET, DELETE'],
      ['PATCH', '/keys', 'POST, GET'],
      ['DELETE', '/balance', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await call(method, path, { key, body: method === 'GET' ? undefined : {} });
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
  });

  it('unknown paths are 404 NOT_FOUND, including paths outside the base path', async () => {
    for (const path of ['/v1/nope', '/v1/classify/batch/extra', '/v1', '/', '/favicon.ico', '/xx/classify', '/api/keys', '/v2/classify']) {
      const res = await fetch(`${srv.origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"text":"hi","labels":["a","b"]}' });
      const body = (await res.json()) as { code?: string };
      expect({ path, status: res.status, code: body.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
  });

  it('badly encoded path parameters are a plain 404, not a 500', async () => {
    for (const ref of ['%E0%A4%A', '%', 'a%2Fb', '..%2F..%2Fetc']) {
      expectError(await call('GET', `/classifiers/${ref}`, { key }), 404, 'CLASSIFIER_NOT_FOUND');
    }
  });

  it('a non-JSON content type is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = JSON.stringify({ text: 'hi', labels: LABELS });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      expectError(await call('POST', '/classify', { key, body: json, headers: { 'content-type': type } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    // Parameters and +json suffixes are fine.
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      expect((await call('POST', '/classify', { key, body: json, headers: { 'content-type': type } })).status, type).toBe(200);
    }
  });
});
